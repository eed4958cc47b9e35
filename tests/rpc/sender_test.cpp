// The sender's decision table (sender.hpp): each answer a node may give to
// eth_sendRawTransaction, judged alone (judge_submission), then followed through a scripted node
// on a real socket — accepted, looked up, the same bytes sent again, the intent signed again, or
// the error reported with the transaction in flight — asserting the exact error code, how many
// transactions were signed and what was submitted.
#include "pactum/rpc/sender.hpp"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "pactum/eth/transaction.hpp"
#include "support/net/scripted_server.hpp"
#include "support/process.hpp"

namespace pactum::rpc {
namespace {

using testing::Reply;
using testing::ScriptedServer;

eth::PrivateKey dev_key() {
  return eth::PrivateKey::from_hex(pactum::testing::AnvilProcess::dev_private_keys().at(0)).value();
}

Hash32 hash_of(char c) {
  Hash32 h{};
  h.fill(static_cast<std::uint8_t>(c));
  return h;
}

TEST(JudgeSubmission, EachAnswerHasOneVerdict) {
  const Hash32 ours = hash_of(1);
  struct Case {
    std::string name;
    Result<Hash32> answer;
    SubmitVerdict verdict;
  };
  const std::vector<Case> cases = {
      {"its own hash", ours, SubmitVerdict::kAccepted},
      {"another hash", hash_of(2), SubmitVerdict::kUnknown},
      {"already known", already_exists("already known"), SubmitVerdict::kAccepted},
      {"nonce too low", aborted("nonce too low"), SubmitVerdict::kNonceTaken},
      {"replacement underpriced", aborted("replacement transaction underpriced"),
       SubmitVerdict::kNonceTaken},
      {"connection cut", unavailable("read answer: end of stream"), SubmitVerdict::kUnknown},
      {"timeout", deadline_exceeded("read answer: timeout"), SubmitVerdict::kUnknown},
      {"malformed answer", data_loss("not JSON"), SubmitVerdict::kUnknown},
      {"transport exception", internal_error("bad_alloc"), SubmitVerdict::kUnknown},
      {"insufficient funds", failed_precondition("insufficient funds"), SubmitVerdict::kRefused},
      {"invalid params", invalid_argument("invalid params"), SubmitVerdict::kRefused},
      {"rate limited (-32005)", resource_exhausted("limit exceeded"), SubmitVerdict::kRefused},
      {"method not found", unimplemented("method not found"), SubmitVerdict::kRefused},
      {"HTTP 403", permission_denied("HTTP 403"), SubmitVerdict::kRefused},
      {"HTTP 401", unauthenticated("HTTP 401"), SubmitVerdict::kRefused},
      {"HTTP 404", not_found("HTTP 404"), SubmitVerdict::kRefused},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(judge_submission(c.answer, ours), c.verdict) << c.name;
  }
}

// A node whose answers to eth_sendRawTransaction and eth_getTransactionByHash the test scripts;
// everything else a sender needs (chain id, fees, nonce) is answered plainly.
class ScriptedNode {
 public:
  // Given the raw transaction's hash and the how-many-th submission it is (1-based), the
  // JSON-RPC answer: a "result" or "error" member to merge, or an HTTP status for no JSON at all.
  struct Answer {
    nlohmann::json member;  // {"result": …} or {"error": {…}}
    int http_status = 200;
  };
  using SendScript = std::function<Answer(const Hash32& hash, int nth)>;
  // Whether the node knows `hash` when asked (null answer otherwise); nullopt: HTTP 503.
  using LookupScript = std::function<std::optional<bool>(const Hash32& hash)>;

  ScriptedNode(SendScript send, LookupScript lookup)
      : send_(std::move(send)),
        lookup_(std::move(lookup)),
        server_([this](const std::string& body) { return answer(body); }) {}

  std::string url() const { return server_.url(); }

