// NodeDaemon wires one NodeSettings into the parts every node has: a metrics registry, a router
// with the system routes (/health, /metrics, /openapi.json) and the HTTP server. The node layer
// (pactum/node/daemon.hpp: run_pactumd, pactumd's main) opens the store, the chain and the key
// and adds the asset API's routes to router() before start().
//
// Thread safety: construct, add routes, start() and stop() from one thread; port() from any.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pactum/node/settings.hpp"
#include "pactum/server/http_server.hpp"
#include "pactum/server/metrics.hpp"
#include "pactum/server/router.hpp"
#include "pactum/server/system_routes.hpp"

namespace pactum::node {

class NodeDaemon {
 public:
  // `logger` must outlive the daemon. Registers the system routes; /health names
  // `node_address` (the node's signing address, "0x…") when it is not empty, and reports
  // `checks` (SystemInfo::checks; they must outlive the daemon's server).
  NodeDaemon(NodeSettings settings, server::Logger& logger, std::string version,
             std::string node_address = {},
             std::function<std::vector<server::HealthCheck>()> checks = {});
  NodeDaemon(const NodeDaemon&) = delete;
  NodeDaemon& operator=(const NodeDaemon&) = delete;
  ~NodeDaemon();

  // REQUIRES: start() not called yet.
  [[nodiscard]] server::Router& router() { return router_; }
  [[nodiscard]] server::MetricsRegistry& metrics() { return metrics_; }
  [[nodiscard]] const NodeSettings& settings() const { return settings_; }

  // Creates the data directory and starts serving.
  // Errors: kUnavailable when the data directory cannot be created or the address not bound;
  // kInvalidArgument for an unusable address.
  [[nodiscard]] Status start();
  // The bound HTTP port. REQUIRES: start() succeeded.
  [[nodiscard]] std::uint16_t port() const;
  // Graceful stop (see HttpServer::stop()). Idempotent.
  void stop();

 private:
  NodeSettings settings_;
  server::Logger& logger_;
  server::MetricsRegistry metrics_;
  server::Router router_;
  std::unique_ptr<server::HttpServer> server_;
};

}  // namespace pactum::node
