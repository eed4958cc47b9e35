#include "pactum/node/settings.hpp"

#include <arpa/inet.h>

#include <toml++/toml.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace pactum::node {

namespace {

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string quote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

using Apply = Status (*)(NodeSettings&, std::string_view);

// One setting: its name in each source and how a text value is applied.
struct KeyDef {
  const char* toml;
  const char* env;
  const char* flag;
  const char* help;
  Apply apply;
  bool list = false;  // TOML takes an array of strings; other sources a comma-separated list
};

// "0x" followed by 40 hex digits (the EIP-55 checksum of mixed-case text is checked by the node,
// which has Keccak; this library depends on core only).
bool looks_like_address(std::string_view v) {
  if (v.size() != 42 || v[0] != '0' || (v[1] != 'x' && v[1] != 'X')) return false;
  for (char c : v.substr(2)) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Status set_url(std::string& out, std::string_view v) {
  bool scheme = v.starts_with("http://") || v.starts_with("https://");
  std::size_t host_start = v.find("://") + 3;
  if (!scheme || host_start >= v.size() || v.find_first_of(" \t\r\n") != std::string_view::npos) {
    return invalid_argument(quote(v) + " is not an http:// or https:// URL");
  }
  out = std::string(v);
  return ok_status();
}

Status set_path(std::filesystem::path& out, std::string_view v) {
  if (v.empty()) return invalid_argument("must not be empty");
  if (v.find('\0') != std::string_view::npos) return invalid_argument("contains a NUL byte");
  out = std::filesystem::path(std::string(v));
  return ok_status();
}

const std::vector<KeyDef>& key_defs() {
  static const std::vector<KeyDef> defs = {
      {"data_dir", "PACTUM_DATA_DIR", "--data-dir", "directory for the node's state",
       [](NodeSettings& s, std::string_view v) { return set_path(s.data_dir, v); }},
      {"http.address", "PACTUM_HTTP_ADDRESS", "--http-address",
       "IP address to listen on (default 127.0.0.1)",
       [](NodeSettings& s, std::string_view v) -> Status {
         std::string text(v);
         unsigned char buf[16];
         if (inet_pton(AF_INET, text.c_str(), buf) != 1 &&
             inet_pton(AF_INET6, text.c_str(), buf) != 1) {
           return invalid_argument(quote(v) + " is not an IPv4 or IPv6 address");
         }
         s.http_address = text;
         return ok_status();
       }},
      {"http.port", "PACTUM_HTTP_PORT", "--http-port", "TCP port (default 8030; 0: any free port)",
       [](NodeSettings& s, std::string_view v) -> Status {
         auto n = parse_u64(v);
         if (!n || *n > 65535) return invalid_argument(quote(v) + " is not a port (0..65535)");
         s.http_port = static_cast<std::uint16_t>(*n);
         return ok_status();
       }},
      {"http.threads", "PACTUM_HTTP_THREADS", "--threads",
       "HTTP worker threads (default 0: one per core)",
       [](NodeSettings& s, std::string_view v) -> Status {
         auto n = parse_u64(v);
         if (!n || *n > 1024) {
           return invalid_argument(quote(v) + " is not a thread count (0..1024)");
         }
         s.http_threads = static_cast<unsigned>(*n);
         return ok_status();
       }},
      {"http.blocking_threads", "PACTUM_HTTP_BLOCKING_THREADS", "--blocking-threads",
       "threads for first accesses, which wait for the chain (default 32)",
       [](NodeSettings& s, std::string_view v) -> Status {
         auto n = parse_u64(v);
         if (!n || *n == 0 || *n > 1024) {
           return invalid_argument(quote(v) + " is not a thread count (1..1024)");
         }
         s.blocking_threads = static_cast<unsigned>(*n);
         return ok_status();
       }},
      {"http.max_body_size", "PACTUM_HTTP_MAX_BODY_SIZE", "--max-body-size",
       "largest buffered request body, e.g. 1MiB (uploads have their own limit)",
       [](NodeSettings& s, std::string_view v) -> Status {
         PACTUM_TRY(auto n, parse_byte_size(v));
         if (n < 1024) return invalid_argument(quote(v) + " is below the minimum of 1KiB");
         s.max_body_size = n;
         return ok_status();
       }},
      {"http.read_timeout", "PACTUM_HTTP_READ_TIMEOUT", "--read-timeout",
       "time allowed for a request head, and between body pieces, e.g. 30s",
       [](NodeSettings& s, std::string_view v) -> Status {
         PACTUM_TRY(s.read_timeout, parse_duration(v));
         return ok_status();
       }},
      {"http.min_body_rate", "PACTUM_HTTP_MIN_BODY_RATE", "--min-body-rate",
       "slowest request body accepted, bytes per second averaged since the head (default "
       "16KiB; 0: no minimum)",
       [](NodeSettings& s, std::string_view v) -> Status {
         PACTUM_TRY(s.min_body_rate, parse_byte_size(v));
         return ok_status();
       }},
      {"http.body_grace", "PACTUM_HTTP_BODY_GRACE", "--body-grace",
       "time a body may take before http.min_body_rate applies (default 10s)",
       [](NodeSettings& s, std::string_view v) -> Status {
         PACTUM_TRY(s.body_grace, parse_duration(v));
         return ok_status();
       }},
      {"http.max_connections", "PACTUM_HTTP_MAX_CONNECTIONS", "--max-connections",
       "connections open at once (default 0: the open-file limit less 256, at most 10000)",
       [](NodeSettings& s, std::string_view v) -> Status {
         auto n = parse_u64(v);
         if (!n || (*n != 0 && *n < 16) || *n > 1'000'000) {
           return invalid_argument(quote(v) + " is not a connection cap (0, or 16..1000000)");
         }
         s.max_connections = static_cast<std::size_t>(*n);
         return ok_status();
       }},
      {"http.max_connections_per_address", "PACTUM_HTTP_MAX_CONNECTIONS_PER_ADDRESS",
       "--max-connections-per-address",
       "connections one IP address may hold at once (default 256; 0: no cap)",
       [](NodeSettings& s, std::string_view v) -> Status {
         auto n = parse_u64(v);
         if (!n || *n > 1'000'000) {
           return invalid_argument(quote(v) + " is not a connection cap (0..1000000)");
         }
         s.max_connections_per_address = static_cast<std::size_t>(*n);
         return ok_status();
       }},
      {"http.tls_certificate", "PACTUM_HTTP_TLS_CERTIFICATE", "--tls-certificate",
       "serve HTTPS with this PEM certificate chain (with http.tls_key)",
       [](NodeSettings& s, std::string_view v) { return set_path(s.tls_certificate, v); }},
      {"http.tls_key", "PACTUM_HTTP_TLS_KEY", "--tls-key",
       "the PEM private key of http.tls_certificate",
       [](NodeSettings& s, std::string_view v) { return set_path(s.tls_key, v); }},
      {"http.behind_tls_proxy", "PACTUM_HTTP_BEHIND_TLS_PROXY", "--behind-tls-proxy",
       "true: a TLS proxy terminates connections in front of the node, so plain HTTP may be "
       "served on a non-loopback address (default false)",
       [](NodeSettings& s, std::string_view v) -> Status {
         if (v == "true") {
           s.behind_tls_proxy = true;
         } else if (v == "false") {
           s.behind_tls_proxy = false;
         } else {
           return invalid_argument(quote(v) + " is not true or false");
         }
         return ok_status();
       }},
      {"log.level", "PACTUM_LOG_LEVEL", "--log-level", "debug, info, warn, error or off",
       [](NodeSettings& s, std::string_view v) -> Status {
         PACTUM_TRY(s.log_level, server::parse_log_level(v));
         return ok_status();
       }},
      {"log.format", "PACTUM_LOG_FORMAT", "--log-format", "json (default) or text",
       [](NodeSettings& s, std::string_view v) -> Status {
         if (v == "json") {
           s.log_format = server::StreamLogger::Format::kJson;
         } else if (v == "text") {
           s.log_format = server::StreamLogger::Format::kText;
         } else {
           return invalid_argument("unknown log format " + quote(v) + " (expected json or text)");
         }
         return ok_status();
       }},
      {"log.file", "PACTUM_LOG_FILE", "--log-file",
       "write the log to this file, rotated by size (default \"-\": standard error)",
       [](NodeSettings& s, std::string_view v) -> Status {
         if (v == "-") {
           s.log_file.clear();
           return ok_status();
         }
         return set_path(s.log_file, v);
       }},
      {"log.max_size", "PACTUM_LOG_MAX_SIZE", "--log-max-size",
       "rotate log.file when it would pass this size (default 64MiB; 0: never)",
       [](NodeSettings& s, std::string_view v) -> Status {
         PACTUM_TRY(auto n, parse_byte_size(v));
         if (n != 0 && n < 64 * 1024) {
           return invalid_argument(quote(v) + " is below the minimum of 64KiB (0: never rotate)");
         }
         s.log_max_size = n;
         return ok_status();
       }},
      {"log.keep", "PACTUM_LOG_KEEP", "--log-keep",
       "rotated log files kept beside log.file (default 5)",
       [](NodeSettings& s, std::string_view v) -> Status {
         auto n = parse_u64(v);
         if (!n || *n == 0 || *n > 1000) {
           return invalid_argument(quote(v) + " is not a number of files (1..1000)");
         }
         s.log_keep = static_cast<unsigned>(*n);
         return ok_status();
       }},
      {"chain.rpc_url", "PACTUM_CHAIN_RPC_URL", "--rpc-url",
       "Ethereum JSON-RPC endpoint (default http://127.0.0.1:8545)",
       [](NodeSettings& s, std::string_view v) { return set_url(s.rpc_url, v); }},
      {"chain.id", "PACTUM_CHAIN_ID", "--chain-id",
       "EIP-155 chain id (default: the deployment file's; checked against the chain)",
       [](NodeSettings& s, std::string_view v) -> Status {
         auto n = parse_u64(v);
         if (!n || *n == 0) return invalid_argument(quote(v) + " is not a chain id (1..2^64-1)");
         s.chain_id = *n;
         return ok_status();
       }},
      {"chain.settle_wait", "PACTUM_CHAIN_SETTLE_WAIT", "--settle-wait",
       "how long a first access waits for its settlement to be mined before answering 503 "
       "\"pending, retry\" (default 20s)",
       [](NodeSettings& s, std::string_view v) -> Status {
         PACTUM_TRY(s.settle_wait, parse_duration(v));
         return ok_status();
       }},
      {"chain.confirmations", "PACTUM_CHAIN_CONFIRMATIONS", "--confirmations",
       "blocks on top of a settlement before it is trusted (default 0: mined)",
       [](NodeSettings& s, std::string_view v) -> Status {
         auto n = parse_u64(v);
         if (!n || *n > 1000) return invalid_argument(quote(v) + " is not a block count (0..1000)");
         s.confirmations = *n;
         return ok_status();
       }},
      {"chain.deployment_file", "PACTUM_CHAIN_DEPLOYMENT_FILE", "--deployment-file",
       "JSON file with the deployed contracts' addresses",
       [](NodeSettings& s, std::string_view v) { return set_path(s.deployment_file, v); }},
      {"chain.ca_file", "PACTUM_CHAIN_CA_FILE", "--chain-ca-file",
       "PEM file of the CAs an https:// chain.rpc_url is checked against (default: the system "
       "trust store)",
       [](NodeSettings& s, std::string_view v) { return set_path(s.chain_ca_file, v); }},
      {"node.key_file", "PACTUM_NODE_KEY_FILE", "--key-file",
       "the node's key: a keystore v3 file (password: node.key_password_file or "
       "PACTUM_NODE_KEY_PASSWORD)",
       [](NodeSettings& s, std::string_view v) { return set_path(s.key_file, v); }},
      {"node.key_password_file", "PACTUM_NODE_KEY_PASSWORD_FILE", "--key-password-file",
       "file whose first line is node.key_file's password",
       [](NodeSettings& s, std::string_view v) { return set_path(s.key_password_file, v); }},
      {"node.dev_account", "PACTUM_NODE_DEV_ACCOUNT", "--dev-account",
       "the node's key: dev account N of the test mnemonic (local chain 31337 only)",
       [](NodeSettings& s, std::string_view v) -> Status {
         auto n = parse_u64(v);
         if (!n || *n >= (std::uint64_t{1} << 31)) {
           return invalid_argument(quote(v) + " is not an account index (0..2^31-1)");
         }
         s.dev_account = static_cast<std::uint32_t>(*n);
         return ok_status();
       }},
      {"node.publishers", "PACTUM_NODE_PUBLISHERS", "--publishers",
       "addresses allowed to upload (comma-separated; in TOML an array)",
       [](NodeSettings& s, std::string_view v) -> Status {
         std::vector<std::string> out;
         while (!v.empty()) {
           const std::size_t comma = v.find(',');
           std::string_view item = v.substr(0, comma);
           v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
           while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
           while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
           if (item.empty()) {
             if (comma == std::string_view::npos && out.empty()) break;
             return invalid_argument("an empty address in the list");
           }
           if (!looks_like_address(item)) {
             return invalid_argument(quote(item.substr(0, 64)) +
                                     " is not an address (0x and 40 hex digits)");
           }
           out.emplace_back(item);
         }
         s.publishers = std::move(out);
         return ok_status();
       },
       /*list=*/true},
      {"node.public_url", "PACTUM_NODE_PUBLIC_URL", "--public-url",
       "the URL clients reach this node at (default http://<http.address>:<http.port>)",
       [](NodeSettings& s, std::string_view v) { return set_url(s.public_url, v); }},
      {"store.master_key_file", "PACTUM_STORE_MASTER_KEY_FILE", "--master-key-file",
       "32-byte key wrapping every data key (default <data_dir>/master.key, created mode 0600)",
       [](NodeSettings& s, std::string_view v) { return set_path(s.master_key_file, v); }},
  };
  return defs;
}

const KeyDef* find_toml_key(std::string_view key) {
  for (const auto& d : key_defs()) {
    if (key == d.toml) return &d;
  }
  return nullptr;
}

// A TOML value as text for KeyDef::apply: strings as they are, integers in decimal; for a list
// setting, an array of strings joined with commas.
Result<std::string> toml_text(const toml::node& node, bool list) {
  if (list) {
    const toml::array* array = node.as_array();
    if (array == nullptr) return invalid_argument("must be an array of strings");
    std::string joined;
    for (const auto& item : *array) {
      auto text = item.as_string();
      if (text == nullptr) return invalid_argument("must be an array of strings");
      if (text->get().find(',') != std::string::npos) {
        return invalid_argument("'" + text->get().substr(0, 64) + "' is not an address");
      }
      joined += (joined.empty() ? "" : ",") + text->get();
    }
    return joined;
  }
  if (auto s = node.as_string()) return std::string(s->get());
  if (auto b = node.as_boolean()) return std::string(b->get() ? "true" : "false");
  if (auto i = node.as_integer()) {
    if (i->get() < 0) return invalid_argument(std::to_string(i->get()) + " must not be negative");
    return std::to_string(i->get());
  }
  return invalid_argument(
      "must be a string, an integer or a boolean, not a " +
      std::string(toml::impl::node_type_friendly_names[static_cast<int>(node.type())]));
}

Status apply_toml(NodeSettings& settings, const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    if (!std::filesystem::exists(file, ec)) {
      return not_found("config file " + file.string() + " does not exist");
    }
    return invalid_argument("config file " + file.string() + " is not a regular file");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return permission_denied("config file " + file.string() + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return unavailable("config file " + file.string() + " cannot be read");
  toml::table table;
  try {
    table = toml::parse(text.str(), file.string());
  } catch (const toml::parse_error& e) {
    return invalid_argument(file.string() + ":" + std::to_string(e.source().begin.line) + ":" +
                            std::to_string(e.source().begin.column) + ": " +
                            std::string(e.description()));
  }
  auto where = [&](const toml::node& n) {
    return file.string() + ":" + std::to_string(n.source().begin.line);
  };
  // Collect (key, node) pairs: top-level scalars and one level of sections.
  std::vector<std::pair<std::string, const toml::node*>> entries;
  for (const auto& [key, node] : table) {
    if (const toml::table* section = node.as_table()) {
      for (const auto& [sub, value] : *section) {
        entries.emplace_back(std::string(key.str()) + "." + std::string(sub.str()), &value);
      }
    } else {
      entries.emplace_back(std::string(key.str()), &node);
    }
  }
  for (const auto& [key, node] : entries) {
    const KeyDef* def = find_toml_key(key);
    if (def == nullptr) return invalid_argument(where(*node) + ": unknown key '" + key + "'");
    auto value = toml_text(*node, def->list);
    if (!value.ok()) return value.error().with_context(where(*node) + ": " + key);
    Status st = def->apply(settings, *value);
    if (!st.ok()) return st.error().with_context(where(*node) + ": " + key);
  }
  return ok_status();
}

std::string help_footer() {
  std::string out =
      "\nEvery setting can also come from the environment or the TOML config file;\n"
      "precedence: flags > environment > file > defaults.\n\n";
  for (const auto& d : key_defs()) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-23s %-30s %s\n", d.toml, d.env, d.flag);
    out += line;
  }
  out +=
      "\nThe node's key: node.key_file (password: the first line of node.key_password_file, or\n"
      "the environment variable PACTUM_NODE_KEY_PASSWORD) or node.dev_account (chain 31337 "
      "only).\n"
      "\nExit codes: 0 stopped normally (SIGINT/SIGTERM) or help/version printed; 1 runtime "
      "failure;\n2 bad flag, environment value or config file; 3 cannot start (address in use, "
      "data dir,\nmaster key, deployment file, chain unreachable or of another id, node key).\n";
  return out;
}

}  // namespace

Result<std::uint64_t> parse_byte_size(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  auto number = parse_u64(text.substr(0, digits));
  std::string_view unit = text.substr(digits);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  struct Unit {
    std::string_view name;
    std::uint64_t factor;
  };
  static constexpr Unit kUnits[] = {{"", 1},
                                    {"B", 1},
                                    {"KiB", 1ull << 10},
                                    {"MiB", 1ull << 20},
                                    {"GiB", 1ull << 30},
                                    {"TiB", 1ull << 40},
                                    {"kB", 1000},
                                    {"KB", 1000},
                                    {"MB", 1000000},
                                    {"GB", 1000000000},
                                    {"TB", 1000000000000}};
  if (!number) {
    return invalid_argument(quote(text) + " is not a size (e.g. 65536, 64KiB, 1MiB, 2GiB)");
  }
  for (const auto& u : kUnits) {
    if (unit == u.name) {
      if (*number > UINT64_MAX / u.factor) return invalid_argument(quote(text) + " is too large");
      return *number * u.factor;
    }
  }
  return invalid_argument(quote(text) + " has an unknown unit (use B, KiB, MiB, GiB, kB, MB, GB)");
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  auto number = parse_u64(text.substr(0, digits));
  std::string_view unit = text.substr(digits);
  if (!number) return invalid_argument(quote(text) + " is not a duration (e.g. 500ms, 30s, 2m)");
  std::uint64_t ms_per = 0;
  if (unit.empty() || unit == "s") {
    ms_per = 1000;
  } else if (unit == "ms") {
    ms_per = 1;
  } else if (unit == "m" || unit == "min") {
    ms_per = 60'000;
  } else if (unit == "h") {
    ms_per = 3'600'000;
  } else {
    return invalid_argument(quote(text) + " has an unknown unit (use ms, s, m or h)");
  }
  if (*number == 0) return invalid_argument(quote(text) + " must be more than zero");
  if (*number > (std::uint64_t{1} << 40) / ms_per) {
    return invalid_argument(quote(text) + " is too long");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(*number * ms_per));
}

server::HttpServerOptions NodeSettings::http_options() const {
  server::HttpServerOptions o;
  o.address = http_address;
  o.port = http_port;
  o.threads = http_threads;
  o.blocking_threads = blocking_threads;
  o.max_body_size = max_body_size;
  o.read_timeout = read_timeout;
  o.min_body_rate = min_body_rate;
  o.body_grace = body_grace;
  o.max_connections = max_connections;
  o.max_connections_per_address = max_connections_per_address;
  o.tls_certificate_file = tls_certificate.string();
  o.tls_key_file = tls_key.string();
  return o;
}

std::string NodeSettings::to_json() const {
  nlohmann::ordered_json j;
  j["home"] = home.string();
  j["config_file"] = config_file.string();
  j["data_dir"] = data_dir.string();
  j["http"] = {{"address", http_address},
               {"port", http_port},
               {"threads", http_threads},
               {"blocking_threads", blocking_threads},
               {"max_body_size", max_body_size},
               {"read_timeout_ms", read_timeout.count()},
               {"min_body_rate", min_body_rate},
               {"body_grace_ms", body_grace.count()},
               {"max_connections", max_connections},
               {"max_connections_per_address", max_connections_per_address},
               {"tls_certificate", tls_certificate.string()},
               {"tls_key", tls_key.string()},
               {"behind_tls_proxy", behind_tls_proxy}};
  j["log"] = {{"level", server::log_level_name(log_level)},
              {"format", log_format == server::StreamLogger::Format::kJson ? "json" : "text"},
              {"file", log_file.empty() ? "-" : log_file.string()},
              {"max_size", log_max_size},
              {"keep", log_keep}};
  j["chain"] = {
      {"rpc_url", rpc_url},
      {"id", chain_id != 0 ? nlohmann::ordered_json(chain_id) : nlohmann::ordered_json(nullptr)},
      {"deployment_file", deployment_file.string()},
      {"ca_file", chain_ca_file.string()},
      {"settle_wait_ms", settle_wait.count()},
      {"confirmations", confirmations}};
  j["node"] = {{"key_file", key_file.string()},
               {"key_password_file", key_password_file.string()},
               {"dev_account", dev_account ? nlohmann::ordered_json(*dev_account) : nullptr},
               {"publishers", publishers},
               {"public_url", public_url}};
  j["store"] = {{"master_key_file", master_key_file.string()}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

// 127.0.0.0/8 or ::1.
bool is_loopback_address(const std::string& address) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, address.c_str(), buf) == 1) return buf[0] == 127;
  if (inet_pton(AF_INET6, address.c_str(), buf) != 1) return false;
  static constexpr unsigned char kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return std::equal(buf, buf + 16, kLoopback6);
}

}  // namespace

