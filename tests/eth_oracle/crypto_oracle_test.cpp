// Differential tests against ethers 6 (tests/oracle/crypto_oracle.mjs): signatures, recovered
// addresses, EIP-55, EIP-191 and EIP-712 hashes of random typed-data documents. All cases are
// generated from one seeded RNG and sent to node in a single batch.
//
// Reproduce a failure with PACTUM_ORACLE_SEED=<seed printed in the log>.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "pactum/eth/address.hpp"
#include "pactum/eth/eip191.hpp"
#include "pactum/eth/eip712.hpp"
#include "pactum/eth/keys.hpp"
#include "pactum/eth/keystore.hpp"
#include "pactum/eth/signature.hpp"
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

  std::uint64_t u64() { return rng_(); }
  // Uniform in [lo, hi].
  int range(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool coin() { return range(0, 1) == 1; }
  Bytes bytes(std::size_t n) {
    Bytes out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(range(0, 255));
    return out;
  }
  template <std::size_t N>
  FixedBytes<N> fixed() {
    FixedBytes<N> out;
    for (auto& b : out) b = static_cast<std::uint8_t>(range(0, 255));
    return out;
  }

  // A value below 2^bits whose bit length is itself random, so small and huge values both occur.
  U256 below_pow2(unsigned bits) {
    if (bits == 0) return U256(0);
    const unsigned len = static_cast<unsigned>(range(0, static_cast<int>(bits)));
    if (len == 0) return U256(0);
    U256 v = U256::from_limbs(u64(), u64(), u64(), u64());
    v = v >> (256 - len);
    return v | (U256(1) << (len - 1));
  }

  std::string identifier(bool upper_first) {
    static const char kAlpha[] = "abcdefghijklmnopqrstuvwxyz";
    static const char kRest[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    std::string out(1, kAlpha[range(0, 25)]);
    if (upper_first) out[0] = static_cast<char>(out[0] - 'a' + 'A');
    const int n = range(0, 7);
    for (int i = 0; i < n; ++i) out += kRest[range(0, 62)];
    return out;
  }

  std::string utf8_text() {
    static const char* kPieces[] = {"a",    "Z",  " ",  "Hello", "é",  "漢字",
                                    "🙂", "\"", "\\", "\n",    "0x", "{"};
    std::string out;
    const int n = range(0, 6);
    for (int i = 0; i < n; ++i) out += kPieces[range(0, 11)];
    return out;
  }

 private:
  std::mt19937_64 rng_;
};

// ---- random typed-data documents --------------------------------------------------------------

class TypedDataGenerator {
 public:
  explicit TypedDataGenerator(Random& r) : r_(r) {}

  Json document() {
    types_ = Json::object();
    std::vector<std::string> names;
    std::set<std::string> used{"EIP712Domain"};
    const int count = r_.range(1, 5);
    while (static_cast<int>(names.size()) < count) {
      std::string name = r_.identifier(true);
      if (used.insert(name).second) names.push_back(name);
    }
    std::vector<Json> members(names.size(), Json::array());
    std::vector<std::set<std::string>> member_names(names.size());
    auto add_member = [&](std::size_t owner, const std::string& type) {
      std::string name;
      do {
        name = r_.identifier(false);
      } while (!member_names[owner].insert(name).second);
      members[owner].push_back({{"name", name}, {"type", type}});
    };
    // Each struct after the first is referenced by an earlier one: one root, no cycles, all
    // types used (what ethers requires).
    for (std::size_t i = 1; i < names.size(); ++i) {
      add_member(static_cast<std::size_t>(r_.range(0, static_cast<int>(i) - 1)),
                 names[i] + array_suffix());
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
      const int atomics = r_.range(members[i].empty() ? 1 : 0, 4);
      for (int k = 0; k < atomics; ++k) add_member(i, atomic_type() + array_suffix());
      std::shuffle(members[i].begin(), members[i].end(), std::mt19937_64(r_.u64()));
      types_[names[i]] = members[i];
    }
    Json domain = Json::object();
    Json domain_type = Json::array();
    while (domain.empty()) {
      if (r_.coin()) add_domain(domain, domain_type, "name", "string");
      if (r_.coin()) add_domain(domain, domain_type, "version", "string");
      if (r_.coin()) add_domain(domain, domain_type, "chainId", "uint256");
      if (r_.coin()) add_domain(domain, domain_type, "verifyingContract", "address");
      if (r_.coin()) add_domain(domain, domain_type, "salt", "bytes32");
    }
    types_["EIP712Domain"] = domain_type;
    return {{"types", types_},
            {"primaryType", names[0]},
            {"domain", domain},
            {"message", value(names[0], 0)}};
  }

 private:
  std::string array_suffix() {
    switch (r_.range(0, 9)) {
      case 0:
      case 1:
        return "[]";
      case 2:
        return "[" + std::to_string(r_.range(1, 3)) + "]";
      case 3:
        return "[][" + std::to_string(r_.range(1, 2)) + "]";
      default:
        return "";
    }
  }

  std::string atomic_type() {
    switch (r_.range(0, 7)) {
      case 0:
        return "uint" + std::to_string(8 * r_.range(1, 32));
      case 1:
        return "int" + std::to_string(8 * r_.range(1, 32));
      case 2:
        return "bool";
      case 3:
        return "address";
      case 4:
        return "bytes" + std::to_string(r_.range(1, 32));
      case 5:
        return "bytes";
      case 6:
        return "string";
      default:
        return r_.coin() ? "uint256" : "bytes32";
    }
  }

  void add_domain(Json& domain, Json& type, const char* key, const char* t) {
    if (domain.contains(key)) return;
    domain[key] = value(t, 0);
    type.push_back({{"name", key}, {"type", t}});
    // Keep the canonical member order ethers derives (name, version, chainId, contract, salt).
    static const std::vector<std::string> kOrder = {"name", "version", "chainId",
                                                    "verifyingContract", "salt"};
    std::sort(type.begin(), type.end(), [](const Json& a, const Json& b) {
      return std::find(kOrder.begin(), kOrder.end(), a["name"].get<std::string>()) <
             std::find(kOrder.begin(), kOrder.end(), b["name"].get<std::string>());
    });
  }

  Json integer(unsigned bits, bool is_signed) {
    const U256 magnitude = r_.below_pow2(is_signed ? bits - 1 : bits);
    const bool negative = is_signed && r_.coin();
    const int form = r_.range(0, 2);
    if (form == 0 && magnitude.bit_length() <= 48) {
      const auto v = static_cast<std::int64_t>(magnitude.low64());
      return negative ? Json(-v) : Json(v);
    }
    const std::string text = form == 1 ? magnitude.to_hex() : magnitude.to_dec();
    return (negative ? "-" : "") + text;
  }

  Json value(const std::string& type, int depth) {
    if (type.back() == ']') {
      const auto open = type.rfind('[');
      const std::string element = type.substr(0, open);
      const std::string inside = type.substr(open + 1, type.size() - open - 2);
      const int n = inside.empty() ? r_.range(0, depth > 2 ? 1 : 3) : std::stoi(inside);
      Json out = Json::array();
      for (int i = 0; i < n; ++i) out.push_back(value(element, depth + 1));
      return out;
    }
    if (types_.contains(type)) {
      Json out = Json::object();
      for (const auto& m : types_[type])
        out[m["name"].get<std::string>()] = value(m["type"], depth + 1);
      return out;
    }
    if (type == "bool") return r_.coin();
    if (type == "string") return r_.utf8_text();
    if (type == "bytes") return to_hex(r_.bytes(static_cast<std::size_t>(r_.range(0, 70))));
    if (type == "address") {
      const Address a(r_.fixed<20>());
      return r_.coin() ? a.to_checksum_string() : a.to_hex();
    }
    if (type.starts_with("uint")) return integer(std::stoul(type.substr(4)), false);
    if (type.starts_with("int")) return integer(std::stoul(type.substr(3)), true);
    if (type.starts_with("bytes")) return to_hex(r_.bytes(std::stoul(type.substr(5))));
    ADD_FAILURE() << "generator: unhandled type " << type;
    return nullptr;
  }

  Random& r_;
  Json types_;
};

// ---- the fixture: generate everything, ask ethers once ----------------------------------------

struct SignCase {
  Bytes key;
  Hash32 hash;
};

class EthersOracle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    seed_ = oracle_seed();
    std::cout << "[ oracle   ] PACTUM_ORACLE_SEED=" << seed_ << "\n";
    Random r(seed_);
    input_ = Json::object();
    for (int i = 0; i < kCases; ++i) {
      Bytes key;
      do {
        key = r.bytes(32);
      } while (!PrivateKey::from_bytes(key).ok());
      const Hash32 hash = r.fixed<32>();
      input_["sign"].push_back({{"key", to_hex(key)}, {"hash", to_hex(hash)}});
      // Arbitrary (r, s, v) with s below 2^255: recoverable or not, both sides must agree.
      Bytes sig = r.bytes(65);
      sig[32] &= 0x7f;
      sig[64] = static_cast<std::uint8_t>(27 + r.range(0, 1));
      input_["recover"].push_back({{"hash", to_hex(r.fixed<32>())}, {"sig", to_hex(sig)}});
      input_["eip55"].push_back(to_hex(r.fixed<20>()));
      input_["eip191"].push_back(to_hex(r.bytes(static_cast<std::size_t>(r.range(0, 300)))));
    }
    TypedDataGenerator gen(r);
    for (int i = 0; i < kCases; ++i) input_["eip712"].push_back(gen.document());
  }

  // Sends only `kind`'s cases to ethers: ctest runs each test in its own process, and ethers'
  // recovery is slow enough (~2 ms) that asking for everything each time would add up.
  static Json ask_ethers(const char* kind) {
    const Json request = {{kind, input_[kind]}};
    auto out = testing::run_node_oracle("crypto_oracle.mjs", request.dump());
    if (!out.ok()) {
      ADD_FAILURE() << out.error().to_string();
      return Json::array();
    }
    Json answers = Json::parse(*out, nullptr, false);
    if (answers.is_discarded() || !answers.contains(kind)) {
      ADD_FAILURE() << "oracle printed unexpected output: " << out->substr(0, 200);
      return Json::array();
    }
    return answers[kind];
  }

  static std::string where(const char* kind, std::size_t i) {
    return std::string(kind) + " case " + std::to_string(i) +
           " (PACTUM_ORACLE_SEED=" + std::to_string(seed_) + "): " + input_[kind][i].dump();
  }

  static inline std::uint64_t seed_ = 0;
  static inline Json input_;
};

