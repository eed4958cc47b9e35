#!/usr/bin/env bash
# `make test`: every suite, in the order that fails fastest. Exit code non-zero if any fails.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
# Each step says when it began (seconds since make test started): the budget is 20 minutes on 2
# cores (ARCHITECTURE.md, "Build and test trees"), and CI's log then shows where they went.
step() { printf '\n==== %s (at %d s)\n' "$*" "$SECONDS"; }

if [ -x scripts/contracts-test.sh ] && [ -d contracts ]; then
  step "Solidity: forge build, unit/fuzz/invariant tests, gas snapshot check"
  scripts/contracts-test.sh
fi

step "C++ release build: unit, oracle (ethers/cast) and live (anvil) tests"
make --no-print-directory test-release JOBS="$JOBS"

step "C++ libraries, server, node and pactumd under ASan + UBSan (clang), with the libFuzzer targets ${FUZZ_SECONDS:-15} s each"
make --no-print-directory test-asan JOBS="$JOBS" FUZZ_SECONDS="${FUZZ_SECONDS:-15}"
step "all suites passed"
