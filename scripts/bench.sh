#!/usr/bin/env bash
# `make bench`: every benchmark beside its reference, in one run, so ratios are comparable on
# a machine whose absolute timings swing. Output: bench results under build/bench-results/.
#
#   scripts/bench.sh [NAME]   NAME (crypto, abi, store, node, http_health): only that benchmark
set -euo pipefail
only=${1:-}
cd "$(dirname "$0")/.."
out=build/bench-results
mkdir -p "$out"
for exe in build/release/bench/pactum_*_bench; do
  [ -x "$exe" ] || continue
  name=$(basename "$exe" | sed 's/^pactum_//; s/_bench$//')
  [ -z "$only" ] || [ "$only" = "$name" ] || continue
  echo "==== $name (C++)"
  "$exe" --benchmark_format=console --benchmark_out="$out/$name.json" --benchmark_out_format=json
  if [ -f "bench/${name}_ethers.mjs" ]; then
    echo "==== $name (ethers reference, same run)"
    node "bench/${name}_ethers.mjs" | tee "$out/${name}_ethers.jsonl"
  fi
done
for script in bench/*.sh; do
  [ -x "$script" ] || continue
  [ -z "$only" ] || [ "$only" = "$(basename "$script" .sh)" ] || continue
  echo "==== $(basename "$script")"
  "$script"
done
echo "results in $out"
