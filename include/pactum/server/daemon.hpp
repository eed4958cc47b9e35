// The node daemon as a library: pactumd's main() is run_pactumd() and nothing else.
//
// NodeDaemon wires one NodeSettings into the parts every node has: a metrics registry, a router
// with the system routes (/health, /metrics, /openapi.json) and the HTTP server. Later parts
// (storage, chain, the asset API) add their routes to router() before start().
//
// Thread safety: construct, add routes, start() and stop() from one thread; port() from any.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "pactum/server/http_server.hpp"
#include "pactum/server/metrics.hpp"
#include "pactum/server/node_settings.hpp"
#include "pactum/server/router.hpp"

namespace pactum::server {

class NodeDaemon {
 public:
  // `logger` must outlive the daemon. Registers the system routes.
  NodeDaemon(NodeSettings settings, Logger& logger, std::string version);
  NodeDaemon(const NodeDaemon&) = delete;
  NodeDaemon& operator=(const NodeDaemon&) = delete;
  ~NodeDaemon();

  // REQUIRES: start() not called yet.
  [[nodiscard]] Router& router() { return router_; }
  [[nodiscard]] MetricsRegistry& metrics() { return metrics_; }
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
  Logger& logger_;
  MetricsRegistry metrics_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
};

// pactumd: parses `args` (args[0] is the program name) and `env`, then prints help, the version
// or the effective settings, or runs the node until SIGINT or SIGTERM. Logs go to `err`; help,
// version and --print-config to `out`. Returns one of the kExit* codes (node_settings.hpp).
// Blocks SIGINT and SIGTERM in the calling thread (and so in the threads it starts) to wait for
// them with sigwait(); call it from main().
[[nodiscard]] int run_pactumd(const std::vector<std::string>& args, const Environment& env,
                              std::FILE* out, std::FILE* err);

}  // namespace pactum::server