TEST_F(EthersOracle, SignaturesAndRecoveredAddressesAgree) {
  const Json answers = ask_ethers("sign");
  ASSERT_EQ(answers.size(), static_cast<std::size_t>(kCases));
  int failures = 0;
  for (std::size_t i = 0; i < answers.size() && failures < 5; ++i) {
    const Json& in = input_["sign"][i];
    const Json& want = answers[i];
    const PrivateKey key = PrivateKey::from_hex(in["key"].get<std::string>()).value();
    const Hash32 hash = fixed_from_hex<32>(in["hash"].get<std::string>()).value();
    const Signature sig = sign_hash(key, hash);
    auto recovered = recover_address(hash, sig);
    const bool ok =
        want.contains("sig") && to_hex(sig.serialize()) == want["sig"].get<std::string>() &&
        key.address().to_checksum_string() == want["address"].get<std::string>() &&
        recovered.ok() && recovered->to_checksum_string() == want["recovered"].get<std::string>();
    if (!ok) {
      ++failures;
      ADD_FAILURE() << where("sign", i) << "\n ethers: " << want.dump()
                    << "\n pactum: sig=" << to_hex(sig.serialize())
                    << " address=" << key.address().to_checksum_string();
    }
  }
}

TEST_F(EthersOracle, RecoveryOfArbitrarySignaturesAgrees) {
  const Json answers = ask_ethers("recover");
  ASSERT_EQ(answers.size(), static_cast<std::size_t>(kCases));
  int failures = 0;
  int recovered_count = 0;
  for (std::size_t i = 0; i < answers.size() && failures < 5; ++i) {
    const Json& in = input_["recover"][i];
    const Json& want = answers[i];
    const Hash32 hash = fixed_from_hex<32>(in["hash"].get<std::string>()).value();
    auto sig = Signature::from_hex(in["sig"].get<std::string>());
    Result<Address> got = sig.ok() ? recover_address(hash, *sig) : Result<Address>(sig.error());
    const bool ethers_ok = want.is_string();
    const bool ok = got.ok() == ethers_ok &&
                    (!ethers_ok || got->to_checksum_string() == want.get<std::string>());
    recovered_count += got.ok() ? 1 : 0;
    if (!ok) {
      ++failures;
      ADD_FAILURE() << where("recover", i) << "\n ethers: " << want.dump() << "\n pactum: "
                    << (got.ok() ? got->to_checksum_string() : got.error().to_string());
    }
  }
  // About half of random r values are x-coordinates of curve points.
  EXPECT_GT(recovered_count, kCases / 4);
}

