// pactumd's settings: precedence of the four sources and a clear error for every bad value.
#include "pactum/node/settings.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>

namespace pactum::node {
namespace {

// A fresh directory under the system temp dir, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("pactum-settings-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::ofstream(p) << text;
    return p;
  }

 private:
  std::filesystem::path path_;
};

class NodeSettingsTest : public ::testing::Test {
 protected:
  Environment env() const { return {{"PACTUM_HOME", home_.path().string()}}; }

  Result<NodeInvocation> parse(std::vector<std::string> flags, Environment e) const {
    flags.insert(flags.begin(), "pactumd");
    return parse_node_invocation(flags, e, "9.9.9");
  }
  Result<NodeSettings> settings(std::vector<std::string> flags = {},
                                std::optional<Environment> e = std::nullopt) const {
    auto inv = parse(std::move(flags), e.value_or(env()));
    if (!inv.ok()) return inv.error();
    return inv->settings;
  }
  // The error message for a parse expected to fail with `code`.
  std::string error_of(std::vector<std::string> flags, Environment e,
                       ErrorCode code = ErrorCode::kInvalidArgument) const {
    auto inv = parse(std::move(flags), std::move(e));
    EXPECT_FALSE(inv.ok());
    if (inv.ok()) return "";
    EXPECT_EQ(inv.error().code(), code) << inv.error().to_string();
    return inv.error().message();
  }

  TempDir home_;
};

TEST_F(NodeSettingsTest, DefaultsWithoutAnyFile) {
  auto s = settings();
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->home, home_.path());
  EXPECT_TRUE(s->config_file.empty());
  EXPECT_EQ(s->http_address, "127.0.0.1");
  EXPECT_EQ(s->http_port, 8030);
  EXPECT_EQ(s->http_threads, 0u);
  EXPECT_EQ(s->max_body_size, 1024u * 1024u);
  EXPECT_EQ(s->read_timeout, std::chrono::seconds(30));
  EXPECT_EQ(s->log_level, server::LogLevel::kInfo);
  EXPECT_EQ(s->rpc_url, "http://127.0.0.1:8545");
  EXPECT_EQ(s->chain_id, 0u);  // unset: the deployment file's, checked against the chain
  EXPECT_EQ(s->data_dir, home_.path() / "data");
  EXPECT_EQ(s->deployment_file, home_.path() / "deployment.json");
  EXPECT_EQ(s->master_key_file, home_.path() / "data" / "master.key");
  EXPECT_EQ(s->public_url, "http://127.0.0.1:8030");
  EXPECT_TRUE(s->key_file.empty());
  EXPECT_FALSE(s->dev_account.has_value());
  EXPECT_TRUE(s->publishers.empty());
  // The connection budgets are the server's own defaults; the log goes to standard error.
  const server::HttpServerOptions server_defaults;
  const server::HttpServerOptions o = s->http_options();
  EXPECT_EQ(o.min_body_rate, server_defaults.min_body_rate);
  EXPECT_EQ(o.body_grace, server_defaults.body_grace);
  EXPECT_EQ(o.max_connections, server_defaults.max_connections);
  EXPECT_EQ(o.max_connections_per_address, server_defaults.max_connections_per_address);
  EXPECT_TRUE(s->log_file.empty());
  EXPECT_EQ(s->log_max_size, 64u << 20);
  EXPECT_EQ(s->log_keep, 5u);
}

