#!/usr/bin/env bash
# The Solidity suite (called by `make test` through scripts/test.sh, and by `make test-contracts`):
#   1. forge build (solc-js through scripts/solc; no network)
#   2. unit tests, each call its own transaction (--isolate), checked against the committed
#      contracts/.gas-snapshot: any test more than 2 % off fails (a regression, or a gain to
#      record with UPDATE_GAS_SNAPSHOT=1 scripts/contracts-test.sh and commit)
#   3. fuzz and invariant tests (fixed seed in foundry.toml, so CI runs are reproducible); the
#      escrow invariant logs its per-action call and success counts (-vv)
# `scripts/contracts-test.sh deep` (make test-deep) runs only the escrow invariant, with the deep
# profile of foundry.toml (10^6 handler calls; record the result in contracts/INVARIANTS.md).
set -euo pipefail
cd "$(dirname "$0")/../contracts"
FORGE=../node_modules/.bin/forge
if [ ! -x "$FORGE" ]; then
  echo "contracts-test: $FORGE missing; run scripts/install-deps.sh (npm ci) first" >&2
  exit 1
fi
export FOUNDRY_DISABLE_NIGHTLY_WARNING=1
UNIT_FILTER=(--no-match-test '(fuzz|invariant)')

if [ "${1:-}" = deep ]; then
  echo "-- forge build"
  "$FORGE" build
  echo "-- escrow invariant, deep profile (started $(date -u +%FT%TZ))"
  start=$(date +%s)
  FOUNDRY_PROFILE=deep "$FORGE" test --match-path test/invariant/Escrow.invariant.t.sol -vv
  echo "-- deep profile passed in $(( $(date +%s) - start )) s"
  exit 0
fi

echo "-- forge build"
"$FORGE" build

if [ "${UPDATE_GAS_SNAPSHOT:-0}" = 1 ]; then
  echo "-- unit tests, writing .gas-snapshot"
  "$FORGE" snapshot --isolate "${UNIT_FILTER[@]}"
else
  echo "-- unit tests, gas checked against .gas-snapshot (tolerance 2 %)"
  "$FORGE" snapshot --isolate "${UNIT_FILTER[@]}" --check --tolerance 2
fi

echo "-- fuzz and invariant tests"
"$FORGE" test --match-test '(fuzz|invariant)' --fail-fast -vv
