// The real pactumd executable against a real anvil with deployed contracts: it serves the asset
// API (upload and publish with signed requests); SIGKILL during an upload and between upload and
// publish leave nothing half-registered and lose nothing committed; bad settings are refused
// with exit 2 or 3 and one clear line, leaving the data directory as it was.
// Every wait is on an event (a log line, a file, a process exit) with a deadline.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "contracts/live_chain.hpp"
#include "pactum/contracts/deployment.hpp"
#include "pactum/eth/keccak.hpp"
#include "pactum/eth/keystore.hpp"
#include "pactum/node/daemon.hpp"
#include "pactum/sdk/merkle.hpp"
#include "pactum/sdk/node_request.hpp"
#include "pactum/store/asset_store.hpp"
#include "support/ddo_cases.hpp"
#include "support/net/test_client.hpp"
#include "support/tls_proxy.hpp"

namespace pactum::node {
namespace {

using contracts::AssetRegistry;
using contracts::Transactor;
using contracts::testing::LiveChain;
using Json = nlohmann::json;
using server::testing::Method;
using server::testing::StringResponse;
using server::testing::TestClient;
namespace testing_roles = contracts::testing;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMiB = 1024 * 1024;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::int64_t wall_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

eth::PrivateKey dev_key(int index) {
  return eth::PrivateKey::from_hex(
             pactum::testing::AnvilProcess::dev_private_keys().at(static_cast<std::size_t>(index)))
      .value();
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    const std::uint64_t v = rng();
    std::memcpy(s.data() + i, &v, 8);
  }
  return s;
}

// The RFC 9162 root of `bytes` cut into chunks of `chunk` bytes: what the node must answer.
Hash32 merkle_root_of(const std::string& bytes, std::size_t chunk) {
  std::vector<Hash32> leaves;
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    leaves.push_back(sdk::merkle_leaf_hash(as_bytes(std::string_view(bytes).substr(at, chunk))));
  }
  return sdk::merkle_root(leaves);
}

// Every file under `dir` (relative path → size and contents hash), for "nothing changed".
std::map<std::string, std::string> snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    const auto rel = std::filesystem::relative(e.path(), dir).string();
    if (e.is_directory()) {
      out[rel] = "dir";
    } else {
      out[rel] = to_hex(eth::keccak256(as_bytes(read_file(e.path())))) + " mode " +
                 std::to_string(static_cast<int>(e.status().permissions()));
    }
  }
  return out;
}

