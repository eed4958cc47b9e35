#include "pactum/sdk/node_request.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "support/process.hpp"

namespace pactum::sdk {
namespace {

eth::PrivateKey dev_key(int i) {
  return eth::PrivateKey::from_hex(testing::AnvilProcess::dev_private_keys()[i]).value();
}

NodeRequest sample_request() {
  NodeRequest r;
  r.action = NodeAction::kAccess;
  r.subject =
      fixed_from_hex<32>("0x1111111111111111111111111111111111111111111111111111111111111111")
          .value();
  r.node = dev_key(4).address();
  r.nonce = eth::U256(42);
  r.expiry = 1'000'100;
  return r;
}

NodeRequestExpectations expectations() {
  return {31337, dev_key(4).address(), NodeAction::kAccess, 1'000'000};
}

TEST(NodeRequest, HeaderRoundTrips) {
  const NodeRequest r = sample_request();
  const std::string header = node_request_to_header(r);
  auto parsed = node_request_from_header(header);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(node_request_to_header(*parsed), header);
  EXPECT_EQ(parsed->nonce, r.nonce);
  EXPECT_EQ(parsed->node, r.node);
}

TEST(NodeRequest, SignedRequestVerifiesToItsSigner) {
  const auto signed_request = sign_node_request(dev_key(2), sample_request(), 31337);
  auto verified = verify_node_request(signed_request.request_header,
                                      signed_request.signature_header, expectations());
  ASSERT_TRUE(verified.ok()) << verified.error().to_string();
  EXPECT_EQ(verified->signer, dev_key(2).address());
}

TEST(NodeRequest, RefusalsCarryTheirCodes) {
  const NodeRequest base = sample_request();
  const auto good = sign_node_request(dev_key(2), base, 31337);
  struct Case {
    const char* name;
    std::string request;
    std::string signature;
    NodeRequestExpectations expected;
    ErrorCode code;
  };
  NodeRequest other_node = base;
  other_node.node = dev_key(5).address();
  const auto for_other_node = sign_node_request(dev_key(2), other_node, 31337);
  NodeRequest expired = base;
  expired.expiry = 999'999;
  const auto expired_signed = sign_node_request(dev_key(2), expired, 31337);
  NodeRequest far = base;
  far.expiry = 1'000'000 + kMaxRequestLifetimeSeconds + 1;
  const auto far_signed = sign_node_request(dev_key(2), far, 31337);
  NodeRequest upload = base;
  upload.action = NodeAction::kUpload;
  const auto upload_signed = sign_node_request(dev_key(2), upload, 31337);
  NodeRequestExpectations other_chain = expectations();
  other_chain.chain_id = 1;
  const std::vector<Case> cases = {
      {"not json", "{", good.signature_header, expectations(), ErrorCode::kInvalidArgument},
      {"array", "[]", good.signature_header, expectations(), ErrorCode::kInvalidArgument},
      {"oversized", std::string(2000, ' '), good.signature_header, expectations(),
       ErrorCode::kInvalidArgument},
      {"unknown action",
       R"({"action":"steal","subject":"0x00","node":"0x00","nonce":"1","expiry":"1"})",
       good.signature_header, expectations(), ErrorCode::kInvalidArgument},
      {"short subject",
       R"({"action":"access","subject":"0x00","node":"0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65","nonce":"1","expiry":"1000001"})",
       good.signature_header, expectations(), ErrorCode::kInvalidArgument},
      {"extra member",
       good.request_header.substr(0, good.request_header.size() - 1) + R"(,"x":"1"})",
       good.signature_header, expectations(), ErrorCode::kInvalidArgument},
      {"numeric nonce",
       R"({"action":"access","subject":"0x1111111111111111111111111111111111111111111111111111111111111111","node":"0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65","nonce":1,"expiry":"1000001"})",
       good.signature_header, expectations(), ErrorCode::kInvalidArgument},
      {"wrong action", upload_signed.request_header, upload_signed.signature_header, expectations(),
       ErrorCode::kInvalidArgument},
      {"other node", for_other_node.request_header, for_other_node.signature_header, expectations(),
       ErrorCode::kPermissionDenied},
      {"expired", expired_signed.request_header, expired_signed.signature_header, expectations(),
       ErrorCode::kUnauthenticated},
      {"expiry too far", far_signed.request_header, far_signed.signature_header, expectations(),
       ErrorCode::kInvalidArgument},
      {"non-hex signature", good.request_header, "0xzz", expectations(),
       ErrorCode::kUnauthenticated},
      {"short signature", good.request_header, "0x1234", expectations(),
       ErrorCode::kUnauthenticated},
  };
  for (const Case& c : cases) {
    auto r = verify_node_request(c.request, c.signature, c.expected);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code(), c.code) << c.name << ": " << r.error().to_string();
  }
  // Signed for another chain or by another key: verifies, but to a different signer — the
  // node then refuses it because that signer is not the agreement's consumer.
  auto on_other_chain =
      verify_node_request(good.request_header, good.signature_header, other_chain);
  ASSERT_TRUE(on_other_chain.ok());
  EXPECT_NE(on_other_chain->signer, dev_key(2).address());
}

// 1,000 random requests: the signing hash and the signature equal ethers' (RFC 6979 on both
// sides makes the signatures deterministic).
TEST(NodeRequestOracle, HashesAndSignaturesEqualEthers) {
  std::mt19937_64 rng(20261125);
  nlohmann::json cases = nlohmann::json::array();
  std::vector<std::pair<NodeRequest, std::uint64_t>> requests;
  for (int i = 0; i < 1000; ++i) {
    NodeRequest r;
    r.action = static_cast<NodeAction>(rng() % 3);
    for (auto& b : r.subject) b = static_cast<std::uint8_t>(rng());
    FixedBytes<20> node{};
    for (auto& b : node) b = static_cast<std::uint8_t>(rng());
    r.node = eth::Address(node);
    r.nonce = eth::U256::from_limbs(rng(), rng(), rng(), rng());
    r.expiry = rng();
    const std::uint64_t chain_id = 1 + rng() % 100000;
    const int key_index = static_cast<int>(rng() % 10);
    cases.push_back({{"request",
                      {{"action", std::string(node_action_name(r.action))},
                       {"subject", to_hex(r.subject)},
                       {"node", r.node.to_hex()},
                       {"nonce", r.nonce.to_dec()},
                       {"expiry", std::to_string(r.expiry)}}},
                     {"chainId", chain_id},
                     {"key", testing::AnvilProcess::dev_private_keys()[key_index]}});
    requests.emplace_back(r, chain_id);
  }
  auto out = testing::run_node_oracle("node_request.mjs", cases.dump());
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  const auto answers = nlohmann::json::parse(*out);
  ASSERT_EQ(answers.size(), requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& [request, chain_id] = requests[i];
    ASSERT_EQ(to_hex(node_request_signing_hash(request, chain_id)),
              answers[i]["hash"].get<std::string>())
        << "case " << i << ": " << cases[i].dump();
    const auto key = eth::PrivateKey::from_hex(cases[i]["key"].get<std::string>()).value();
    ASSERT_EQ(sign_node_request(key, request, chain_id).signature_header,
              answers[i]["signature"].get<std::string>())
        << "case " << i;
  }
}

}  // namespace
}  // namespace pactum::sdk