Status check_runnable(const NodeSettings& s) {
  const bool has_file = !s.key_file.empty();
  if (has_file && s.dev_account) {
    return invalid_argument(
        "node.key_file and node.dev_account are both set; the node has one key: keep one");
  }
  if (!has_file && !s.dev_account) {
    return invalid_argument(
        "the node has no key: set node.key_file (a keystore v3 file, --key-file) or, on the "
        "local chain, node.dev_account (--dev-account)");
  }
  // With chain.id unset, the deployment file's id is checked when the node starts.
  if (s.dev_account && s.chain_id != 0 && s.chain_id != kDevChainId) {
    return invalid_argument(
        "node.dev_account is a well-known test key, allowed only on the local "
        "chain (chain.id " +
        std::to_string(kDevChainId) + "), not on chain " + std::to_string(s.chain_id) +
        ": set node.key_file instead");
  }
  if (!has_file && !s.key_password_file.empty()) {
    return invalid_argument("node.key_password_file is set without node.key_file");
  }
  if (s.tls_certificate.empty() != s.tls_key.empty()) {
    return invalid_argument(s.tls_key.empty() ? "http.tls_certificate is set without http.tls_key"
                                              : "http.tls_key is set without http.tls_certificate");
  }
  if (s.tls_certificate.empty() && !s.behind_tls_proxy && !is_loopback_address(s.http_address)) {
    return invalid_argument(
        "http.address " + s.http_address +
        " is not a loopback address, and plain HTTP there would carry data and payment proofs "
        "in clear text: give http.tls_certificate and http.tls_key to serve HTTPS, or, when a "
        "TLS proxy terminates the connections in front of the node, set "
        "http.behind_tls_proxy = true (docs/tls.md)");
  }
  return ok_status();
}