// One pactumd process, its stderr in a log file.
class Pactumd {
 public:
  Pactumd(std::vector<std::string> args, std::vector<std::string> env, std::filesystem::path log)
      : log_(std::move(log)) {
    std::vector<std::string> argv = {PACTUMD_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    std::vector<char*> cenv;
    for (auto& e : env) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    offset_ = std::filesystem::exists(log_) ? std::filesystem::file_size(log_) : 0;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (::posix_spawn(&pid_, cargv[0], &actions, nullptr, cargv.data(), cenv.data()) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  Pactumd(const Pactumd&) = delete;
  Pactumd& operator=(const Pactumd&) = delete;
  ~Pactumd() {
    if (pid_ > 0 && !exit_code_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  // This run's log so far.
  [[nodiscard]] std::string log() const { return read_file(log_).substr(offset_); }

  // Waits for "pactumd started" and returns the port it names; nullopt when the process exited
  // first or the deadline passed. The line is looked for in its standard error, or in
  // `log_file` when the node was told to log to a file.
  std::optional<std::uint16_t> wait_started(
      std::chrono::seconds deadline = std::chrono::seconds(60),
      const std::filesystem::path& log_file = {}) {
    const auto end = Clock::now() + deadline;
    while (Clock::now() < end) {
      std::istringstream lines(log_file.empty() ? log() : read_file(log_file));
      for (std::string line; std::getline(lines, line);) {
        auto j = Json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.is_object() && j.value("msg", "") == "pactumd started") {
          return j["port"].get<std::uint16_t>();
        }
      }
      if (exited()) return std::nullopt;
      ::usleep(20'000);  // the child is not ours to wake us; look again shortly
    }
    return std::nullopt;
  }

  // Whether it has exited (reaping it); its code is then in exit_code().
  bool exited() {
    if (exit_code_) return true;
    int status = 0;
    if (pid_ <= 0) return true;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return true;
    }
    return false;
  }
  // Sends `signal` and waits for the exit; returns the exit code (128 + signal when killed).
  int stop(int signal) {
    if (exit_code_) return *exit_code_;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return *exit_code_;
  }
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  std::filesystem::path log_;
  std::uintmax_t offset_ = 0;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

class PactumdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(chain_.ok());
    Transactor deployer = chain_.account(testing_roles::kDeployer);
    auto d = contracts::deploy_all(deployer, contracts::DeployOptions{});
    ASSERT_TRUE(d.ok()) << d.error().to_string();
    deployment_ = *d;
    char tmpl[] = "/tmp/pactumd-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ / "home");
    deployment_file_ = dir_ / "deployment.json";
    ASSERT_TRUE(contracts::write_deployment(deployment_file_, deployment_).ok());
  }
  void TearDown() override {
    node_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::filesystem::path data_dir() const { return dir_ / "data"; }
  // No upload in progress or left behind in the store (its tmp/ is empty or absent).
  bool no_temporary_uploads() const {
    std::error_code ec;
    return !std::filesystem::exists(store_dir() / "tmp", ec) ||
           std::filesystem::is_empty(store_dir() / "tmp", ec);
  }
  std::filesystem::path store_dir() const { return data_dir() / "store"; }

  // The flags of a good node on this chain, with `extra` (flag, value) pairs replacing the
  // value of a flag already there (pactumd takes each flag once) or appended.
  std::vector<std::string> good_args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {
        "--data-dir",        data_dir().string(),
        "--http-port",       "0",
        "--threads",         "2",
        "--rpc-url",         chain_.url(),
        "--deployment-file", deployment_file_.string(),
        "--dev-account",     std::to_string(testing_roles::kProvider),
        "--publishers",      dev_key(testing_roles::kPublisher).address().to_hex()};
    for (std::size_t i = 0; i + 1 < extra.size(); i += 2) {
      auto at = std::find(a.begin(), a.end(), extra[i]);
      if (at != a.end()) {
        *(at + 1) = extra[i + 1];
      } else {
        a.push_back(extra[i]);
        a.push_back(extra[i + 1]);
      }
    }
    return a;
  }
  std::vector<std::string> env(std::vector<std::string> extra = {}) const {
    std::vector<std::string> e = {"PACTUM_HOME=" + (dir_ / "home").string(), "PATH=/usr/bin:/bin"};
    e.insert(e.end(), extra.begin(), extra.end());
    return e;
  }

  // Starts the node and waits until it serves.
  void start(std::vector<std::string> args = {}) {
    node_.reset();
    node_ = std::make_unique<Pactumd>(args.empty() ? good_args() : std::move(args), env(),
                                      dir_ / "pactumd.log");
    auto port = node_->wait_started();
    ASSERT_TRUE(port.has_value()) << node_->log();
    port_ = *port;
  }

  // Runs pactumd to its exit (a refusal) and returns exit code and stderr.
  pactum::testing::CommandOutput refused_run(std::vector<std::string> args,
                                             std::vector<std::string> extra_env = {}) {
    std::vector<std::string> argv = {"/usr/bin/env", "-i"};
    for (auto& e : env(std::move(extra_env))) argv.push_back(e);
    argv.push_back(PACTUMD_BIN);
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = pactum::testing::run_command(argv, {}, std::chrono::seconds(60));
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : pactum::testing::CommandOutput{};
  }

  sdk::SignedNodeRequest sign(int signer, sdk::NodeAction action, const Hash32& subject) {
    sdk::NodeRequest r;
    r.action = action;
    r.subject = subject;
    r.node = dev_key(testing_roles::kProvider).address();
    r.nonce = eth::U256(++nonce_);
    r.expiry = static_cast<std::uint64_t>(wall_now() + 300);
    return sdk::sign_node_request(dev_key(signer), r, chain_.chain_id());
  }

  std::string upload_head(std::size_t length, const sdk::SignedNodeRequest& s) const {
    return "POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
           "application/octet-stream\r\nContent-Length: " +
           std::to_string(length) + "\r\n" + std::string(sdk::kRequestHeader) + ": " +
           s.request_header + "\r\n" + std::string(sdk::kSignatureHeader) + ": " +
           s.signature_header + "\r\n\r\n";
  }

  // A complete upload by the publisher, sent in 1 MiB pieces; returns the 201 body.
  Json upload(const std::string& bytes, std::optional<sdk::SignedNodeRequest> signed_request = {}) {
    TestClient c(port_, std::chrono::seconds(60));
    const auto s = signed_request ? *signed_request
                                  : sign(testing_roles::kPublisher, sdk::NodeAction::kUpload, {});
    EXPECT_TRUE(c.write_raw(upload_head(bytes.size(), s)));
    for (std::size_t at = 0; at < bytes.size(); at += kMiB) {
      EXPECT_TRUE(c.write_raw(std::string_view(bytes).substr(at, kMiB)));
    }
    auto r = c.read_response();
    EXPECT_TRUE(r.has_value());
    if (!r) return {};
    EXPECT_EQ(r->result_int(), 201) << r->body();
    return Json::parse(r->body(), nullptr, false);
  }

  Hash32 register_asset(const std::string& seed, const Hash32& checksum) {
    Transactor publisher = chain_.account(testing_roles::kPublisher);
    auto data = AssetRegistry::encode_register(eth::keccak256(as_bytes(seed)), checksum,
                                               "http://127.0.0.1/x",
                                               {dev_key(testing_roles::kProvider).address()});
    EXPECT_TRUE(data.ok());
    auto receipt = publisher.send("register", deployment_.asset_registry().address(), *data);
    EXPECT_TRUE(receipt.ok()) << receipt.error().to_string();
    if (!receipt.ok()) return {};
    for (const auto& log : receipt->logs) {
      if (log.topics.empty() || log.topics[0] != AssetRegistry::kTopic_AssetRegistered) continue;
      return AssetRegistry::decode_AssetRegistered(log)->did;
    }
    ADD_FAILURE() << "no AssetRegistered";
    return {};
  }

  std::optional<StringResponse> publish(const Hash32& did, const Json& upload) {
    const std::string d = "did:pactum:" + to_hex(did);
    const std::string upload_id = upload["upload_id"];
    Json ddo = Json::parse(sdk::write_ddo(pactum::testing::ddo_for_upload(
        did, dev_key(testing_roles::kPublisher).address(),
        dev_key(testing_roles::kProvider).address(), *deployment_.template_id("paid-access"),
        upload, eth::U256(1000))));
    Json body = {{"upload_id", upload_id}, {"ddo", ddo}};
    auto s = sign(testing_roles::kPublisher, sdk::NodeAction::kPublish, did);
    TestClient c(port_);
    return c.request(Method::kPut, "/api/v1/assets/" + d, body.dump(),
                     {{std::string(sdk::kRequestHeader), s.request_header},
                      {std::string(sdk::kSignatureHeader), s.signature_header}});
  }

  Json list_assets() {
    TestClient c(port_);
    auto r = c.get("/api/v1/assets?per_page=100");
    EXPECT_TRUE(r.has_value());
    if (!r) return {};
    EXPECT_EQ(r->result_int(), 200) << r->body();
    return Json::parse(r->body(), nullptr, false);
  }

  // Opens the store as pactumd left it (pactumd must be stopped: one process per store) and
  // checks it: it opens (recovery done), holds exactly `expected` uploads, each readable against
  // its root, and no temporary upload remains.
  void expect_store_holds(const std::set<std::string>& expected) {
    auto key = load_or_create_master_key(data_dir() / "master.key", false);
    ASSERT_TRUE(key.ok()) << key.error().to_string();
    store::SqliteStoreOptions so;
    so.directory = store_dir().string();
    so.master_key = std::move(key).value();
    auto st = store::open_sqlite_asset_store(std::move(so));
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    auto report = (*st)->recover();
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->removed_uploads, 0u);
    EXPECT_EQ(report->removed_orphans, 0u);
    EXPECT_TRUE(report->missing_objects.empty());
    auto all = (*st)->list("", 1000);
    ASSERT_TRUE(all.ok());
    std::set<std::string> ids;
    for (const auto& m : *all) {
      ids.insert(m.id);
      auto reader = (*st)->open_reader(m.id);
      EXPECT_TRUE(reader.ok()) << m.id << ": " << reader.error().to_string();
    }
    EXPECT_EQ(ids, expected);
    EXPECT_TRUE(no_temporary_uploads());
  }

  LiveChain chain_;
  contracts::Deployment deployment_;
  std::filesystem::path dir_;
  std::filesystem::path deployment_file_;
  std::unique_ptr<Pactumd> node_;
  std::uint16_t port_ = 0;
  std::uint64_t nonce_ = 0;
};

TEST_F(PactumdTest, ServesHealthAndTheAssetApiUploadAndPublish) {
  start();
  // The master key was created for the new data directory, private to its owner.
  struct stat st {};
  ASSERT_EQ(::stat((data_dir() / "master.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  ASSERT_EQ(::stat(data_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u) << "a data directory pactumd creates is its own";

  TestClient c(port_);
  auto health = c.get("/health");
  ASSERT_TRUE(health.has_value());
  ASSERT_EQ(health->result_int(), 200);
  auto h = Json::parse(health->body());
  EXPECT_EQ(h["status"], "ok");
  EXPECT_EQ(h["chain_id"], 31337);
  EXPECT_EQ(h["node_address"], dev_key(testing_roles::kProvider).address().to_checksum_string());

  const std::string file = random_bytes(3 * kMiB + 5, 1);
  Json up = upload(file);
  EXPECT_EQ(up["size"], file.size());
  EXPECT_EQ(up["chunk_count"], 4);
  EXPECT_EQ(up["checksum"], to_hex(merkle_root_of(file, kMiB)));
  const Hash32 did = register_asset("asset-1", merkle_root_of(file, kMiB));
  auto published = publish(did, up);
  ASSERT_TRUE(published.has_value());
  EXPECT_EQ(published->result_int(), 200) << published->body();
  auto list = list_assets();
  EXPECT_EQ(list["total"], 1);
  TestClient c2(port_);
  auto resolved = c2.get("/api/v1/assets/did:pactum:" + to_hex(did));
  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(resolved->result_int(), 200);
  EXPECT_EQ(Json::parse(resolved->body())["id"], "did:pactum:" + to_hex(did));

  // #18, critical: a DDO nesting arrays 200,000 deep, signed by a key made on the spot, killed
  // pactumd. Refused (the signer is no publisher), and the node serves on.
  {
    sdk::NodeRequest r;
    r.action = sdk::NodeAction::kPublish;
    r.subject = did;
    r.node = dev_key(testing_roles::kProvider).address();
    r.nonce = eth::U256(++nonce_);
    r.expiry = static_cast<std::uint64_t>(wall_now() + 300);
    const auto s = sdk::sign_node_request(
        eth::PrivateKey::from_hex(std::string(62, '0') + "2a").value(), r, chain_.chain_id());
    const std::string deep = "{\"upload_id\":\"" + up["upload_id"].get<std::string>() +
                             "\",\"ddo\":" + std::string(200'000, '[') + std::string(200'000, ']') +
                             "}";
    TestClient attacker(port_);
    auto refused = attacker.request(Method::kPut, "/api/v1/assets/did:pactum:" + to_hex(did), deep,
                                    {{std::string(sdk::kRequestHeader), s.request_header},
                                     {std::string(sdk::kSignatureHeader), s.signature_header}});
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->result_int(), 403) << refused->body().substr(0, 200);
    TestClient after(port_);
    auto alive = after.get("/health");
    ASSERT_TRUE(alive.has_value()) << "pactumd died";
    EXPECT_EQ(alive->result_int(), 200);
  }
  // A stranger may not upload; the refusal is logged by the node.
  TestClient c3(port_);
  auto s = sign(testing_roles::kStranger, sdk::NodeAction::kUpload, {});
  auto refused = c3.request(Method::kPost, "/api/v1/uploads", "x",
                            {{std::string(sdk::kRequestHeader), s.request_header},
                             {std::string(sdk::kSignatureHeader), s.signature_header}});
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->result_int(), 403);

  EXPECT_EQ(node_->stop(SIGTERM), 0) << node_->log();
  EXPECT_NE(node_->log().find("pactumd stopped"), std::string::npos);
}

TEST_F(PactumdTest, SigkillDuringAnUploadLeavesNothingHalfRegistered) {
  start();
  const std::string file = random_bytes(64 * kMiB, 2);
  {
    // Half the file, a piece at a time, then wait until the node has sealed some of it.
    TestClient c(port_, std::chrono::seconds(60));
    ASSERT_TRUE(c.write_raw(
        upload_head(file.size(), sign(testing_roles::kPublisher, sdk::NodeAction::kUpload, {}))));
    for (std::size_t at = 0; at < 32 * kMiB; at += kMiB) {
      ASSERT_TRUE(c.write_raw(std::string_view(file).substr(at, kMiB)));
    }
    const auto end = Clock::now() + std::chrono::seconds(30);
    bool sealing = false;
    while (!sealing && Clock::now() < end) {
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(store_dir() / "tmp", ec)) {
        std::error_code size_ec;
        const auto size = std::filesystem::file_size(e.path() / "data", size_ec);
        sealing = sealing || (!size_ec && size > 0);
      }
      if (!sealing) ::usleep(10'000);
    }
    ASSERT_TRUE(sealing) << "the upload never reached the store";
    EXPECT_EQ(node_->stop(SIGKILL), 128 + SIGKILL);
    EXPECT_FALSE(c.read_response().has_value());  // the connection died with the node
  }

  // Restart on the same data directory: clean start, the partial upload is gone.
  start();
  EXPECT_TRUE(no_temporary_uploads());
  auto list = list_assets();
  EXPECT_EQ(list["total"], 0);
  EXPECT_TRUE(list["assets"].empty());

  // The same file, whole this time, then registered and published.
  Json up = upload(file);
  ASSERT_EQ(up["size"], file.size());
  const Hash32 root = merkle_root_of(file, kMiB);
  EXPECT_EQ(up["checksum"], to_hex(root));
  const Hash32 did = register_asset("big", root);
  auto published = publish(did, up);
  ASSERT_TRUE(published.has_value());
  EXPECT_EQ(published->result_int(), 200) << published->body();
  EXPECT_EQ(list_assets()["total"], 1);

  EXPECT_EQ(node_->stop(SIGTERM), 0) << node_->log();
  expect_store_holds({up["upload_id"].get<std::string>()});
}

TEST_F(PactumdTest, SigkillBetweenUploadAndPublishKeepsTheCommittedUpload) {
  start();
  const std::string file = random_bytes(2 * kMiB + 77, 3);
  const auto signed_upload = sign(testing_roles::kPublisher, sdk::NodeAction::kUpload, {});
  Json up = upload(file, signed_upload);
  ASSERT_TRUE(up.contains("upload_id"));
  EXPECT_EQ(node_->stop(SIGKILL), 128 + SIGKILL);

  // The store's contract: the commit (the upload's 201) is durable; an upload is not an asset
  // until it is published, so the node lists nothing, but the upload can still be published.
  start();
  EXPECT_EQ(list_assets()["total"], 0);
  {
    // The nonce spent before the crash stays spent.
    TestClient c(port_);
    auto again = c.request(Method::kPost, "/api/v1/uploads", "x",
                           {{std::string(sdk::kRequestHeader), signed_upload.request_header},
                            {std::string(sdk::kSignatureHeader), signed_upload.signature_header}});
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->result_int(), 401) << again->body();
  }
  const Hash32 did = register_asset("kept", merkle_root_of(file, kMiB));
  auto published = publish(did, up);
  ASSERT_TRUE(published.has_value());
  EXPECT_EQ(published->result_int(), 200) << published->body();
  auto list = list_assets();
  ASSERT_EQ(list["total"], 1);
  EXPECT_EQ(list["assets"][0]["id"], "did:pactum:" + to_hex(did));
  EXPECT_EQ(node_->stop(SIGTERM), 0);
  expect_store_holds({up["upload_id"].get<std::string>()});
}

TEST_F(PactumdTest, BadSettingsAreRefusedWithOneLineAndTheDataDirectoryUntouched) {
  // A data directory in use: one committed upload.
  start();
  Json up = upload(random_bytes(kMiB + 3, 4));
  ASSERT_TRUE(up.contains("upload_id"));
  ASSERT_EQ(node_->stop(SIGTERM), 0);
  node_.reset();
  const auto before = snapshot(data_dir());

  // A keystore of the node's key (light scrypt: a test), and one for chain 1's deployment file.
  eth::KeystoreOptions light;
  light.scrypt_n = 1u << 4;
  auto keystore = eth::encrypt_keystore(dev_key(testing_roles::kProvider), "right", light);
  ASSERT_TRUE(keystore.ok());
  const auto key_file = dir_ / "node-key.json";
  std::ofstream(key_file) << *keystore;
  const auto password_file = dir_ / "password";
  std::ofstream(password_file) << "wrong\n";
  // Secrets are the node's alone: 0600, and copies readable by others to be refused (#18).
  const auto open_key_file = dir_ / "open-node-key.json";
  std::ofstream(open_key_file) << *keystore;
  const auto open_password_file = dir_ / "open-password";
  std::ofstream(open_password_file) << "right\n";
  const auto right_password_file = dir_ / "right-password";
  std::ofstream(right_password_file) << "right\n";
  for (const auto& f : {key_file, password_file, right_password_file}) {
    std::filesystem::permissions(f, std::filesystem::perms(0600));
  }
  std::filesystem::permissions(open_key_file, std::filesystem::perms(0644));
  std::filesystem::permissions(open_password_file, std::filesystem::perms(0640));
  const auto key_link = dir_ / "key-link.json";
  std::filesystem::create_symlink(key_file, key_link);
  contracts::Deployment other = deployment_;
  other.chain_id = 1;
  const auto other_file = dir_ / "deployment-1.json";
  ASSERT_TRUE(contracts::write_deployment(other_file, other).ok());
  const std::string unused_port = "1";  // never reached: each refusal comes before the bind

  struct Case {
    const char* what;
    std::vector<std::string> flags;
    std::vector<std::string> env;
    int exit_code;
    std::vector<std::string> says;  // in the one error line
  };
  const Case cases[] = {
      {"missing deployment file",
       {"--deployment-file", (dir_ / "nowhere.json").string()},
       {},
       3,
       {"does not exist", "chain.deployment_file"}},
      {"deployment file that is not JSON",
       {"--deployment-file", password_file.string()},
       {},
       3,
       {"deployment", "chain.deployment_file"}},
      {"chain unreachable",
       {"--rpc-url", "http://127.0.0.1:" + unused_port},
       {},
       3,
       {"eth_chainId", "chain.rpc_url"}},
      {"wrong chain id",
       {"--chain-id", "1", "--deployment-file", other_file.string(), "--key-file",
        key_file.string()},
       {"PACTUM_NODE_KEY_PASSWORD=right"},
       3,
       {"has chain id 31337, the settings say 1", "chain.id"}},
      {"wrong key password (file)",
       {"--key-file", key_file.string(), "--key-password-file", password_file.string()},
       {},
       3,
       {"the password does not open the key file", "node.key_password_file"}},
      {"wrong key password (environment)",
       {"--key-file", key_file.string()},
       {"PACTUM_NODE_KEY_PASSWORD=nope"},
       3,
       {"the password does not open the key file", "PACTUM_NODE_KEY_PASSWORD"}},
      {"key file readable by others",
       {"--key-file", open_key_file.string(), "--key-password-file", right_password_file.string()},
       {},
       3,
       {"has mode 0644", "chmod 600", "node.key_file"}},
      {"password file readable by the group",
       {"--key-file", key_file.string(), "--key-password-file", open_password_file.string()},
       {},
       3,
       {"has mode 0640", "node.key_password_file"}},
      {"key file through a symbolic link",
       {"--key-file", key_link.string(), "--key-password-file", right_password_file.string()},
       {},
       3,
       {"is a symbolic link", "node.key_file"}},
      {"dev account on another chain",
       {"--chain-id", "1", "--deployment-file", other_file.string()},
       {},
       2,
       {"node.dev_account", "not on chain 1"}},
      // #19: without chain.id the node takes the deployment file's, and checks it.
      {"dev account, the deployment file of another chain",
       {"--deployment-file", other_file.string()},
       {},
       2,
       {"node.dev_account", "is for chain 1"}},
      {"the deployment file of another chain than the chain's",
       {"--deployment-file", other_file.string(), "--key-file", key_file.string()},
       {"PACTUM_NODE_KEY_PASSWORD=right"},
       3,
       {"has chain id 31337, the deployment file", "is for 1", "chain.rpc_url"}},
      {"key file without a password",
       {"--key-file", key_file.string()},
       {},
       2,
       {"needs its password", "node.key_password_file"}},
      {"bad publisher checksum",
       {"--publishers", "0x70997970c51812dc3A010C7d01b50e0d17dc79C8"},
       {},
       2,
       {"node.publishers"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto flags = good_args(c.flags);
    // With a key file, the good flags' dev account goes (the node has one key).
    if (std::find(flags.begin(), flags.end(), "--key-file") != flags.end()) {
      auto dev = std::find(flags.begin(), flags.end(), "--dev-account");
      if (dev != flags.end()) flags.erase(dev, dev + 2);
    }
    auto r = refused_run(flags, c.env);
    EXPECT_EQ(r.exit_code, c.exit_code) << r.stderr_text;
    for (const auto& s : c.says) EXPECT_NE(r.stderr_text.find(s), std::string::npos) << s;
    if (c.exit_code == 3) {
      // One line, at level error, naming the setting.
      std::istringstream lines(r.stderr_text);
      int errors = 0;
      for (std::string line; std::getline(lines, line);) {
        auto j = Json::parse(line, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << line;
        if (j.value("level", "") == "error") {
          ++errors;
          EXPECT_EQ(j["msg"], "pactumd cannot start");
          EXPECT_FALSE(j.value("setting", "").empty()) << line;
        }
      }
      EXPECT_EQ(errors, 1) << r.stderr_text;
    }
    EXPECT_EQ(snapshot(data_dir()), before);
  }

  // The master key, readable by others, or of the wrong size: refused, and left as it is.
  const auto master = data_dir() / "master.key";
  std::filesystem::permissions(master, std::filesystem::perms(0644));
  auto open_key = refused_run(good_args());
  EXPECT_EQ(open_key.exit_code, 3);
  EXPECT_NE(open_key.stderr_text.find("mode 0644"), std::string::npos) << open_key.stderr_text;
  EXPECT_NE(open_key.stderr_text.find("store.master_key_file"), std::string::npos);
  std::filesystem::permissions(master, std::filesystem::perms(0600));
  EXPECT_EQ(snapshot(data_dir()), before);
  const auto short_key = dir_ / "short.key";
  {
    std::ofstream(short_key) << "0123456789";
    std::filesystem::permissions(short_key, std::filesystem::perms(0600));
  }
  auto wrong_size = refused_run(good_args({"--master-key-file", short_key.string()}));
  EXPECT_EQ(wrong_size.exit_code, 3);
  EXPECT_NE(wrong_size.stderr_text.find("has 10 bytes, not 32"), std::string::npos)
      << wrong_size.stderr_text;
  // A store without its key is refused rather than given a new one.
  auto elsewhere = refused_run(good_args({"--master-key-file", (dir_ / "new.key").string()}));
  EXPECT_EQ(elsewhere.exit_code, 3);
  EXPECT_NE(elsewhere.stderr_text.find("is missing, but the store"), std::string::npos)
      << elsewhere.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "new.key"));
  EXPECT_EQ(snapshot(data_dir()), before);

  // A log file that cannot be opened: exit 3 with the setting named, on standard error (the
  // file is not there to say it).
  auto no_log = refused_run(good_args({"--log-file", (dir_ / "no-such-dir" / "n.log").string()}));
  EXPECT_EQ(no_log.exit_code, 3);
  EXPECT_NE(no_log.stderr_text.find("log.file: log file "), std::string::npos)
      << no_log.stderr_text;
  EXPECT_NE(no_log.stderr_text.find("No such file or directory"), std::string::npos);
  EXPECT_EQ(snapshot(data_dir()), before);

  // The data directory still serves its upload afterwards.
  start();
  const Hash32 did =
      register_asset("after", *fixed_from_hex<32>(up["checksum"].get<std::string>()));
  auto published = publish(did, up);
  ASSERT_TRUE(published.has_value());
  EXPECT_EQ(published->result_int(), 200) << published->body();
}

// #19: pactumd serves HTTPS when given a certificate and key (checked here by curl, an
// independent TLS client), refuses plain HTTP on a non-loopback address unless told a TLS proxy
// is in front, and refuses TLS files that do not fit, each with the setting named.
TEST_F(PactumdTest, ServesHttpsWithItsCertificateAndRefusesPlainHttpOffLoopback) {
  if (!std::filesystem::exists("/usr/bin/curl"))
    GTEST_SKIP() << "curl missing: scripts/install-deps.sh";
  pactum::testing::TestCertificates certs;
  ASSERT_TRUE(certs.ok());
  const std::string good = certs.certificate(pactum::testing::TestCertificates::kGood);
  start(good_args({"--tls-certificate", good, "--tls-key", certs.key()}));
  const std::string base = "https://127.0.0.1:" + std::to_string(port_);
  auto curl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"/usr/bin/curl", "-sS", "--max-time", "10"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = pactum::testing::run_command(argv, {}, std::chrono::seconds(30));
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : pactum::testing::CommandOutput{};
  };
  auto health = curl({"--cacert", certs.ca_file(), base + "/health"});
  ASSERT_EQ(health.exit_code, 0) << health.stderr_text;
  auto doc = Json::parse(health.stdout_text, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << health.stdout_text;
  EXPECT_EQ(doc.value("chain_id", 0u), chain_.chain_id()) << health.stdout_text;
  // By DNS name too (the certificate names localhost), and TLS 1.3 and 1.2 both.
  auto by_name = curl({"--cacert", certs.ca_file(), "--tlsv1.2", "--tls-max", "1.2",
                       "https://localhost:" + std::to_string(port_) + "/health"});
  EXPECT_EQ(by_name.exit_code, 0) << by_name.stderr_text;
  // Without the CA, curl refuses the node (60: the peer's certificate cannot be verified).
  auto untrusted = curl({base + "/health"});
  EXPECT_EQ(untrusted.exit_code, 60) << untrusted.stderr_text;
  // Plain HTTP to the TLS port gets no HTTP answer, and the node serves on.
  auto plain = curl({"http://127.0.0.1:" + std::to_string(port_) + "/health"});
  EXPECT_NE(plain.exit_code, 0);
  EXPECT_EQ(curl({"--cacert", certs.ca_file(), base + "/health"}).exit_code, 0);
  EXPECT_NE(node_->log().find("\"tls\":true"), std::string::npos) << node_->log();
  ASSERT_EQ(node_->stop(SIGTERM), 0);
  node_.reset();

  const auto junk = dir_ / "junk.pem";
  std::ofstream(junk) << "junk\n";
  struct Case {
    std::vector<std::string> flags;
    int exit_code;
    std::vector<std::string> says;
  };
  const Case cases[] = {
      {{"--http-address", "0.0.0.0"},
       2,
       {"http.address 0.0.0.0 is not a loopback address", "http.behind_tls_proxy"}},
      {{"--http-address", "::"}, 2, {"http.address :: is not a loopback address"}},
      {{"--tls-certificate", good}, 2, {"http.tls_certificate is set without http.tls_key"}},
      {{"--tls-key", certs.key()}, 2, {"http.tls_key is set without http.tls_certificate"}},
      {{"--behind-tls-proxy", "yes"}, 2, {"'yes' is not true or false"}},
      {{"--tls-certificate", junk.string(), "--tls-key", certs.key()},
       3,
       {"the TLS certificate " + junk.string(), "http.tls_certificate"}},
      {{"--tls-certificate", good, "--tls-key", (certs.dir() / "ca.key").string()},
       3,
       {"is not the key of the certificate", "http.tls_key"}},
  };
  for (const Case& c : cases) {
    auto r = refused_run(good_args(c.flags));
    EXPECT_EQ(r.exit_code, c.exit_code) << c.flags[0] << ": " << r.stderr_text;
    for (const auto& say : c.says) {
      EXPECT_NE(r.stderr_text.find(say), std::string::npos) << say << " in " << r.stderr_text;
    }
  }
  // Behind a TLS proxy the operator says so, and plain HTTP on every address is served: here
  // behind nginx running docs/examples/nginx-pactumd.conf, the configuration the docs give.
  start(good_args({"--http-address", "0.0.0.0", "--behind-tls-proxy", "true"}));
  auto direct = curl({"http://127.0.0.1:" + std::to_string(port_) + "/health"});
  EXPECT_EQ(direct.exit_code, 0) << direct.stderr_text;
  ASSERT_TRUE(std::filesystem::exists("/usr/sbin/nginx")) << "nginx missing: make deps installs it";
  std::string conf = read_file(pactum::testing::source_path("docs/examples/nginx-pactumd.conf"));
  const int proxy_port = pactum::testing::unused_loopback_port();
  const std::string prefix = (dir_ / "nginx").string();
  std::filesystem::create_directories(dir_ / "nginx" / "tmp");
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"@PREFIX@", prefix},
           {"@LISTEN@", "127.0.0.1:" + std::to_string(proxy_port)},
           {"@CERTIFICATE@", good},
           {"@KEY@", certs.key()},
           {"@PACTUMD@", "127.0.0.1:" + std::to_string(port_)}}) {
    for (auto at = conf.find(from); at != std::string::npos; at = conf.find(from)) {
      conf.replace(at, from.size(), to);
    }
  }
  ASSERT_FALSE(std::regex_search(conf, std::regex("@[A-Z_]+@"))) << "a placeholder left: " << conf;
  std::ofstream(dir_ / "nginx" / "nginx.conf") << conf;
  const std::vector<std::string> nginx = {
      "/usr/sbin/nginx", "-p", prefix, "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log"};
  auto started = pactum::testing::run_command(nginx, {}, std::chrono::seconds(30));
  ASSERT_TRUE(started.ok() && started->exit_code == 0)
      << (started.ok() ? started->stderr_text : started.error().to_string());
  auto proxied = curl(
      {"--cacert", certs.ca_file(), "https://localhost:" + std::to_string(proxy_port) + "/health"});
  auto stop_args = nginx;
  stop_args.insert(stop_args.end(), {"-s", "stop"});
  (void)pactum::testing::run_command(stop_args, {}, std::chrono::seconds(30));
  ASSERT_EQ(proxied.exit_code, 0) << proxied.stderr_text;
  auto proxied_doc = Json::parse(proxied.stdout_text, nullptr, false);
  EXPECT_TRUE(proxied_doc.is_object()) << proxied.stdout_text;
}

// log.file: the node's log goes to a file it rotates by size (at most log.keep old files) and
// reopens on SIGHUP, for an outside logrotate; nothing but the start goes to standard error.
TEST_F(PactumdTest, LogsToAFileItRotatesBySizeAndReopensOnSighup) {
  const auto logs = dir_ / "logs";
  std::filesystem::create_directories(logs);
  const auto log_file = logs / "node.log";
  node_ = std::make_unique<Pactumd>(
      good_args({"--log-file", log_file.string(), "--log-max-size", "64KiB", "--log-keep", "2"}),
      env(), dir_ / "pactumd.log");
  auto port = node_->wait_started(std::chrono::seconds(60), log_file);
  ASSERT_TRUE(port.has_value()) << node_->log();
  EXPECT_EQ(std::filesystem::status(log_file).permissions(), std::filesystem::perms(0600));

  // Each answered request is one access line of ~250 bytes: 1,000 of them rotate twice or more.
  {
    TestClient c(*port);
    for (int i = 0; i < 1000; ++i) {
      auto r = c.get("/health");
      ASSERT_TRUE(r.has_value());
      ASSERT_EQ(r->result_int(), 200);
    }
  }
  auto path_n = [&](int n) { return logs / ("node.log." + std::to_string(n)); };
  ASSERT_TRUE(std::filesystem::exists(path_n(1)));
  ASSERT_TRUE(std::filesystem::exists(path_n(2)));
  EXPECT_FALSE(std::filesystem::exists(path_n(3)));
  std::size_t access_lines = 0;
  for (const auto& f : {log_file, path_n(1), path_n(2)}) {
    EXPECT_LE(std::filesystem::file_size(f), 64u * 1024u) << f;
    std::istringstream lines(read_file(f));
    for (std::string line; std::getline(lines, line);) {
      auto j = Json::parse(line, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << line;  // whole JSON lines, none cut by a rotation
      access_lines += j.value("msg", "") == "http request" ? 1 : 0;
    }
  }
  EXPECT_GT(access_lines, 400u);
  EXPECT_EQ(node_->log().find("http request"), std::string::npos) << "stderr: " << node_->log();

  // logrotate moves the file away and sends SIGHUP: the node writes to a new file at the path.
  const auto moved = logs / "node.log.moved";
  std::filesystem::rename(log_file, moved);
  ASSERT_EQ(::kill(node_->pid(), SIGHUP), 0);
  const auto end = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < end && read_file(log_file).find("log file reopened") == std::string::npos) {
    ::usleep(20'000);
  }
  ASSERT_NE(read_file(log_file).find("log file reopened"), std::string::npos);
  EXPECT_FALSE(node_->exited());
  {
    TestClient c(*port);
    auto r = c.get("/health");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 200);
  }
  EXPECT_EQ(node_->stop(SIGTERM), 0);
  EXPECT_NE(read_file(log_file).find("pactumd stopped"), std::string::npos);
  EXPECT_EQ(read_file(moved).find("pactumd stopped"), std::string::npos);
}

TEST_F(PactumdTest, AnotherKeyForTheSameStoreIsRefused) {
  start();
  Json up = upload(random_bytes(5000, 5));
  ASSERT_EQ(node_->stop(SIGTERM), 0);
  const auto other = dir_ / "other.key";
  ASSERT_TRUE(load_or_create_master_key(other, true).ok());
  auto r = refused_run(good_args({"--master-key-file", other.string()}));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.stderr_text.find("is not the key the store"), std::string::npos) << r.stderr_text;
}

