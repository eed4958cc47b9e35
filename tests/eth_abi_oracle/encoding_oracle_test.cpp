// Differential tests against ethers 6 (tests/oracle/encoding_oracle.mjs): ABI encodings of random
// type trees (nested dynamic types, tuples, fixed and dynamic arrays, every uint/int width,
// bytesN), RLP encodings of random trees and signed legacy/EIP-1559 transactions must agree byte
// for byte, and our decoders must give back the values from ethers' bytes. All cases come from one
// seeded RNG and go to node in one batch per suite.
//
// Reproduce a failure with PACTUM_ORACLE_SEED=<seed printed in the log>.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pactum/eth/abi.hpp"
#include "pactum/eth/abi_json.hpp"
#include "pactum/eth/rlp.hpp"
#include "pactum/eth/transaction.hpp"
#include "pactum/eth/uint256.hpp"
#include "support/process.hpp"

namespace pactum::eth {
namespace {

using Json = nlohmann::json;

constexpr int kCases = 1000;

std::uint64_t oracle_seed() {
  if (const char* env = std::getenv("PACTUM_ORACLE_SEED")) return std::strtoull(env, nullptr, 10);
  return 20261125;
}

class Random {
 public:
  explicit Random(std::uint64_t seed) : rng_(seed) {}

  int range(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int percent) { return range(1, 100) <= percent; }
  Bytes bytes(std::size_t n) {
    Bytes out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(range(0, 255));
    return out;
  }
  // A value below 2^bits whose bit length is itself random; 0 and the maximum occur often.
  U256 below_pow2(unsigned bits) {
    const int pick = range(0, 9);
    if (pick == 0) return U256(0);
    if (pick == 1) return bits >= 256 ? U256::max() : (U256(1) << bits) - U256(1);
    const unsigned len = static_cast<unsigned>(range(1, static_cast<int>(bits)));
    U256 v = U256::from_limbs(rng_(), rng_(), rng_(), rng_());
    v = len >= 256 ? v : v & ((U256(1) << len) - U256(1));
    return v | (U256(1) << (len - 1));
  }
  // A length biased towards the boundaries that matter to the encodings.
  std::size_t length() {
    static constexpr std::size_t kEdges[] = {0, 1, 2, 31, 32, 33, 55, 56, 64, 255, 256, 1025};
    if (chance(40)) return kEdges[range(0, 11)];
    return static_cast<std::size_t>(range(0, 80));
  }
  // Text of ASCII (including JSON's special characters) and multi-byte UTF-8.
  std::string text() {
    static const char* const kPieces[] = {"a",  "Z", "0",  " ", "\"", "\\", "\n",
                                          "\t", "é", "日", "😀", "{",  "}",  "\x01"};
    std::string s;
    const std::size_t n = length() / 2;
    for (std::size_t i = 0; i < n; ++i) s += kPieces[range(0, 13)];
    return s;
  }

