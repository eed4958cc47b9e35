// Orders whose chain connection fails at the worst moments (tests/support/net/rpc_fault_proxy.hpp
// between the consumer's client and a real anvil; the node talks to anvil directly): the
// approve's answer lost, the lock's answer lost, receipt polls cut, the connection gone for good
// after the lock was sent. Each pays exactly once — one agreement on chain, exact balances — and
// ends with an agreement that downloads.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "pactum/client/client.hpp"
#include "pactum/contracts/pactum_dev_token.hpp"
#include "pactum/rpc/logs.hpp"
#include "support/live_node.hpp"
#include "support/net/rpc_fault_proxy.hpp"

namespace pactum::client {
namespace {

using eth::U256;
using pactum::testing::RpcCall;
using pactum::testing::RpcFault;
using pactum::testing::RpcFaultProxy;

constexpr std::uint32_t kChunk = 4096;
const U256 kPrice = U256(250'000'000'000'000'000ULL);  // 0.25 ether (or token base units ×)
const U256 kFee = U256(10'000'000'000'000'000ULL);

eth::PrivateKey key(int index) {
  return eth::PrivateKey::from_hex(
             pactum::testing::AnvilProcess::dev_private_keys().at(static_cast<std::size_t>(index)))
      .value();
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

class OrderFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<pactum::testing::LiveNode>(
        pactum::testing::LiveNodeOptions{.chunk_size = kChunk});
    ASSERT_TRUE(node_->ok());
    proxy_ = std::make_unique<RpcFaultProxy>(node_->chain().url());
    rpc::RpcClientOptions options;
    options.retry.initial_backoff = std::chrono::milliseconds(1);
    proxied_client_ = rpc::RpcClient::connect_http(proxy_->url(), {}, options).value();
    proxied_ = std::make_unique<rpc::EthApi>(*proxied_client_);
  }
  void TearDown() override {
    proxy_.reset();
    node_.reset();
  }

  rpc::EthApi& chain() { return node_->chain().api(); }
  const std::filesystem::path& dir() const { return node_->dir(); }
  eth::Address consumer() const { return key(contracts::testing::kConsumer).address(); }
  eth::Address engine() const { return node_->deployment().agreement_engine().address(); }

  // A client for dev account `index` whose chain calls go through the proxy (or straight to
  // anvil), with a short receipt wait.
  std::unique_ptr<Client> client(
      int index, bool through_proxy = true,
      std::chrono::milliseconds receipt_timeout = std::chrono::seconds(5)) {
    ClientConfig c;
    c.node_url = node_->url();
    c.deployment = node_->deployment();
    c.agreements_dir = dir() / "agreements";
    c.receipt_timeout = receipt_timeout;
    auto made = Client::create(through_proxy ? *proxied_ : chain(), std::move(c), key(index));
    EXPECT_TRUE(made.ok()) << made.error().to_string();
    return made.ok() ? std::move(made).value() : nullptr;
  }

  Hash32 publish(const std::string& bytes, const eth::Address& token = eth::Address()) {
    const auto path = dir() / "asset.bin";
    std::ofstream(path, std::ios::binary) << bytes;
    PublishRequest r;
    r.file = path;
    r.price = kPrice;
    r.token = token;
    r.fees = {{key(5).address(), kFee}};
    auto published = client(contracts::testing::kPublisher, false)->publish(r);
    EXPECT_TRUE(published.ok()) << published.error().to_string();
    return published.ok() ? published->did : Hash32{};
  }

  // A PactumDevToken with `amount` minted to the consumer.
  eth::Address deploy_token(const U256& amount) {
    contracts::Transactor deployer = node_->chain().account(contracts::testing::kDeployer);
    auto created =
        deployer.deploy("PactumDevToken", contracts::PactumDevToken::deploy_data().value());
    EXPECT_TRUE(created.ok()) << created.error().to_string();
    const eth::Address token = *created->contract_address;
    EXPECT_TRUE(
        deployer
            .send("mint", token, contracts::PactumDevToken::encode_mint(consumer(), amount).value())
            .ok());
    return token;
  }

  U256 token_balance(const eth::Address& token, const eth::Address& who) {
    rpc::CallRequest call;
    call.to = token;
    call.data = contracts::PactumDevToken::encode_balanceOf(who).value();
    return contracts::PactumDevToken::decode_balanceOf_result(chain().call(call).value()).value();
  }

  // The agreements created on chain for `did`.
  std::vector<Hash32> agreements_on_chain(const Hash32& did) {
    rpc::LogFilter filter;
    filter.addresses = {engine()};
    filter.topics = {{contracts::AgreementEngine::kTopic_AgreementCreated}, {}, {did}};
    auto logs = rpc::get_logs_range(chain(), filter, 0, chain().block_number().value());
    EXPECT_TRUE(logs.ok()) << logs.error().to_string();
    std::vector<Hash32> out;
    for (const auto& log : logs.value_or({})) out.push_back(log.topics.at(1));
    return out;
  }

  // Every transaction the consumer had mined from `first_nonce` on, and what their gas cost:
  // the chain's own account, whatever the client reported.
  U256 consumer_gas_since(std::uint64_t first_nonce) {
    U256 gas;
    const std::uint64_t last =
        chain().get_transaction_count(consumer(), rpc::BlockId::latest()).value();
    const std::uint64_t head = chain().block_number().value();
    std::uint64_t seen = 0;
    for (std::uint64_t b = 0; b <= head; ++b) {
      auto block = node_->chain().client().call("eth_getBlockByNumber",
                                                "[\"" + rpc::quantity(b) + "\", true]");
      auto doc = nlohmann::json::parse(block.value());
      for (const auto& tx : doc["transactions"]) {
        if (eth::Address::parse(tx["from"].get<std::string>()).value() != consumer()) continue;
        if (rpc::parse_quantity_u64(tx["nonce"].get<std::string>()).value() < first_nonce) continue;
        auto r = chain().get_transaction_receipt(
            fixed_from_hex<32>(tx["hash"].get<std::string>()).value());
        gas = gas + U256(r.value()->gas_used) * r.value()->effective_gas_price;
        ++seen;
      }
    }
    EXPECT_EQ(seen, last - first_nonce);
    return gas;
  }

  std::uint64_t consumer_nonce() {
    return chain().get_transaction_count(consumer(), rpc::BlockId::latest()).value();
  }

  // Downloads agreement `id` (straight to anvil) and checks the bytes.
  void expect_downloads(const Hash32& id, const std::string& bytes) {
    auto c = client(contracts::testing::kConsumer, false);
    const auto out = dir() / ("copy-" + to_hex(id).substr(2, 8));
    auto got = c->download(id, out, false);
    ASSERT_TRUE(got.ok()) << got.error().to_string();
    EXPECT_TRUE(read_file(out) == bytes);
  }

  // The JSON of agreement `id`'s file.
  nlohmann::json agreement_file(const Hash32& id) {
    return nlohmann::json::parse(read_file(dir() / "agreements" / (to_hex(id) + ".json")));
  }

  // A token-priced asset, the consumer holding the total plus 7, and the order cut as `policy`
  // says: exactly one approve and one lock are mined, every token and every wei is accounted
  // for, and the agreement downloads.
  void expect_token_order_pays_once(pactum::testing::RpcFaultPolicy policy) {
    const U256 total = kPrice + kFee;
    const eth::Address token = deploy_token(total + U256(7));
    const std::string bytes = random_bytes(2 * kChunk + 3, 2);
    const Hash32 did = publish(bytes, token);
    const U256 ether_before = node_->chain().balance(consumer());
    const std::uint64_t first_nonce = consumer_nonce();
    proxy_->set_policy(std::move(policy));
    auto ordered = client(contracts::testing::kConsumer)->order(did);
    proxy_->set_policy(nullptr);
    ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
    EXPECT_FALSE(ordered->reused);
    EXPECT_EQ(consumer_nonce(), first_nonce + 2) << "one approve and one lock";
    ASSERT_EQ(ordered->transactions.size(), 2u);
    EXPECT_EQ(ordered->transactions[0].what, "ERC20.approve");
    EXPECT_EQ(ordered->transactions[1].what, "AgreementEngine.createAgreementAndLock");
    U256 reported;
    for (const auto& t : ordered->transactions) {
      EXPECT_TRUE(t.mined);
      reported = reported + t.fee;
    }
    EXPECT_EQ(reported, consumer_gas_since(first_nonce)) << "every transaction is reported";
    EXPECT_EQ(node_->chain().balance(consumer()), ether_before - reported);
    EXPECT_EQ(token_balance(token, consumer()), U256(7));
    EXPECT_EQ(token_balance(token, engine()), total);
    ASSERT_EQ(agreements_on_chain(did).size(), 1u);
    EXPECT_EQ(agreement_file(ordered->agreement_id)["state"], "made");
    expect_downloads(ordered->agreement_id, bytes);
    EXPECT_EQ(token_balance(token, engine()), U256());
  }

  // An ether-priced asset and the order cut as `policy` says: exactly one lock is mined, the
  // consumer pays the total and its gas once, the publisher and the fee receiver are paid once
  // the agreement downloads.
  void expect_ether_order_pays_once(pactum::testing::RpcFaultPolicy policy) {
    const std::string bytes = random_bytes(2 * kChunk + 11, 7);
    const Hash32 did = publish(bytes);
    const U256 before = node_->chain().balance(consumer());
    const U256 publisher_before =
        node_->chain().balance(key(contracts::testing::kPublisher).address());
    const U256 fee_before = node_->chain().balance(key(5).address());
    const std::uint64_t first_nonce = consumer_nonce();
    proxy_->set_policy(std::move(policy));
    auto ordered = client(contracts::testing::kConsumer)->order(did);
    proxy_->set_policy(nullptr);
    ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
    EXPECT_FALSE(ordered->reused);
    EXPECT_EQ(consumer_nonce(), first_nonce + 1) << "one lock";
    ASSERT_EQ(ordered->transactions.size(), 1u);
    EXPECT_EQ(ordered->transactions[0].what, "AgreementEngine.createAgreementAndLock");
    EXPECT_TRUE(ordered->transactions[0].mined);
    const U256 gas = consumer_gas_since(first_nonce);
    EXPECT_EQ(ordered->transactions[0].fee, gas) << "the transaction is reported with its fee";
    EXPECT_EQ(node_->chain().balance(consumer()), before - kPrice - kFee - gas);
    EXPECT_EQ(node_->chain().balance(engine()), kPrice + kFee);
    ASSERT_EQ(agreements_on_chain(did).size(), 1u);
    EXPECT_EQ(agreement_file(ordered->agreement_id)["state"], "made");
    expect_downloads(ordered->agreement_id, bytes);
    EXPECT_EQ(node_->chain().balance(engine()), U256());
    EXPECT_EQ(node_->chain().balance(key(contracts::testing::kPublisher).address()),
              publisher_before + kPrice);
    EXPECT_EQ(node_->chain().balance(key(5).address()), fee_before + kFee);
  }

  std::unique_ptr<pactum::testing::LiveNode> node_;
  std::unique_ptr<RpcFaultProxy> proxy_;
  std::unique_ptr<rpc::RpcClient> proxied_client_;
  std::unique_ptr<rpc::EthApi> proxied_;
};

// The lock was sent, and the connection is gone before its answer comes back (and stays gone):
// the order fails. Ordering again once the chain is reachable must find the first agreement,
// not pay a second time.
TEST_F(OrderFaultTest, ARetriedOrderAfterALostLockFindsTheFirstAgreement) {
  const std::string bytes = random_bytes(3 * kChunk + 5, 1);
  const Hash32 did = publish(bytes);
  const U256 before = node_->chain().balance(consumer());
  const std::uint64_t first_nonce = consumer_nonce();
  std::atomic<bool> down{false};
  proxy_->set_policy([&down](const RpcCall& call) {
    if (down) return RpcFault::kDropRequest;
    if (call.method == "eth_sendRawTransaction") {
      down = true;
      return RpcFault::kDropAnswer;
    }
    return RpcFault::kForward;
  });
  auto consumer_client = client(contracts::testing::kConsumer);
  auto lost = consumer_client->order(did);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code(), ErrorCode::kUnavailable) << lost.error().to_string();
  EXPECT_EQ(agreements_on_chain(did).size(), 1u) << "the lock was mined";

  proxy_->set_policy(nullptr);
  auto again = consumer_client->order(did);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  const auto on_chain = agreements_on_chain(did);
  ASSERT_EQ(on_chain.size(), 1u) << "a retried order paid a second time";
  EXPECT_EQ(to_hex(again->agreement_id), to_hex(on_chain[0]));
  EXPECT_EQ(consumer_nonce(), first_nonce + 1);
  EXPECT_EQ(node_->chain().balance(consumer()),
            before - kPrice - kFee - consumer_gas_since(first_nonce));
  expect_downloads(again->agreement_id, bytes);
}

// The approve's answer is lost (the transport sends it again at once, and the node says "nonce
// too low"): one approve, not two.
TEST_F(OrderFaultTest, ATokenOrderCutAfterTheApproveWasSentPaysOnce) {
  expect_token_order_pays_once([](const RpcCall& call) {
    return call.method == "eth_sendRawTransaction" && call.nth == 1 ? RpcFault::kDropAnswer
                                                                    : RpcFault::kForward;
  });
}

// The approve's answer and the transport's resend are both lost: looked up, not signed again.
TEST_F(OrderFaultTest, ATokenOrderCutTwiceAfterTheApprovePaysOnce) {
  expect_token_order_pays_once([](const RpcCall& call) {
    return call.method == "eth_sendRawTransaction" && call.nth <= 2 ? RpcFault::kDropAnswer
                                                                    : RpcFault::kForward;
  });
}

// The lock's answer is lost: the order is paid once and the agreement made.
TEST_F(OrderFaultTest, ATokenOrderCutAfterTheLockWasSentPaysOnce) {
  expect_token_order_pays_once([](const RpcCall& call) {
    return call.method == "eth_sendRawTransaction" && call.nth == 2 ? RpcFault::kDropAnswer
                                                                    : RpcFault::kForward;
  });
}

// The receipt polls of the lock are cut (answers lost, then requests), and the connection comes
// back.
TEST_F(OrderFaultTest, ATokenOrderWhoseReceiptPollsAreCutPaysOnce) {
  auto locks_sent = std::make_shared<std::atomic<int>>(0);
  auto polls = std::make_shared<std::atomic<int>>(0);
  expect_token_order_pays_once([locks_sent, polls](const RpcCall& call) {
    if (call.method == "eth_sendRawTransaction") ++*locks_sent;
    if (call.method != "eth_getTransactionReceipt" || *locks_sent < 2) return RpcFault::kForward;
    const int n = ++*polls;
    return n <= 3 ? RpcFault::kDropAnswer : (n <= 6 ? RpcFault::kDropRequest : RpcFault::kForward);
  });
}

// The same cuts on an ether order (no approve): the lock's answer lost once, twice, and its
// receipt polls cut; each time the connection is back at once.
TEST_F(OrderFaultTest, AnEtherOrderCutAfterTheLockWasSentPaysOnce) {
  expect_ether_order_pays_once([](const RpcCall& call) {
    return call.method == "eth_sendRawTransaction" && call.nth == 1 ? RpcFault::kDropAnswer
                                                                    : RpcFault::kForward;
  });
}

TEST_F(OrderFaultTest, AnEtherOrderCutTwiceAfterTheLockWasSentPaysOnce) {
  expect_ether_order_pays_once([](const RpcCall& call) {
    return call.method == "eth_sendRawTransaction" && call.nth <= 2 ? RpcFault::kDropAnswer
                                                                    : RpcFault::kForward;
  });
}

TEST_F(OrderFaultTest, AnEtherOrderWhoseReceiptPollsAreCutPaysOnce) {
  auto polls = std::make_shared<std::atomic<int>>(0);
  expect_ether_order_pays_once([polls](const RpcCall& call) {
    if (call.method != "eth_getTransactionReceipt") return RpcFault::kForward;
    const int n = ++*polls;
    return n <= 3 ? RpcFault::kDropAnswer : (n <= 6 ? RpcFault::kDropRequest : RpcFault::kForward);
  });
}

// The lock's answer lost while it still waits in the pool (the resend is answered "transaction
// already imported"): accepted, not taken for a refusal.
TEST_F(OrderFaultTest, AnOrderWhoseLockIsResentWhileInThePoolPaysOnce) {
  auto& anvil = node_->chain().client();
  expect_ether_order_pays_once([&anvil](const RpcCall& call) {
    if (call.method == "eth_sendRawTransaction" && call.nth == 1) {
      (void)anvil.call("evm_setAutomine", "[false]");
      return RpcFault::kDropAnswer;
    }
    if (call.method == "eth_getTransactionReceipt") {
      (void)anvil.call("evm_setAutomine", "[true]");
      (void)anvil.call("evm_mine", "[]");
    }
    return RpcFault::kForward;
  });
}

// The lock reached the chain and the connection is then gone for good: the order fails with the
// lock in flight and the file pending; once the chain is reachable recover() finds the
// agreement, and it downloads. One payment.
TEST_F(OrderFaultTest, ALostOrderReceiptIsRecoveredAndDownloaded) {
  const std::string bytes = random_bytes(3 * kChunk + 9, 3);
  const Hash32 did = publish(bytes);
  const U256 before = node_->chain().balance(consumer());
  const std::uint64_t first_nonce = consumer_nonce();
  std::atomic<bool> down{false};
  proxy_->set_policy([&down](const RpcCall& call) {
    if (down) return RpcFault::kDropRequest;
    if (call.method == "eth_sendRawTransaction") {
      down = true;
      return RpcFault::kDropAnswer;
    }
    return RpcFault::kForward;
  });
  auto consumer_client = client(contracts::testing::kConsumer);
  OrderTrace trace;
  auto lost = consumer_client->order(did, {}, &trace);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code(), ErrorCode::kUnavailable) << lost.error().to_string();
  ASSERT_TRUE(trace.agreement_id.has_value());
  const Hash32 id = *trace.agreement_id;
  EXPECT_NE(lost.error().message().find("pactum recover " + to_hex(id)), std::string::npos)
      << lost.error().message();
  ASSERT_EQ(trace.transactions.size(), 1u);
  EXPECT_FALSE(trace.transactions[0].mined);
  const auto file = agreement_file(id);
  EXPECT_EQ(file["state"], "pending");
  EXPECT_EQ(file["transaction"], to_hex(trace.transactions[0].hash));
  ASSERT_EQ(agreements_on_chain(did).size(), 1u);
  EXPECT_EQ(to_hex(agreements_on_chain(did)[0]), to_hex(id)) << "the id was known before sending";