// run_pactumd in-process, for everything that returns without serving.
struct Run {
  int code;
  std::string out;
  std::string err;
};

Run run_in_process(std::vector<std::string> flags, const Environment& e) {
  flags.insert(flags.begin(), "pactumd");
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  int code = run_pactumd(flags, e, out, err);
  auto slurp = [](std::FILE* f) {
    std::string s;
    std::rewind(f);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    std::fclose(f);
    return s;
  };
  return {code, slurp(out), slurp(err)};
}

TEST(RunPactumd, ExitCodesWithoutServing) {
  const Environment e = {{"PACTUM_HOME", "/nonexistent-pactum-home"}};
  auto version = run_in_process({"--version"}, e);
  EXPECT_EQ(version.code, kExitOk);
  EXPECT_EQ(version.out.rfind("pactumd ", 0), 0u);
  auto help = run_in_process({"--help"}, e);
  EXPECT_EQ(help.code, kExitOk);
  EXPECT_NE(help.out.find("--dev-account"), std::string::npos);
  auto print = run_in_process({"--print-config"}, e);
  EXPECT_EQ(print.code, kExitOk);
  EXPECT_EQ(nlohmann::json::parse(print.out)["http"]["port"], 8030);
  auto bad = run_in_process({"--http-port", "x"}, e);
  EXPECT_EQ(bad.code, kExitBadConfig);
  EXPECT_NE(bad.err.find("flag --http-port: 'x' is not a port"), std::string::npos) << bad.err;
  auto keyless = run_in_process({}, e);
  EXPECT_EQ(keyless.code, kExitBadConfig);
  EXPECT_NE(keyless.err.find("the node has no key"), std::string::npos) << keyless.err;
  auto dev_elsewhere = run_in_process({"--dev-account", "1", "--chain-id", "5"}, e);
  EXPECT_EQ(dev_elsewhere.code, kExitBadConfig);
  EXPECT_NE(dev_elsewhere.err.find("not on chain 5"), std::string::npos) << dev_elsewhere.err;
}

