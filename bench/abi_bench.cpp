// ABI encode/decode throughput for two representative calls, to be read beside
// bench/abi_ethers.mjs (the same operations with ethers 6) run on the same machine in the same
// session (scripts/bench.sh does both):
//   transfer(address,uint256)                                   — the most common call
//   submit(address,uint256,bytes32,string,uint256[])            — static and dynamic arguments
// Types and selectors are parsed once, as generated bindings and ethers' Interface do; each
// iteration encodes the call data from values (or decodes values from call data).
//
// Run: build/release/bench/pactum_abi_bench [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "pactum/eth/abi.hpp"

namespace {

using namespace pactum;
using namespace pactum::eth;

struct Call {
  AbiSignature signature;
  Selector selector{};
  std::vector<AbiValue> values;
  Bytes data;
};

FixedBytes<20> address_fixture() {
  FixedBytes<20> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(0x11 * (i % 15 + 1));
  return a;
}

Call make_call(std::string_view signature, std::vector<AbiValue> values) {
  Call c;
  c.signature = parse_function_signature(signature).value();
  c.selector = selector_of_canonical(c.signature.canonical());
  c.values = std::move(values);
  c.data = encode_call(c.selector, c.signature.inputs, c.values).value();
  return c;
}

// Keep the values in step with bench/abi_ethers.mjs.
const Call& transfer() {
  static const Call c = make_call(
      "transfer(address,uint256)",
      {AbiValue(address_fixture()), AbiValue(U256::from_dec("1000000000000000000000").value())});
  return c;
}

const Call& submit() {
  static const Call c = [] {
    AbiValue::List amounts;
    for (std::uint64_t i = 1; i <= 5; ++i) amounts.emplace_back(U256(i * 1000000007ULL));
    return make_call(
        "submit(address,uint256,bytes32,string,uint256[])",
        {AbiValue(address_fixture()), AbiValue(U256(123456789)), AbiValue(Bytes(32, 0xab)),
         AbiValue(std::string("did:pactum:0x5f3c…e1/asset/temperature-log")),
         AbiValue(std::move(amounts))});
  }();
  return c;
}

void encode(benchmark::State& state, const Call& c) {
  for (auto _ : state) {
    auto out = encode_call(c.selector, c.signature.inputs, c.values);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

void decode(benchmark::State& state, const Call& c) {
  for (auto _ : state) {
    auto values = decode_call(c.selector, c.signature.inputs, c.data);
    benchmark::DoNotOptimize(values);
  }
  state.SetItemsProcessed(state.iterations());
}

void abi_encode_transfer(benchmark::State& s) {
  encode(s, transfer());
}
void abi_decode_transfer(benchmark::State& s) {
  decode(s, transfer());
}
void abi_encode_submit(benchmark::State& s) {
  encode(s, submit());
}
void abi_decode_submit(benchmark::State& s) {
  decode(s, submit());
}

BENCHMARK(abi_encode_transfer);
BENCHMARK(abi_decode_transfer);
BENCHMARK(abi_encode_submit);
BENCHMARK(abi_decode_submit);

}  // namespace

BENCHMARK_MAIN();
