// One DDO parser on both sides (issue #16): every DDO of tests/support/ddo_cases.hpp — valid
// and invalid, 8 and 9 receivers among them — is answered the same by the node's publish (a
// real NodeService on a real HttpServer, tests/support/live_node.hpp) and by the client's
// resolve (pactum::client, reading the DDO from a node that serves exactly that text): both
// accept it, or both refuse it naming the same member. And an asset that publishes can be
// ordered: the DDO of 8 receivers, published at the node, is ordered and paid on chain.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "pactum/client/client.hpp"
#include "pactum/contracts/deployment.hpp"
#include "pactum/node/node_service.hpp"
#include "pactum/sdk/did.hpp"
#include "pactum/sdk/node_request.hpp"
#include "support/ddo_cases.hpp"
#include "support/live_node.hpp"
#include "support/net/scripted_server.hpp"
#include "support/net/test_client.hpp"

namespace pactum::client {
namespace {

using eth::U256;
using server::testing::Method;
using server::testing::TestClient;

constexpr std::uint32_t kChunk = 4096;
constexpr int kMarketplace = 5;

eth::PrivateKey key(int index) {
  return eth::PrivateKey::from_hex(
             pactum::testing::AnvilProcess::dev_private_keys().at(static_cast<std::size_t>(index)))
      .value();
}

class DdoTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<pactum::testing::LiveNode>(
        pactum::testing::LiveNodeOptions{.chunk_size = kChunk});
    ASSERT_TRUE(node_->ok());
  }

  std::unique_ptr<Client> client(int index, const std::string& url) {
    ClientConfig c;
    c.node_url = url;
    c.deployment = node_->deployment();
    c.agreements_dir = node_->dir() / "agreements";
    std::optional<eth::PrivateKey> k;
    if (index >= 0) k = key(index);
    auto made = Client::create(node_->chain().api(), std::move(c), std::move(k));
    EXPECT_TRUE(made.ok()) << made.error().to_string();
    return made.ok() ? std::move(made).value() : nullptr;
  }

  // The node's answer to publishing `ddo_text` for `did` with `upload_id`, signed by the
  // publisher: the DDO travels as the body's "ddo" member, as the client sends it.
  std::optional<server::testing::StringResponse> publish_at_node(const Hash32& did,
                                                                 const std::string& upload_id,
                                                                 const std::string& ddo_text) {
    sdk::NodeRequest r;
    r.action = sdk::NodeAction::kPublish;
    r.subject = did;
    r.node = node_->service().address();
    r.nonce = U256(++nonce_);
    r.expiry = static_cast<std::uint64_t>(std::time(nullptr) + 300);
    const auto s =
        sdk::sign_node_request(key(contracts::testing::kPublisher), r, node_->chain().chain_id());
    TestClient c(node_->port());
    return c.request(Method::kPut, "/api/v1/assets/" + sdk::format_did(did),
                     "{\"upload_id\":\"" + upload_id + "\",\"ddo\":" + ddo_text + "}",
                     {{std::string(sdk::kRequestHeader), s.request_header},
                      {std::string(sdk::kSignatureHeader), s.signature_header}});
  }

  std::unique_ptr<pactum::testing::LiveNode> node_;
  std::uint64_t nonce_ = 1'000;
};

// The HTTP status the node answers an error code with (docs/node-api.md, "Errors").
int status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kResourceExhausted:
      return 413;
    default:
      return 500;
  }
}

