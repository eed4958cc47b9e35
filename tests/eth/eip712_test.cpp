#include "pactum/eth/eip712.hpp"

#include <gtest/gtest.h>

#include <string>

#include "pactum/eth/keccak.hpp"

namespace pactum::eth {
namespace {

// The EIP-712 specification's example (assets/eip-712/Example.js in ethereum/EIPs).
constexpr const char* kMail = R"({
  "types": {
    "EIP712Domain": [
      {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
      {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
    "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
    "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"},
             {"name": "contents", "type": "string"}]
  },
  "primaryType": "Mail",
  "domain": {"name": "Ether Mail", "version": "1", "chainId": 1,
             "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
  "message": {
    "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
    "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
    "contents": "Hello, Bob!"
  }
})";

PrivateKey cow_key() {
  const Hash32 secret = keccak256(as_bytes("cow"));
  return PrivateKey::from_bytes(secret).value();
}

TEST(Eip712, SpecificationMailExample) {
  auto data = TypedData::parse_json(kMail);
  ASSERT_TRUE(data.ok()) << data.error().to_string();
  EXPECT_EQ(*data->encode_type("Mail"),
            "Mail(Person from,Person to,string contents)Person(string name,address wallet)");
  EXPECT_EQ(to_hex(*data->type_hash("Mail")),
            "0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2");
  EXPECT_EQ(to_hex(data->struct_hash()),
            "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
  EXPECT_EQ(to_hex(data->domain_separator()),
            "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
  EXPECT_EQ(to_hex(data->signing_hash()),
            "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
  const PrivateKey key = cow_key();
  EXPECT_EQ(key.address().to_hex(), "0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826");
  const Signature sig = sign_typed_data(key, *data);
  EXPECT_EQ(sig.v(), 28);
  EXPECT_EQ(to_hex(sig.r), "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d");
  EXPECT_EQ(to_hex(sig.s), "0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562");
  EXPECT_EQ(*recover_typed_data_signer(*data, sig), key.address());
  EXPECT_EQ(data->encode_type("Nope").error().code(), ErrorCode::kNotFound);
}

// primaryType "EIP712Domain" signs the domain alone. The vectors are MetaMask's
// (eth-sig-util, src/__snapshots__/sign-typed-data.test.ts.snap, "TypedDataUtils.eip712Hash V4");
// their salt, Buffer.from(new Int32Array([1, 2, 3])), is the bytes 01 02 03, right-padded.
TEST(Eip712, DomainAsPrimaryTypeIsHashedAsMetaMaskDoes) {
  constexpr const char* kSalt =
      "0x0102030000000000000000000000000000000000000000000000000000000000";
  const std::string standard_members =
      R"({"name": "name", "type": "string"}, {"name": "version", "type": "string"},
         {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
         {"name": "salt", "type": "bytes32"})";
  const std::string standard_values =
      R"("name": "example.metamask.io", "version": "1", "chainId": 1,
         "verifyingContract": "0x0000000000000000000000000000000000000000", "salt": ")" +
      std::string(kSalt) + "\"";
  struct Case {
    const char* what;
    std::string json;
    const char* signing_hash;
  };
  const Case cases[] = {
      {"minimal valid typed message",
       R"({"types": {"EIP712Domain": []}, "primaryType": "EIP712Domain", "domain": {},
           "message": {}})",
       "0x8d4a3f4082945b7879e2b55f181c31a77c8c0a464b70669458abbaaf99de4c38"},
      // Without a declared domain type: derived from the (empty) domain, as MetaMask defaults
      // it to [] — the same hash. The message is never read.
      {"undeclared domain type, a message that would not parse",
       R"({"types": {}, "primaryType": "EIP712Domain", "domain": {},
           "message": {"anything": [1, 2, 3]}})",
       "0x8d4a3f4082945b7879e2b55f181c31a77c8c0a464b70669458abbaaf99de4c38"},
      {"a domain separator that uses all fields",
       R"({"types": {"EIP712Domain": [)" + standard_members +
           R"(]}, "primaryType": "EIP712Domain", "domain": {)" + standard_values +
           R"(}, "message": {}})",
       "0x54ffed5209a17ac210ef3823740b3852ee9cd518b84ee39f0a3fa7f2f9b4205b"},
      {"extra domain separator fields",
       R"({"types": {"EIP712Domain": [)" + standard_members +
           R"(, {"name": "extraField", "type": "string"}]}, "primaryType": "EIP712Domain",
           "domain": {)" +
           standard_values + R"(, "extraField": "stuff"}, "message": {}})",
       "0x2323c742c20093ee44c2a0abef2b950062a3d70b3453ef4995a072dba9e47d7d"},
      {"only custom domain separator fields",
       R"({"types": {"EIP712Domain": [
             {"name": "customName", "type": "string"}, {"name": "customVersion", "type": "string"},
             {"name": "customChainId", "type": "uint256"},
             {"name": "customVerifyingContract", "type": "address"},
             {"name": "customSalt", "type": "bytes32"}, {"name": "extraField", "type": "string"}]},
           "primaryType": "EIP712Domain",
           "domain": {"customName": "example.metamask.io", "customVersion": "1",
                      "customChainId": 1,
                      "customVerifyingContract": "0x0000000000000000000000000000000000000000",
                      "customSalt": ")" +
           std::string(kSalt) + R"(", "extraField": "stuff"}, "message": {}})",
       "0x3efa3ef0305f56ba5bba62000500e29fe82c5314bca2f958c64e31b2498560f8"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto data = TypedData::parse_json(c.json);
    ASSERT_TRUE(data.ok()) << data.error().to_string();
    EXPECT_EQ(data->primary_type(), "EIP712Domain");
    EXPECT_EQ(data->struct_hash(), data->domain_separator());
    EXPECT_EQ(to_hex(data->signing_hash()), c.signing_hash);
    // Signed and recovered like any typed data.
    const PrivateKey key = cow_key();
    EXPECT_EQ(*recover_typed_data_signer(*data, sign_typed_data(key, *data)), key.address());
  }
  // A domain that does not match its declared type is still refused.
  auto bad = TypedData::parse_json(
      R"({"types": {"EIP712Domain": [{"name": "chainId", "type": "uint256"}]},
          "primaryType": "EIP712Domain", "domain": {"chainId": "x"}, "message": {}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("domain.chainId"), std::string::npos)
      << bad.error().to_string();
}