TEST_F(NodeSettingsTest, ConnectionBudgetsAndTheLogFileReachTheirUsers) {
  auto s = settings({"--min-body-rate", "1KiB", "--body-grace", "2s", "--max-connections", "64",
                     "--max-connections-per-address", "0", "--log-file", "/var/log/p.log",
                     "--log-max-size", "1MiB", "--log-keep", "3"});
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const server::HttpServerOptions o = s->http_options();
  EXPECT_EQ(o.min_body_rate, 1024u);
  EXPECT_EQ(o.body_grace, std::chrono::seconds(2));
  EXPECT_EQ(o.max_connections, 64u);
  EXPECT_EQ(o.max_connections_per_address, 0u);
  EXPECT_EQ(s->log_file, std::filesystem::path("/var/log/p.log"));
  EXPECT_EQ(s->log_max_size, 1u << 20);
  EXPECT_EQ(s->log_keep, 3u);
  // "-" is standard error, so that a flag can undo a file's log.file; 0 turns a check off.
  Environment e = env();
  e["PACTUM_LOG_FILE"] = "/var/log/p.log";
  auto back = parse({"--log-file", "-", "--min-body-rate", "0", "--log-max-size", "0"}, e);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_TRUE(back->settings.log_file.empty());
  EXPECT_EQ(back->settings.min_body_rate, 0u);
  EXPECT_EQ(back->settings.log_max_size, 0u);
  auto j = nlohmann::json::parse(s->to_json());
  EXPECT_EQ(j["http"]["max_connections"], 64);
  EXPECT_EQ(j["log"]["file"], "/var/log/p.log");
  EXPECT_EQ(j["log"]["keep"], 3);
}

// #19: the settlement's wait and confirmations reach the node's settings; the first-access pool
// reaches the server's options; the defaults order the node's answer before a client's.
TEST_F(NodeSettingsTest, SettlementWaitConfirmationsAndBlockingThreadsReachTheirUsers) {
  auto defaults = settings({});
  ASSERT_TRUE(defaults.ok()) << defaults.error().to_string();
  EXPECT_EQ(defaults->settle_wait, std::chrono::seconds(20));
  EXPECT_LT(defaults->settle_wait, std::chrono::seconds(60));  // nginx's proxy_read_timeout
  EXPECT_EQ(defaults->confirmations, 0u);
  EXPECT_EQ(defaults->http_options().blocking_threads, 32u);
  auto s = settings({"--settle-wait", "45s", "--confirmations", "3", "--blocking-threads", "8"});
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->settle_wait, std::chrono::seconds(45));
  EXPECT_EQ(s->confirmations, 3u);
  EXPECT_EQ(s->http_options().blocking_threads, 8u);
  auto j = nlohmann::json::parse(s->to_json());
  EXPECT_EQ(j["chain"]["settle_wait_ms"], 45'000);
  EXPECT_EQ(j["chain"]["confirmations"], 3);
  EXPECT_EQ(j["http"]["blocking_threads"], 8);
}

TEST_F(NodeSettingsTest, DerivedDefaultsFollowTheirBases) {
  auto s = settings({"--data-dir", "/srv/n", "--http-address", "::1", "--http-port", "9000"});
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->master_key_file, std::filesystem::path("/srv/n/master.key"));
  EXPECT_EQ(s->public_url, "http://[::1]:9000");
  auto set = settings({"--master-key-file", "/keys/m.key", "--public-url", "https://n.example"});
  ASSERT_TRUE(set.ok()) << set.error().to_string();
  EXPECT_EQ(set->master_key_file, std::filesystem::path("/keys/m.key"));
  EXPECT_EQ(set->public_url, "https://n.example");
}

TEST_F(NodeSettingsTest, PublishersFromEachSource) {
  const std::string a = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  const std::string b = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
  home_.write("node.toml", "[node]\npublishers = [\"" + a + "\", \"" + b + "\"]\n");
  auto from_file = settings();
  ASSERT_TRUE(from_file.ok()) << from_file.error().to_string();
  EXPECT_EQ(from_file->publishers, (std::vector<std::string>{a, b}));
  Environment e = env();
  e["PACTUM_NODE_PUBLISHERS"] = b + ", " + a;
  auto from_env = settings({}, e);
  ASSERT_TRUE(from_env.ok()) << from_env.error().to_string();
  EXPECT_EQ(from_env->publishers, (std::vector<std::string>{b, a}));
  auto from_flag = settings({"--publishers", a}, e);
  ASSERT_TRUE(from_flag.ok());
  EXPECT_EQ(from_flag->publishers, (std::vector<std::string>{a}));
  // An empty list is allowed (the node then takes no uploads); an empty item is not.
  auto none = settings({"--publishers", ""}, e);
  ASSERT_TRUE(none.ok()) << none.error().to_string();
  EXPECT_TRUE(none->publishers.empty());
  EXPECT_EQ(error_of({"--publishers", a + ",," + b}, env()),
            "flag --publishers: an empty address in the list");
  // The bad item is named with its source.
  EXPECT_EQ(error_of({"--publishers", a + ",0xnothex"}, env()),
            "flag --publishers: '0xnothex' is not an address (0x and 40 hex digits)");
  auto wrong = home_.write("w.toml", "[node]\npublishers = [\"" + a + "\", 7]\n");
  EXPECT_EQ(error_of({"--config", wrong.string()}, env()),
            wrong.string() + ":2: node.publishers: must be an array of strings");
  auto bad = home_.write("x.toml", "[node]\npublishers = [\"" + a + "\", \"0x12\"]\n");
  EXPECT_EQ(error_of({"--config", bad.string()}, env()),
            bad.string() + ":2: node.publishers: '0x12' is not an address (0x and 40 hex digits)");
  // Arrays are for list settings only.
  auto arr = home_.write("y.toml", "[node]\nkey_file = [\"/a\"]\n");
  EXPECT_NE(error_of({"--config", arr.string()}, env()).find(":2: node.key_file: must be a string"),
            std::string::npos);
}

