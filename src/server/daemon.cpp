#include "pactum/server/daemon.hpp"

#include <csignal>
#include <filesystem>

#include "pactum/server/system_routes.hpp"

#ifndef PACTUM_VERSION
#define PACTUM_VERSION "0.0.0"
#endif

namespace pactum::server {

NodeDaemon::NodeDaemon(NodeSettings settings, Logger& logger, std::string version)
    : settings_(std::move(settings)), logger_(logger) {
  add_system_routes(router_, SystemInfo{"pactumd", std::move(version), settings_.chain_id},
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
  server_ = std::make_unique<HttpServer>(settings_.http_options(), router_, logger_, metrics_);
  PACTUM_TRY_STATUS(server_->start());
  return ok_status();
}

std::uint16_t NodeDaemon::port() const {
  return server_ ? server_->port() : 0;
}

void NodeDaemon::stop() {
  if (server_) server_->stop();
}

int run_pactumd(const std::vector<std::string>& args, const Environment& env, std::FILE* out,
                std::FILE* err) {
  auto invocation = parse_node_invocation(args, env, PACTUM_VERSION);
  if (!invocation.ok()) {
    std::fprintf(err, "pactumd: %s\n", invocation.error().message().c_str());
    std::fprintf(err, "Run 'pactumd --help' for the settings and their sources.\n");
    return kExitBadConfig;
  }
  switch (invocation->command) {
    case NodeCommand::kHelp:
    case NodeCommand::kVersion:
      std::fputs(invocation->text.c_str(), out);
      return kExitOk;
    case NodeCommand::kPrintConfig:
      std::fprintf(out, "%s\n", invocation->settings.to_json().c_str());
      return kExitOk;
    case NodeCommand::kRun:
      break;
  }
  const NodeSettings& settings = invocation->settings;
  StreamLogger logger(err, settings.log_level, settings.log_format);

  // Block the stop signals before any thread starts so that only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  NodeDaemon daemon(settings, logger, PACTUM_VERSION);
  Status started = daemon.start();
  if (!started.ok()) {
    logger.error("pactumd cannot start", {{"error", started.error().to_string()}});
    return kExitCannotStart;
  }
  logger.info("pactumd started", {{"version", PACTUM_VERSION},
                                  {"address", settings.http_address},
                                  {"port", daemon.port()},
                                  {"config_file", settings.config_file.string()},
                                  {"data_dir", settings.data_dir.string()},
                                  {"chain_id", settings.chain_id}});
  int signal = 0;
  if (sigwait(&stop_signals, &signal) != 0) {
    logger.error("pactumd: sigwait failed; stopping");
    daemon.stop();
    return kExitFailure;
  }
  logger.info("pactumd stopping", {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
  daemon.stop();
  logger.info("pactumd stopped");
  return kExitOk;
}

}  // namespace pactum::server