  // Still cut off: recover cannot tell, and says so.
  auto blind = consumer_client->recover(id);
  ASSERT_FALSE(blind.ok());
  EXPECT_EQ(blind.error().code(), ErrorCode::kUnavailable) << blind.error().to_string();

  proxy_->set_policy(nullptr);
  auto found = consumer_client->recover(id);
  ASSERT_TRUE(found.ok()) << found.error().to_string();
  EXPECT_EQ(found->outcome, RecoveryOutcome::kMade);
  EXPECT_TRUE(found->was_pending);
  EXPECT_EQ(found->transaction, trace.transactions[0].hash);
  EXPECT_EQ(found->did, did);
  EXPECT_EQ(agreement_file(id)["state"], "made");
  auto status = consumer_client->status(id);
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_EQ(status->conditions.at(0).state, ConditionState::kFulfilled);
  expect_downloads(id, bytes);
  EXPECT_EQ(consumer_nonce(), first_nonce + 1);
  EXPECT_EQ(node_->chain().balance(consumer()),
            before - kPrice - kFee - consumer_gas_since(first_nonce));
  // Recovering a made agreement again only checks it.
  auto again = consumer_client->recover(id);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_FALSE(again->was_pending);
  EXPECT_EQ(again->outcome, RecoveryOutcome::kMade);
}

// The lock never reached the node (its request dropped, then the connection gone): the file is
// pending with a transaction the chain never saw. recover() says it was never created; ordering
// again sends the same intent — the same seed, so the same agreement id — and pays once.
TEST_F(OrderFaultTest, AnIntentThatNeverReachedTheChainIsSentAgainWithItsSeed) {
  const std::string bytes = random_bytes(kChunk + 1, 4);
  const Hash32 did = publish(bytes);
  const U256 before = node_->chain().balance(consumer());
  const std::uint64_t first_nonce = consumer_nonce();
  std::atomic<bool> down{false};
  proxy_->set_policy([&down](const RpcCall& call) {
    if (call.method == "eth_sendRawTransaction") down = true;
    return down ? RpcFault::kDropRequest : RpcFault::kForward;
  });
  auto consumer_client = client(contracts::testing::kConsumer);
  OrderTrace trace;
  ASSERT_FALSE(consumer_client->order(did, {}, &trace).ok());
  ASSERT_TRUE(trace.agreement_id.has_value());
  const Hash32 id = *trace.agreement_id;
  EXPECT_TRUE(agreements_on_chain(did).empty());
  EXPECT_EQ(consumer_client->pending_agreements(did), std::vector<Hash32>{id});

  proxy_->set_policy(nullptr);
  auto found = consumer_client->recover(id);
  ASSERT_TRUE(found.ok()) << found.error().to_string();
  EXPECT_EQ(found->outcome, RecoveryOutcome::kNeverCreated);
  // download and status say what to do.
  auto early = client(contracts::testing::kConsumer, false)->download(id, dir() / "early", false);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), ErrorCode::kFailedPrecondition) << early.error().to_string();
  EXPECT_NE(early.error().message().find("was never created"), std::string::npos);

  auto ordered = consumer_client->order(did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  EXPECT_EQ(to_hex(ordered->agreement_id), to_hex(id));
  EXPECT_FALSE(ordered->reused);
  EXPECT_TRUE(consumer_client->pending_agreements(did).empty());
  const auto file = agreement_file(id);
  EXPECT_EQ(file["state"], "made");
  EXPECT_EQ(file["transactions"].size(), 2u) << "the lost submission and the one mined";
  EXPECT_EQ(consumer_nonce(), first_nonce + 1);
  EXPECT_EQ(node_->chain().balance(consumer()),
            before - kPrice - kFee - consumer_gas_since(first_nonce));
  expect_downloads(id, bytes);
  // A third order finds it made: nothing is sent.
  auto third = consumer_client->order(did);
  ASSERT_TRUE(third.ok()) << third.error().to_string();
  EXPECT_TRUE(third->reused);
  EXPECT_TRUE(third->transactions.empty());
  EXPECT_EQ(to_hex(third->agreement_id), to_hex(id));
  EXPECT_EQ(consumer_nonce(), first_nonce + 1);
  // Unless a second agreement is asked for.
  auto second = consumer_client->order(did, {.again = true});
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_NE(to_hex(second->agreement_id), to_hex(id));
  EXPECT_EQ(agreements_on_chain(did).size(), 2u);
}

