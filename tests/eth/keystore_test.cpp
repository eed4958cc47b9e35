#include "pactum/eth/keystore.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/process.hpp"

namespace pactum::eth {
namespace {

using Json = nlohmann::json;

// The Web3 Secret Storage Definition's test vectors (password "testpassword").
constexpr const char* kSecret = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";
constexpr const char* kPbkdf2Vector = R"({
  "crypto": {
    "cipher": "aes-128-ctr",
    "cipherparams": {"iv": "6087dab2f9fdbbfaddc31a909735c1e6"},
    "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
    "kdf": "pbkdf2",
    "kdfparams": {"c": 262144, "dklen": 32, "prf": "hmac-sha256",
                  "salt": "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
    "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"
  },
  "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  "version": 3
})";
constexpr const char* kScryptVector = R"({
  "crypto": {
    "cipher": "aes-128-ctr",
    "cipherparams": {"iv": "83dbcc02d8ccb40e466191a123791e0e"},
    "ciphertext": "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
    "kdf": "scrypt",
    "kdfparams": {"dklen": 32, "n": 262144, "r": 1, "p": 8,
                  "salt": "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
    "mac": "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"
  },
  "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  "version": 3
})";

std::string secret_hex(const PrivateKey& key) {
  FixedBytes<32> secret{};
  key.export_secret(secret);
  std::string hex = to_hex(secret, false);
  secure_wipe(secret);
  return hex;
}

TEST(Keystore, Web3SecretStoragePbkdf2Vector) {
  auto key = decrypt_keystore(kPbkdf2Vector, "testpassword");
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  EXPECT_EQ(secret_hex(*key), kSecret);
  // The definition's "Address" field for this secret.
  EXPECT_EQ(key->address().to_hex(), "0x008aeeda4d805471df9b2a5b0f38a0c3bcba786b");
}

TEST(Keystore, Web3SecretStorageScryptVector) {
  KeystoreLimits limits;  // n = 2^18 with r = 1 is within the defaults
  auto key = decrypt_keystore(kScryptVector, "testpassword", limits);
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  EXPECT_EQ(secret_hex(*key), kSecret);
}

TEST(Keystore, WritingWithTheVectorsSaltAndIvReproducesIt) {
  const PrivateKey key = PrivateKey::from_hex(kSecret).value();
  KeystoreOptions options;
  options.kdf = KeystoreKdf::kPbkdf2;
  options.salt =
      fixed_from_hex<32>("ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd")
          .value();
  options.iv = fixed_from_hex<16>("6087dab2f9fdbbfaddc31a909735c1e6").value();
  auto text = encrypt_keystore(key, "testpassword", options);
  ASSERT_TRUE(text.ok()) << text.error().to_string();
  const Json doc = Json::parse(*text);
  const Json want = Json::parse(kPbkdf2Vector);
  EXPECT_EQ(doc["crypto"]["ciphertext"], want["crypto"]["ciphertext"]);
  EXPECT_EQ(doc["crypto"]["mac"], want["crypto"]["mac"]);
  EXPECT_EQ(doc["crypto"]["kdfparams"], want["crypto"]["kdfparams"]);
  EXPECT_EQ(doc["address"], "008aeeda4d805471df9b2a5b0f38a0c3bcba786b");
  EXPECT_EQ(doc["version"], 3);
  const std::string id = doc["id"];
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');  // UUID version 4
}

KeystoreOptions light_scrypt() {
  KeystoreOptions o;
  o.scrypt_n = 1024;
  o.scrypt_r = 8;
  o.scrypt_p = 1;
  return o;
}

TEST(Keystore, RoundTripBothKdfsAndWrongPassword) {
  const PrivateKey key = PrivateKey::generate().value();
  KeystoreOptions pbkdf2;
  pbkdf2.kdf = KeystoreKdf::kPbkdf2;
  pbkdf2.pbkdf2_iterations = 1000;
  for (const KeystoreOptions& options : {light_scrypt(), pbkdf2}) {
    auto text = encrypt_keystore(key, "pässwörd", options);
    ASSERT_TRUE(text.ok()) << text.error().to_string();
    auto back = decrypt_keystore(*text, "pässwörd");
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(back->address(), key.address());
    auto wrong = decrypt_keystore(*text, "password");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_NE(wrong.error().message().find("MAC mismatch"), std::string::npos);
  }
  // Two encryptions of the same key differ (fresh salt and IV).
  EXPECT_NE(*encrypt_keystore(key, "p", light_scrypt()),
            *encrypt_keystore(key, "p", light_scrypt()));
}

TEST(Keystore, EncryptRefusesBadOptions) {
  const PrivateKey key = PrivateKey::generate().value();
  KeystoreOptions o = light_scrypt();
  o.scrypt_n = 1000;
  EXPECT_EQ(encrypt_keystore(key, "p", o).error().code(), ErrorCode::kInvalidArgument);
  o = light_scrypt();
  o.scrypt_n = 1ull << 30;
  EXPECT_EQ(encrypt_keystore(key, "p", o).error().code(), ErrorCode::kInvalidArgument);
  o = light_scrypt();
  o.kdf = KeystoreKdf::kPbkdf2;
  o.pbkdf2_iterations = 0;
  EXPECT_EQ(encrypt_keystore(key, "p", o).error().code(), ErrorCode::kInvalidArgument);
}

// Applies `edit` to a valid light-scrypt keystore and checks the resulting error.
struct Corruption {
  const char* name;
  void (*edit)(Json&);
  ErrorCode code;
  const char* message_part;
};

