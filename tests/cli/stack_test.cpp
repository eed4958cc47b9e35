// `pactum up` / `pactum down` with the real executable, real anvil and (when built) the real
// pactumd. Each test has its own PACTUM_HOME and asks for free ports, so tests never collide;
// every wait is on an event (a file appearing, a process exiting) with a deadline.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>

#include "cli_test_util.hpp"
#include "pactum/cli/exit_codes.hpp"
#include "pactum/rpc/json_rpc.hpp"

extern char** environ;

namespace pactum::cli::testing {
namespace {

using pactum::testing::AnvilProcess;

bool pactumd_built() {
  return std::filesystem::exists(std::filesystem::path(PACTUM_CLI_BIN).parent_path() / ".." /
                                 "pactumd" / "pactumd");
}

std::vector<int> pids_of(const nlohmann::json& up) {
  std::vector<int> pids = {up["chain"]["pid"].get<int>()};
  if (!up["node"].is_null()) pids.push_back(up["node"]["pid"].get<int>());
  return pids;
}

Result<std::string> rpc_call(const std::string& url, const std::string& method,
                             const std::string& params = "[]") {
  PACTUM_TRY(auto client, rpc::RpcClient::connect_http(url));
  return client->call(method, params);
}

// Waits for a process that is not our child to be gone, on a pidfd, with a deadline.
bool gone_within(int pid, std::chrono::seconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (process_alive(pid)) {
    if (std::chrono::steady_clock::now() > end) return false;
    ::usleep(10'000);  // the process is not ours to wait on; look again shortly
  }
  return true;
}

class StackTest : public ::testing::Test {
 protected:
  void TearDown() override {
    // Never leave a stack behind, whatever failed.
    (void)run_pactum({"--home", home(), "down", "--timeout", "2"});
  }
  std::string home() const { return (dir_.path() / "home").string(); }
  std::vector<std::string> up_args() const {
    return {"--home", home(), "--json", "up", "--detach", "--chain-port", "0", "--node-port", "0"};
  }
  TempDir dir_;
};

TEST_F(StackTest, UpDetachedPrintsEndpointsAndDownStopsEverything) {
  auto up = run_pactum(up_args());
  ASSERT_EQ(up.exit_code, 0) << up.stdout_text << up.stderr_text;
  const auto doc = nlohmann::json::parse(up.stdout_text);
  EXPECT_EQ(doc["detached"], true);
  EXPECT_EQ(doc["chain"]["chain_id"], 31337);
  const std::string rpc_url = doc["chain"]["rpc_url"];
  auto chain_id = rpc_call(rpc_url, "eth_chainId");
  ASSERT_TRUE(chain_id.ok()) << chain_id.error().to_string();
  EXPECT_EQ(*chain_id, "\"0x7a69\"");
  if (pactumd_built()) {
    ASSERT_FALSE(doc["node"].is_null()) << up.stdout_text;
    EXPECT_TRUE(process_alive(doc["node"]["pid"].get<int>()));
  }
  // The contracts were deployed (by `pactum deploy`'s hook) and recorded.
  ASSERT_FALSE(doc["contracts"].is_null()) << up.stdout_text;
  EXPECT_TRUE(std::filesystem::exists(home() + "/deployments/31337.json"));
  // The funded dev accounts, with their roles and balances.
  ASSERT_EQ(doc["accounts"].size(), 10u);
  EXPECT_EQ(doc["accounts"][2]["role"], "consumer");
  EXPECT_EQ(doc["accounts"][2]["address"], AnvilProcess::dev_addresses()[2]);
  EXPECT_FALSE(doc["accounts"][9]["balance_wei"].is_null());
  // pid files and logs where the docs say.
  EXPECT_TRUE(std::filesystem::exists(home() + "/run/anvil.pid"));
  EXPECT_TRUE(std::filesystem::exists(home() + "/logs/anvil.log"));

  // Other commands find the running stack's chain without --rpc.
  auto accounts = run_pactum({"--home", home(), "--json", "accounts"});
  ASSERT_EQ(accounts.exit_code, 0) << accounts.stderr_text;
  const auto listed = nlohmann::json::parse(accounts.stdout_text);
  EXPECT_EQ(listed["rpc_url"], rpc_url);
  EXPECT_EQ(listed["chain_reachable"], true);
  EXPECT_EQ(listed["accounts"][1]["address"], AnvilProcess::dev_addresses()[1]);

  auto down = run_pactum({"--home", home(), "--json", "down"});
  ASSERT_EQ(down.exit_code, 0) << down.stdout_text << down.stderr_text;
  EXPECT_EQ(nlohmann::json::parse(down.stdout_text)["was_running"], true);
  for (int pid : pids_of(doc)) EXPECT_TRUE(gone_within(pid, std::chrono::seconds(5))) << pid;
  EXPECT_FALSE(std::filesystem::exists(home() + "/run/stack.json"));
  EXPECT_FALSE(std::filesystem::exists(home() + "/run/anvil.pid"));
}

TEST_F(StackTest, SecondUpIsRefusedAndDownIsIdempotent) {
  // Nothing running: a clean message and success.
  auto down = run_pactum({"--home", home(), "down"});
  EXPECT_EQ(down.exit_code, 0) << down.stderr_text;
  EXPECT_NE(down.stdout_text.find("nothing to stop"), std::string::npos) << down.stdout_text;

  auto first = run_pactum(up_args());
  ASSERT_EQ(first.exit_code, 0) << first.stdout_text << first.stderr_text;
  auto second = run_pactum(up_args());
  EXPECT_EQ(second.exit_code, exit_code_for(ErrorCode::kFailedPrecondition));
  const auto err = nlohmann::json::parse(second.stdout_text);
  EXPECT_EQ(err["error"]["code"], "failed_precondition");
  EXPECT_NE(err["error"]["message"].get<std::string>().find("pactum down"), std::string::npos);
  // The refusal left the first stack alone.
  const auto doc = nlohmann::json::parse(first.stdout_text);
  EXPECT_TRUE(process_alive(doc["chain"]["pid"].get<int>()));

  down = run_pactum({"--home", home(), "--json", "down"});
  EXPECT_EQ(down.exit_code, 0);
  down = run_pactum({"--home", home(), "--json", "down"});
  EXPECT_EQ(down.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(down.stdout_text)["was_running"], false);
}

// PACTUM_HOME (not --home) places the state; a restarted chain keeps its blocks.
TEST_F(StackTest, ChainStateSurvivesDownAndUp) {
  const std::vector<std::string> env = {"PACTUM_HOME=" + home()};
  const std::vector<std::string> args = {"--json",    "up",           "--detach",
                                         "--no-node", "--chain-port", "0"};
  auto up = run_pactum(args, env);
  ASSERT_EQ(up.exit_code, 0) << up.stdout_text << up.stderr_text;
  std::string rpc_url = nlohmann::json::parse(up.stdout_text)["chain"]["rpc_url"];
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(rpc_call(rpc_url, "evm_mine").ok());
  auto before = rpc_call(rpc_url, "eth_blockNumber");
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(run_pactum({"down"}, env).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(home() + "/chain/state.json"));

  up = run_pactum(args, env);
  ASSERT_EQ(up.exit_code, 0) << up.stdout_text << up.stderr_text;
  rpc_url = nlohmann::json::parse(up.stdout_text)["chain"]["rpc_url"];
  auto after = rpc_call(rpc_url, "eth_blockNumber");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);
  ASSERT_EQ(run_pactum({"down"}, env).exit_code, 0);

  // --fresh starts over.
  up = run_pactum({"--json", "up", "--detach", "--no-node", "--chain-port", "0", "--fresh"}, env);
  ASSERT_EQ(up.exit_code, 0) << up.stderr_text;
  rpc_url = nlohmann::json::parse(up.stdout_text)["chain"]["rpc_url"];
  auto fresh = rpc_call(rpc_url, "eth_blockNumber");
  ASSERT_TRUE(fresh.ok());
  // Only the deployment's blocks, not the three mined above.
  const auto number = [](const std::string& quoted) {
    return std::stoull(quoted.substr(1, quoted.size() - 2), nullptr, 16);
  };
  EXPECT_EQ(number(*fresh) + 3, number(*before));
}

TEST_F(StackTest, MissingAnvilIsNotFound) {
  auto up = run_pactum(up_args(), {"PACTUM_ANVIL=/nonexistent/anvil"});
  EXPECT_EQ(up.exit_code, exit_code_for(ErrorCode::kNotFound)) << up.stdout_text;
  EXPECT_EQ(nlohmann::json::parse(up.stdout_text)["error"]["code"], "not_found");
  EXPECT_FALSE(std::filesystem::exists(home() + "/run/stack.json"));
}

// A child `pactum up` in the foreground, its stdout in a file.
class ForegroundUp {
 public:
  ForegroundUp(const std::string& home, const std::filesystem::path& out) {
    const std::vector<std::string> argv = {PACTUM_CLI_BIN, "--home",    home,           "--json",
                                           "up",           "--no-node", "--chain-port", "0"};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ForegroundUp() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  [[nodiscard]] pid_t pid() const { return pid_; }
  // The exit status, when it exits within `deadline`.
  std::optional<int> wait(std::chrono::seconds deadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      ::usleep(10'000);
    }
    return std::nullopt;
  }

 private:
  pid_t pid_ = -1;
};

// The stack is up once `up` has written its record (after the chain answered).
std::optional<nlohmann::json> wait_for_record(const std::string& home,
                                              std::chrono::seconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  const std::string path = home + "/run/stack.json";
  while (std::chrono::steady_clock::now() < end) {
    std::ifstream in(path);
    if (in) {
      auto doc = nlohmann::json::parse(in, nullptr, false);
      if (!doc.is_discarded()) return doc;
    }
    ::usleep(10'000);
  }
  return std::nullopt;
}

TEST_F(StackTest, ForegroundStopsCleanlyOnSigint) {
  ForegroundUp up(home(), dir_.path() / "up.json");
  auto record = wait_for_record(home(), std::chrono::seconds(60));
  ASSERT_TRUE(record) << "up did not come up";
  const int anvil = (*record)["services"][0]["pid"];
  EXPECT_TRUE(process_alive(anvil));
  EXPECT_EQ((*record)["supervisor"]["pid"], up.pid());
  ::kill(up.pid(), SIGINT);
  auto status = up.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, 0);
  EXPECT_TRUE(gone_within(anvil, std::chrono::seconds(5)));
  EXPECT_FALSE(std::filesystem::exists(home() + "/run/stack.json"));
  // Its one JSON document describes the stack it ran.
  std::ifstream out(dir_.path() / "up.json");
  const auto doc = nlohmann::json::parse(out);
  EXPECT_EQ(doc["chain"]["pid"], anvil);
  EXPECT_EQ(doc["detached"], false);
}

TEST_F(StackTest, DownStopsAForegroundStack) {
  ForegroundUp up(home(), dir_.path() / "up.json");
  auto record = wait_for_record(home(), std::chrono::seconds(60));
  ASSERT_TRUE(record);
  const int anvil = (*record)["services"][0]["pid"];
  auto down = run_pactum({"--home", home(), "--json", "down"});
  ASSERT_EQ(down.exit_code, 0) << down.stdout_text;
  auto status = up.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, 0);
  EXPECT_TRUE(gone_within(anvil, std::chrono::seconds(5)));
}

// The record once it names an anvil other than `old_pid` (a foreground `up` restarted it).
std::optional<nlohmann::json> wait_for_new_anvil(const std::string& home, int old_pid,
                                                 std::chrono::seconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    auto record = wait_for_record(home, std::chrono::seconds(1));
    if (record && (*record)["services"][0]["name"] == "anvil" &&
        (*record)["services"][0]["pid"] != old_pid) {
      return record;
    }
    ::usleep(20'000);
  }
  return std::nullopt;
}

std::uint64_t block_number(const std::string& rpc_url) {
  auto answer = rpc_call(rpc_url, "eth_blockNumber");
  EXPECT_TRUE(answer.ok()) << answer.error().to_string();
  if (!answer.ok()) return 0;
  return std::stoull(nlohmann::json::parse(*answer).get<std::string>(), nullptr, 16);
}

// Found by an attacker's soak: after pactumd (or anvil) died, `up` refused ("already running")
// until `down` stopped the survivor too. Now `up` starts the dead one again on its old port and
// keeps the one that runs.
TEST_F(StackTest, UpAgainRestartsWhicheverServiceDied) {
  if (!pactumd_built()) GTEST_SKIP() << "pactumd is not built";
  auto first = run_pactum(up_args());
  ASSERT_EQ(first.exit_code, 0) << first.stdout_text << first.stderr_text;
  const auto one = nlohmann::json::parse(first.stdout_text);
  EXPECT_EQ(one["restarted"], nlohmann::json::array());
  const std::string rpc_url = one["chain"]["rpc_url"];
  const std::string node_url = one["node"]["url"];
  const int chain_pid = one["chain"]["pid"];
  const int node_pid = one["node"]["pid"];
  // The node writes its own log; what it prints on stderr goes beside it.
  EXPECT_EQ(one["node"]["log"], home() + "/logs/pactumd.log");
  EXPECT_GT(std::filesystem::file_size(home() + "/logs/pactumd.log"), 0u);
  EXPECT_TRUE(std::filesystem::exists(home() + "/logs/pactumd.out"));

  ::kill(node_pid, SIGKILL);
  ASSERT_TRUE(gone_within(node_pid, std::chrono::seconds(5)));
  auto second = run_pactum(up_args());
  ASSERT_EQ(second.exit_code, 0) << second.stdout_text << second.stderr_text;
  const auto two = nlohmann::json::parse(second.stdout_text);
  EXPECT_EQ(two["restarted"], nlohmann::json::array({"pactumd"}));
  EXPECT_EQ(two["chain"]["pid"], chain_pid);
  EXPECT_EQ(two["chain"]["rpc_url"], rpc_url);
  EXPECT_EQ(two["node"]["url"], node_url);  // its old port, though --node-port 0 was asked
  const int new_node_pid = two["node"]["pid"];
  EXPECT_NE(new_node_pid, node_pid);
  EXPECT_TRUE(process_alive(new_node_pid));
  EXPECT_EQ(two["contracts"], one["contracts"]);

  // A block the state file holds (anvil dumps every second), then anvil dies.
  ASSERT_TRUE(rpc_call(rpc_url, "evm_mine").ok());
  const auto mined = block_number(rpc_url);
  ::usleep(2'500'000);  // two dumps: the state file holds the block
  ::kill(chain_pid, SIGKILL);
  ASSERT_TRUE(gone_within(chain_pid, std::chrono::seconds(5)));
  auto third = run_pactum(up_args());
  ASSERT_EQ(third.exit_code, 0) << third.stdout_text << third.stderr_text;
  const auto three = nlohmann::json::parse(third.stdout_text);
  EXPECT_EQ(three["restarted"], nlohmann::json::array({"anvil"}));
  EXPECT_EQ(three["chain"]["rpc_url"], rpc_url);
  EXPECT_NE(three["chain"]["pid"], chain_pid);
  EXPECT_EQ(three["node"]["pid"], new_node_pid);  // the node kept running
  EXPECT_GE(block_number(rpc_url), mined);
  EXPECT_EQ(three["contracts"], one["contracts"]);

  // Nothing dead: refused as before; and --fresh over a half-running stack is refused.
  auto fourth = run_pactum(up_args());
  EXPECT_EQ(fourth.exit_code, exit_code_for(ErrorCode::kFailedPrecondition)) << fourth.stdout_text;
  ::kill(new_node_pid, SIGKILL);
  ASSERT_TRUE(gone_within(new_node_pid, std::chrono::seconds(5)));
  auto args = up_args();
  args.push_back("--fresh");
  auto fresh = run_pactum(args);
  EXPECT_EQ(fresh.exit_code, exit_code_for(ErrorCode::kFailedPrecondition)) << fresh.stdout_text;
  EXPECT_NE(fresh.stdout_text.find("pactum down"), std::string::npos) << fresh.stdout_text;
  EXPECT_TRUE(process_alive(three["chain"]["pid"].get<int>()));
}

// In the foreground `up` is the supervisor: it restarts a service that dies, on its port, and
// gives up (stopping the stack, exit 10) when one dies more than 3 times within a minute.
TEST_F(StackTest, ForegroundUpRestartsADeadServiceAndGivesUpOnOneThatKeepsDying) {
  ForegroundUp up(home(), dir_.path() / "up.json");
  auto record = wait_for_record(home(), std::chrono::seconds(60));
  ASSERT_TRUE(record) << "up did not come up";
  const std::string rpc_url = (*record)["rpc_url"];
  int anvil = (*record)["services"][0]["pid"];
  for (int death = 1; death <= 3; ++death) {
    ::kill(anvil, SIGKILL);
    auto restarted = wait_for_new_anvil(home(), anvil, std::chrono::seconds(60));
    ASSERT_TRUE(restarted) << "anvil was not restarted after death " << death;
    EXPECT_EQ((*restarted)["rpc_url"], rpc_url);
    EXPECT_EQ((*restarted)["supervisor"]["pid"], up.pid());
    anvil = (*restarted)["services"][0]["pid"];
    EXPECT_TRUE(process_alive(anvil));
    EXPECT_TRUE(rpc_call(rpc_url, "eth_chainId").ok());  // it answers on the old port
  }
  ::kill(anvil, SIGKILL);  // the 4th death within a minute
  auto status = up.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, exit_code_for(ErrorCode::kUnavailable));
  EXPECT_FALSE(std::filesystem::exists(home() + "/run/stack.json"));
}

// A pid file left by a process that is gone (here: a record naming a pid with another start
// time) is stale: `down` does not signal it and `up` is not refused.
TEST_F(StackTest, StaleRecordIsIgnored) {
  std::filesystem::create_directories(home() + "/run");
  std::ofstream(home() + "/run/stack.json")
      << R"({"rpc_url":"http://127.0.0.1:1","chain_id":31337,"detached":true,"services":[)"
      << R"({"name":"anvil","pid":)" << ::getpid() << R"(,"start_time":1,"log":""}]})";
  auto down = run_pactum({"--home", home(), "--json", "down"});
  EXPECT_EQ(down.exit_code, 0) << down.stdout_text;
  EXPECT_EQ(nlohmann::json::parse(down.stdout_text)["was_running"], false);
  EXPECT_TRUE(process_alive(::getpid()));
}

}  // namespace
}  // namespace pactum::cli::testing