TEST(MasterKeyFile, CreatedPrivateReadBackAndRefusedWhenExposedOrDamaged) {
  char tmpl[] = "/tmp/pactum-master-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir = tmpl;
  const auto path = dir / "sub" / "master.key";
  auto missing = load_or_create_master_key(path, false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(path));
  auto created = load_or_create_master_key(path, true);
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto again = load_or_create_master_key(path, true);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->key_id(), created->key_id());  // read back, not replaced
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "sub"),
                          std::filesystem::directory_iterator()),
            1);  // no temporary file left
  for (auto mode : {0640, 0604, 0660, 0700}) {
    ASSERT_EQ(::chmod(path.c_str(), static_cast<mode_t>(mode)), 0);
    auto exposed = load_or_create_master_key(path, true);
    if (mode == 0700) {
      EXPECT_TRUE(exposed.ok()) << mode;  // the owner's execute bit exposes nothing
      continue;
    }
    ASSERT_FALSE(exposed.ok()) << mode;
    EXPECT_EQ(exposed.error().code(), ErrorCode::kPermissionDenied);
  }
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  ASSERT_EQ(::truncate(path.c_str(), 31), 0);
  auto damaged = load_or_create_master_key(path, true);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.error().code(), ErrorCode::kDataLoss);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace pactum::node