  // Every raw transaction submitted, in order, decoded.
  std::vector<eth::SignedTransaction> submitted() {
    std::lock_guard lock(mutex_);
    return submitted_;
  }
  int lookups() {
    std::lock_guard lock(mutex_);
    return lookups_;
  }
  int nonce_reads() {
    std::lock_guard lock(mutex_);
    return nonce_reads_;
  }
  void set_pending_nonce(std::uint64_t n) {
    std::lock_guard lock(mutex_);
    pending_nonce_ = n;
  }
  // Answers as a chain without EIP-1559: no eth_feeHistory, no base fee, eth_gasPrice.
  void set_legacy_chain() {
    std::lock_guard lock(mutex_);
    legacy_ = true;
  }

 private:
  Reply answer(const std::string& body) {
    const auto request = nlohmann::json::parse(body);
    const std::string method = request["method"];
    nlohmann::json out = {{"jsonrpc", "2.0"}, {"id", request["id"]}};
    std::unique_lock lock(mutex_);
    if (method == "eth_chainId") {
      out["result"] = "0x7a69";
    } else if (method == "eth_feeHistory" && !legacy_) {
      out["result"] = {{"oldestBlock", "0x1"},
                       {"baseFeePerGas", {"0x3b9aca00", "0x3b9aca00"}},
                       {"gasUsedRatio", {0.5}},
                       {"reward", {{"0x1"}}}};
    } else if (method == "eth_getBlockByNumber" && legacy_) {
      // A chain without EIP-1559: its blocks have no baseFeePerGas.
      out["result"] = {{"number", "0x9"}, {"timestamp", "0x65f0a3b1"}};
    } else if (method == "eth_gasPrice" && legacy_) {
      out["result"] = "0x77359400";  // 2 gwei
    } else if (method == "eth_getTransactionCount") {
      ++nonce_reads_;
      out["result"] = quantity(pending_nonce_);
    } else if (method == "eth_sendRawTransaction") {
      auto raw = from_hex(request["params"][0].get<std::string>()).value();
      auto tx = eth::decode_transaction(raw).value();
      submitted_.push_back(tx);
      const Hash32 hash = tx.hash();
      const int nth = ++submissions_[hash];
      lock.unlock();  // the script may look at the node
      Answer a = send_(hash, nth);
      if (a.http_status != 200) return Reply{a.http_status, "busy"};
      out.update(a.member);
    } else if (method == "eth_getTransactionByHash") {
      ++lookups_;
      const Hash32 hash = fixed_from_hex<32>(request["params"][0].get<std::string>()).value();
      lock.unlock();
      const std::optional<bool> known = lookup_(hash);
      if (!known) return Reply{503, "busy"};
      if (*known) {
        out["result"] = {{"hash", to_hex(hash)},
                         {"from", pactum::testing::AnvilProcess::dev_addresses()[0]},
                         {"to", pactum::testing::AnvilProcess::dev_addresses()[1]},
                         {"nonce", "0x5"},
                         {"blockNumber", nullptr}};
      } else {
        out["result"] = nullptr;
      }
    } else {
      out["error"] = {{"code", -32601}, {"message", "the method " + method + " does not exist"}};
    }
    return Reply{200, out.dump()};
  }

  SendScript send_;
  LookupScript lookup_;
  std::mutex mutex_;
  std::vector<eth::SignedTransaction> submitted_;
  std::map<Hash32, int> submissions_;
  int lookups_ = 0;
  int nonce_reads_ = 0;
  std::uint64_t pending_nonce_ = 5;
  bool legacy_ = false;
  ScriptedServer server_;
};

ScriptedNode::Answer result_of(const Hash32& hash) {
  return {{{"result", to_hex(hash)}}};
}
ScriptedNode::Answer rpc_error(int code, const std::string& message) {
  return {{{"error", {{"code", code}, {"message", message}}}}};
}

// A sender through `node`, with retries of reads off (so each lookup is one request) and no
// waits.
struct Sending {
  std::unique_ptr<RpcClient> client;
  std::unique_ptr<EthApi> api;
  std::unique_ptr<TransactionSender> sender;

  explicit Sending(ScriptedNode& node) {
    RpcClientOptions options;
    options.retry.max_attempts = 1;
    client = RpcClient::connect_http(node.url(), {}, options).value();
    api = std::make_unique<EthApi>(*client);
    sender = TransactionSender::create(*api, dev_key()).value();
  }