TEST_F(NodeSettingsTest, RunningNeedsExactlyOneKeyAndTheDevKeyOnlyOnTheDevChain) {
  struct Case {
    std::vector<std::string> flags;
    const char* error;  // nullptr: runnable
  };
  const Case cases[] = {
      {{}, "the node has no key"},
      {{"--dev-account", "4"}, nullptr},
      {{"--key-file", "/k.json"}, nullptr},
      {{"--key-file", "/k.json", "--key-password-file", "/pw"}, nullptr},
      {{"--key-file", "/k.json", "--dev-account", "4"}, "are both set"},
      {{"--dev-account", "4", "--chain-id", "1"},
       "node.dev_account is a well-known test key, allowed only on the local chain (chain.id "
       "31337), not on chain 1"},
      {{"--key-file", "/k.json", "--chain-id", "1"}, nullptr},
      {{"--dev-account", "0", "--key-password-file", "/pw"},
       "node.key_password_file is set without node.key_file"},
      // #19: plain HTTP only on loopback, unless a TLS proxy is in front; TLS files in pairs.
      {{"--dev-account", "0", "--http-address", "127.0.0.2"}, nullptr},
      {{"--dev-account", "0", "--http-address", "::1"}, nullptr},
      {{"--dev-account", "0", "--http-address", "10.0.0.1"},
       "http.address 10.0.0.1 is not a loopback address"},
      {{"--dev-account", "0", "--http-address", "::ffff:127.0.0.1"}, "is not a loopback address"},
      {{"--dev-account", "0", "--http-address", "0.0.0.0", "--behind-tls-proxy", "true"}, nullptr},
      {{"--dev-account", "0", "--http-address", "0.0.0.0", "--tls-certificate", "/c.pem",
        "--tls-key", "/k.pem"},
       nullptr},
      {{"--dev-account", "0", "--tls-certificate", "/c.pem"},
       "http.tls_certificate is set without http.tls_key"},
      {{"--dev-account", "0", "--tls-key", "/k.pem"},
       "http.tls_key is set without http.tls_certificate"},
  };
  for (const Case& c : cases) {
    auto s = settings(c.flags);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    Status st = check_runnable(*s);
    if (c.error == nullptr) {
      EXPECT_TRUE(st.ok()) << c.flags.size() << ": " << st.error().to_string();
    } else {
      ASSERT_FALSE(st.ok()) << c.error;
      EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(st.error().message().find(c.error), std::string::npos) << st.error().message();
    }
  }
  auto dev = settings({"--dev-account", "4"});
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(dev->dev_account, 4u);
  EXPECT_NE(error_of({"--dev-account", "2147483648"}, env()).find("not an account index"),
            std::string::npos);
}

TEST_F(NodeSettingsTest, HomeDefaultsToDotPactumUnderHome) {
  auto s = settings({}, Environment{{"HOME", "/nonexistent-home"}});
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->home, std::filesystem::path("/nonexistent-home/.pactum"));
  EXPECT_NE(error_of({}, Environment{}).find("PACTUM_HOME"), std::string::npos);
}

