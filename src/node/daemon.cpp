// pactumd: the settings, then the key, the deployment, the chain, the master key and the store,
// each refused with one log line naming the setting to change; then NodeService on NodeDaemon.
#include "pactum/node/daemon.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "pactum/contracts/deployment.hpp"
#include "pactum/contracts/transactor.hpp"
#include "pactum/core/random.hpp"
#include "pactum/eth/hd.hpp"
#include "pactum/eth/keystore.hpp"
#include "pactum/node/node_daemon.hpp"
#include "pactum/node/node_service.hpp"
#include "pactum/rpc/eth_api.hpp"
#include "pactum/rpc/json_rpc.hpp"
#include "pactum/store/asset_store.hpp"

#ifndef PACTUM_VERSION
#define PACTUM_VERSION "0.0.0"
#endif

namespace pactum::node {

namespace {

constexpr const char* kDevMnemonic = "test test test test test test test test test test test junk";
constexpr std::size_t kMaxKeystoreBytes = 64 * 1024;
constexpr std::size_t kMaxPasswordBytes = 4096;

// Which setting to change when the node cannot start, and the exit code to say it with.
struct Refusal {
  std::string setting;
  int exit_code = kExitCannotStart;
};

// Reads a small file whole. Errors: kNotFound, kPermissionDenied, kResourceExhausted (> limit).
Result<std::string> read_small(const std::filesystem::path& path, std::size_t limit) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return not_found(path.string() + " does not exist");
  if (!std::filesystem::is_regular_file(path, ec)) {
    return permission_denied(path.string() + " is not a regular file");
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return permission_denied("cannot read " + path.string() + ": " + ec.message());
  if (size > limit) {
    return resource_exhausted(path.string() + " is larger than " + std::to_string(limit) +
                              " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return permission_denied("cannot read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Reads a small file that holds a secret (the node's keystore, its password): opened without
// following a symbolic link, and refused when group or others may read it — a secret another
// local user could read is no longer the node's alone, as for master.key.
// Errors: those of read_small; kPermissionDenied naming the mode and the chmod that fixes it.
Result<std::string> read_secret(const std::filesystem::path& path, std::size_t limit,
                                std::string_view what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return not_found(path.string() + " does not exist");
    if (errno == ELOOP) {
      return permission_denied(std::string(what) + " " + path.string() +
                               " is a symbolic link; name the file itself");
    }
    return permission_denied("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  struct stat st {};
  const bool stated = ::fstat(fd, &st) == 0;
  ::close(fd);
  if (!stated)
    return permission_denied("cannot stat " + path.string() + ": " + std::strerror(errno));
  if (S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return permission_denied(std::string(what) + " " + path.string() + " has mode " + mode +
                             ": it must not be readable by group or others (chmod 600 it)");
  }
  return read_small(path, limit);
}

// The node's private key, from node.dev_account or node.key_file.
Result<eth::PrivateKey> load_node_key(const NodeSettings& s, const Environment& env,
                                      Refusal& refusal) {
  if (s.dev_account) {
    refusal.setting = "node.dev_account";
    auto key = eth::derive_ethereum_key(kDevMnemonic, "", *s.dev_account);
    if (!key.ok()) return key.error().with_context("dev account " + std::to_string(*s.dev_account));
    return key;
  }
  std::string password;
  if (!s.key_password_file.empty()) {
    refusal.setting = "node.key_password_file";
    auto text = read_secret(s.key_password_file, kMaxPasswordBytes, "the key's password file");
    if (!text.ok()) return text.error().with_context("the key's password file");
    password = text->substr(0, text->find_first_of("\r\n"));
    std::fill(text->begin(), text->end(), '\0');
  } else if (auto it = env.find(kKeyPasswordEnv); it != env.end()) {
    password = it->second;
  } else {
    refusal.setting = "node.key_password_file";
    refusal.exit_code = kExitBadConfig;
    return invalid_argument("node.key_file " + s.key_file.string() +
                            " needs its password: set node.key_password_file (--key-password-file)"
                            " or the environment variable " +
                            std::string(kKeyPasswordEnv));
  }
  refusal.setting = "node.key_file";
  auto json = read_secret(s.key_file, kMaxKeystoreBytes, "the node's key file");
  if (!json.ok()) return json.error().with_context("the node's key file");
  auto key = eth::decrypt_keystore(*json, password);
  std::fill(password.begin(), password.end(), '\0');
  if (!key.ok()) {
    if (key.error().code() == ErrorCode::kUnauthenticated) {
      refusal.setting = s.key_password_file.empty()
                            ? std::string("node.key_file / ") + kKeyPasswordEnv
                            : std::string("node.key_file / node.key_password_file");
      return unauthenticated("the password does not open the key file " + s.key_file.string() +
                             " (wrong password, or the file was altered)");
    }
    return key.error().with_context("the node's key file " + s.key_file.string());
  }
  return key;
}

Result<std::vector<eth::Address>> parse_publishers(const NodeSettings& s) {
  std::vector<eth::Address> out;
  for (const auto& text : s.publishers) {
    auto a = eth::Address::parse(text);
    if (!a.ok()) return a.error().with_context("node.publishers: " + text);
    out.push_back(*a);
  }
  return out;
}

// Everything the serving node owns, destroyed in reverse order: the server stops before the
// service, the service before the store and the chain it uses.
struct RunningNode {
  std::unique_ptr<rpc::RpcClient> client;
  std::unique_ptr<rpc::EthApi> api;
  std::optional<contracts::Transactor> transactor;
  std::unique_ptr<store::AssetStore> store;
  std::unique_ptr<NodeService> service;
  std::unique_ptr<NodeDaemon> daemon;
  std::uint64_t chain_id = 0;  // chain.id, or the deployment file's when it is unset
};

// Opens every part in the order of the header comment. On error `refusal` says what and where.
Status open_node(const NodeSettings& s, const Environment& env, server::Logger& logger,
                 RunningNode& node, Refusal& refusal) {
  // Settings that only a run needs, and those the server library cannot check alone.
  refusal = {"node.publishers", kExitBadConfig};
  PACTUM_TRY(auto publishers, parse_publishers(s));
  if (publishers.empty()) {
    logger.warn("no publishers: this node accepts no uploads (set node.publishers)");
  }

  // 1. The key.
  refusal = {"node.key_file", kExitCannotStart};
  PACTUM_TRY(auto key, load_node_key(s, env, refusal));

  // 2. The deployment.
  refusal = {"chain.deployment_file", kExitCannotStart};
  auto deployment = contracts::read_deployment(s.deployment_file);
  if (!deployment.ok()) {
    if (deployment.error().code() == ErrorCode::kNotFound) {
      return not_found("the deployment file " + s.deployment_file.string() +
                       " does not exist: deploy the contracts (pactum deploy) or set "
                       "chain.deployment_file");
    }
    return deployment.error().with_context("the deployment file is not usable");
  }
  if (s.chain_id != 0 && deployment->chain_id != s.chain_id) {
    return failed_precondition("the deployment file " + s.deployment_file.string() +
                               " is for chain " + std::to_string(deployment->chain_id) +
                               ", this node for chain " + std::to_string(s.chain_id));
  }
  // chain.id unset: the chain the deployment file records (then checked against the chain).
  const std::uint64_t chain_id = s.chain_id != 0 ? s.chain_id : deployment->chain_id;
  node.chain_id = chain_id;
  if (s.dev_account && chain_id != kDevChainId) {
    refusal = {"node.dev_account", kExitBadConfig};
    return invalid_argument(
        "node.dev_account is a well-known test key, allowed only on the local "
        "chain (chain.id " +
        std::to_string(kDevChainId) + "), and the deployment file " + s.deployment_file.string() +
        " is for chain " + std::to_string(chain_id) + ": set node.key_file instead");
  }

  // 3. The chain.
  refusal = {"chain.rpc_url", kExitCannotStart};
  rpc::HttpOptions http;
  http.connect_timeout = std::chrono::seconds(5);
  http.ca_file = s.chain_ca_file.string();
  rpc::RpcClientOptions rpc_options;
  rpc_options.retry.max_attempts = 2;
  auto client = rpc::RpcClient::connect_http(s.rpc_url, http, rpc_options);
  if (!client.ok()) return client.error().with_context("chain.rpc_url " + s.rpc_url);
  node.client = std::move(client).value();
  node.api = std::make_unique<rpc::EthApi>(*node.client);
  auto chain_answer = node.api->chain_id();
  if (!chain_answer.ok()) {
    return chain_answer.error().with_context("the chain at " + s.rpc_url +
                                             " does not answer eth_chainId");
  }
  if (*chain_answer != chain_id) {
    refusal.setting = s.chain_id != 0 ? "chain.rpc_url / chain.id" : "chain.rpc_url";
    return failed_precondition(
        "the chain at " + s.rpc_url + " has chain id " + std::to_string(*chain_answer) +
        (s.chain_id != 0 ? ", the settings say " + std::to_string(s.chain_id)
                         : ", the deployment file " + s.deployment_file.string() + " is for " +
                               std::to_string(chain_id)));
  }
  auto live = contracts::deployment_is_live(*node.api, *deployment);
  if (!live.ok()) return live.error().with_context("checking the deployment on " + s.rpc_url);
  if (!*live) {
    refusal.setting = "chain.deployment_file";
    return failed_precondition("the contracts of " + s.deployment_file.string() +
                               " have no code on the chain at " + s.rpc_url +
                               " (a chain restarted without its state?): deploy them again "
                               "(pactum deploy) or set chain.deployment_file");
  }
  refusal.setting = "node.key_file / node.dev_account";
  auto transactor = contracts::Transactor::create(*node.api, std::move(key));
  if (!transactor.ok()) return transactor.error().with_context("the node's key");
  node.transactor.emplace(std::move(transactor).value());

  // 4. The master key; the data directory is created here, after the checks above.
  refusal = {"data_dir", kExitCannotStart};
  std::error_code ec;
  const bool existed = std::filesystem::exists(s.data_dir, ec);
  std::filesystem::create_directories(s.data_dir, ec);
  if (ec) {
    return unavailable("cannot create the data directory " + s.data_dir.string() + ": " +
                       ec.message());
  }
  // Only the node reads its store, its ledger and its master key: a directory it creates is
  // 0700; one that exists with group or other access is the operator's choice, said aloud.
  if (!existed) {
    std::filesystem::permissions(s.data_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
    if (ec) {
      return unavailable("cannot make the data directory " + s.data_dir.string() +
                         " 0700: " + ec.message());
    }
  } else if (auto p = std::filesystem::status(s.data_dir, ec).permissions();
             !ec && (p & (std::filesystem::perms::group_all |
                          std::filesystem::perms::others_all)) != std::filesystem::perms::none) {
    logger.warn("the data directory is open to group or others (chmod 700 it)",
                {{"data_dir", s.data_dir.string()}});
  }
  const auto store_dir = s.data_dir / "store";
  const bool store_has_data = std::filesystem::exists(store_dir / "assets.db", ec);
  refusal.setting = "store.master_key_file";
  auto master = load_or_create_master_key(s.master_key_file, !store_has_data);
  if (!master.ok()) {
    if (master.error().code() == ErrorCode::kNotFound) {
      return not_found("the master key file " + s.master_key_file.string() +
                       " is missing, but the store " + store_dir.string() +
                       " holds data sealed under it: restore the file or set "
                       "store.master_key_file");
    }
    return master.error().with_context("the master key");
  }

  // 5. The store: one process per store, and a key that opens what it holds.
  refusal.setting = "data_dir";
  store::SqliteStoreOptions so;
  so.directory = store_dir.string();
  so.master_key = std::move(master).value();
  auto opened = store::open_sqlite_asset_store(std::move(so));
  if (!opened.ok()) {
    if (opened.error().code() == ErrorCode::kFailedPrecondition) {
      return opened.error().with_context("the store " + store_dir.string() +
                                         " is in use (another pactumd on this data_dir?)");
    }
    return opened.error().with_context("the store " + store_dir.string());
  }
  node.store = std::move(opened).value();
  PACTUM_TRY(auto first, node.store->list("", 1));
  if (!first.empty()) {
    auto reader = node.store->open_reader(first.front().id);
    if (!reader.ok() && reader.error().code() == ErrorCode::kFailedPrecondition) {
      refusal.setting = "store.master_key_file";
      return failed_precondition("the master key " + s.master_key_file.string() +
                                 " is not the key the store " + store_dir.string() +
                                 " was sealed with");
    }
  }

  NodeServiceConfig config;
  config.chain_id = chain_id;
  config.deployment = *deployment;
  config.public_url = s.public_url;
  config.publishers = std::move(publishers);
  config.data_dir = s.data_dir.string();
  config.settle_wait = s.settle_wait;
  config.confirmations = s.confirmations;
  config.logger = &logger;
  auto service = NodeService::create(*node.store, *node.api, *node.transactor, std::move(config));
  if (!service.ok()) return service.error().with_context("the node service");
  node.service = std::move(service).value();

  NodeService* service_ptr = node.service.get();
  NodeSettings effective = s;
  effective.chain_id = chain_id;  // what /health reports
  node.daemon = std::make_unique<NodeDaemon>(std::move(effective), logger, PACTUM_VERSION,
                                             node.service->address().to_checksum_string(),
                                             [service_ptr] { return service_ptr->health(); });
  node.service->add_routes(node.daemon->router());
  refusal = {s.tls_certificate.empty() ? "http.address / http.port"
                                       : "http.address / http.port / http.tls_certificate / "
                                         "http.tls_key",
             kExitCannotStart};
  return node.daemon->start();
}

}  // namespace

Result<store::MasterKey> load_or_create_master_key(const std::filesystem::path& path,
                                                   bool may_create) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return permission_denied("cannot stat " + path.string() + ": " + std::strerror(errno));
    }
    if (!may_create) return not_found("the master key file " + path.string() + " is missing");
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    FixedBytes<32> bytes{};
    PACTUM_TRY_STATUS(random_bytes(bytes));
    // Written whole under a temporary name, synced, then linked into place: a crash leaves
    // either no key or the whole key, and a concurrent creator's key is never replaced.
    std::filesystem::path tmp = path;
    tmp += ".tmp-" + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return unavailable("cannot create " + tmp.string() + ": " + std::strerror(errno));
    const bool written =
        ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
        ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    std::fill(bytes.begin(), bytes.end(), 0);
    if (!written) {
      ::unlink(tmp.c_str());
      return unavailable("cannot write " + tmp.string() + ": " + std::strerror(saved));
    }
    const int linked = ::link(tmp.c_str(), path.c_str());
    const int link_errno = errno;
    ::unlink(tmp.c_str());
    if (linked != 0 && link_errno != EEXIST) {
      return unavailable("cannot create " + path.string() + ": " + std::strerror(link_errno));
    }
    const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    if (int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
      (void)::fsync(dfd);
      ::close(dfd);
    }
    return load_or_create_master_key(path, false);
  }
  if (!S_ISREG(st.st_mode)) {
    return permission_denied("the master key file " + path.string() + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return permission_denied("the master key file " + path.string() + " has mode " + mode +
                             ": it must not be accessible to group or others (chmod 600 it)");
  }
  if (st.st_size != 32) {
    return data_loss("the master key file " + path.string() + " has " + std::to_string(st.st_size) +
                     " bytes, not 32");
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return permission_denied("cannot read " + path.string() + ": " + std::strerror(errno));
  FixedBytes<32> bytes{};
  const ssize_t n = ::read(fd, bytes.data(), bytes.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(bytes.size())) {
    return data_loss("cannot read 32 bytes from the master key file " + path.string());
  }
  auto key = store::MasterKey::from_bytes(bytes);
  std::fill(bytes.begin(), bytes.end(), 0);
  return key;
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
  if (Status runnable = check_runnable(settings); !runnable.ok()) {
    std::fprintf(err, "pactumd: %s\n", runnable.error().message().c_str());
    std::fprintf(err, "Run 'pactumd --help' for the settings and their sources.\n");
    return kExitBadConfig;
  }
  // The log: standard error (for a supervisor's journal) unless log.file names a file, which
  // pactumd then keeps to log.max_size × (log.keep + 1) and reopens on SIGHUP.
  server::StreamLogger stderr_logger(err, settings.log_level, settings.log_format);
  std::unique_ptr<server::FileLogger> file_logger;
  if (!settings.log_file.empty()) {
    auto opened =
        server::FileLogger::open({settings.log_file, settings.log_level, settings.log_format,
                                  settings.log_max_size, settings.log_keep});
    if (!opened.ok()) {
      std::fprintf(err, "pactumd: log.file: %s\n", opened.error().message().c_str());
      return kExitCannotStart;
    }
    file_logger = std::move(opened).value();
  }
  server::Logger& logger = file_logger ? static_cast<server::Logger&>(*file_logger)
                                       : static_cast<server::Logger&>(stderr_logger);

  // Block the stop signals (and SIGHUP, which reopens the log) before any thread starts so
  // that only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  RunningNode node;
  Refusal refusal;
  Status started = open_node(settings, env, logger, node, refusal);
  if (!started.ok()) {
    logger.error("pactumd cannot start", {{"error", started.error().message()},
                                          {"code", error_code_name(started.error().code())},
                                          {"setting", refusal.setting}});
    if (file_logger) {
      // Whoever started pactumd reads its standard error, not the file.
      std::fprintf(err, "pactumd cannot start: %s\n", started.error().message().c_str());
    }
    return refusal.exit_code;
  }
  logger.info("pactumd started",
              {{"version", PACTUM_VERSION},
               {"address", settings.http_address},
               {"port", node.daemon->port()},
               {"public_url", settings.public_url},
               {"node_address", node.service->address().to_checksum_string()},
               {"publishers", static_cast<std::uint64_t>(settings.publishers.size())},
               {"config_file", settings.config_file.string()},
               {"data_dir", settings.data_dir.string()},
               {"chain_id", node.chain_id},
               {"deployment_file", settings.deployment_file.string()}});
  int signal = 0;
  for (;;) {
    if (sigwait(&stop_signals, &signal) != 0) {
      logger.error("pactumd: sigwait failed; stopping");
      node.daemon->stop();
      return kExitFailure;
    }
    if (signal != SIGHUP) break;
    if (!file_logger) continue;
    if (Status reopened = file_logger->reopen(); !reopened.ok()) {
      logger.error("the log file cannot be reopened; still writing the old one",
                   {{"error", reopened.error().message()}});
    } else {
      logger.info("log file reopened", {{"file", settings.log_file.string()}});
    }
  }
  logger.info("pactumd stopping", {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
  node.daemon->stop();
  logger.info("pactumd stopped");
  return kExitOk;
}

}  // namespace pactum::node
