// clang-format off
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
//   http.blocking_threads  PACTUM_HTTP_BLOCKING_THREADS --blocking-threads  first accesses' pool
//   http.max_body_size     PACTUM_HTTP_MAX_BODY_SIZE    --max-body-size     "1MiB", "65536"
//   http.read_timeout      PACTUM_HTTP_READ_TIMEOUT     --read-timeout      "30s", "500ms"
//   http.min_body_rate     PACTUM_HTTP_MIN_BODY_RATE    --min-body-rate     bytes/s; 0: off
//   http.body_grace        PACTUM_HTTP_BODY_GRACE       --body-grace        before the rate counts
//   http.max_connections   PACTUM_HTTP_MAX_CONNECTIONS  --max-connections   0: from RLIMIT_NOFILE
//   http.max_connections_per_address  PACTUM_HTTP_MAX_CONNECTIONS_PER_ADDRESS
//                                                       --max-connections-per-address  0: no cap
//   http.tls_certificate   PACTUM_HTTP_TLS_CERTIFICATE  --tls-certificate   PEM chain: serve HTTPS
//   http.tls_key           PACTUM_HTTP_TLS_KEY          --tls-key           its PEM private key
//   http.behind_tls_proxy  PACTUM_HTTP_BEHIND_TLS_PROXY --behind-tls-proxy  true: plain HTTP off
//                                                                           loopback is allowed
//   log.level              PACTUM_LOG_LEVEL             --log-level         debug..error, off
//   log.format             PACTUM_LOG_FORMAT            --log-format        json | text
//   log.file               PACTUM_LOG_FILE              --log-file          "-": standard error
//   log.max_size           PACTUM_LOG_MAX_SIZE          --log-max-size      rotate past it; 0: never
//   log.keep               PACTUM_LOG_KEEP              --log-keep          rotated files kept
//   chain.rpc_url          PACTUM_CHAIN_RPC_URL         --rpc-url           http(s)://...
//   chain.id               PACTUM_CHAIN_ID              --chain-id          EIP-155 chain id
//   chain.settle_wait      PACTUM_CHAIN_SETTLE_WAIT     --settle-wait       then 503 "pending"
//   chain.confirmations    PACTUM_CHAIN_CONFIRMATIONS   --confirmations     blocks on top; 0: mined
//   chain.deployment_file  PACTUM_CHAIN_DEPLOYMENT_FILE --deployment-file   contract addresses
//   chain.ca_file          PACTUM_CHAIN_CA_FILE         --chain-ca-file     CAs for https:// RPC
//   node.key_file          PACTUM_NODE_KEY_FILE         --key-file          keystore v3 file
//   node.key_password_file PACTUM_NODE_KEY_PASSWORD_FILE --key-password-file its password
//   node.dev_account       PACTUM_NODE_DEV_ACCOUNT      --dev-account       N: anvil test key N
//   node.publishers        PACTUM_NODE_PUBLISHERS       --publishers        who may upload
//   node.public_url        PACTUM_NODE_PUBLIC_URL       --public-url        the node's own URL
//   store.master_key_file  PACTUM_STORE_MASTER_KEY_FILE --master-key-file   wraps data keys
//
// The node's key is node.key_file (keystore v3; the password is the first line of
// node.key_password_file, else the environment variable PACTUM_NODE_KEY_PASSWORD, which is
// never a setting so that it is never printed) or node.dev_account = N, the key m/44'/60'/0'/0/N
// of the well-known mnemonic "test test ... junk", which only the local chain (chain.id 31337)
// accepts. To run, exactly one of the two must be set (check_runnable()).
// node.publishers is a TOML array of 0x addresses, or a comma-separated list in the environment
// and on the command line. store.master_key_file defaults to <data_dir>/master.key (created, mode
// 0600, on first start); node.public_url to http(s)://<http.address>:<http.port>.
//
// HTTPS: with http.tls_certificate and http.tls_key (both or neither) the node speaks only TLS
// (1.2 or later). Without them it speaks plain HTTP, which check_runnable() allows on a loopback
// address only, unless http.behind_tls_proxy says a TLS proxy in front of the node terminates
// the connections (docs/tls.md has an nginx configuration): data keys and payment proofs must
// never cross a network in clear text by accident.
//
// Errors name the source and the key: "node.toml:7: unknown key 'http.prot'",
// "environment PACTUM_HTTP_PORT: '70000' is not a port (0..65535)", "flag --threads: ...".
//
// Thread safety: pure functions over values.
// clang-format on
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pactum/core/result.hpp"
#include "pactum/server/http_server.hpp"
#include "pactum/server/log.hpp"