TEST_F(NodeSettingsTest, FlagsBeatEnvironmentBeatFileBeatDefaults) {
  home_.write("node.toml",
              "data_dir = \"/srv/pactum\"\n[http]\nport = 1000\nthreads = 3\n"
              "read_timeout = \"5s\"\n[log]\nlevel = \"debug\"\n");
  Environment e = env();
  e["PACTUM_HTTP_PORT"] = "2000";
  e["PACTUM_LOG_LEVEL"] = "warn";
  auto s = settings({"--http-port", "3000"}, e);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->config_file, home_.path() / "node.toml");
  EXPECT_EQ(s->http_port, 3000);                     // flag
  EXPECT_EQ(s->log_level, server::LogLevel::kWarn);  // environment over file
  EXPECT_EQ(s->http_threads, 3u);                    // file over default
  EXPECT_EQ(s->read_timeout, std::chrono::seconds(5));
  EXPECT_EQ(s->data_dir, std::filesystem::path("/srv/pactum"));
  EXPECT_EQ(s->chain_id, 0u);  // default: the deployment file's
  auto without_flag = settings({}, e);
  ASSERT_TRUE(without_flag.ok());
  EXPECT_EQ(without_flag->http_port, 2000);
  auto file_only = settings();
  ASSERT_TRUE(file_only.ok());
  EXPECT_EQ(file_only->http_port, 1000);
}

TEST_F(NodeSettingsTest, ExplicitConfigFromFlagOrEnvironment) {
  auto file = home_.write("other.toml", "[chain]\nid = 5\nrpc_url = \"https://rpc.example\"\n");
  auto s = settings({"--config", file.string()});
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->chain_id, 5u);
  EXPECT_EQ(s->rpc_url, "https://rpc.example");
  Environment e = env();
  e["PACTUM_CONFIG"] = file.string();
  auto from_env = settings({}, e);
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->config_file, file);
}

TEST_F(NodeSettingsTest, TomlErrorsNameFileLineAndKey) {
  auto unknown = home_.write("a.toml", "[http]\nport = 8030\nprot = 1\n");
  EXPECT_EQ(error_of({"--config", unknown.string()}, env()),
            unknown.string() + ":3: unknown key 'http.prot'");
  auto top = home_.write("b.toml", "\nverbose = true\n");
  EXPECT_EQ(error_of({"--config", top.string()}, env()),
            top.string() + ":2: unknown key 'verbose'");
  auto bad_value = home_.write("c.toml", "[http]\nport = 70000\n");
  EXPECT_EQ(error_of({"--config", bad_value.string()}, env()),
            bad_value.string() + ":2: http.port: '70000' is not a port (0..65535)");
  auto bad_type = home_.write("d.toml", "[http]\nport = 1.5\n");
  EXPECT_NE(error_of({"--config", bad_type.string()}, env())
                .find(":2: http.port: must be a string, an integer or a boolean"),
            std::string::npos);
  // A boolean reaches the key's own parser, which refuses it where it means nothing.
  auto bool_port = home_.write("d2.toml", "[http]\nport = true\n");
  EXPECT_EQ(error_of({"--config", bool_port.string()}, env()),
            bool_port.string() + ":2: http.port: 'true' is not a port (0..65535)");
  auto negative = home_.write("e.toml", "[http]\nthreads = -1\n");
  EXPECT_NE(error_of({"--config", negative.string()}, env()).find(":2: http.threads"),
            std::string::npos);
  auto syntax = home_.write("f.toml", "[http\nport = 1\n");
  EXPECT_EQ(error_of({"--config", syntax.string()}, env()).rfind(syntax.string() + ":1:", 0), 0u);
  auto deep = home_.write("g.toml", "[http.tls]\ncert = \"x\"\n");
  EXPECT_NE(error_of({"--config", deep.string()}, env()).find("unknown key 'http.tls'"),
            std::string::npos);
}

