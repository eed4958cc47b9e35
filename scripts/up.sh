#!/usr/bin/env bash
# `make up`: start Pactum on its embedded defaults — `pactum up` (anvil, the contracts, pactumd)
# in the foreground; Ctrl-C stops it. Arguments pass through (`make up` passes none; run
# scripts/up.sh --detach to leave it running, then `pactum down`).
set -euo pipefail
cd "$(dirname "$0")/.."
PACTUM=build/release/apps/pactum/pactum
if [ ! -x "$PACTUM" ]; then
  echo "up: $PACTUM is missing; run 'make up' (it builds first)" >&2
  exit 1
fi
exec "$PACTUM" up "$@"