namespace pactum::node {

struct NodeSettings {
  std::filesystem::path home;         // PACTUM_HOME
  std::filesystem::path config_file;  // the TOML file read, empty when none
  std::filesystem::path data_dir;     // default: home / "data"
  std::string http_address = "127.0.0.1";
  std::uint16_t http_port = 8030;
  unsigned http_threads = 0;
  // First accesses wait for their settlement on these (up to settle_wait each): enough that
  // many agreements settle side by side in one block.
  unsigned blocking_threads = 32;
  std::uint64_t max_body_size = 1024 * 1024;
  std::chrono::milliseconds read_timeout{30'000};
  // The connection budgets (HttpServerOptions documents each); defaults as there.
  std::uint64_t min_body_rate = 16 * 1024;
  std::chrono::milliseconds body_grace{10'000};
  std::size_t max_connections = 0;
  std::size_t max_connections_per_address = 256;
  std::filesystem::path tls_certificate;  // PEM certificate chain; empty: plain HTTP
  std::filesystem::path tls_key;          // PEM private key of the certificate
  bool behind_tls_proxy = false;          // plain HTTP off loopback: a TLS proxy is in front
  server::LogLevel log_level = server::LogLevel::kInfo;
  server::StreamLogger::Format log_format = server::StreamLogger::Format::kJson;
  std::filesystem::path log_file;  // empty: standard error (a supervisor's journal)
  std::uint64_t log_max_size = 64ull << 20;
  unsigned log_keep = 5;
  std::string rpc_url = "http://127.0.0.1:8545";
  std::uint64_t chain_id = 0;             // 0: the deployment file's (checked against the chain)
  std::filesystem::path deployment_file;  // default: home / "deployment.json"
  std::filesystem::path chain_ca_file;    // https:// RPC: the CAs to trust; empty: the system's
  std::chrono::milliseconds settle_wait{20'000};  // NodeServiceConfig::settle_wait
  std::uint64_t confirmations = 0;                // NodeServiceConfig::confirmations
  std::filesystem::path key_file;                 // the node's keystore v3 file; empty: none
  std::filesystem::path key_password_file;   // its password (first line); empty: the environment
  std::optional<std::uint32_t> dev_account;  // the node's key as a dev account index (31337 only)
  std::vector<std::string> publishers;       // "0x" + 40 hex digits each, as given
  std::filesystem::path master_key_file;     // default: data_dir / "master.key"
  std::string public_url;                    // default: http(s)://<http_address>:<http_port>

  // The HTTP server options these settings describe.
  [[nodiscard]] server::HttpServerOptions http_options() const;
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

// Whether `settings` name what running a node needs beyond their single values: exactly one of
// node.key_file and node.dev_account; node.dev_account only with chain.id 31337;
// node.key_password_file only with node.key_file; http.tls_certificate and http.tls_key both or
// neither; plain HTTP on a non-loopback http.address only with http.behind_tls_proxy.
// Errors: kInvalidArgument naming the settings to change.
[[nodiscard]] Status check_runnable(const NodeSettings& settings);

// The environment variable that may hold node.key_file's password.
inline constexpr const char* kKeyPasswordEnv = "PACTUM_NODE_KEY_PASSWORD";
// The chain id of the local dev chain (anvil), the only one node.dev_account is allowed on.
inline constexpr std::uint64_t kDevChainId = 31337;

// Parses sizes: "65536", "64KiB", "1MiB", "2GiB", "1kB"/"1MB"/"1GB" (powers of 1000).
// Errors: kInvalidArgument for other text or overflow.
[[nodiscard]] Result<std::uint64_t> parse_byte_size(std::string_view text);
// Parses durations: "250ms", "30s", "2m", "1h"; a bare number is seconds.
// Errors: kInvalidArgument for other text, zero, or overflow.
[[nodiscard]] Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// pactumd's exit codes.
inline constexpr int kExitOk = 0;         // stopped normally (signal), or help/version printed
inline constexpr int kExitFailure = 1;    // a runtime failure after startup
inline constexpr int kExitBadConfig = 2;  // bad flag, environment value or config file
// cannot start: listen address, data dir, store or master key unusable; deployment file missing
// or invalid; chain unreachable or of another id; node key unusable (wrong password)
inline constexpr int kExitCannotStart = 3;

}  // namespace pactum::node