TEST_F(DdoTableTest, NodePublishAndClientResolveAnswerEveryDdoTheSame) {
  // A real asset: uploaded, registered and published by the client.
  const auto path = node_->dir() / "asset.bin";
  {
    std::mt19937 rng(7);
    std::string bytes(3 * kChunk + 11, '\0');
    for (auto& ch : bytes) ch = static_cast<char>(rng());
    std::ofstream(path, std::ios::binary) << bytes;
  }
  PublishRequest request;
  request.file = path;
  request.price = U256(1000);
  request.fees = {{key(kMarketplace).address(), U256(10)}};  // two receivers, as the table needs
  auto published = client(contracts::testing::kPublisher, node_->url())->publish(request);
  ASSERT_TRUE(published.ok()) << published.error().to_string();
  auto resolved = client(-1, node_->url())->resolve(published->did);
  ASSERT_TRUE(resolved.ok()) << resolved.error().to_string();
  auto base = sdk::parse_ddo(resolved->ddo_json);
  ASSERT_TRUE(base.ok()) << base.error().to_string();
  const std::string& upload_id = published->upload_id;

  // A node that answers every request with the DDO text of the case at hand.
  std::mutex mutex;
  std::string served;  // GUARDED_BY(mutex)
  rpc::testing::ScriptedServer serving([&](const std::string&) {
    std::lock_guard lock(mutex);
    return rpc::testing::Reply{.status = 200, .body = served};
  });
  std::string serving_url = serving.url();
  serving_url.pop_back();  // the trailing '/'
  auto reader = client(-1, serving_url);
  const auto cases = pactum::testing::ddo_cases(*base);
  ASSERT_GE(cases.size(), 30u);
  bool saw_8 = false, saw_9 = false;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    saw_8 = saw_8 || c.name == "8 receivers";
    saw_9 = saw_9 || c.name == "9 receivers";
    auto at_node = publish_at_node(published->did, upload_id, c.text);
    ASSERT_TRUE(at_node.has_value());
    {
      std::lock_guard lock(mutex);
      served = c.text;
    }
    auto at_client = reader->resolve(published->did);
    if (!c.code) {
      EXPECT_EQ(at_node->result_int(), 200) << at_node->body();
      EXPECT_TRUE(at_client.ok()) << at_client.error().to_string();
      continue;
    }
    EXPECT_EQ(at_node->result_int(), status_of(*c.code)) << at_node->body();
    ASSERT_FALSE(at_client.ok());
    // Received from a node, a DDO that does not parse is data loss to the client.
    EXPECT_EQ(at_client.error().code(), ErrorCode::kDataLoss) << at_client.error().to_string();
    EXPECT_NE(at_client.error().message().find(c.message), std::string::npos)
        << at_client.error().message();
    // The node reads the DDO as the "ddo" member of its body, and the body within the server's
    // limit for buffered bodies (http.max_body_size, 1 MiB by default): text that is not a JSON
    // object is refused as that member by the body's parser (same code, its own words), and a
    // text past the limit by the server (413, as the parser's kResourceExhausted). Every other
    // text reaches the one DDO parser, whose words the node answers.
    const bool reaches_the_parser = nlohmann::json::accept(c.text) &&
                                    nlohmann::json::parse(c.text).is_object() &&
                                    c.text.size() < sdk::kMaxDdoBytes;
    if (reaches_the_parser) {
      auto answer = nlohmann::json::parse(at_node->body(), nullptr, false);
      ASSERT_TRUE(answer.is_object()) << at_node->body();
      EXPECT_NE(answer["error"]["message"].get<std::string>().find(c.message), std::string::npos)
          << at_node->body();
    }
  }
  EXPECT_TRUE(saw_8 && saw_9) << "the table holds the engine's limit and one past it";
}

TEST_F(DdoTableTest, AnAssetWithEightReceiversPublishesAndIsOrdered) {
  const auto path = node_->dir() / "asset.bin";
  std::ofstream(path, std::ios::binary) << std::string(2 * kChunk + 5, 'e');
  PublishRequest request;
  request.file = path;
  request.price = U256(1000);
  for (int i = 0; i < 7; ++i) {  // the publisher and seven fee receivers: the engine's eight
    std::array<std::uint8_t, 20> a{};
    a[0] = 0x42;
    a[19] = static_cast<std::uint8_t>(i + 1);
    request.fees.push_back({eth::Address(a), U256(10 + i)});
  }
  auto published = client(contracts::testing::kPublisher, node_->url())->publish(request);
  ASSERT_TRUE(published.ok()) << published.error().to_string();
  ASSERT_EQ(published->payment.receivers.size(), sdk::kMaxPaymentReceivers);

  auto ordered = client(contracts::testing::kConsumer, node_->url())->order(published->did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  U256 total = U256(1000);
  for (int i = 0; i < 7; ++i) total = total + U256(10 + i);
  EXPECT_EQ(ordered->paid, total);

  // One more fee receiver is refused before anything is sent or registered.
  request.fees.push_back({key(kMarketplace).address(), U256(1)});
  auto refused = client(contracts::testing::kPublisher, node_->url())->publish(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument) << refused.error().to_string();
}

}  // namespace
}  // namespace pactum::client