// The earlier revision of the same example had a custom domain member (httpOrigin).
TEST(Eip712, SpecificationExampleWithCustomDomainMember) {
  std::string doc = kMail;
  doc.replace(doc.find(R"({"name": "verifyingContract")"), 0,
              R"({"name": "httpOrigin", "type": "string"}, )");
  doc.replace(doc.find(R"("verifyingContract": "0xCc)"), 0,
              R"("httpOrigin": "https://ether-mail.eth", )");
  auto data = TypedData::parse_json(doc);
  ASSERT_TRUE(data.ok()) << data.error().to_string();
  EXPECT_EQ(to_hex(data->domain_separator()),
            "0x0b72c8f1f2c3bf8bcca4c3cc24cd47275f9261a5b0bcf7b9bd803419b303a1a9");
  EXPECT_EQ(to_hex(data->signing_hash()),
            "0xa5f5fa6b05af38f2e9d2889ac36f5a4ba31e20646781d23739de458d86d6593e");
  const Signature sig = sign_typed_data(cow_key(), *data);
  EXPECT_EQ(sig.v(), 27);
  EXPECT_EQ(to_hex(sig.r), "0x24040eda35064d96c51f3308b5fae290edae563327348886a366ed604e0c0480");
  EXPECT_EQ(to_hex(sig.s), "0x42bbabf2fae4b00598596a99d577dde56ff9d013e861f611cfe7b0728e1cd057");
}

TEST(Eip712, DerivedDomainTypeAndCppPathAgree) {
  std::string doc = kMail;
  const auto start = doc.find(R"("EIP712Domain")");
  const auto end = doc.find(R"("Person")");
  doc.erase(start, end - start);  // no EIP712Domain: derived from the domain's keys
  auto data = TypedData::parse_json(doc);
  ASSERT_TRUE(data.ok()) << data.error().to_string();
  EXPECT_EQ(to_hex(data->domain_separator()),
            "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
  Eip712Domain domain;
  domain.name = "Ether Mail";
  domain.version = "1";
  domain.chain_id = U256(1);
  domain.verifying_contract = *Address::parse("0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC");
  EXPECT_EQ(domain_separator(domain), data->domain_separator());
  EXPECT_EQ(typed_data_signing_hash(domain_separator(domain), data->struct_hash()),
            data->signing_hash());
}

std::string doc_with(const std::string& types, const std::string& message) {
  return R"({"types": {"EIP712Domain": [{"name": "chainId", "type": "uint256"}], )" + types +
         R"(}, "primaryType": "T", "domain": {"chainId": 1}, "message": )" + message + "}";
}

TEST(Eip712, ArraysNestedStructsAndAtomicForms) {
  const std::string types =
      R"("T": [{"name": "a", "type": "uint8[2]"}, {"name": "b", "type": "int16[]"},
               {"name": "c", "type": "bytes3"}, {"name": "d", "type": "bytes"},
               {"name": "e", "type": "bool[][2]"}, {"name": "f", "type": "U[]"}],
         "U": [{"name": "x", "type": "uint256"}, {"name": "y", "type": "string"}])";
  auto data = TypedData::parse_json(
      doc_with(types,
               R"({"a": [255, "0x01"], "b": [-32768, "32767", "-0x10"], "c": "0xabcdef", "d": "0x",
          "e": [[true], []], "f": [{"x": "115792089237316195423570985008687907853269984665640564039457584007913129639935", "y": "é"}],
          "extra": "ignored"})"));
  ASSERT_TRUE(data.ok()) << data.error().to_string();
  EXPECT_EQ(*data->encode_type("T"),
            "T(uint8[2] a,int16[] b,bytes3 c,bytes d,bool[][2] e,U[] f)U(uint256 x,string y)");
}

