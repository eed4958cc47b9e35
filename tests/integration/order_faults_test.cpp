// Issue 18, "an ambiguous send can pay twice" and "a lost receipt loses the consumer's agreement",
// through the real binaries: `pactum up --detach` in a temporary home, a publisher's token-priced
// asset, and the consumer's `pactum order` talking to the chain through a fault-injecting proxy
// (tests/support/net/rpc_fault_proxy.hpp; pactumd talks to anvil directly).
//
// Acceptance: an order cut after the approve was sent, after the lock was sent, while polling
// for its receipt — the connection back at once, for a token and an ether order — pays exactly
// once (one approve, one lock, exact token and ether balances, every transaction listed in
// --json) and ends with an agreement that downloads; an order whose receipt is lost for good (the
// chain unreachable after the lock was sent) exits with the pending agreement named, `pactum
// recover` finds it, and it downloads; an order killed (SIGKILL) while waiting for its receipt is
// recovered the same way; ordering again finds the agreement instead of paying twice.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "cli_test_util.hpp"
#include "pactum/contracts/deployment.hpp"
#include "pactum/contracts/pactum_dev_token.hpp"
#include "pactum/rpc/eth_api.hpp"
#include "pactum/rpc/json_rpc.hpp"
#include "support/net/rpc_fault_proxy.hpp"

extern char** environ;

namespace pactum::cli::testing {
namespace {

using Json = nlohmann::json;
using eth::U256;
using pactum::testing::RpcCall;
using pactum::testing::RpcFault;
using pactum::testing::RpcFaultProxy;

const U256 kOneToken = U256(1'000'000'000'000'000'000ULL);

eth::Address dev(int index) {
  return eth::Address::parse(
             pactum::testing::AnvilProcess::dev_addresses().at(static_cast<std::size_t>(index)))
      .value();
}

class OrderFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Json up = pactum({"up", "--detach", "--chain-port", "0", "--node-port", "0"});
    started_ = true;
    ASSERT_TRUE(up.contains("node") && !up["node"].is_null()) << up.dump();
    rpc_url_ = up["chain"]["rpc_url"];
    token_ =
        eth::Address::parse(up["contracts"]["dev_token"]["address"].get<std::string>()).value();
    rpc_ = rpc::RpcClient::connect_http(rpc_url_).value();
    api_ = std::make_unique<rpc::EthApi>(*rpc_);
    proxy_ = std::make_unique<RpcFaultProxy>(rpc_url_);
    engine_ = contracts::read_deployment(
                  contracts::deployment_path(std::filesystem::path(home()) / "deployments", 31337))
                  .value()
                  .agreement_engine()
                  .address();
  }
  void TearDown() override {
    proxy_.reset();
    if (started_) (void)pactum({"down", "--timeout", "5"});
  }

  std::string home() const { return (dir_.path() / "home").string(); }