 private:
  std::mt19937_64 rng_;
};

// ---- ABI ----------------------------------------------------------------------------------------

AbiType random_type(Random& r, int depth) {
  const int kind = r.range(0, depth >= 3 ? 6 : 9);
  switch (kind) {
    case 0:
      return AbiType::uint(static_cast<unsigned>(8 * r.range(1, 32)));
    case 1:
      return AbiType::int_(static_cast<unsigned>(8 * r.range(1, 32)));
    case 2:
      return AbiType::address();
    case 3:
      return AbiType::boolean();
    case 4:
      return AbiType::fixed_bytes(static_cast<unsigned>(r.range(1, 32)));
    case 5:
      return AbiType::bytes();
    case 6:
      return AbiType::string();
    case 7:
      return AbiType::array(random_type(r, depth + 1));
    case 8:
      return AbiType::fixed_array(random_type(r, depth + 1),
                                  static_cast<std::size_t>(r.range(1, 3)));
    default: {
      std::vector<AbiType> components;
      const int n = r.range(1, 4);
      for (int i = 0; i < n; ++i) components.push_back(random_type(r, depth + 1));
      return AbiType::tuple(std::move(components));
    }
  }
}

// A random value of type t, and the same value as ethers takes it.
AbiValue random_value(Random& r, const AbiType& t, Json& json) {
  switch (t.kind()) {
    case AbiKind::kUint: {
      const U256 v = r.below_pow2(static_cast<unsigned>(t.size()));
      json = v.to_dec();
      return v;
    }
    case AbiKind::kInt: {
      const auto bits = static_cast<unsigned>(t.size());
      U256 v = r.below_pow2(bits - 1);                               // magnitude below 2^(bits-1)
      if (r.chance(50)) v = negate(v) - U256(r.chance(20) ? 1 : 0);  // reaches -2^(bits-1)
      if (!fits_signed_bits(v, bits)) v = U256(0);
      json = to_dec_i256(v);
      return v;
    }
    case AbiKind::kAddress: {
      FixedBytes<20> a;
      const Bytes b = r.bytes(20);
      std::copy(b.begin(), b.end(), a.begin());
      json = to_hex(a);
      return a;
    }
    case AbiKind::kBool: {
      const bool b = r.chance(50);
      json = b;
      return AbiValue(b);
    }
    case AbiKind::kFixedBytes: {
      Bytes b = r.bytes(t.size());
      json = to_hex(b);
      return b;
    }
    case AbiKind::kBytes: {
      Bytes b = r.bytes(r.length());
      json = to_hex(b);
      return b;
    }
    case AbiKind::kString: {
      std::string s = r.text();
      json = s;
      return s;
    }
    case AbiKind::kArray:
    case AbiKind::kFixedArray:
    case AbiKind::kTuple: {
      const std::size_t n = t.kind() == AbiKind::kArray ? static_cast<std::size_t>(r.range(0, 3))
                            : t.kind() == AbiKind::kFixedArray ? t.size()
                                                               : t.components().size();
      json = Json::array();
      AbiValue::List items;
      for (std::size_t i = 0; i < n; ++i) {
        Json element;
        const AbiType& et = t.kind() == AbiKind::kTuple ? t.components()[i] : t.element();
        items.push_back(random_value(r, et, element));
        json.push_back(std::move(element));
      }
      return items;
    }
  }
  return AbiValue();
}

struct AbiCase {
  std::vector<AbiType> types;
  std::vector<AbiValue> values;
  std::string describe() const {
    std::string s = "types (";
    for (std::size_t i = 0; i < types.size(); ++i) s += (i ? "," : "") + types[i].canonical();
    s += ") values [";
    for (std::size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + values[i].to_string();
    return s + "]";
  }
};

Json run_oracle(const Json& input) {
  auto out = testing::run_node_oracle("encoding_oracle.mjs", input.dump());
  if (!out.ok()) {
    ADD_FAILURE() << out.error().to_string();
    return Json::object();
  }
  return Json::parse(*out);
}

TEST(EncodingOracle, AbiEncodeAndDecodeAgreeWithEthers) {
  const std::uint64_t seed = oracle_seed();
  std::cout << "PACTUM_ORACLE_SEED=" << seed << "\n";
  Random r(seed);
  std::vector<AbiCase> cases;
  Json input = {{"abi", Json::array()}};
  for (int i = 0; i < kCases; ++i) {
    AbiCase c;
    Json types = Json::array();
    Json values = Json::array();
    const int n = r.range(1, 4);
    for (int k = 0; k < n; ++k) {
      c.types.push_back(random_type(r, 0));
      Json v;
      c.values.push_back(random_value(r, c.types.back(), v));
      types.push_back(c.types.back().canonical());
      values.push_back(std::move(v));
    }
    input["abi"].push_back({{"types", types}, {"values", values}});
    cases.push_back(std::move(c));
  }
  const Json out = run_oracle(input);
  ASSERT_TRUE(out.contains("abi")) << out.dump();
  ASSERT_EQ(out["abi"].size(), cases.size());
  int failures = 0;
  for (std::size_t i = 0; i < cases.size() && failures < 5; ++i) {
    const AbiCase& c = cases[i];
    const Json& answer = out["abi"][i];
    if (!answer.is_string()) {
      ADD_FAILURE() << "case " << i << ": ethers rejected " << c.describe() << ": "
                    << answer.dump();
      ++failures;
      continue;
    }
    const std::string expected = answer.get<std::string>();
    auto ours = abi_encode(c.types, c.values);
    if (!ours.ok() || to_hex(*ours) != expected) {
      ADD_FAILURE() << "case " << i << ": encode differs for " << c.describe() << "\n ethers "
                    << expected << "\n ours   "
                    << (ours.ok() ? to_hex(*ours) : ours.error().to_string());
      ++failures;
      continue;
    }
    const Bytes ethers_bytes = from_hex(expected).value();
    auto decoded = abi_decode(c.types, ethers_bytes);
    if (!decoded.ok() || *decoded != c.values) {
      ADD_FAILURE() << "case " << i << ": decode of ethers' bytes differs for " << c.describe()
                    << "\n got "
                    << (decoded.ok() ? AbiValue(*decoded).to_string()
                                     : decoded.error().to_string());
      ++failures;
    }
  }
}

// ---- RLP ----------------------------------------------------------------------------------------

RlpItem random_rlp(Random& r, int depth, Json& json) {
  if (depth < 4 && r.chance(30)) {
    const int n = r.range(0, 5);
    json = Json::array();
    std::vector<RlpItem> items;
    for (int i = 0; i < n; ++i) {
      Json child;
      items.push_back(random_rlp(r, depth + 1, child));
      json.push_back(std::move(child));
    }
    return RlpItem::list(std::move(items));
  }
  Bytes b = r.chance(15) ? Bytes{static_cast<std::uint8_t>(r.range(0, 255))} : r.bytes(r.length());
  json = to_hex(b);
  return RlpItem::string(std::move(b));
}

TEST(EncodingOracle, RlpEncodeAgreesWithEthersAndRoundTrips) {
  const std::uint64_t seed = oracle_seed();
  std::cout << "PACTUM_ORACLE_SEED=" << seed << "\n";
  Random r(seed + 1);
  std::vector<RlpItem> cases;
  Json input = {{"rlp", Json::array()}};
  for (int i = 0; i < kCases; ++i) {
    Json tree;
    // Mostly lists at the top, so long lists (payload ≥ 56) are common.
    cases.push_back(random_rlp(r, i % 4 == 0 ? 4 : 0, tree));
    input["rlp"].push_back(std::move(tree));
  }
  const Json out = run_oracle(input);
  ASSERT_TRUE(out.contains("rlp")) << out.dump();
  ASSERT_EQ(out["rlp"].size(), cases.size());
  int failures = 0;
  for (std::size_t i = 0; i < cases.size() && failures < 5; ++i) {
    const Json& answer = out["rlp"][i];
    const std::string ours = to_hex(rlp_encode(cases[i]));
    if (!answer.is_string() || answer.get<std::string>() != ours) {
      ADD_FAILURE() << "case " << i << ": input " << input["rlp"][i].dump() << "\n ethers "
                    << answer.dump() << "\n ours   " << ours;
      ++failures;
      continue;
    }
    auto decoded = rlp_decode(from_hex(ours).value());
    if (!decoded.ok() || *decoded != cases[i]) {
      ADD_FAILURE() << "case " << i << ": decode does not round-trip " << ours << ": "
                    << (decoded.ok() ? "different tree" : decoded.error().to_string());
      ++failures;
    }
  }
}

// ---- transactions -------------------------------------------------------------------------------

TEST(EncodingOracle, SignedTransactionsAgreeWithEthers) {
  const std::uint64_t seed = oracle_seed();
  std::cout << "PACTUM_ORACLE_SEED=" << seed << "\n";
  Random r(seed + 2);
  std::vector<SignedTransaction> cases;
  std::vector<Address> signers;
  Json input = {{"tx", Json::array()}};
  for (int i = 0; i < kCases; ++i) {
    auto key = PrivateKey::from_bytes(r.bytes(32));
    while (!key.ok()) key = PrivateKey::from_bytes(r.bytes(32));
    Transaction tx;
    Json j;
    const bool legacy = r.chance(40);
    tx.type = legacy ? TxType::kLegacy : TxType::kEip1559;
    j["type"] = legacy ? 0 : 2;
    static constexpr std::uint64_t kChains[] = {1, 5, 137, 31337, 11155111, 4294967295ULL};
    tx.chain_id = r.chance(70) ? kChains[r.range(0, 5)]
                               : r.below_pow2(40).low64() + 1;  // ethers needs chainId > 0
    j["chainId"] = std::to_string(*tx.chain_id);
    tx.nonce = r.below_pow2(52).low64();  // ethers keeps the nonce as a JS number
    j["nonce"] = tx.nonce;
    tx.gas_limit = r.below_pow2(64).low64();
    j["gasLimit"] = std::to_string(tx.gas_limit);
    if (legacy) {
      tx.gas_price = r.below_pow2(256);
      j["gasPrice"] = tx.gas_price.to_dec();
    } else {
      tx.max_priority_fee_per_gas = r.below_pow2(256);
      tx.max_fee_per_gas = r.below_pow2(256);
      if (tx.max_priority_fee_per_gas > tx.max_fee_per_gas) {
        std::swap(tx.max_priority_fee_per_gas, tx.max_fee_per_gas);
      }
      j["maxPriorityFeePerGas"] = tx.max_priority_fee_per_gas.to_dec();
      j["maxFeePerGas"] = tx.max_fee_per_gas.to_dec();
      j["accessList"] = Json::array();
      const int entries = r.chance(50) ? 0 : r.range(1, 3);
      for (int e = 0; e < entries; ++e) {
        AccessListEntry entry{Address::from_bytes(r.bytes(20)).value(), {}};
        Json keys = Json::array();
        const int n = r.range(0, 3);
        for (int k = 0; k < n; ++k) {
          Hash32 h;
          const Bytes b = r.bytes(32);
          std::copy(b.begin(), b.end(), h.begin());
          entry.storage_keys.push_back(h);
          keys.push_back(to_hex(h));
        }
        j["accessList"].push_back({{"address", entry.address.to_hex()}, {"storageKeys", keys}});
        tx.access_list.push_back(std::move(entry));
      }
    }
    if (r.chance(85)) {
      tx.to = Address::from_bytes(r.bytes(20)).value();
      j["to"] = tx.to->to_hex();
    } else {
      j["to"] = nullptr;
    }
    tx.value = r.below_pow2(256);
    j["value"] = tx.value.to_dec();
    tx.data = r.bytes(r.length());
    j["data"] = to_hex(tx.data);
    Bytes secret(32);
    key->export_secret(std::span<std::uint8_t, 32>(secret.data(), 32));
    input["tx"].push_back({{"key", to_hex(secret)}, {"tx", j}});
    secure_wipe(secret);
    signers.push_back(key->address());
    cases.push_back(sign_transaction(std::move(tx), *key).value());
  }
  const Json out = run_oracle(input);
  ASSERT_TRUE(out.contains("tx")) << out.dump();
  ASSERT_EQ(out["tx"].size(), cases.size());
  int failures = 0;
  for (std::size_t i = 0; i < cases.size() && failures < 5; ++i) {
    const SignedTransaction& st = cases[i];
    const Json& a = out["tx"][i];
    const std::string where = "case " + std::to_string(i) + " " + input["tx"][i]["tx"].dump();
    if (a.contains("error")) {
      ADD_FAILURE() << where << ": ethers rejected: " << a.dump();
      ++failures;
      continue;
    }
    const std::string unsigned_hex = to_hex(unsigned_payload(st.tx).value());
    const std::string raw = to_hex(st.serialize());
    const bool same = a["unsigned"] == unsigned_hex &&
                      a["signingHash"] == to_hex(signing_hash(st.tx).value()) && a["raw"] == raw &&
                      a["hash"] == to_hex(st.hash());
    auto decoded = decode_transaction(from_hex(a["raw"].get<std::string>()).value());
    auto sender = decoded.ok() ? decoded->sender() : Result<Address>(decoded.error());
    const bool back = decoded.ok() && *decoded == st && sender.ok() && *sender == signers[i];
    if (!same || !back) {
      ADD_FAILURE() << where << "\n ethers " << a.dump() << "\n ours unsigned " << unsigned_hex
                    << "\n ours raw " << raw << "\n decode/sender "
                    << (decoded.ok() ? (sender.ok() ? sender->to_hex() : sender.error().to_string())
                                     : decoded.error().to_string());
      ++failures;
    }
  }
}

// ---- JSON ABI files
// ------------------------------------------------------------------------------

// Every OpenZeppelin artifact in node_modules (hundreds of real ABIs with tuples, overloads,
// custom errors): our signatures, selectors and topics must be the ones ethers' Interface gives.
TEST(EncodingOracle, JsonAbiSelectorsAndTopicsAgreeWithEthers) {
  const std::filesystem::path dir =
      testing::source_path("node_modules/@openzeppelin/contracts/build/contracts");
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 100u);
  const Json out = run_oracle(Json{{"abiJson", files}});
  ASSERT_EQ(out["abiJson"].size(), files.size());
  std::size_t checked = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::ifstream in(files[i]);
    std::stringstream text;
    text << in.rdbuf();
    auto abi = parse_abi_json(text.str());
    ASSERT_TRUE(abi.ok()) << files[i] << ": " << abi.error().to_string();
    std::set<std::string> ours;
    for (const auto& f : abi->functions) {
      ours.insert("f " + f.signature().canonical() + " " + to_hex(f.selector()));
    }
    for (const auto& e : abi->events) {
      ours.insert("e " + e.event().canonical() + " " + to_hex(e.event().topic()));
    }
    for (const auto& e : abi->errors) {
      ours.insert("x " + e.signature().canonical() + " " + to_hex(e.selector()));
    }
    std::set<std::string> theirs;
    const Json& a = out["abiJson"][i];
    ASSERT_FALSE(a.contains("error")) << files[i] << ": " << a.dump();
    for (const auto& f : a["functions"])
      theirs.insert("f " + f[0].get<std::string>() + " " + f[1].get<std::string>());
    for (const auto& e : a["events"])
      theirs.insert("e " + e[0].get<std::string>() + " " + e[1].get<std::string>());
    for (const auto& e : a["errors"])
      theirs.insert("x " + e[0].get<std::string>() + " " + e[1].get<std::string>());
    EXPECT_EQ(ours, theirs) << files[i];
    checked += ours.size();
  }
  std::cout << "checked " << checked << " selectors/topics in " << files.size() << " ABIs\n";
}

}  // namespace
}  // namespace pactum::eth