struct BadDoc {
  std::string types;
  std::string message;
  ErrorCode code;
  const char* message_part;
};

TEST(Eip712, BadDocumentsGiveSpecificErrors) {
  const std::string t_uint8 = R"("T": [{"name": "v", "type": "uint8"}])";
  const BadDoc cases[] = {
      {R"("T": [{"name": "v", "type": "Foo"}])", "{}", ErrorCode::kInvalidArgument,
       "unknown type 'Foo' in T.v"},
      {R"("T": [{"name": "v", "type": "uint7"}])", "{}", ErrorCode::kInvalidArgument,
       "unknown type 'uint7'"},
      {R"("T": [{"name": "v", "type": "bytes33"}])", "{}", ErrorCode::kInvalidArgument,
       "unknown type 'bytes33'"},
      {R"("T": [{"name": "v", "type": "uint8[x]"}])", "{}", ErrorCode::kInvalidArgument,
       "malformed array length"},
      {R"("T": [{"name": "v", "type": "uint8"}, {"name": "v", "type": "bool"}])", "{}",
       ErrorCode::kInvalidArgument, "duplicate member 'v'"},
      {R"("T": [{"name": "a b", "type": "uint8"}])", "{}", ErrorCode::kInvalidArgument,
       "invalid member name"},
      {R"("T": [{"name": "v"}])", "{}", ErrorCode::kInvalidArgument, "{name, type}"},
      {t_uint8, "{}", ErrorCode::kInvalidArgument, "message.v: missing value"},
      {t_uint8, R"({"v": 256})", ErrorCode::kOutOfRange, "message.v: value out of range for uint8"},
      {t_uint8, R"({"v": -1})", ErrorCode::kOutOfRange, "negative"},
      {t_uint8, R"({"v": "1x"})", ErrorCode::kInvalidArgument, "message.v"},
      {t_uint8, R"({"v": 1.5})", ErrorCode::kInvalidArgument, "not an exact integer"},
      {t_uint8, R"({"v": true})", ErrorCode::kInvalidArgument, "expected an integer"},
      {R"("T": [{"name": "v", "type": "int8"}])", R"({"v": "-129"})", ErrorCode::kOutOfRange,
       "out of range for int8"},
      {R"("T": [{"name": "v", "type": "uint256"}])",
       R"({"v": "115792089237316195423570985008687907853269984665640564039457584007913129639936"})",
       ErrorCode::kOutOfRange, "message.v"},
      {R"("T": [{"name": "v", "type": "bytes4"}])", R"({"v": "0x0102"})",
       ErrorCode::kInvalidArgument, "expected 4 bytes for bytes4, got 2"},
      {R"("T": [{"name": "v", "type": "bytes"}])", R"({"v": "0xzz"})", ErrorCode::kInvalidArgument,
       "non-hex"},
      {R"("T": [{"name": "v", "type": "address"}])",
       R"({"v": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD827"})", ErrorCode::kInvalidArgument,
       "bad EIP-55 checksum"},
      {R"("T": [{"name": "v", "type": "bool"}])", R"({"v": 1})", ErrorCode::kInvalidArgument,
       "expected true or false"},
      {R"("T": [{"name": "v", "type": "string"}])", R"({"v": 1})", ErrorCode::kInvalidArgument,
       "expected a string"},
      {R"("T": [{"name": "v", "type": "bool[2]"}])", R"({"v": [true]})",
       ErrorCode::kInvalidArgument, "expected 2 elements for bool[2], got 1"},
      {R"("T": [{"name": "v", "type": "bool[]"}])", R"({"v": true})", ErrorCode::kInvalidArgument,
       "expected an array"},
      {R"("T": [{"name": "v", "type": "T[]"}])", R"({"v": [{"v": [{"v": 5}]}]})",
       ErrorCode::kInvalidArgument, "message.v[0].v[0].v: expected an array"},
      {t_uint8, "[]", ErrorCode::kInvalidArgument, "message: expected an object"},
  };
  for (const auto& c : cases) {
    auto data = TypedData::parse_json(doc_with(c.types, c.message));
    ASSERT_FALSE(data.ok()) << c.types << " " << c.message;
    EXPECT_EQ(data.error().code(), c.code) << data.error().to_string();
    EXPECT_NE(data.error().message().find(c.message_part), std::string::npos)
        << c.message_part << " <- " << data.error().to_string();
  }
}