TEST_F(NodeSettingsTest, UnreadableOrMissingConfigFile) {
  auto missing = home_.path() / "missing.toml";
  EXPECT_EQ(error_of({"--config", missing.string()}, env(), ErrorCode::kNotFound),
            "config file " + missing.string() + " does not exist");
  EXPECT_EQ(error_of({"--config", home_.path().string()}, env()),
            "config file " + home_.path().string() + " is not a regular file");
  // A default file that does not exist is not an error; one that is a directory is.
  std::filesystem::create_directories(home_.path() / "node.toml");
  EXPECT_NE(error_of({}, env()).find("is not a regular file"), std::string::npos);
}

TEST_F(NodeSettingsTest, EveryBadValueFromEverySourceIsNamed) {
  struct Case {
    const char* toml_section;
    const char* toml_key;
    const char* env;
    const char* flag;
    const char* bad;
  };
  const Case cases[] = {
      {"", "data_dir", "PACTUM_DATA_DIR", "--data-dir", ""},
      {"http", "address", "PACTUM_HTTP_ADDRESS", "--http-address", "localhost"},
      {"http", "port", "PACTUM_HTTP_PORT", "--http-port", "65536"},
      {"http", "threads", "PACTUM_HTTP_THREADS", "--threads", "many"},
      {"http", "max_body_size", "PACTUM_HTTP_MAX_BODY_SIZE", "--max-body-size", "12 parsecs"},
      {"http", "read_timeout", "PACTUM_HTTP_READ_TIMEOUT", "--read-timeout", "0s"},
      {"log", "level", "PACTUM_LOG_LEVEL", "--log-level", "loud"},
      {"log", "format", "PACTUM_LOG_FORMAT", "--log-format", "xml"},
      {"log", "file", "PACTUM_LOG_FILE", "--log-file", ""},
      {"log", "max_size", "PACTUM_LOG_MAX_SIZE", "--log-max-size", "1KiB"},
      {"log", "keep", "PACTUM_LOG_KEEP", "--log-keep", "0"},
      {"http", "min_body_rate", "PACTUM_HTTP_MIN_BODY_RATE", "--min-body-rate", "fast"},
      {"http", "body_grace", "PACTUM_HTTP_BODY_GRACE", "--body-grace", "0s"},
      {"http", "max_connections", "PACTUM_HTTP_MAX_CONNECTIONS", "--max-connections", "8"},
      {"http", "max_connections_per_address", "PACTUM_HTTP_MAX_CONNECTIONS_PER_ADDRESS",
       "--max-connections-per-address", "-1"},
      {"chain", "rpc_url", "PACTUM_CHAIN_RPC_URL", "--rpc-url", "ftp://x"},
      {"chain", "id", "PACTUM_CHAIN_ID", "--chain-id", "0"},
      {"chain", "deployment_file", "PACTUM_CHAIN_DEPLOYMENT_FILE", "--deployment-file", ""},
      {"chain", "settle_wait", "PACTUM_CHAIN_SETTLE_WAIT", "--settle-wait", "0s"},
      {"chain", "confirmations", "PACTUM_CHAIN_CONFIRMATIONS", "--confirmations", "1001"},
      {"http", "blocking_threads", "PACTUM_HTTP_BLOCKING_THREADS", "--blocking-threads", "0"},
      {"node", "key_file", "PACTUM_NODE_KEY_FILE", "--key-file", ""},
      {"node", "key_password_file", "PACTUM_NODE_KEY_PASSWORD_FILE", "--key-password-file", ""},
      {"node", "dev_account", "PACTUM_NODE_DEV_ACCOUNT", "--dev-account", "-1"},
      {"node", "publishers", "PACTUM_NODE_PUBLISHERS", "--publishers", "0x1234"},
      {"node", "public_url", "PACTUM_NODE_PUBLIC_URL", "--public-url", "node.example:8030"},
      {"store", "master_key_file", "PACTUM_STORE_MASTER_KEY_FILE", "--master-key-file", ""},
  };
  for (const Case& c : cases) {
    std::string key =
        std::string(*c.toml_section ? std::string(c.toml_section) + "." : "") + c.toml_key;
    // Flag.
    std::string flag_error = error_of({c.flag, c.bad}, env());
    EXPECT_EQ(flag_error.rfind(std::string("flag ") + c.flag + ": ", 0), 0u) << flag_error;
    // Environment.
    Environment e = env();
    e[c.env] = c.bad;
    std::string env_error = error_of({}, e);
    EXPECT_EQ(env_error.rfind(std::string("environment ") + c.env + ": ", 0), 0u) << env_error;
    // TOML.
    std::string text = *c.toml_section ? "[" + std::string(c.toml_section) + "]\n" : "\n";
    text += std::string(c.toml_key) + " = \"" + c.bad + "\"\n";
    auto file = home_.write("bad.toml", text);
    std::string toml_error = error_of({"--config", file.string()}, env());
    EXPECT_EQ(toml_error.rfind(file.string() + ":2: " + key + ": ", 0), 0u) << toml_error;
  }
}