  // `pactum --home <home> --json args…` (exit status checked); its one JSON document.
  Json pactum(std::vector<std::string> args, int expected_exit = 0) {
    args.insert(args.begin(), {"--home", home(), "--json"});
    auto r = run_pactum(args);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    EXPECT_EQ(r.exit_code, expected_exit)
        << shown << "\nstdout: " << r.stdout_text << "\nstderr: " << r.stderr_text;
    Json doc = Json::parse(r.stdout_text, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << shown << ": not one JSON document: " << r.stdout_text;
    return doc.is_discarded() ? Json::object() : doc;
  }

  // The same as the consumer, its chain calls through the proxy.
  Json consumer(std::vector<std::string> args, int expected_exit = 0) {
    args.insert(args.begin(), {"--as", "consumer", "--rpc", proxy_->url()});
    return pactum(std::move(args), expected_exit);
  }

  // A file of `size` random bytes published at 5 PDEV + a 1 PDEV fee (or 5 + 1 ether when
  // `in_ether`); its DID.
  std::string publish(const std::string& name, std::size_t size, std::string& bytes,
                      bool in_ether = false) {
    bytes.assign(size, '\0');
    std::mt19937_64 rng(size);
    for (auto& c : bytes) c = static_cast<char>(rng());
    const auto path = dir_.path() / name;
    std::ofstream(path, std::ios::binary) << bytes;
    std::vector<std::string> args = {
        "--as",    "publisher", "publish", path.string(),
        "--price", "5eth",      "--fee",   dev(3).to_checksum_string() + ":1eth"};
    if (!in_ether) args.insert(args.end(), {"--token", token_.to_checksum_string()});
    Json published = pactum(args);
    EXPECT_TRUE(published.contains("did")) << published.dump();
    return published.value("did", "");
  }

  U256 ether(const eth::Address& who) { return api_->get_balance(who).value(); }
  U256 tokens(const eth::Address& who) {
    rpc::CallRequest call;
    call.to = token_;
    call.data = contracts::PactumDevToken::encode_balanceOf(who).value();
    return contracts::PactumDevToken::decode_balanceOf_result(api_->call(call).value()).value();
  }
  std::uint64_t nonce(const eth::Address& who) {
    return api_->get_transaction_count(who, rpc::BlockId::latest()).value();
  }

  // The gas the listed transactions cost, from the chain's receipts (each must be mined).
  U256 gas_of(const Json& transactions) {
    U256 gas;
    for (const auto& t : transactions) {
      auto r =
          api_->get_transaction_receipt(fixed_from_hex<32>(t["hash"].get<std::string>()).value());
      EXPECT_TRUE(r.ok() && r->has_value()) << t.dump();
      if (r.ok() && r->has_value()) gas = gas + U256((*r)->gas_used) * (*r)->effective_gas_price;
    }
    return gas;
  }

  // The agreement downloads, byte for byte.
  void expect_downloads(const std::string& agreement, const std::string& bytes) {
    const auto out = dir_.path() / ("copy-" + agreement.substr(2, 8));
    Json got = consumer({"download", agreement, "-o", out.string()});
    EXPECT_EQ(got["verified"], true) << got.dump();
    std::ifstream in(out, std::ios::binary);
    EXPECT_TRUE(std::string((std::istreambuf_iterator<char>(in)), {}) == bytes);
  }

  // One token order cut as `policy` says, connection back at once: it succeeds and pays once.
  void expect_order_pays_once(const std::string& label, pactum::testing::RpcFaultPolicy policy) {
    SCOPED_TRACE(label);
    std::string bytes;
    const std::string did = publish(label + ".bin", 50'000, bytes);
    const eth::Address me = dev(2);
    const U256 ether_before = ether(me), tokens_before = tokens(me);
    const U256 publisher_before = tokens(dev(1)), market_before = tokens(dev(3));
    const std::uint64_t nonce_before = nonce(me);
    proxy_->set_policy(std::move(policy));
    // The allowance was used up by the previous order: approve, then lock.
    Json ordered = consumer({"order", did});
    proxy_->set_policy(nullptr);
    ASSERT_TRUE(ordered.contains("agreement_id")) << ordered.dump();
    EXPECT_EQ(ordered["reused"], false);
    ASSERT_EQ(ordered["transactions"].size(), 2u) << ordered.dump();
    EXPECT_EQ(ordered["transactions"][0]["what"], "ERC20.approve");
    EXPECT_EQ(nonce(me), nonce_before + 2) << "one approve and one lock were mined";
    EXPECT_EQ(ether(me), ether_before - gas_of(ordered["transactions"]));
    EXPECT_EQ(tokens(me), tokens_before - U256(6) * kOneToken);
    expect_downloads(ordered["agreement_id"], bytes);
    EXPECT_EQ(tokens(dev(1)), publisher_before + U256(5) * kOneToken);
    EXPECT_EQ(tokens(dev(3)), market_before + kOneToken);
    EXPECT_EQ(tokens(engine_), U256());
  }

  // One ether order cut as `policy` says, connection back at once: one lock, listed with its
  // fee; the consumer pays 6 ether and that gas once; publisher and marketplace are paid once
  // the agreement downloads.
  void expect_ether_order_pays_once(const std::string& label,
                                    pactum::testing::RpcFaultPolicy policy) {
    SCOPED_TRACE(label);
    std::string bytes;
    const std::string did = publish(label + ".bin", 40'000, bytes, /*in_ether=*/true);
    const eth::Address me = dev(2);
    const U256 before = ether(me), publisher_before = ether(dev(1)), market_before = ether(dev(3));
    const std::uint64_t nonce_before = nonce(me);
    proxy_->set_policy(std::move(policy));
    Json ordered = consumer({"order", did});
    proxy_->set_policy(nullptr);
    ASSERT_TRUE(ordered.contains("agreement_id")) << ordered.dump();
    EXPECT_EQ(ordered["reused"], false);
    ASSERT_EQ(ordered["transactions"].size(), 1u) << ordered.dump();
    EXPECT_EQ(ordered["transactions"][0]["what"], "AgreementEngine.createAgreementAndLock");
    EXPECT_EQ(ordered["transactions"][0]["mined"], true);
    EXPECT_EQ(nonce(me), nonce_before + 1) << "one lock was mined";
    EXPECT_EQ(ether(me), before - U256(6) * kOneToken - gas_of(ordered["transactions"]));
    EXPECT_EQ(ether(engine_), U256(6) * kOneToken);
    expect_downloads(ordered["agreement_id"], bytes);
    EXPECT_EQ(ether(engine_), U256());
    EXPECT_EQ(ether(dev(1)), publisher_before + U256(5) * kOneToken);
    EXPECT_EQ(ether(dev(3)), market_before + kOneToken);
  }

  TempDir dir_;
  bool started_ = false;
  std::string rpc_url_;
  eth::Address token_;
  eth::Address engine_;
  std::unique_ptr<rpc::RpcClient> rpc_;
  std::unique_ptr<rpc::EthApi> api_;
  std::unique_ptr<RpcFaultProxy> proxy_;
};

// The nth eth_sendRawTransaction from now on (the order's approve is the first, its lock the
// second) loses its answer; the transport's own resend of it goes through.
pactum::testing::RpcFaultPolicy lose_answer_of_send(int nth) {
  auto sends = std::make_shared<std::atomic<int>>(0);
  return [nth, sends](const RpcCall& call) {
    return call.method == "eth_sendRawTransaction" && ++*sends == nth ? RpcFault::kDropAnswer
                                                                      : RpcFault::kForward;
  };
}

TEST_F(OrderFaultsTest, AnOrderCutAtEachPointPaysExactlyOnce) {
  expect_order_pays_once("after-approve", lose_answer_of_send(1));
  expect_order_pays_once("after-lock", lose_answer_of_send(2));
  auto sends = std::make_shared<std::atomic<int>>(0);
  auto polls = std::make_shared<std::atomic<int>>(0);
  expect_order_pays_once("polling", [sends, polls](const RpcCall& call) {
    if (call.method == "eth_sendRawTransaction") ++*sends;
    if (call.method != "eth_getTransactionReceipt" || *sends < 2) return RpcFault::kForward;
    const int n = ++*polls;
    return n <= 2 ? RpcFault::kDropAnswer : (n <= 4 ? RpcFault::kDropRequest : RpcFault::kForward);
  });
}

// The same cut points for an ether order (no approve): the lock's answer lost (the transport's
// resend goes through), the answer and the resend lost (looked up), its receipt polls cut.
TEST_F(OrderFaultsTest, AnEtherOrderCutAtEachPointPaysExactlyOnce) {
  expect_ether_order_pays_once("after-lock", lose_answer_of_send(1));
  auto twice = std::make_shared<std::atomic<int>>(0);
  expect_ether_order_pays_once("after-lock-twice", [twice](const RpcCall& call) {
    return call.method == "eth_sendRawTransaction" && ++*twice <= 2 ? RpcFault::kDropAnswer
                                                                    : RpcFault::kForward;
  });
  auto sent = std::make_shared<std::atomic<bool>>(false);
  auto polls = std::make_shared<std::atomic<int>>(0);
  expect_ether_order_pays_once("polling", [sent, polls](const RpcCall& call) {
    if (call.method == "eth_sendRawTransaction") *sent = true;
    if (call.method != "eth_getTransactionReceipt" || !*sent) return RpcFault::kForward;
    const int n = ++*polls;
    return n <= 2 ? RpcFault::kDropAnswer : (n <= 4 ? RpcFault::kDropRequest : RpcFault::kForward);
  });
}

TEST_F(OrderFaultsTest, ALostOrSeveredReceiptIsRecoveredAndDownloaded) {
  const eth::Address me = dev(2);
  std::string bytes;
  const std::string did = publish("lost.bin", 30'000, bytes);
  const U256 ether_before = ether(me), tokens_before = tokens(me);
  const std::uint64_t nonce_before = nonce(me);

  // The lock's answer is lost and the chain stays unreachable.
  std::atomic<int> sends{0};
  std::atomic<bool> down{false};
  proxy_->set_policy([&](const RpcCall& call) {
    if (down) return RpcFault::kDropRequest;
    if (call.method == "eth_sendRawTransaction" && ++sends == 2) {
      down = true;
      return RpcFault::kDropAnswer;
    }
    return RpcFault::kForward;
  });
  Json failed = consumer({"order", did, "--wait", "3"}, 10);
  EXPECT_EQ(failed["error"]["code"], "unavailable") << failed.dump();
  ASSERT_TRUE(failed.contains("agreement_id")) << failed.dump();
  const std::string agreement = failed["agreement_id"];
  EXPECT_EQ(failed["state"], "pending");
  EXPECT_TRUE(std::filesystem::exists(failed["params_file"].get<std::string>()));
  ASSERT_EQ(failed["transactions"].size(), 2u) << failed.dump();
  EXPECT_EQ(failed["transactions"][0]["mined"], true);
  EXPECT_EQ(failed["transactions"][1]["mined"], false);
  EXPECT_NE(failed["error"]["message"].get<std::string>().find("pactum recover " + agreement),
            std::string::npos);

  proxy_->set_policy(nullptr);
  Json recovered = consumer({"recover", agreement});
  ASSERT_EQ(recovered["agreements"].size(), 1u) << recovered.dump();
  EXPECT_EQ(recovered["agreements"][0]["state"], "made");
  EXPECT_EQ(recovered["agreements"][0]["transaction"], failed["transactions"][1]["hash"]);
  Json status = consumer({"status", agreement});
  EXPECT_EQ(status["conditions"][0]["state"], "Fulfilled") << status.dump();
  expect_downloads(agreement, bytes);
  // Ordering again finds it: nothing is sent.
  Json again = consumer({"order", did});
  EXPECT_EQ(again["agreement_id"], agreement);
  EXPECT_EQ(again["reused"], true);
  EXPECT_TRUE(again["transactions"].empty());
  EXPECT_EQ(nonce(me), nonce_before + 2);
  EXPECT_EQ(ether(me), ether_before - gas_of(failed["transactions"]));
  EXPECT_EQ(tokens(me), tokens_before - U256(6) * kOneToken);

  // Killed while waiting for the lock's answer: its file is pending with the lock recorded.
  std::string more;
  const std::string did2 = publish("killed.bin", 20'000, more);
  const std::uint64_t nonce_mid = nonce(me);
  const int before_kill = proxy_->calls("eth_sendRawTransaction");
  proxy_->set_policy([sends = std::make_shared<std::atomic<int>>(0)](const RpcCall& call) {
    return call.method == "eth_sendRawTransaction" && ++*sends == 2 ? RpcFault::kHang
                                                                    : RpcFault::kForward;
  });
  std::vector<std::string> argv = {PACTUM_CLI_BIN, "--home", home(),        "--json", "--as",
                                   "consumer",     "--rpc",  proxy_->url(), "order",  did2};
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  ASSERT_EQ(::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  const bool locked =
      proxy_->wait_for("eth_sendRawTransaction", before_kill + 2, std::chrono::seconds(60));
  ::kill(pid, SIGKILL);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(locked) << "the order never sent its lock";
  EXPECT_TRUE(WIFSIGNALED(wstatus));
  proxy_->set_policy(nullptr);
  Json found = consumer({"recover", did2});
  ASSERT_EQ(found["agreements"].size(), 1u) << found.dump();
  EXPECT_EQ(found["agreements"][0]["state"], "made");
  EXPECT_EQ(found["agreements"][0]["was_pending"], true);
  expect_downloads(found["agreements"][0]["agreement_id"], more);
  EXPECT_EQ(nonce(me), nonce_mid + 2);
  Json none = consumer({"recover"});
  EXPECT_TRUE(none["agreements"].empty()) << none.dump();
}

}  // namespace
}  // namespace pactum::cli::testing