TEST(Eip712, BadTopLevelGivesSpecificErrors) {
  const std::pair<std::string, const char*> cases[] = {
      {"{", "malformed JSON"},
      {"[]", "expected a JSON object"},
      {R"({"types": {}, "primaryType": "T", "domain": {}})", "missing 'message'"},
      {R"({"types": [], "primaryType": "T", "domain": {}, "message": {}})", "'types' must be"},
      {R"({"types": {}, "primaryType": "T", "domain": {}, "message": {}})", "primaryType 'T'"},
      {R"({"types": {"T": []}, "primaryType": 1, "domain": {}, "message": {}})", "primaryType"},
      {R"({"types": {"T": []}, "primaryType": "T", "domain": {"foo": 1}, "message": {}})",
       "unknown key 'foo'"},
      {R"({"types": {"uint256": []}, "primaryType": "T", "domain": {}, "message": {}})",
       "invalid struct type name"},
  };
  for (const auto& [doc, part] : cases) {
    auto data = TypedData::parse_json(doc);
    ASSERT_FALSE(data.ok()) << doc;
    EXPECT_EQ(data.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(data.error().message().find(part), std::string::npos)
        << part << " <- " << data.error().to_string();
  }
}

TEST(Eip712, DeepRecursionIsRefusedNotOverflowed) {
  std::string message;
  for (int i = 0; i < 10000; ++i) message += R"({"v": [)";
  message += R"({"v": []})";
  for (int i = 0; i < 10000; ++i) message += "]}";
  auto data = TypedData::parse_json(doc_with(R"("T": [{"name": "v", "type": "T[]"}])", message));
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.error().message().find("nesting deeper than 64"), std::string::npos);
  // An empty struct is allowed and so is an empty domain.
  EXPECT_TRUE(TypedData::parse_json(
                  R"({"types": {"T": []}, "primaryType": "T", "domain": {}, "message": {}})")
                  .ok());
}

}  // namespace
}  // namespace pactum::eth
