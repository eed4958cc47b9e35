#!/usr/bin/env bash
# HTTP throughput and latency of pactumd's GET /health, beside nginx serving a small static file,
# both on loopback, measured with wrk in the same run. Method and results: docs/bench/http.md.
#
#   bench/http_health.sh [BUILD_DIR]        (default build/release; needs wrk and nginx)
#
# Env: DURATION (default 10s), CONNECTIONS (default 64), WRK_THREADS (default 2),
#      NODE_THREADS (pactumd workers, default 2), NGINX_WORKERS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build/release}
PACTUMD="$BUILD_DIR/apps/pactumd/pactumd"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
NODE_THREADS=${NODE_THREADS:-2}
NGINX_WORKERS=${NGINX_WORKERS:-2}

for tool in wrk nginx python3; do
  command -v "$tool" >/dev/null || { echo "http_health: '$tool' is not installed" >&2; exit 2; }
done
[ -x "$PACTUMD" ] || { echo "http_health: no $PACTUMD (build the pactumd target)" >&2; exit 2; }

TMP=$(mktemp -d)
chmod 755 "$TMP"  # nginx workers run as an unprivileged user and must reach www/
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits until something answers 200 on URL (bounded: 100 tries).
wait_http() {
  for _ in $(seq 100); do
    if curl -fs -o /dev/null "$1"; then return 0; fi
    sleep 0.05
  done
  echo "http_health: $1 did not come up" >&2
  exit 1
}

run_wrk() {  # name url
  echo "== $1: $2 (wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION)"
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2" |
    grep -E "Requests/sec|Latency  |50%|75%|90%|99%|requests in|Non-2xx|Socket errors"
}

start_pactumd() {  # log level; sets PACTUMD_PORT (not in a subshell, so PIDS keeps the pid)
  PACTUMD_PORT=$(free_port)
  PACTUM_HOME="$TMP/home" "$PACTUMD" --http-port "$PACTUMD_PORT" --threads "$NODE_THREADS" \
    --log-level "$1" >"$TMP/pactumd-$1.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$PACTUMD_PORT/health"
}

# nginx with a 90-byte file (the size of pactumd's /health body), private prefix, no access log.
NGINX_PORT=$(free_port)
mkdir -p "$TMP/www" "$TMP/nginx"
printf '{"chain_id":31337,"service":"pactumd","status":"ok","uptime_seconds":0,"version":"0.1.0"}' \
  >"$TMP/www/health.json"
cat >"$TMP/nginx/nginx.conf" <<CONF
worker_processes $NGINX_WORKERS;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $TMP/www;
    location / { default_type application/json; }
  }
}
CONF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" &
PIDS+=($!)
wait_http "http://127.0.0.1:$NGINX_PORT/health.json"

echo "machine: $(nproc) cores, $(uname -r); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_pactumd warn
PORT_WARN=$PACTUMD_PORT
start_pactumd info
PORT_INFO=$PACTUMD_PORT
run_wrk "nginx static file" "http://127.0.0.1:$NGINX_PORT/health.json"
run_wrk "pactumd /health, access log off (log-level warn)" "http://127.0.0.1:$PORT_WARN/health"
run_wrk "pactumd /health, access log on (JSON lines to a file)" "http://127.0.0.1:$PORT_INFO/health"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