// The lock waits in the pool (no blocks are mined): the order times out with the file pending;
// recover() says it is still pending and ordering again refuses to pay twice; once mined,
// recover() finds it.
TEST_F(OrderFaultTest, ALockStillInThePoolIsNeitherPaidAgainNorForgotten) {
  const std::string bytes = random_bytes(kChunk, 5);
  const Hash32 did = publish(bytes);
  auto& anvil = node_->chain().client();
  ASSERT_TRUE(anvil.call("evm_setAutomine", "[false]").ok());
  auto consumer_client =
      client(contracts::testing::kConsumer, true, std::chrono::milliseconds(300));
  OrderTrace trace;
  auto waited = consumer_client->order(did, {}, &trace);
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.error().code(), ErrorCode::kDeadlineExceeded) << waited.error().to_string();
  ASSERT_TRUE(trace.agreement_id.has_value());
  const Hash32 id = *trace.agreement_id;

  auto pending = consumer_client->recover(id);
  ASSERT_TRUE(pending.ok()) << pending.error().to_string();
  EXPECT_EQ(pending->outcome, RecoveryOutcome::kStillPending);
  EXPECT_EQ(pending->transaction, trace.transactions.at(0).hash);
  auto twice = consumer_client->order(did);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code(), ErrorCode::kUnavailable) << twice.error().to_string();
  auto status = consumer_client->status(id);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kFailedPrecondition) << status.error().to_string();

  ASSERT_TRUE(anvil.call("evm_setAutomine", "[true]").ok());
  ASSERT_TRUE(anvil.call("evm_mine", "[]").ok());
  auto made = consumer_client->recover(id);
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  EXPECT_EQ(made->outcome, RecoveryOutcome::kMade);
  EXPECT_EQ(agreements_on_chain(did).size(), 1u);
  expect_downloads(id, bytes);
}

