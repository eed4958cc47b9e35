// The sender against a real anvil behind a fault-injecting proxy
// (tests/support/net/rpc_fault_proxy.hpp): a connection that drops just after
// eth_sendRawTransaction was written, twice in a row, or for good; receipt polls that are cut.
// Whatever is cut, a transaction that reached the node is never signed again with a new nonce, so
// each intent is mined at most once.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "pactum/eth/keys.hpp"
#include "pactum/eth/transaction.hpp"
#include "pactum/rpc/eth_api.hpp"
#include "pactum/rpc/json_rpc.hpp"
#include "pactum/rpc/sender.hpp"
#include "support/net/rpc_fault_proxy.hpp"
#include "support/process.hpp"

namespace pactum::rpc {
namespace {

using pactum::testing::AnvilProcess;
using pactum::testing::RpcCall;
using pactum::testing::RpcFault;
using pactum::testing::RpcFaultProxy;

eth::PrivateKey dev_key(std::size_t i) {
  return eth::PrivateKey::from_hex(AnvilProcess::dev_private_keys().at(i)).value();
}
eth::Address dev_address(std::size_t i) {
  return eth::Address::parse(AnvilProcess::dev_addresses().at(i)).value();
}

// anvil, a proxy in front of it, and a sender for dev account 0 that talks through the proxy;
// `direct` talks to anvil itself, to see what really happened.
struct FaultyChain {
  AnvilProcess anvil;
  std::unique_ptr<RpcFaultProxy> proxy;
  std::unique_ptr<RpcClient> client;
  std::unique_ptr<EthApi> api;
  std::unique_ptr<TransactionSender> sender;
  std::unique_ptr<RpcClient> direct_client;
  std::unique_ptr<EthApi> direct;

  static FaultyChain start() {
    auto anvil = AnvilProcess::start();
    EXPECT_TRUE(anvil.ok()) << anvil.error().to_string();
    FaultyChain c{std::move(anvil).value()};
    c.proxy = std::make_unique<RpcFaultProxy>(c.anvil.url());
    RpcClientOptions options;
    options.retry.initial_backoff = std::chrono::milliseconds(1);
    c.client = RpcClient::connect_http(c.proxy->url(), {}, options).value();
    c.api = std::make_unique<EthApi>(*c.client);
    c.sender = TransactionSender::create(*c.api, dev_key(0)).value();
    c.direct_client = RpcClient::connect_http(c.anvil.url()).value();
    c.direct = std::make_unique<EthApi>(*c.direct_client);
    return c;
  }

  // Transactions dev account 0 has had mined.
  std::uint64_t mined() {
    return direct->get_transaction_count(dev_address(0), BlockId::latest()).value();
  }

