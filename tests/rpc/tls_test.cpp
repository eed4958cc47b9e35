// #19: JSON-RPC over https://, against anvil behind a real nginx TLS proxy (Debian's nginx), with
// a CA and server certificates made in the test by the openssl command line
// (tests/support/tls/make_certs.sh). The good certificate is accepted with --ca-file's CA, by
// IP address and by DNS name (SNI); an expired certificate, one for another host and one from an
// unknown CA are each refused as kUnauthenticated with the reason named, before any request is
// sent; the system trust store does not know the test CA; a plain-HTTP server is not TLS.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "pactum/rpc/eth_api.hpp"
#include "pactum/rpc/json_rpc.hpp"
#include "support/process.hpp"
#include "support/tls_proxy.hpp"

namespace pactum::rpc {
namespace {

namespace fs = std::filesystem;
using pactum::testing::AnvilProcess;
using pactum::testing::TlsProxy;

class TlsRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists("/usr/sbin/nginx")) << "nginx missing: make deps installs it";
    auto anvil = AnvilProcess::start();
    ASSERT_TRUE(anvil.ok()) << anvil.error().to_string();
    anvil_.emplace(std::move(anvil).value());
    proxy_ = std::make_unique<TlsProxy>(anvil_->port());
    ASSERT_TRUE(proxy_->ok());
  }

  // eth_chainId over `url`, trusting `ca_file` (empty: the system store).
  Result<std::uint64_t> chain_id(const std::string& url, const std::string& ca_file) {
    HttpOptions http;
    http.ca_file = ca_file;
    PACTUM_TRY(auto client, RpcClient::connect_http(url, http));
    EthApi api(*client);
    return api.chain_id();
  }

  std::optional<AnvilProcess> anvil_;
  std::unique_ptr<TlsProxy> proxy_;
};

TEST_F(TlsRpcTest, TheGoodCertificateIsAcceptedByAddressAndByName) {
  auto by_ip = chain_id(proxy_->url(0), proxy_->ca_file());
  ASSERT_TRUE(by_ip.ok()) << by_ip.error().to_string();
  EXPECT_EQ(*by_ip, 31337u);
  auto by_name = chain_id(proxy_->url(0, "localhost"), proxy_->ca_file());
  ASSERT_TRUE(by_name.ok()) << by_name.error().to_string();
  EXPECT_EQ(*by_name, 31337u);
  // Several calls on one kept-alive TLS connection.
  HttpOptions http;
  http.ca_file = proxy_->ca_file();
  auto client = RpcClient::connect_http(proxy_->url(0), http).value();
  EthApi api(*client);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(api.block_number().ok());
}

TEST_F(TlsRpcTest, BadCertificatesAreRefusedWithTheirReason) {
  struct Case {
    int cert;
    std::string host;
    std::string ca_file;
    std::string reason;
  };
  const std::string ca = proxy_->ca_file();
  const std::vector<Case> cases = {
      {1, "127.0.0.1", ca, "has expired"},
      {2, "127.0.0.1", ca, "is not valid for host 127.0.0.1"},
      {2, "localhost", ca, "is not valid for host localhost"},
      {3, "127.0.0.1", ca, "is issued by a CA this client does not trust"},
      // The system trust store (ca-certificates) does not hold the test CA.
      {0, "127.0.0.1", "", "is issued by a CA this client does not trust"},
  };
  for (const Case& c : cases) {
    auto got = chain_id(proxy_->url(c.cert, c.host), c.ca_file);
    ASSERT_FALSE(got.ok()) << pactum::testing::TestCertificates::kNames[c.cert];
    EXPECT_EQ(got.error().code(), ErrorCode::kUnauthenticated) << got.error().to_string();
    EXPECT_NE(got.error().message().find("the server's certificate " + c.reason), std::string::npos)
        << got.error().message();
  }
}

TEST_F(TlsRpcTest, APlainServerAndABadCaFileAreClearErrors) {
  // https:// to anvil's plain-HTTP port: not TLS, refused as unavailable (the handshake fails).
  auto plain = chain_id("https://127.0.0.1:" + std::to_string(anvil_->port()), proxy_->ca_file());
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().code(), ErrorCode::kUnavailable) << plain.error().to_string();
  EXPECT_NE(plain.error().message().find("handshake failed"), std::string::npos);
  // A CA file that is not PEM, or absent: refused when the client is made, nothing sent.
  const fs::path junk = proxy_->dir() / "junk.pem";
  std::ofstream(junk) << "not a certificate\n";
  for (const std::string& file : {junk.string(), (proxy_->dir() / "absent.pem").string()}) {
    HttpOptions http;
    http.ca_file = file;
    auto made = RpcClient::connect_http(proxy_->url(0), http);
    ASSERT_FALSE(made.ok()) << file;
    EXPECT_EQ(made.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(made.error().message().find(file), std::string::npos) << made.error().message();
  }
}

}  // namespace
}  // namespace pactum::rpc