TEST(Keystore, CorruptedFilesGiveSpecificErrors) {
  const PrivateKey key = PrivateKey::generate().value();
  const Json valid = Json::parse(*encrypt_keystore(key, "pw", light_scrypt()));
  const Corruption cases[] = {
      {"version 4", [](Json& d) { d["version"] = 4; }, ErrorCode::kInvalidArgument,
       "version must be 3"},
      {"no version", [](Json& d) { d.erase("version"); }, ErrorCode::kInvalidArgument,
       "missing keystore.version"},
      {"no crypto", [](Json& d) { d.erase("crypto"); }, ErrorCode::kInvalidArgument,
       "missing crypto"},
      {"cbc", [](Json& d) { d["crypto"]["cipher"] = "aes-128-cbc"; }, ErrorCode::kUnimplemented,
       "unsupported cipher"},
      {"argon", [](Json& d) { d["crypto"]["kdf"] = "argon2"; }, ErrorCode::kUnimplemented,
       "unsupported kdf"},
      {"short iv", [](Json& d) { d["crypto"]["cipherparams"]["iv"] = "00"; },
       ErrorCode::kInvalidArgument, "iv must be 16 bytes"},
      {"nonhex ct", [](Json& d) { d["crypto"]["ciphertext"] = "zz"; }, ErrorCode::kInvalidArgument,
       "non-hex"},
      {"short ct", [](Json& d) { d["crypto"]["ciphertext"] = "0011"; }, ErrorCode::kInvalidArgument,
       "ciphertext must be 32 bytes"},
      {"short mac", [](Json& d) { d["crypto"]["mac"] = "00"; }, ErrorCode::kInvalidArgument,
       "mac must be 32 bytes"},
      {"dklen 16", [](Json& d) { d["crypto"]["kdfparams"]["dklen"] = 16; },
       ErrorCode::kInvalidArgument, "dklen must be 32"},
      {"n not pow2", [](Json& d) { d["crypto"]["kdfparams"]["n"] = 1000; },
       ErrorCode::kInvalidArgument, "power of two"},
      {"n string", [](Json& d) { d["crypto"]["kdfparams"]["n"] = "1024"; },
       ErrorCode::kInvalidArgument, "non-negative integer"},
      {"n negative", [](Json& d) { d["crypto"]["kdfparams"]["n"] = -2; },
       ErrorCode::kInvalidArgument, "non-negative integer"},
      {"n huge", [](Json& d) { d["crypto"]["kdfparams"]["n"] = 1ull << 40; },
       ErrorCode::kResourceExhausted, "exceed the limits"},
      {"r huge", [](Json& d) { d["crypto"]["kdfparams"]["r"] = 1ull << 33; },
       ErrorCode::kResourceExhausted, "too large"},
      {"r zero", [](Json& d) { d["crypto"]["kdfparams"]["r"] = 0; }, ErrorCode::kInvalidArgument,
       "r and p"},
      {"memory",
       [](Json& d) {
         d["crypto"]["kdfparams"]["n"] = 1 << 18;
         d["crypto"]["kdfparams"]["r"] = 32;
       },
       ErrorCode::kResourceExhausted, "memory"},
      {"tampered ct",
       [](Json& d) {
         std::string ct = d["crypto"]["ciphertext"];
         ct[0] = ct[0] == '0' ? '1' : '0';
         d["crypto"]["ciphertext"] = ct;
       },
       ErrorCode::kUnauthenticated, "MAC mismatch"},
      {"address", [](Json& d) { d["address"] = "0000000000000000000000000000000000000001"; },
       ErrorCode::kDataLoss, "address does not match"},
      {"kdfparams array", [](Json& d) { d["crypto"]["kdfparams"] = Json::array(); },
       ErrorCode::kInvalidArgument, "kdfparams must be an object"},
  };
  for (const auto& c : cases) {
    Json doc = valid;
    c.edit(doc);
    auto key_or = decrypt_keystore(doc.dump(), "pw");
    ASSERT_FALSE(key_or.ok()) << c.name;
    EXPECT_EQ(key_or.error().code(), c.code) << c.name << ": " << key_or.error().to_string();
    EXPECT_NE(key_or.error().message().find(c.message_part), std::string::npos)
        << c.name << ": " << key_or.error().to_string();
  }
  Json pbkdf2 = Json::parse(kPbkdf2Vector);
  pbkdf2["crypto"]["kdfparams"]["prf"] = "hmac-sha512";
  EXPECT_EQ(decrypt_keystore(pbkdf2.dump(), "testpassword").error().code(),
            ErrorCode::kUnimplemented);
  pbkdf2 = Json::parse(kPbkdf2Vector);
  pbkdf2["crypto"]["kdfparams"]["c"] = 100'000'000;
  EXPECT_EQ(decrypt_keystore(pbkdf2.dump(), "testpassword").error().code(),
            ErrorCode::kResourceExhausted);
  for (const char* text : {"", "{", "[]", "null", "3", R"({"version": 3, "crypto": 1})"}) {
    auto r = decrypt_keystore(text, "pw");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << text;
  }
}

TEST(Keystore, TightLimitsRefuseBeforeDeriving) {
  KeystoreLimits tight;
  tight.max_scrypt_n = 1024;
  auto r = decrypt_keystore(kScryptVector, "testpassword", tight);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kResourceExhausted);
}

// A file written by ethers 6 (encryptKeystoreJsonSync, scrypt n = 1024; it spells "Crypto" with a
// capital C), also the fuzzer's seed.
TEST(Keystore, ReadsAFileWrittenByEthers) {
  std::ifstream in(
      testing::source_path("tests/fuzz/corpus/keystore_fuzz/ethers_scrypt_n1024.json"));
  std::stringstream text;
  text << in.rdbuf();
  auto key = decrypt_keystore(text.str(), "fuzz-password");
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  EXPECT_EQ(secret_hex(*key), kSecret);
}

}  // namespace
}  // namespace pactum::eth
