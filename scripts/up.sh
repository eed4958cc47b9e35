#!/usr/bin/env bash
# `make up`: start Pactum on its embedded defaults. Until the node and CLI land (issue #4) this
# builds everything and prints what exists.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x build/release/apps/pactum/pactum ]; then
  exec build/release/apps/pactum/pactum up "$@"
fi
echo "Pactum is built (build/release). Libraries:"
ls build/release/src/*/libpactum_*.a 2>/dev/null | sed 's/^/  /'
echo "The local stack (anvil + contracts + pactumd) is not wired yet: see issue #4."
