// A real node for one test: anvil with Pactum's contracts deployed, a NodeService over a SQLite
// store in a temporary directory, served by a real HttpServer on 127.0.0.1 at a free port, with
// the system routes (/health names the node's address). Nothing is mocked; the test talks to it
// over sockets like any client.
//
// Header-only on purpose: tests/support/*.cpp make pactum_test_support, which every test links
// (the sanitized tree too, which has no node); only the test executables that include this
// header need pactum::node and the contract bindings.
//
// Thread safety: used by the test's thread; the server runs its own threads.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "contracts/live_chain.hpp"
#include "pactum/contracts/deployment.hpp"
#include "pactum/node/node_service.hpp"
#include "pactum/server/http_server.hpp"
#include "pactum/server/log.hpp"
#include "pactum/server/system_routes.hpp"

namespace pactum::testing {

struct LiveNodeOptions {
  std::uint32_t chunk_size = 4096;
  // Dev accounts the node takes uploads from.
  std::vector<int> publishers = {contracts::testing::kPublisher};
  // The dev account the node signs with (its provider address).
  int node_account = contracts::testing::kProvider;
  int server_threads = 2;
  // The server's pool for first accesses (HttpServerOptions::blocking_threads).
  unsigned blocking_threads = 4;
  // NodeServiceConfig::settle_wait and ::confirmations.
  std::chrono::milliseconds settle_wait{20'000};
  std::uint64_t confirmations = 0;
  // Extra anvil flags (LiveChain), e.g. {"--chain-id", "1338"}.
  std::vector<std::string> anvil_args;
  // PEM files: the node serves HTTPS with them (HttpServerOptions), and url() is https://.
  std::string tls_certificate;
  std::string tls_key;
};

class LiveNode {
 public:
  // Starts everything; check ok() (each failure is reported as a test failure here).
  explicit LiveNode(LiveNodeOptions options = {}) : chain_(options.anvil_args) {
    if (!chain_.ok()) return;
    contracts::Transactor deployer = chain_.account(contracts::testing::kDeployer);
    auto d = contracts::deploy_all(deployer, contracts::DeployOptions{});
    if (!d.ok()) {
      fail("deploy_all: " + d.error().to_string());
      return;
    }
    deployment_ = *d;

    char tmpl[] = "/tmp/pactum-live-node-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      fail("mkdtemp failed");
      return;
    }
    dir_ = tmpl;
    auto master = store::MasterKey::generate();
    if (!master.ok()) {
      fail(master.error().to_string());
      return;
    }
    store::SqliteStoreOptions so;
    so.directory = (dir_ / "store").string();
    so.master_key = std::move(master).value();
    auto st = store::open_sqlite_asset_store(std::move(so));
    if (!st.ok()) {
      fail("store: " + st.error().to_string());
      return;
    }
    store_ = std::move(st).value();
    node_key_.emplace(chain_.account(options.node_account));

    node::NodeServiceConfig config;
    config.chain_id = chain_.chain_id();
    config.deployment = deployment_;
    config.public_url = "http://127.0.0.1";
    const auto& keys = AnvilProcess::dev_private_keys();
    for (int p : options.publishers) {
      config.publishers.push_back(
          eth::PrivateKey::from_hex(keys.at(static_cast<std::size_t>(p))).value().address());
    }
    config.data_dir = (dir_ / "node").string();
    config.chunk_size = options.chunk_size;
    config.settle_wait = options.settle_wait;
    config.confirmations = options.confirmations;
    config.logger = &logger_;
    auto svc = node::NodeService::create(*store_, chain_.api(), *node_key_, std::move(config));
    if (!svc.ok()) {
      fail("NodeService: " + svc.error().to_string());
      return;
    }
    service_ = std::move(svc).value();
    service_->add_routes(router_);
    server::SystemInfo info;
    info.chain_id = chain_.chain_id();
    info.node_address = service_->address().to_checksum_string();
    server::add_system_routes(router_, info, metrics_);
    server::HttpServerOptions opts;
    opts.threads = options.server_threads;
    opts.blocking_threads = options.blocking_threads;
    opts.tls_certificate_file = options.tls_certificate;
    opts.tls_key_file = options.tls_key;
    tls_ = !options.tls_certificate.empty();
    server_ = std::make_unique<server::HttpServer>(opts, router_, logger_, metrics_);
    if (auto started = server_->start(); !started.ok()) {
      fail("HttpServer: " + started.error().to_string());
      return;
    }
    ok_ = true;
  }

  // Stops the server before the service and the store it uses; removes the directory.
  ~LiveNode() {
    if (server_) server_->stop();
    server_.reset();
    service_.reset();
    store_.reset();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  LiveNode(const LiveNode&) = delete;
  LiveNode& operator=(const LiveNode&) = delete;

  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] contracts::testing::LiveChain& chain() { return chain_; }
  [[nodiscard]] const contracts::Deployment& deployment() const { return deployment_; }
  [[nodiscard]] node::NodeService& service() { return *service_; }
  // The temporary directory: the store in store/ (objects/<upload id>/data), the node's own
  // files in node/; a test may add its own files beside them.
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] server::MemoryLogger& logger() { return logger_; }
  [[nodiscard]] std::uint16_t port() const { return server_->port(); }
  [[nodiscard]] std::string url(const std::string& host = "127.0.0.1") const {
    return (tls_ ? "https://" : "http://") + host + ":" + std::to_string(port());
  }

 private:
  void fail(const std::string& why) { ADD_FAILURE() << "LiveNode: " << why; }

  contracts::testing::LiveChain chain_;
  contracts::Deployment deployment_;
  std::filesystem::path dir_;
  std::unique_ptr<store::AssetStore> store_;
  std::optional<contracts::Transactor> node_key_;
  std::unique_ptr<node::NodeService> service_;
  server::Router router_;
  server::MemoryLogger logger_;
  server::MetricsRegistry metrics_;
  std::unique_ptr<server::HttpServer> server_;
  bool tls_ = false;
  bool ok_ = false;
};

}  // namespace pactum::testing