TEST_F(NodeSettingsTest, UnknownFlagAndMissingFlagValue) {
  EXPECT_EQ(error_of({"--htp-port", "1"}, env()).rfind("flags: ", 0), 0u);
  EXPECT_EQ(error_of({"--http-port"}, env()).rfind("flags: ", 0), 0u);
}

TEST_F(NodeSettingsTest, HelpVersionAndPrintConfig) {
  auto help = parse({"--help"}, env());
  ASSERT_TRUE(help.ok());
  EXPECT_EQ(help->command, NodeCommand::kHelp);
  EXPECT_NE(help->text.find("--http-port"), std::string::npos);
  EXPECT_NE(help->text.find("PACTUM_HTTP_PORT"), std::string::npos);
  EXPECT_NE(help->text.find("Exit codes"), std::string::npos);
  auto version = parse({"--version"}, env());
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->command, NodeCommand::kVersion);
  EXPECT_EQ(version->text, "pactumd 9.9.9\n");
  auto print = parse({"--print-config", "--http-port", "0", "--max-body-size", "2MiB"}, env());
  ASSERT_TRUE(print.ok());
  EXPECT_EQ(print->command, NodeCommand::kPrintConfig);
  auto j = nlohmann::json::parse(print->settings.to_json());
  EXPECT_EQ(j["http"]["port"], 0);
  EXPECT_EQ(j["http"]["max_body_size"], 2 * 1024 * 1024);
  EXPECT_EQ(j["log"]["level"], "info");
  EXPECT_TRUE(j["chain"]["id"].is_null());  // the deployment file's
  EXPECT_TRUE(j["node"]["dev_account"].is_null());
  EXPECT_EQ(j["store"]["master_key_file"], (home_.path() / "data" / "master.key").string());
  EXPECT_NE(help->text.find("PACTUM_NODE_KEY_PASSWORD"), std::string::npos);
  EXPECT_NE(help->text.find("--publishers"), std::string::npos);
}

TEST(ParseByteSize, Table) {
  EXPECT_EQ(parse_byte_size("65536").value(), 65536u);
  EXPECT_EQ(parse_byte_size("64KiB").value(), 65536u);
  EXPECT_EQ(parse_byte_size("1MiB").value(), 1048576u);
  EXPECT_EQ(parse_byte_size("2 GiB").value(), 2147483648u);
  EXPECT_EQ(parse_byte_size("1kB").value(), 1000u);
  EXPECT_EQ(parse_byte_size("3MB").value(), 3000000u);
  for (const char* bad :
       {"", "MiB", "1.5MiB", "-1", "1XB", "99999999999999999999", "20000000TiB"}) {
    auto r = parse_byte_size(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(ParseDuration, Table) {
  EXPECT_EQ(parse_duration("250ms").value(), std::chrono::milliseconds(250));
  EXPECT_EQ(parse_duration("30s").value(), std::chrono::seconds(30));
  EXPECT_EQ(parse_duration("30").value(), std::chrono::seconds(30));
  EXPECT_EQ(parse_duration("2m").value(), std::chrono::minutes(2));
  EXPECT_EQ(parse_duration("1h").value(), std::chrono::hours(1));
  for (const char* bad : {"", "0", "0ms", "s", "1d", "1.5s", "-3s", "99999999999999h"}) {
    EXPECT_FALSE(parse_duration(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace pactum::node