  // Sends 1 wei to dev account 1 with a fixed gas limit; records the hashes before_submit saw.
  Result<Hash32> send(SendTrace& trace, std::vector<Hash32>& seen) {
    trace.before_submit = [&seen](const Hash32& h, std::uint64_t) {
      seen.push_back(h);
      return ok_status();
    };
    TxRequest request;
    request.to = eth::Address::parse(pactum::testing::AnvilProcess::dev_addresses()[1]).value();
    request.value = eth::U256(1);
    request.gas_limit = 21'000;
    return sender->send(request, &trace);
  }
};

TEST(SenderTable, ItsOwnHashIsAcceptedWithoutALookup) {
  ScriptedNode node([](const Hash32& h, int) { return result_of(h); },
                    [](const Hash32&) { return std::optional<bool>(false); });
  Sending s(node);
  SendTrace trace;
  std::vector<Hash32> seen;
  auto sent = s.send(trace, seen);
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(*sent, seen[0]);
  EXPECT_EQ(trace.in_flight, seen[0]);
  EXPECT_EQ(node.lookups(), 0);
  EXPECT_EQ(node.submitted().at(0).tx.nonce, 5u);
  // The local counter goes on without asking the node.
  auto next = s.send(trace, seen);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(node.submitted().at(1).tx.nonce, 6u);
  EXPECT_EQ(node.nonce_reads(), 1);
}

// geth's wording, and anvil's for a transaction still in its pool.
// #19: on a chain without EIP-1559 (no eth_feeHistory, blocks without a base fee) the sender
// prices with eth_gasPrice and sends a legacy EIP-155 transaction; on an EIP-1559 chain, type 2.
TEST(SenderTable, AChainWithoutEip1559GetsALegacyTransactionAtItsGasPrice) {
  ScriptedNode node([](const Hash32& h, int) { return result_of(h); },
                    [](const Hash32&) { return std::optional<bool>(true); });
  node.set_legacy_chain();
  Sending s(node);
  SendTrace trace;
  std::vector<Hash32> seen;
  ASSERT_TRUE(s.send(trace, seen).ok());
  ASSERT_EQ(node.submitted().size(), 1u);
  const eth::SignedTransaction tx = node.submitted()[0];
  EXPECT_EQ(tx.tx.type, eth::TxType::kLegacy);
  EXPECT_EQ(tx.tx.gas_price, eth::U256(2'000'000'000u));
  EXPECT_EQ(tx.tx.chain_id, std::optional<std::uint64_t>(31337));  // EIP-155 replay protection
  EXPECT_EQ(*tx.sender(), dev_key().address());

  ScriptedNode modern([](const Hash32& h, int) { return result_of(h); },
                      [](const Hash32&) { return std::optional<bool>(true); });
  Sending m(modern);
  ASSERT_TRUE(m.send(trace, seen).ok());
  ASSERT_EQ(modern.submitted().size(), 1u);
  EXPECT_EQ(modern.submitted()[0].tx.type, eth::TxType::kEip1559);
}

TEST(SenderTable, AlreadyKnownIsAccepted) {
  for (const auto& [code, text] : std::vector<std::pair<int, std::string>>{
           {-32000, "already known"}, {-32003, "transaction already imported"}}) {
    ScriptedNode node([code, text](const Hash32&, int) { return rpc_error(code, text); },
                      [](const Hash32&) { return std::optional<bool>(false); });
    Sending s(node);
    SendTrace trace;
    std::vector<Hash32> seen;
    auto sent = s.send(trace, seen);
    ASSERT_TRUE(sent.ok()) << text << ": " << sent.error().to_string();
    EXPECT_EQ(*sent, seen.at(0)) << text;
    EXPECT_EQ(node.lookups(), 0) << text;
    EXPECT_EQ(node.submitted().size(), 1u) << text;
  }
}

TEST(SenderTable, NonceTooLowForAKnownTransactionIsAcceptedNotSignedAgain) {
  // The answer to the first submission was lost and the transport sent it again: the node has
  // mined it.
  ScriptedNode node([](const Hash32&, int) { return rpc_error(-32000, "nonce too low"); },
                    [](const Hash32&) { return std::optional<bool>(true); });
  Sending s(node);
  SendTrace trace;
  std::vector<Hash32> seen;
  auto sent = s.send(trace, seen);
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  EXPECT_EQ(seen.size(), 1u) << "signed once";
  EXPECT_EQ(node.submitted().size(), 1u);
  EXPECT_EQ(node.lookups(), 1);
  EXPECT_EQ(trace.in_flight, seen[0]);
}

TEST(SenderTable, NonceTooLowForAnUnknownTransactionSignsTheIntentAgainOnce) {
  // Another writer used nonce 5: this transaction can never be mined.
  ScriptedNode* self = nullptr;
  ScriptedNode node(
      [&self](const Hash32& h, int) {
        if (self->submitted().size() == 1) {
          self->set_pending_nonce(6);
          return rpc_error(-32000, "nonce too low: next nonce 6, tx nonce 5");
        }
        return result_of(h);
      },
      [](const Hash32&) { return std::optional<bool>(false); });
  self = &node;
  Sending s(node);
  SendTrace trace;
  std::vector<Hash32> seen;
  auto sent = s.send(trace, seen);
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(*sent, seen[1]);
  EXPECT_EQ(trace.in_flight, seen[1]);
  const auto submitted = node.submitted();
  ASSERT_EQ(submitted.size(), 2u);
  EXPECT_EQ(submitted[0].tx.nonce, 5u);
  EXPECT_EQ(submitted[1].tx.nonce, 6u);
  EXPECT_EQ(submitted[0].tx.data, submitted[1].tx.data);
  EXPECT_EQ(node.nonce_reads(), 2);
}

TEST(SenderTable, ANonceTakenTwiceIsAborted) {
  ScriptedNode node(
      [](const Hash32&, int) { return rpc_error(-32000, "replacement transaction underpriced"); },
      [](const Hash32&) { return std::optional<bool>(false); });
  Sending s(node);
  SendTrace trace;
  std::vector<Hash32> seen;
  auto sent = s.send(trace, seen);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code(), ErrorCode::kAborted) << sent.error().to_string();
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_FALSE(trace.in_flight.has_value()) << "neither can be mined";
}

TEST(SenderTable, ADefiniteRefusalIsReturnedWithNothingInFlight) {
  struct Case {
    std::string name;
    ScriptedNode::Answer answer;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"insufficient funds", rpc_error(-32000, "insufficient funds for gas * price + value"),
       ErrorCode::kFailedPrecondition},
      {"nonce too high", rpc_error(-32000, "nonce too high"), ErrorCode::kFailedPrecondition},
      {"invalid params", rpc_error(-32602, "invalid params"), ErrorCode::kFailedPrecondition},
      {"rate limited", rpc_error(-32005, "limit exceeded"), ErrorCode::kResourceExhausted},
      {"HTTP 403", {{}, 403}, ErrorCode::kPermissionDenied},
  };
  for (const auto& c : cases) {
    ScriptedNode node([&](const Hash32&, int) { return c.answer; },
                      [](const Hash32&) { return std::optional<bool>(true); });
    Sending s(node);
    SendTrace trace;
    std::vector<Hash32> seen;
    auto sent = s.send(trace, seen);
    ASSERT_FALSE(sent.ok()) << c.name;
    EXPECT_EQ(sent.error().code(), c.code) << c.name << ": " << sent.error().to_string();
    EXPECT_EQ(node.lookups(), 0) << c.name << ": a refusal needs no lookup";
    EXPECT_EQ(seen.size(), 1u) << c.name;
    EXPECT_FALSE(trace.in_flight.has_value()) << c.name;
    // The next send asks the node for the nonce again.
    (void)s.send(trace, seen);
    EXPECT_EQ(node.nonce_reads(), 2) << c.name;
  }
}

TEST(SenderTable, ALostAnswerOfAKnownTransactionIsAccepted) {
  ScriptedNode node(
      [](const Hash32&, int) {
        return ScriptedNode::Answer{{}, 503};
      },
      [](const Hash32&) { return std::optional<bool>(true); });
  Sending s(node);
  SendTrace trace;
  std::vector<Hash32> seen;
  auto sent = s.send(trace, seen);
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  EXPECT_EQ(*sent, seen.at(0));
  EXPECT_EQ(node.submitted().size(), 1u);
  EXPECT_EQ(node.lookups(), 1);
}

TEST(SenderTable, ALostAnswerOfAnUnknownTransactionSendsTheSameBytesAgain) {
  ScriptedNode node(
      [](const Hash32& h, int nth) {
        return nth < 3 ? ScriptedNode::Answer{{}, 503} : result_of(h);
      },
      [](const Hash32&) { return std::optional<bool>(false); });
  Sending s(node);
  SendTrace trace;
  std::vector<Hash32> seen;
  auto sent = s.send(trace, seen);
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  ASSERT_EQ(seen.size(), 1u) << "signed once";
  const auto submitted = node.submitted();
  ASSERT_EQ(submitted.size(), 3u);
  for (const auto& tx : submitted) EXPECT_EQ(tx, submitted[0]) << "the same signed bytes";
  EXPECT_EQ(node.lookups(), 2);
}

TEST(SenderTable, AFateThatStaysUnknownIsReportedInFlight) {
  struct Case {
    std::string name;
    ScriptedNode::SendScript send;
    ScriptedNode::LookupScript lookup;
    ErrorCode code;
    int submissions;
  };
  const std::vector<Case> cases = {
      {"no answer, lookup fails",
       [](const Hash32&, int) {
         return ScriptedNode::Answer{{}, 503};
       },
       [](const Hash32&) { return std::optional<bool>(); }, ErrorCode::kUnavailable, 1},
      {"no answer three times, unknown each time",
       [](const Hash32&, int) {
         return ScriptedNode::Answer{{}, 502};
       },
       [](const Hash32&) { return std::optional<bool>(false); }, ErrorCode::kUnavailable, 3},
      {"another hash, unknown", [](const Hash32&, int) { return result_of(hash_of(9)); },
       [](const Hash32&) { return std::optional<bool>(false); }, ErrorCode::kDataLoss, 3},
      {"nonce too low, lookup fails",
       [](const Hash32&, int) { return rpc_error(-32000, "nonce too low"); },
       [](const Hash32&) { return std::optional<bool>(); }, ErrorCode::kUnavailable, 1},
  };
  for (const auto& c : cases) {
    ScriptedNode node(c.send, c.lookup);
    Sending s(node);
    SendTrace trace;
    std::vector<Hash32> seen;
    auto sent = s.send(trace, seen);
    ASSERT_FALSE(sent.ok()) << c.name;
    EXPECT_EQ(sent.error().code(), c.code) << c.name << ": " << sent.error().to_string();
    ASSERT_EQ(seen.size(), 1u) << c.name << ": never signed again";
    EXPECT_EQ(trace.in_flight, seen[0]) << c.name;
    EXPECT_NE(sent.error().message().find(to_hex(seen[0])), std::string::npos)
        << c.name << ": the message names the hash: " << sent.error().message();
    EXPECT_EQ(node.submitted().size(), static_cast<std::size_t>(c.submissions)) << c.name;
  }
}

TEST(SenderTable, ARefusingHookStopsTheSendBeforeAnythingIsSubmitted) {
  ScriptedNode node([](const Hash32& h, int) { return result_of(h); },
                    [](const Hash32&) { return std::optional<bool>(false); });
  Sending s(node);
  SendTrace trace;
  trace.before_submit = [](const Hash32&, std::uint64_t) {
    return Status(permission_denied("cannot write the agreement file"));
  };
  TxRequest request;
  request.to = eth::Address::parse(pactum::testing::AnvilProcess::dev_addresses()[1]).value();
  request.gas_limit = 21'000;
  auto sent = s.sender->send(request, &trace);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(node.submitted().empty());
  EXPECT_FALSE(trace.in_flight.has_value());
}

}  // namespace
}  // namespace pactum::rpc
