#include "pactum/node/node_daemon.hpp"

#include <filesystem>

#include "pactum/server/system_routes.hpp"

namespace pactum::node {

NodeDaemon::NodeDaemon(NodeSettings settings, server::Logger& logger, std::string version,
                       std::string node_address,
                       std::function<std::vector<server::HealthCheck>()> checks)
    : settings_(std::move(settings)), logger_(logger) {
  server::add_system_routes(router_,
                            server::SystemInfo{"pactumd", std::move(version), settings_.chain_id,
                                               std::move(node_address), std::move(checks)},
                            metrics_);
}

NodeDaemon::~NodeDaemon() {
  stop();
}

Status NodeDaemon::start() {
  std::error_code ec;
  std::filesystem::create_directories(settings_.data_dir, ec);
  if (ec) {
    return unavailable("cannot create the data directory " + settings_.data_dir.string() + ": " +
                       ec.message());
  }
  server_ =
      std::make_unique<server::HttpServer>(settings_.http_options(), router_, logger_, metrics_);
  PACTUM_TRY_STATUS(server_->start());
  return ok_status();
}

std::uint16_t NodeDaemon::port() const {
  return server_ ? server_->port() : 0;
}

void NodeDaemon::stop() {
  if (server_) server_->stop();
}

}  // namespace pactum::node
