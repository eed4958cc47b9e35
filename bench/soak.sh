#!/usr/bin/env bash
# Soak test of a local stack (#18): mixed load for DURATION seconds against the real binaries —
# new orders (each one's first access settles it on chain), verified downloads (signed, ranged
# requests, every chunk checked against the chain), re-downloads of settled agreements and
# status reads — while pactumd's RSS, open descriptors, node.db and log sizes are recorded
# every INTERVAL seconds. Fails (exit 1) on any command error, or when RSS after the warm-up
# grew by more than MAX_GROWTH_KB.
#
#   bench/soak.sh [BUILD_DIR]        (default build/release)
#   DURATION=3600 INTERVAL=30 WARMUP=300 MAX_GROWTH_KB=8192 bench/soak.sh
#
# Output: build/bench-results/soak-<time>/samples.csv (t_s, rss_kb, fds, node_db_bytes,
# log_bytes, downloads, orders, errors) and summary.txt; the stack runs in a fresh temporary
# home on free ports and is stopped at the end, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build/release}
DURATION=${DURATION:-3600}
INTERVAL=${INTERVAL:-30}
WARMUP=${WARMUP:-300}
MAX_GROWTH_KB=${MAX_GROWTH_KB:-8192}
FILE_MB=${FILE_MB:-8}
PACTUM="$BUILD_DIR/apps/pactum/pactum"
for tool in jq python3; do
  command -v "$tool" >/dev/null || { echo "soak.sh: '$tool' is not installed" >&2; exit 2; }
done
[ -x "$PACTUM" ] || { echo "soak.sh: no $PACTUM (build the release tree first: make build)" >&2; exit 2; }
case "$DURATION$INTERVAL$WARMUP" in *[!0-9]*) echo "soak.sh: DURATION, INTERVAL, WARMUP are seconds" >&2; exit 2;; esac

OUT="build/bench-results/soak-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
HOME_DIR=$(mktemp -d /tmp/pactum-soak-XXXXXX)
WORK=$(mktemp -d /tmp/pactum-soak-work-XXXXXX)
p() { "$PACTUM" --home "$HOME_DIR" "$@"; }
cleanup() {
  p down >/dev/null 2>&1 || true
  rm -rf "$HOME_DIR" "$WORK"
}
trap cleanup EXIT

echo "soak: $DURATION s of mixed load, samples every $INTERVAL s, output in $OUT"
p --json up --detach --chain-port 0 --node-port 0 > "$WORK/up.json"
NODE_PID=$(jq -r '.node.pid' "$WORK/up.json")
NODE_LOG=$(jq -r '.node.log' "$WORK/up.json")
NODE_DB="$HOME_DIR/node/node.db"
[ "$NODE_PID" != null ] || { echo "soak.sh: the stack has no node" >&2; exit 1; }

head -c $((FILE_MB * 1024 * 1024)) /dev/urandom > "$WORK/asset.bin"
DID=$(p --json publish "$WORK/asset.bin" --price 0.001eth | jq -r '.did')
FIRST=$(p --json order "$DID" | jq -r '.agreement_id')
echo "soak: published $DID ($FILE_MB MiB), first agreement $FIRST"

downloads=0 orders=0 errors=0
agreements=("$FIRST")
sample() {
  local t=$1 rss fds db log
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$NODE_PID/status" 2>/dev/null || echo 0)
  fds=$(ls "/proc/$NODE_PID/fd" 2>/dev/null | wc -l)
  db=$(( $(stat -c %s "$NODE_DB" 2>/dev/null || echo 0) + $(stat -c %s "$NODE_DB-wal" 2>/dev/null || echo 0) ))
  log=$(stat -c %s "$NODE_LOG"* 2>/dev/null | awk '{s += $1} END {print s + 0}')  # with its rotated files
  echo "$t,$rss,$fds,$db,$log,$downloads,$orders,$errors" >> "$OUT/samples.csv"
  printf 'soak: t=%5ss rss=%6s kB fds=%4s node.db=%9s B log=%9s B downloads=%d orders=%d errors=%d\n' \
    "$t" "$rss" "$fds" "$db" "$log" "$downloads" "$orders" "$errors"
}
run() {  # runs one load step; counts a failure and keeps its message
  if ! "$@" > "$WORK/last.out" 2>&1; then
    errors=$((errors + 1))
    { echo "--- $(date -u +%T) $*"; tail -5 "$WORK/last.out"; } >> "$OUT/errors.txt"
  fi
}
echo "t_s,rss_kb,fds,node_db_bytes,log_bytes,downloads,orders,errors" > "$OUT/samples.csv"
start=$(date +%s)
next_sample=0
step=0
while :; do
  now=$(( $(date +%s) - start ))
  if [ "$now" -ge "$next_sample" ]; then
    sample "$now"
    next_sample=$((next_sample + INTERVAL))
  fi
  [ "$now" -lt "$DURATION" ] || break
  kill -0 "$NODE_PID" 2>/dev/null || { echo "soak.sh: pactumd (pid $NODE_PID) died" >&2; errors=$((errors + 1)); break; }
  step=$((step + 1))
  if [ $((step % 4)) -eq 0 ]; then
    # A new agreement: ordered, then its first download settles it on chain.
    id=$(p --json order "$DID" --again 2>>"$OUT/errors.txt" | jq -r '.agreement_id // empty')
    if [ -n "$id" ]; then agreements+=("$id"); orders=$((orders + 1)); else errors=$((errors + 1)); fi
  fi
  pick=${agreements[$((RANDOM % ${#agreements[@]}))]}
  run p download "$pick" -o "$WORK/out.bin" --force
  cmp -s "$WORK/asset.bin" "$WORK/out.bin" || { errors=$((errors + 1)); echo "--- bytes differ for $pick" >> "$OUT/errors.txt"; }
  downloads=$((downloads + 1))
  run p status "$pick"
done

python3 - "$OUT/samples.csv" "$WARMUP" "$MAX_GROWTH_KB" > "$OUT/summary.txt" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
warmup, limit = int(sys.argv[2]), int(sys.argv[3])
after = [r for r in rows if int(r["t_s"]) >= warmup] or rows[-1:]
rss = [int(r["rss_kb"]) for r in after]
fds = [int(r["fds"]) for r in after]
last = rows[-1]
growth = rss[-1] - rss[0]
print(f"samples {len(rows)}, after warm-up ({warmup} s) {len(after)}")
print(f"rss after warm-up: first {rss[0]} kB, last {rss[-1]} kB, min {min(rss)}, max {max(rss)}, growth {growth} kB (limit {limit})")
print(f"fds after warm-up: min {min(fds)}, max {max(fds)}")
print(f"node.db {last['node_db_bytes']} B, log {last['log_bytes']} B")
print(f"downloads {last['downloads']}, orders {last['orders']}, errors {last['errors']}")
print("result:", "ok" if growth <= limit and last["errors"] == "0" else "FAILED")
EOF
cat "$OUT/summary.txt"
grep -q '^result: ok' "$OUT/summary.txt"