TEST_F(EthersOracle, Eip55ChecksumsAgree) {
  const Json answers = ask_ethers("eip55");
  ASSERT_EQ(answers.size(), static_cast<std::size_t>(kCases));
  for (std::size_t i = 0; i < answers.size(); ++i) {
    auto a = Address::parse(input_["eip55"][i].get<std::string>());
    ASSERT_TRUE(a.ok());
    ASSERT_EQ(a->to_checksum_string(), answers[i].get<std::string>()) << where("eip55", i);
    ASSERT_TRUE(Address::parse(a->to_checksum_string()).ok()) << where("eip55", i);
  }
}

TEST_F(EthersOracle, Eip191HashesAgree) {
  const Json answers = ask_ethers("eip191");
  ASSERT_EQ(answers.size(), static_cast<std::size_t>(kCases));
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const Bytes message = from_hex(input_["eip191"][i].get<std::string>()).value();
    ASSERT_EQ(to_hex(personal_message_hash(message)), answers[i].get<std::string>())
        << where("eip191", i);
  }
}

TEST_F(EthersOracle, Eip712HashesOfRandomDocumentsAgree) {
  const Json answers = ask_ethers("eip712");
  ASSERT_EQ(answers.size(), static_cast<std::size_t>(kCases));
  int failures = 0;
  for (std::size_t i = 0; i < answers.size() && failures < 5; ++i) {
    const Json& want = answers[i];
    auto data = TypedData::parse_json(input_["eip712"][i].dump());
    const bool ok = want.contains("hash") && data.ok() &&
                    to_hex(data->signing_hash()) == want["hash"].get<std::string>() &&
                    to_hex(data->domain_separator()) == want["domain"].get<std::string>() &&
                    to_hex(data->struct_hash()) == want["struct"].get<std::string>();
    if (!ok) {
      ++failures;
      ADD_FAILURE() << where("eip712", i) << "\n ethers: " << want.dump() << "\n pactum: "
                    << (data.ok() ? to_hex(data->signing_hash()) + " domain " +
                                        to_hex(data->domain_separator()) + " struct " +
                                        to_hex(data->struct_hash())
                                  : data.error().to_string());
    }
  }
}

