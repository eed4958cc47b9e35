// pactumd's settings: one struct, filled from four sources in order of precedence
//   command-line flags  >  environment (PACTUM_*)  >  TOML file  >  defaults.
// The TOML file is --config FILE (or PACTUM_CONFIG), else $PACTUM_HOME/node.toml when it
// exists; PACTUM_HOME defaults to ~/.pactum. Every setting has one name per source, from one
// table (node_setting_keys()):
//
//   TOML key               environment                  flag                meaning
//   data_dir               PACTUM_DATA_DIR              --data-dir          node state
//   http.address           PACTUM_HTTP_ADDRESS          --http-address      listen IP address
//   http.port              PACTUM_HTTP_PORT             --http-port         0..65535 (0: any)
//   http.threads           PACTUM_HTTP_THREADS          --threads           0: one per core
//   http.max_body_size     PACTUM_HTTP_MAX_BODY_SIZE    --max-body-size     "1MiB", "65536"
//   http.read_timeout      PACTUM_HTTP_READ_TIMEOUT     --read-timeout      "30s", "500ms"
//   log.level              PACTUM_LOG_LEVEL             --log-level         debug..error, off
//   log.format             PACTUM_LOG_FORMAT            --log-format        json | text
//   chain.rpc_url          PACTUM_CHAIN_RPC_URL         --rpc-url           http(s)://...
//   chain.id               PACTUM_CHAIN_ID              --chain-id          EIP-155 chain id
//   chain.deployment_file  PACTUM_CHAIN_DEPLOYMENT_FILE --deployment-file   contract addresses
//
// Errors name the source and the key: "node.toml:7: unknown key 'http.prot'",
// "environment PACTUM_HTTP_PORT: '70000' is not a port (0..65535)", "flag --threads: ...".
//
// Thread safety: pure functions over values.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "pactum/core/result.hpp"
#include "pactum/server/http_server.hpp"
#include "pactum/server/log.hpp"

namespace pactum::server {

struct NodeSettings {
  std::filesystem::path home;         // PACTUM_HOME
  std::filesystem::path config_file;  // the TOML file read, empty when none
  std::filesystem::path data_dir;     // default: home / "data"
  std::string http_address = "127.0.0.1";
  std::uint16_t http_port = 8030;
  unsigned http_threads = 0;
  std::uint64_t max_body_size = 1024 * 1024;
  std::chrono::milliseconds read_timeout{30'000};
  LogLevel log_level = LogLevel::kInfo;
  StreamLogger::Format log_format = StreamLogger::Format::kJson;
  std::string rpc_url = "http://127.0.0.1:8545";
  std::uint64_t chain_id = 31337;
  std::filesystem::path deployment_file;  // default: home / "deployment.json"

  // The HTTP server options these settings describe.
  [[nodiscard]] HttpServerOptions http_options() const;
  // The effective settings as a JSON object (keys as in TOML, nested by section).
  [[nodiscard]] std::string to_json() const;
};

// What pactumd was asked to do.
enum class NodeCommand : std::uint8_t { kRun, kHelp, kVersion, kPrintConfig };

struct NodeInvocation {
  NodeCommand command = NodeCommand::kRun;
  NodeSettings settings;
  std::string text;  // for kHelp and kVersion: what to print
};

// The environment as name → value (tests pass their own; pactumd passes environ).
using Environment = std::map<std::string, std::string, std::less<>>;

// Parses pactumd's command line (args[0] is the program name) with `env` and the TOML file.
// Errors: kInvalidArgument for a bad flag or value in any source, an unknown TOML key or a TOML
// syntax error (message has file:line); kNotFound when an explicit --config file is missing;
// kPermissionDenied / kUnavailable when the file cannot be read.
[[nodiscard]] Result<NodeInvocation> parse_node_invocation(const std::vector<std::string>& args,
                                                           const Environment& env,
                                                           std::string_view version);

// Parses sizes: "65536", "64KiB", "1MiB", "2GiB", "1kB"/"1MB"/"1GB" (powers of 1000).
// Errors: kInvalidArgument for other text or overflow.
[[nodiscard]] Result<std::uint64_t> parse_byte_size(std::string_view text);
// Parses durations: "250ms", "30s", "2m", "1h"; a bare number is seconds.
// Errors: kInvalidArgument for other text, zero, or overflow.
[[nodiscard]] Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// pactumd's exit codes.
inline constexpr int kExitOk = 0;           // stopped normally (signal), or help/version printed
inline constexpr int kExitFailure = 1;      // a runtime failure after startup
inline constexpr int kExitBadConfig = 2;    // bad flag, environment value or config file
inline constexpr int kExitCannotStart = 3;  // cannot bind the listen address, data dir unusable

}  // namespace pactum::server