// Agreement files are untrusted input too: a pending file that lies is refused, never acted on.
TEST_F(OrderFaultTest, AgreementFilesThatLieAreRefused) {
  const Hash32 did = publish(random_bytes(kChunk, 6));
  auto consumer_client = client(contracts::testing::kConsumer, false);
  auto ordered = consumer_client->order(did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  const Hash32 id = ordered->agreement_id;
  const auto path = dir() / "agreements" / (to_hex(id) + ".json");
  const nlohmann::json good = agreement_file(id);
  auto write = [&](const nlohmann::json& doc) { std::ofstream(path) << doc.dump(); };
  struct Case {
    std::string name;
    std::function<void(nlohmann::json&)> edit;
  };
  const std::vector<Case> cases = {
      {"unknown state", [](nlohmann::json& d) { d["state"] = "paid"; }},
      {"pending without seed",
       [](nlohmann::json& d) {
         d["state"] = "pending";
         d["seed"] = "";
       }},
      {"another seed",
       [](nlohmann::json& d) {
         d["state"] = "pending";
         d["seed"] = "0x" + std::string(64, '7');
       }},
      {"bad transaction hash", [](nlohmann::json& d) { d["transactions"][0]["hash"] = "0x12"; }},
      {"transactions not a list", [](nlohmann::json& d) { d["transactions"] = "many"; }},
      {"negative from_block", [](nlohmann::json& d) { d["from_block"] = -1; }},
  };
  for (const auto& c : cases) {
    nlohmann::json doc = good;
    c.edit(doc);
    write(doc);
    auto r = consumer_client->recover(id);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss) << c.name << ": " << r.error().to_string();
    // A retried order is not fooled either: it orders anew (the lying file is left as it is).
  }
  // A file of version 1 (no state, no seed) is a made agreement.
  nlohmann::json v1 = good;
  for (const char* m : {"state", "seed", "engine", "transactions", "from_block", "ordered_at"}) {
    v1.erase(m);
  }
  v1["version"] = 1;
  write(v1);
  auto old = consumer_client->recover(id);
  ASSERT_TRUE(old.ok()) << old.error().to_string();
  EXPECT_EQ(old->outcome, RecoveryOutcome::kMade);
  auto reused = consumer_client->order(did);
  ASSERT_TRUE(reused.ok()) << reused.error().to_string();
  EXPECT_TRUE(reused->reused);
}

}  // namespace
}  // namespace pactum::client