// Keystores we write are read by ethers (and give back the same key): light scrypt and pbkdf2
// parameters so that ethers' pure-JS KDFs stay fast. Twenty files, not a thousand: each costs a
// KDF run on both sides, and the format has no data-dependent branches beyond the KDF choice.
TEST(EthersKeystore, EthersDecryptsOurKeystores) {
  Random r(oracle_seed());
  Json request = {{"keystore", Json::array()}};
  std::vector<std::string> secrets;
  for (int i = 0; i < 20; ++i) {
    Bytes secret;
    do {
      secret = r.bytes(32);
    } while (!PrivateKey::from_bytes(secret).ok());
    const PrivateKey key = PrivateKey::from_bytes(secret).value();
    KeystoreOptions options;
    options.kdf = i % 2 == 0 ? KeystoreKdf::kScrypt : KeystoreKdf::kPbkdf2;
    options.scrypt_n = 1024;
    options.pbkdf2_iterations = 1000;
    const std::string password = r.utf8_text();
    auto json = encrypt_keystore(key, password, options);
    ASSERT_TRUE(json.ok()) << json.error().to_string();
    request["keystore"].push_back({{"json", *json}, {"password", password}});
    secrets.push_back(to_hex(secret));
  }
  auto out = testing::run_node_oracle("crypto_oracle.mjs", request.dump());
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  const Json answers = Json::parse(*out)["keystore"];
  ASSERT_EQ(answers.size(), secrets.size());
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    EXPECT_EQ(answers[i].value("privateKey", answers[i].dump()), secrets[i])
        << request["keystore"][i].dump();
  }
}

}  // namespace
}  // namespace pactum::eth
