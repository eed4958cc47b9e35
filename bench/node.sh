#!/usr/bin/env bash
# The node's acceptance benchmark (issue #4): publish of 1 GiB, authorized download of it beside
# nginx, and wrk on the access check of a settled agreement beside nginx — one run, one machine.
# Method and results: docs/bench/node.md. Needs anvil (node_modules), curl, openssl, nginx, wrk.
#
#   bench/node.sh [BUILD_DIR] [driver flags...]     (default build/release)
# e.g. bench/node.sh build/release --runs=5 --duration=15s --connections=64
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build/release}
shift || true
DRIVER="$BUILD_DIR/bench/pactum_node_driver"
for tool in curl openssl nginx wrk dd; do
  command -v "$tool" >/dev/null || { echo "node.sh: '$tool' is not installed (scripts/install-deps.sh)" >&2; exit 2; }
done
[ -x "$DRIVER" ] || { echo "node.sh: no $DRIVER (build the pactum_node_driver target)" >&2; exit 2; }
mkdir -p build/bench-results
echo "machine: $(nproc) cores, $(uname -r); $(uptime)"
"$DRIVER" --out=build/bench-results/node.json "$@"