  // The hashes of the transactions the proxy forwarded (whatever became of the answers).
  std::vector<Hash32> forwarded_hashes() {
    std::vector<Hash32> out;
    for (const auto& f : proxy->log()) {
      if (f.call.method != "eth_sendRawTransaction" || f.fault == RpcFault::kDropRequest) continue;
      auto params = nlohmann::json::parse(f.call.params_json);
      auto raw = from_hex(params[0].get<std::string>()).value();
      out.push_back(eth::decode_transaction(raw).value().hash());
    }
    return out;
  }
};

// The first answer to eth_sendRawTransaction never reaches the client: its transport sends the
// request again on a fresh connection, anvil answers "nonce too low" (it mined the first), and a
// sender that re-signs the intent with the next nonce pays twice.
TEST(SenderFaults, AnAnswerLostAfterTheSendIsNotSignedAgainWithANewNonce) {
  FaultyChain chain = FaultyChain::start();
  // A first send warms the kept-alive connection (the transport resends only on a reused one).
  ASSERT_TRUE(chain.sender->send_and_wait({.to = dev_address(4), .value = eth::U256(1)}).ok());
  chain.proxy->set_policy([](const RpcCall& call) {
    return call.method == "eth_sendRawTransaction" && call.nth == 2 ? RpcFault::kDropAnswer
                                                                    : RpcFault::kForward;
  });
  auto r = chain.sender->send_and_wait({.to = dev_address(4), .value = eth::U256(7)});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(r->success);
  EXPECT_EQ(chain.mined(), 2u) << "a re-signed copy of the cut transaction was mined too";
  const auto forwarded = chain.forwarded_hashes();
  ASSERT_GE(forwarded.size(), 2u);
  EXPECT_EQ(to_hex(r->transaction_hash), to_hex(forwarded[1]));
  for (std::size_t i = 2; i < forwarded.size(); ++i) {
    EXPECT_EQ(to_hex(forwarded[i]), to_hex(forwarded[1]))
        << "only the same signed bytes may be sent again";
  }
}

// The same cut while the first copy still waits in the pool (nothing is mined until the test
// says so): the transport's resend is answered "transaction already imported" (anvil, JSON-RPC
// -32003), which says the node holds it. Under load the first test above meets this answer by
// chance (anvil had not mined yet when the resend came), and the sender took it as a refusal.
TEST(SenderFaults, AResendOfATransactionStillInThePoolIsAccepted) {
  FaultyChain chain = FaultyChain::start();
  ASSERT_TRUE(chain.sender->send_and_wait({.to = dev_address(4), .value = eth::U256(1)}).ok());
  ASSERT_TRUE(chain.direct_client->call("evm_setAutomine", "[false]").ok());
  chain.proxy->set_policy([](const RpcCall& call) {
    return call.method == "eth_sendRawTransaction" && call.nth == 2 ? RpcFault::kDropAnswer
                                                                    : RpcFault::kForward;
  });
  SendTrace trace;
  auto sent = chain.sender->send({.to = dev_address(4), .value = eth::U256(7)}, &trace);
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  const auto log = chain.proxy->log();
  ASSERT_GE(chain.proxy->calls("eth_sendRawTransaction"), 3) << "the transport resent it";
  std::string resend_answer;
  for (const auto& f : log) {
    if (f.call.method == "eth_sendRawTransaction" && f.call.nth == 3) resend_answer = f.answer;
  }
  EXPECT_NE(resend_answer.find("already imported"), std::string::npos) << resend_answer;
  ASSERT_TRUE(chain.direct_client->call("evm_mine", "[]").ok());
  auto receipt = chain.sender->wait_for_receipt(*sent, std::chrono::seconds(10));
  ASSERT_TRUE(receipt.ok()) << receipt.error().to_string();
  EXPECT_TRUE(receipt->success);
  EXPECT_EQ(chain.mined(), 2u);
  for (const auto& h : chain.forwarded_hashes()) {
    EXPECT_TRUE(h == chain.forwarded_hashes()[0] || h == *sent) << "signed again: " << to_hex(h);
  }
  ASSERT_TRUE(chain.direct_client->call("evm_setAutomine", "[true]").ok());
  ASSERT_TRUE(chain.sender->send_and_wait({.to = dev_address(4), .value = eth::U256(1)}).ok());
  EXPECT_EQ(chain.mined(), 3u);
}

// Both the answer and the transport's own resend are cut: the sender must look the hash up
// instead of giving up with "unknown" or signing again.
TEST(SenderFaults, TwoLostAnswersAreLookedUpNotSignedAgain) {
  FaultyChain chain = FaultyChain::start();
  ASSERT_TRUE(chain.sender->send_and_wait({.to = dev_address(4), .value = eth::U256(1)}).ok());
  chain.proxy->set_policy([](const RpcCall& call) {
    return call.method == "eth_sendRawTransaction" && (call.nth == 2 || call.nth == 3)
               ? RpcFault::kDropAnswer
               : RpcFault::kForward;
  });
  auto r = chain.sender->send_and_wait({.to = dev_address(4), .value = eth::U256(7)});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(r->success);
  EXPECT_EQ(chain.mined(), 2u);
  EXPECT_EQ(to_hex(r->transaction_hash), to_hex(chain.forwarded_hashes().at(1)));
  // The sender goes on with the next nonce.
  ASSERT_TRUE(chain.sender->send_and_wait({.to = dev_address(4), .value = eth::U256(1)}).ok());
  EXPECT_EQ(chain.mined(), 3u);
}

// The answer is lost and the node then stays unreachable: the sender cannot know, so it says
// which transaction is in flight (before_submit saw it first) and signs nothing else; once the
// node is back the receipt is there, and the next send takes the next nonce.
TEST(SenderFaults, AnOutageAfterTheSendLeavesTheHashInFlight) {
  FaultyChain chain = FaultyChain::start();
  std::atomic<bool> down{false};
  chain.proxy->set_policy([&down](const RpcCall& call) {
    if (down) return RpcFault::kDropRequest;
    if (call.method == "eth_sendRawTransaction") {
      down = true;
      return RpcFault::kDropAnswer;
    }
    return RpcFault::kForward;
  });
  SendTrace trace;
  std::vector<Hash32> recorded;
  trace.before_submit = [&recorded](const Hash32& h, std::uint64_t nonce) {
    EXPECT_EQ(nonce, 0u);
    recorded.push_back(h);
    return ok_status();
  };
  auto r = chain.sender->send({.to = dev_address(4), .value = eth::U256(7)}, &trace);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable) << r.error().to_string();
  ASSERT_EQ(recorded.size(), 1u);
  ASSERT_TRUE(trace.in_flight.has_value());
  EXPECT_EQ(to_hex(*trace.in_flight), to_hex(recorded[0]));
  // The transport's own resend of the same request arrived too, and was dropped.
  EXPECT_EQ(chain.forwarded_hashes().size(), 1u);
  EXPECT_EQ(chain.mined(), 1u) << "the node mined what it got";

  chain.proxy->set_policy(nullptr);
  auto receipt = chain.sender->wait_for_receipt(*trace.in_flight, std::chrono::seconds(10));
  ASSERT_TRUE(receipt.ok()) << receipt.error().to_string();
  EXPECT_TRUE(receipt->success);
  ASSERT_TRUE(chain.sender->send_and_wait({.to = dev_address(4), .value = eth::U256(1)}).ok());
  EXPECT_EQ(chain.mined(), 2u);
}

// Receipt polls that are cut (the answer lost, then the request) are polled through.
TEST(SenderFaults, CutReceiptPollsArePolledThrough) {
  FaultyChain chain = FaultyChain::start();
  chain.proxy->set_policy([](const RpcCall& call) {
    if (call.method != "eth_getTransactionReceipt") return RpcFault::kForward;
    return call.nth <= 3 ? RpcFault::kDropAnswer
                         : (call.nth <= 6 ? RpcFault::kDropRequest : RpcFault::kForward);
  });
  auto r = chain.sender->send_and_wait({.to = dev_address(4), .value = eth::U256(7)});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(chain.mined(), 1u);
  EXPECT_GE(chain.proxy->calls("eth_getTransactionReceipt"), 7);
}

}  // namespace
}  // namespace pactum::rpc
