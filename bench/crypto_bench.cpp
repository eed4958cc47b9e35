// Crypto throughput: keccak256 on 1 KiB and 1 MiB, sign_hash, recover_address, and the EIP-191 and
// EIP-712 hashes. bench/crypto_ethers.mjs measures the same operations with ethers; results and
// method are in docs/bench/crypto.md.
#include <benchmark/benchmark.h>

#include <cstring>

#include "pactum/eth/eip191.hpp"
#include "pactum/eth/eip712.hpp"
#include "pactum/eth/keccak.hpp"
#include "pactum/eth/keys.hpp"
#include "pactum/eth/signature.hpp"

namespace {

using namespace pactum;
using namespace pactum::eth;

// anvil's first dev key.
const PrivateKey& bench_key() {
  static const PrivateKey key =
      PrivateKey::from_hex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
          .value();
  return key;
}

// A distinct hash per iteration, so nothing can be cached across calls.
Hash32 hash_for(std::uint64_t i) {
  Hash32 h{};
  std::memcpy(h.data(), &i, sizeof i);
  return keccak256(h);
}

void keccak(benchmark::State& state) {
  const Bytes data(static_cast<std::size_t>(state.range(0)), 0xab);
  for (auto _ : state) benchmark::DoNotOptimize(keccak256(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(keccak)->Name("keccak256")->Arg(1024)->Arg(1 << 20);

void sign(benchmark::State& state) {
  std::uint64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(sign_hash(bench_key(), hash_for(i++)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(sign)->Name("sign");

void recover(benchmark::State& state) {
  // 256 distinct signatures, cycled.
  std::vector<std::pair<Hash32, Signature>> cases;
  for (std::uint64_t i = 0; i < 256; ++i) {
    cases.emplace_back(hash_for(i), sign_hash(bench_key(), hash_for(i)));
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [hash, sig] = cases[i++ & 255];
    auto address = recover_address(hash, sig);
    benchmark::DoNotOptimize(address);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(recover)->Name("recover");

void personal_hash(benchmark::State& state) {
  const std::string message = "Pactum access request for asset did:pactum:0x1234 at block 19000000";
  for (auto _ : state) benchmark::DoNotOptimize(personal_message_hash(as_bytes(message)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(personal_hash)->Name("eip191_hash");

constexpr const char* kMail = R"({
  "types": {
    "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
      {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
    "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
    "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"},
             {"name": "contents", "type": "string"}]},
  "primaryType": "Mail",
  "domain": {"name": "Ether Mail", "version": "1", "chainId": 1,
             "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
  "message": {"from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
              "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
              "contents": "Hello, Bob!"}})";

void eip712(benchmark::State& state) {
  for (auto _ : state) {
    auto data = TypedData::parse_json(kMail);
    benchmark::DoNotOptimize(data.value().signing_hash());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(eip712)->Name("eip712_hash_json");

}  // namespace

BENCHMARK_MAIN();
