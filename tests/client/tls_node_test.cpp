// #19: the node over HTTPS. Story 1 with every connection in TLS — the client talks to the node
// over https:// (pactum's HttpServer with a certificate made in the test) and to the chain
// through a real nginx TLS proxy in front of anvil — with exact balances; and the node client's
// refusals: an expired certificate, one for another host and one from an unknown CA are each
// kUnauthenticated with the reason named, before any request is sent; a plain-HTTP client of a
// TLS server and a TLS client of a plain server fail clearly, and the TLS server serves on.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "pactum/client/client.hpp"
#include "pactum/client/node_http.hpp"
#include "pactum/rpc/eth_api.hpp"
#include "pactum/rpc/json_rpc.hpp"
#include "pactum/server/http_server.hpp"
#include "support/live_node.hpp"
#include "support/tls_proxy.hpp"

namespace pactum::client {
namespace {

using pactum::testing::TestCertificates;
using pactum::testing::TlsProxy;

constexpr std::uint32_t kChunk = 4096;
const eth::U256 kPrice = eth::U256(10'000'000'000'000'000ULL);  // 0.01 ether

eth::PrivateKey key(int index) {
  return eth::PrivateKey::from_hex(
             pactum::testing::AnvilProcess::dev_private_keys().at(static_cast<std::size_t>(index)))
      .value();
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// A server with one route (GET /ping → "pong") and the given certificate (none: plain HTTP).
class PingServer {
 public:
  PingServer(const std::string& certificate, const std::string& key) {
    router_.add("GET", "/ping", [](server::Request&) -> Result<server::Response> {
      return server::Response::text("pong");
    });
    server::HttpServerOptions o;
    o.threads = 1;
    o.tls_certificate_file = certificate;
    o.tls_key_file = key;
    server_ = std::make_unique<server::HttpServer>(o, router_, logger_, metrics_);
    started_ = server_->start();
  }
  ~PingServer() { server_->stop(); }
  [[nodiscard]] const Status& started() const { return started_; }
  [[nodiscard]] std::string url(const std::string& scheme, const std::string& host = "127.0.0.1") {
    return scheme + "://" + host + ":" + std::to_string(server_->port());
  }
  server::MemoryLogger& logger() { return logger_; }

 private:
  server::Router router_;
  server::MemoryLogger logger_;
  server::MetricsRegistry metrics_;
  std::unique_ptr<server::HttpServer> server_;
  Status started_;
};

Result<NodeReply> ping(const std::string& url, const std::string& ca_file) {
  NodeHttpOptions options;
  options.ca_file = ca_file;
  options.connect_timeout = std::chrono::seconds(5);
  options.idle_timeout = std::chrono::seconds(5);
  PACTUM_TRY(NodeHttpClient client, NodeHttpClient::create(url, options));
  return client.request("GET", "/ping", {});
}

TEST(TlsNode, StoryOneWithTheNodeAndTheChainBothOverTls) {
  ASSERT_TRUE(std::filesystem::exists("/usr/sbin/nginx")) << "nginx missing: make deps installs it";
  TestCertificates certs;
  ASSERT_TRUE(certs.ok());
  pactum::testing::LiveNodeOptions options;
  options.chunk_size = kChunk;
  options.tls_certificate = certs.certificate(TestCertificates::kGood);
  options.tls_key = certs.key();
  pactum::testing::LiveNode node(options);
  ASSERT_TRUE(node.ok());
  ASSERT_EQ(node.url().rfind("https://", 0), 0u);
  TlsProxy chain_proxy(std::stoi(node.chain().url().substr(node.chain().url().rfind(':') + 1)));
  ASSERT_TRUE(chain_proxy.ok());

  // Both parties reach the chain as a provider's https:// endpoint, trusting the test CA.
  rpc::HttpOptions http;
  http.ca_file = chain_proxy.ca_file();
  const std::string chain_url = chain_proxy.url(TestCertificates::kGood);
  auto rpc_client = rpc::RpcClient::connect_http(chain_url, http).value();
  rpc::EthApi api(*rpc_client);
  auto client = [&](int index, const std::string& node_host) {
    ClientConfig c;
    c.rpc_url = chain_url;
    c.node_url = node.url(node_host);
    c.deployment = node.deployment();
    c.agreements_dir = node.dir() / "agreements";
    c.http.ca_file = certs.ca_file();
    auto made = Client::create(api, std::move(c), key(index));
    EXPECT_TRUE(made.ok()) << made.error().to_string();
    return std::move(made).value();
  };

  std::mt19937 rng(19);
  std::string bytes(5 * kChunk + 11, '\0');
  for (auto& c : bytes) c = static_cast<char>(rng());
  const auto path = node.dir() / "asset.bin";
  std::ofstream(path, std::ios::binary) << bytes;
  PublishRequest request;
  request.file = path;
  request.price = kPrice;
  // The publisher names the node by IP address, the consumer by DNS name (SNI): both verified.
  auto published = client(contracts::testing::kPublisher, "127.0.0.1")->publish(request);
  ASSERT_TRUE(published.ok()) << published.error().to_string();

  auto consumer = client(contracts::testing::kConsumer, "localhost");
  auto resolved = consumer->resolve(published->did);
  ASSERT_TRUE(resolved.ok()) << resolved.error().to_string();
  const eth::Address publisher = key(contracts::testing::kPublisher).address();
  const eth::U256 before = node.chain().balance(publisher);
  auto ordered = consumer->order(published->did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  const auto out = node.dir() / "copy.bin";
  auto got = consumer->download(ordered->agreement_id, out, false);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(read_file(out), bytes);
  EXPECT_EQ(node.chain().balance(publisher), before + kPrice);

  // The same consumer without the test CA: the node's certificate is refused before anything
  // is asked of it.
  ClientConfig untrusting;
  untrusting.node_url = node.url();
  untrusting.deployment = node.deployment();
  untrusting.agreements_dir = node.dir() / "agreements2";
  auto plain_trust = Client::create(api, std::move(untrusting), key(contracts::testing::kConsumer));
  ASSERT_TRUE(plain_trust.ok());
  auto refused = (*plain_trust)->resolve(published->did);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnauthenticated) << refused.error().to_string();
  EXPECT_NE(refused.error().message().find("is issued by a CA this client does not trust"),
            std::string::npos)
      << refused.error().message();
}

TEST(TlsNode, BadCertificatesAreRefusedWithTheirReason) {
  TestCertificates certs;
  ASSERT_TRUE(certs.ok());
  struct Case {
    int cert;
    std::string host;
    std::string reason;
  };
  const Case cases[] = {
      {TestCertificates::kExpired, "127.0.0.1", "has expired"},
      {TestCertificates::kWrongHost, "127.0.0.1", "is not valid for host 127.0.0.1"},
      {TestCertificates::kWrongHost, "localhost", "is not valid for host localhost"},
      {TestCertificates::kUnknownCa, "localhost", "is issued by a CA this client does not trust"},
  };
  for (const Case& c : cases) {
    PingServer server(certs.certificate(c.cert), certs.key());
    ASSERT_TRUE(server.started().ok()) << server.started().error().to_string();
    auto got = ping(server.url("https", c.host), certs.ca_file());
    ASSERT_FALSE(got.ok()) << TestCertificates::kNames[c.cert];
    EXPECT_EQ(got.error().code(), ErrorCode::kUnauthenticated) << got.error().to_string();
    EXPECT_NE(got.error().message().find("the server's certificate " + c.reason), std::string::npos)
        << got.error().message();
  }
}

TEST(TlsNode, WrongSchemesFailClearlyAndTheServerServesOn) {
  TestCertificates certs;
  ASSERT_TRUE(certs.ok());
  PingServer tls(certs.certificate(TestCertificates::kGood), certs.key());
  ASSERT_TRUE(tls.started().ok()) << tls.started().error().to_string();
  // Plain HTTP to the TLS server: the handshake it expects never comes; the request fails, not
  // hangs (the server drops what is not TLS).
  auto plain_to_tls = ping(tls.url("http"), "");
  ASSERT_FALSE(plain_to_tls.ok());
  EXPECT_EQ(plain_to_tls.error().code(), ErrorCode::kUnavailable)
      << plain_to_tls.error().to_string();
  // ... and the server still serves TLS clients.
  auto good = ping(tls.url("https"), certs.ca_file());
  ASSERT_TRUE(good.ok()) << good.error().to_string();
  EXPECT_EQ(good->status, 200);
  EXPECT_EQ(good->body, "pong");

  PingServer plain("", "");
  ASSERT_TRUE(plain.started().ok());
  auto tls_to_plain = ping(plain.url("https"), certs.ca_file());
  ASSERT_FALSE(tls_to_plain.ok());
  EXPECT_EQ(tls_to_plain.error().code(), ErrorCode::kUnavailable)
      << tls_to_plain.error().to_string();
  EXPECT_NE(tls_to_plain.error().message().find("handshake failed"), std::string::npos)
      << tls_to_plain.error().message();

  // A CA file that is not PEM: refused when the client is made.
  const auto junk = certs.dir() / "junk.pem";
  std::ofstream(junk) << "junk\n";
  auto made = NodeHttpClient::create(tls.url("https"), NodeHttpOptions{.ca_file = junk.string()});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(made.error().message().find(junk.string()), std::string::npos);
}

TEST(TlsNode, ServerTlsFilesThatDoNotFitAreRefusedAtStart) {
  TestCertificates certs;
  ASSERT_TRUE(certs.ok());
  const auto junk = certs.dir() / "junk.pem";
  std::ofstream(junk) << "junk\n";
  struct Case {
    std::string certificate;
    std::string key;
    std::string says;
  };
  const Case cases[] = {
      {certs.certificate(TestCertificates::kGood), "", "needs both"},
      {"", certs.key(), "needs both"},
      {junk.string(), certs.key(), "the TLS certificate " + junk.string()},
      {(certs.dir() / "absent.pem").string(), certs.key(), "absent.pem"},
      {certs.certificate(TestCertificates::kGood), junk.string(), "the TLS key " + junk.string()},
      // ca.key is a key, but not the certificate's.
      {certs.certificate(TestCertificates::kGood), (certs.dir() / "ca.key").string(),
       "is not the key of the certificate"},
  };
  for (const Case& c : cases) {
    PingServer server(c.certificate, c.key);
    ASSERT_FALSE(server.started().ok()) << c.says;
    EXPECT_EQ(server.started().error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(server.started().error().message().find(c.says), std::string::npos)
        << server.started().error().message();
  }
}

}  // namespace
}  // namespace pactum::client