Result<NodeInvocation> parse_node_invocation(const std::vector<std::string>& args,
                                             const Environment& env, std::string_view version) {
  NodeInvocation inv;
  NodeSettings& s = inv.settings;

  // 1. Flags, collected as text (applied last, as they take precedence).
  CLI::App app{"pactumd — the Pactum node: serves a publisher's assets under on-chain terms.",
               "pactumd"};
  app.footer(help_footer());
  std::map<std::string, std::string> flag_values;  // TOML key → text
  std::map<std::string, CLI::Option*> flag_options;
  for (const auto& d : key_defs()) {
    flag_options[d.toml] = app.add_option(d.flag, flag_values[d.toml], d.help);
  }
  std::string config_flag;
  auto* config_opt =
      app.add_option("--config", config_flag, "TOML config file (default $PACTUM_HOME/node.toml)");
  bool print_config = false;
  bool show_version = false;
  app.add_flag("--print-config", print_config, "print the effective settings as JSON and exit");
  app.add_flag("--version", show_version, "print the version and exit");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  if (argv.empty()) argv.push_back("pactumd");
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    inv.command = NodeCommand::kHelp;
    inv.text = app.help();
    return inv;
  } catch (const CLI::CallForAllHelp&) {
    inv.command = NodeCommand::kHelp;
    inv.text = app.help();
    return inv;
  } catch (const CLI::ParseError& e) {
    return invalid_argument(std::string("flags: ") + e.what());
  }
  if (show_version) {
    inv.command = NodeCommand::kVersion;
    inv.text = "pactumd " + std::string(version) + "\n";
    return inv;
  }

  // 2. Home and config file.
  auto getenv = [&](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  if (auto home = getenv("PACTUM_HOME"); home && !home->empty()) {
    s.home = *home;
  } else if (auto user_home = getenv("HOME"); user_home && !user_home->empty()) {
    s.home = std::filesystem::path(*user_home) / ".pactum";
  } else {
    return invalid_argument("environment: neither PACTUM_HOME nor HOME is set");
  }
  std::filesystem::path config;
  bool explicit_config = false;
  if (config_opt->count() > 0) {
    config = config_flag;
    explicit_config = true;
  } else if (auto c = getenv("PACTUM_CONFIG"); c && !c->empty()) {
    config = *c;
    explicit_config = true;
  } else {
    config = s.home / "node.toml";
  }
  std::error_code ec;
  if (explicit_config || std::filesystem::exists(config, ec)) {
    PACTUM_TRY_STATUS(apply_toml(s, config));
    s.config_file = config;
  }

  // 3. Environment, then 4. flags.
  for (const auto& d : key_defs()) {
    if (auto v = getenv(d.env)) {
      Status st = d.apply(s, *v);
      if (!st.ok()) return st.error().with_context(std::string("environment ") + d.env);
    }
  }
  for (const auto& d : key_defs()) {
    if (flag_options[d.toml]->count() == 0) continue;
    Status st = d.apply(s, flag_values[d.toml]);
    if (!st.ok()) return st.error().with_context(std::string("flag ") + d.flag);
  }

  if (s.data_dir.empty()) s.data_dir = s.home / "data";
  if (s.deployment_file.empty()) s.deployment_file = s.home / "deployment.json";
  if (s.master_key_file.empty()) s.master_key_file = s.data_dir / "master.key";
  if (s.public_url.empty()) {
    const bool v6 = s.http_address.find(':') != std::string::npos;
    s.public_url = std::string(s.tls_certificate.empty() ? "http://" : "https://") +
                   (v6 ? "[" + s.http_address + "]" : s.http_address) + ":" +
                   std::to_string(s.http_port);
  }
  inv.command = print_config ? NodeCommand::kPrintConfig : NodeCommand::kRun;
  return inv;
}

}  // namespace pactum::node
