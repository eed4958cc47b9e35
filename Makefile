# The two commands a newcomer needs (see README.md):
#   make up    build and start Pactum on its embedded defaults
#   make test  build and run every test suite
# Everything else here is a building block of those two.

SHELL := /bin/bash
JOBS ?= $(shell nproc)
CTEST_ARGS ?=
FUZZ_SECONDS ?= 15

.PHONY: up test deps build build-asan test-release test-asan test-contracts test-deep bench clean format

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

build-asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)

up: build
	@scripts/up.sh

test: deps
	@scripts/test.sh

test-release: build
	ctest --preset release -j $(JOBS) $(CTEST_ARGS)

# The node scope under ASan + UBSan (libraries, server, node, pactumd) and the libFuzzer targets
# (label fuzz, $(FUZZ_SECONDS) s each).
test-asan: build-asan
	FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --preset asan -j $(JOBS) $(CTEST_ARGS)

test-contracts: deps
	@scripts/contracts-test.sh

# Not part of `make test`: the escrow invariant over 10^6 handler calls (about an hour; the last
# result is in contracts/INVARIANTS.md).
test-deep: deps
	@scripts/contracts-test.sh deep

bench: build
	@scripts/bench.sh

format:
	git ls-files '*.hpp' '*.cpp' | xargs clang-format -i

clean:
	rm -rf build contracts/out contracts/cache
