// The access decision as a table (issue #16): every refusal of the access matrix and every
// boundary of the validity window, the condition times and the signed request's expiry, with
// no HTTP server and no chain. Each row runs what a node runs for one request: the signed
// request is verified (sdk/node_request.hpp), then decide_terms, then decide_settlement.
#include "pactum/sdk/access.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "pactum/sdk/did.hpp"
#include "pactum/sdk/node_request.hpp"
#include "support/process.hpp"

namespace pactum::sdk {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::uint64_t kChainId = 31337;

eth::PrivateKey dev_key(int i) {
  return eth::PrivateKey::from_hex(testing::AnvilProcess::dev_private_keys()[i]).value();
}

Hash32 hash_of(char c) {
  Hash32 h{};
  h.fill(static_cast<std::uint8_t>(c));
  return h;
}

const ServedTemplate& paid_access() {
  static const ServedTemplate served{hash_of('p'), "paid-access"};
  return served;
}

// One request as a node meets it: who signs what, what the node knows, what the chain says.
struct Scenario {
  int signer_key = 2;  // the dev key that signs the request
  std::uint64_t signed_chain = kChainId;
  eth::Address request_node;     // the node the request names
  std::int64_t expires_in = 60;  // the request's expiry, seconds after now
  std::int64_t now = kNow;       // the node's clock
  AgreementFacts facts;
  ServedAsset asset;
  ConditionStates states;
};

eth::Address node_address() {
  return dev_key(4).address();
}

PaymentTerms base_terms() {
  PaymentTerms terms;
  terms.receivers = {dev_key(3).address(), dev_key(5).address()};
  terms.amounts = {eth::U256(900), eth::U256(100)};
  return terms;
}

Scenario base() {
  Scenario s;
  s.request_node = node_address();
  s.facts.id = hash_of('a');
  s.facts.template_id = paid_access().id;
  s.facts.did = hash_of('d');
  s.facts.consumer = dev_key(2).address();
  s.facts.payment = base_terms();
  s.facts.valid_from = kNow - 100;
  s.facts.valid_until = kNow + 1000;
  s.facts.time_locks = {0, 0, 0};
  s.facts.time_outs = {0, kNow + 500, 0};
  s.asset.kind = ServedAsset::Kind::kOffered;
  s.asset.offered = base_terms();
  s.states.lock = ConditionState::kFulfilled;
  return s;
}

// What a row expects.
struct Expected {
  enum class Kind { kAllowed, kRequestRefused, kDenied } kind = Kind::kAllowed;
  Settlement settlement;                            // kAllowed
  ErrorCode code = ErrorCode::kInternal;            // kRequestRefused, kDenied
  AccessRefusal reason = AccessRefusal::kRefunded;  // kDenied
  std::string message_part;                         // kDenied: a part of the message, if given
};

Expected allowed(bool fulfil, Release release) {
  Expected e;
  e.settlement = Settlement{fulfil, release};
  return e;
}
Expected request_refused(ErrorCode code) {
  Expected e;
  e.kind = Expected::Kind::kRequestRefused;
  e.code = code;
  return e;
}
Expected denied(AccessRefusal reason, ErrorCode code, std::string message_part = {}) {
  Expected e;
  e.kind = Expected::Kind::kDenied;
  e.reason = reason;
  e.code = code;
  e.message_part = std::move(message_part);
  return e;
}

struct Row {
  std::string name;
  std::function<void(Scenario&)> change;
  Expected expected;
};

// Runs one request through verification and the decision, and checks the outcome.
void check(const Row& row) {
  SCOPED_TRACE(row.name);
  Scenario s = base();
  row.change(s);

  NodeRequest request;
  request.action = NodeAction::kAccess;
  request.subject = s.facts.id;
  request.node = s.request_node;
  request.nonce = eth::U256(7);
  request.expiry = static_cast<std::uint64_t>(s.now + s.expires_in);
  const auto headers = sign_node_request(dev_key(s.signer_key), request, s.signed_chain);
  auto verified = verify_node_request(headers.request_header, headers.signature_header,
                                      {kChainId, node_address(), NodeAction::kAccess, s.now});
  if (row.expected.kind == Expected::Kind::kRequestRefused) {
    ASSERT_FALSE(verified.ok());
    EXPECT_EQ(verified.error().code(), row.expected.code) << verified.error().to_string();
    return;
  }
  ASSERT_TRUE(verified.ok()) << verified.error().to_string();

  std::optional<AccessDenial> denial =
      decide_terms(verified->signer, s.facts, paid_access(), s.asset, s.now);
  std::optional<Settlement> settlement;
  if (!denial) {
    auto decided = decide_settlement(s.facts, s.states, s.now);
    if (auto* d = std::get_if<AccessDenial>(&decided)) {
      denial = *d;
    } else {
      settlement = std::get<Settlement>(decided);
    }
  }

  if (row.expected.kind == Expected::Kind::kAllowed) {
    ASSERT_FALSE(denial) << access_refusal_name(denial->reason) << ": "
                         << denial->error.to_string();
    ASSERT_TRUE(settlement);
    EXPECT_EQ(settlement->fulfil_access, row.expected.settlement.fulfil_access);
    EXPECT_EQ(settlement->release, row.expected.settlement.release);
    return;
  }
  ASSERT_TRUE(denial) << "allowed";
  EXPECT_EQ(access_refusal_name(denial->reason), access_refusal_name(row.expected.reason));
  EXPECT_EQ(denial->error.code(), row.expected.code) << denial->error.to_string();
  const std::string& message = denial->error.message();
  EXPECT_TRUE(message.find(to_hex(s.facts.id)) != std::string::npos ||
              message.find(format_did(s.facts.did)) != std::string::npos)
      << "the message names the agreement or its DID: " << message;
  if (!row.expected.message_part.empty()) {
    EXPECT_NE(denial->error.message().find(row.expected.message_part), std::string::npos)
        << denial->error.message();
  }
}

const std::vector<Row>& rows() {
  using K = ServedAsset::Kind;
  using R = AccessRefusal;
  const auto denied_ = ErrorCode::kPermissionDenied;
  const auto precondition = ErrorCode::kFailedPrecondition;
  static const std::vector<Row> table = {
      // The signed request (verify_node_request): expiry boundaries, node, chain.
      {"a fresh request is served: access fulfilled, payment released", [](Scenario&) {},
       allowed(true, Release::kNow)},
      {"expiry now is still valid", [](Scenario& s) { s.expires_in = 0; },
       allowed(true, Release::kNow)},
      {"expiry a second ago is refused", [](Scenario& s) { s.expires_in = -1; },
       request_refused(ErrorCode::kUnauthenticated)},
      {"expiry at the longest lifetime is valid",
       [](Scenario& s) { s.expires_in = kMaxRequestLifetimeSeconds; },
       allowed(true, Release::kNow)},
      {"expiry past the longest lifetime is refused",
       [](Scenario& s) { s.expires_in = kMaxRequestLifetimeSeconds + 1; },
       request_refused(ErrorCode::kInvalidArgument)},
      {"a request for another node is refused",
       [](Scenario& s) { s.request_node = dev_key(6).address(); },
       request_refused(ErrorCode::kPermissionDenied)},
      {"a request signed for another chain recovers to a stranger",
       [](Scenario& s) { s.signed_chain = 1; }, denied(R::kNotConsumer, denied_)},
      // Consumer, template, asset, terms.
      {"a stranger's signature", [](Scenario& s) { s.signer_key = 5; },
       denied(R::kNotConsumer, denied_, "is not the consumer")},
      {"the publisher's own signature", [](Scenario& s) { s.signer_key = 3; },
       denied(R::kNotConsumer, denied_)},
      {"another template", [](Scenario& s) { s.facts.template_id = hash_of('x'); },
       denied(R::kOtherTemplate, denied_, "paid-access template")},
      {"another template checked before (settled here) is not checked again",
       [](Scenario& s) {
         s.facts.template_id = hash_of('x');
         s.asset.kind = K::kChecked;
       },
       allowed(true, Release::kNow)},
      {"the DID is not served", [](Scenario& s) { s.asset.kind = K::kNotServed; },
       denied(R::kNotServed, ErrorCode::kNotFound, "is not served by this node")},
      {"the stored DDO does not parse",
       [](Scenario& s) {
         s.asset.kind = K::kUnreadable;
         s.asset.problem = "DDO id: not a DID";
       },
       denied(R::kUnreadableDdo, ErrorCode::kDataLoss, "DDO id: not a DID")},
      {"another amount", [](Scenario& s) { s.asset.offered.amounts[0] = eth::U256(901); },
       denied(R::kTermsDiffer, denied_, "differ from the access service")},
      {"another receiver", [](Scenario& s) { s.asset.offered.receivers[1] = dev_key(7).address(); },
       denied(R::kTermsDiffer, denied_)},
      {"another token", [](Scenario& s) { s.asset.offered.token = dev_key(8).address(); },
       denied(R::kTermsDiffer, denied_)},
      {"one receiver more",
       [](Scenario& s) {
         s.asset.offered.receivers.push_back(dev_key(7).address());
         s.asset.offered.amounts.push_back(eth::U256(1));
       },
       denied(R::kTermsDiffer, denied_)},
      {"the receivers in another order",
       [](Scenario& s) {
         std::swap(s.asset.offered.receivers[0], s.asset.offered.receivers[1]);
         std::swap(s.asset.offered.amounts[0], s.asset.offered.amounts[1]);
       },
       denied(R::kTermsDiffer, denied_)},
      {"terms changed after the settlement keep the settled terms",
       [](Scenario& s) {
         s.asset.kind = K::kChecked;
         s.asset.offered.amounts[0] = eth::U256(5);
       },
       allowed(true, Release::kNow)},
      {"a stranger is refused before another template",
       [](Scenario& s) {
         s.signer_key = 5;
         s.facts.template_id = hash_of('x');
       },
       denied(R::kNotConsumer, denied_)},
      {"another template is refused before an unserved DID",
       [](Scenario& s) {
         s.facts.template_id = hash_of('x');
         s.asset.kind = K::kNotServed;
       },
       denied(R::kOtherTemplate, denied_)},
      {"other terms are refused before the window",
       [](Scenario& s) {
         s.asset.offered.amounts[0] = eth::U256(1);
         s.now = s.facts.valid_until + 1;
       },
       denied(R::kTermsDiffer, denied_)},
      // The validity window.
      {"now at valid_from", [](Scenario& s) { s.now = s.facts.valid_from; },
       allowed(true, Release::kNow)},
      {"a second before valid_from", [](Scenario& s) { s.now = s.facts.valid_from - 1; },
       denied(R::kOutsideWindow, precondition, "outside its validity window")},
      {"now at valid_until",
       [](Scenario& s) {
         s.now = s.facts.valid_until;
         s.facts.time_outs[kAccessCondition] = 0;
       },
       allowed(true, Release::kNow)},
      {"a second after valid_until", [](Scenario& s) { s.now = s.facts.valid_until + 1; },
       denied(R::kOutsideWindow, precondition)},
      {"valid_until 0 has no end",
       [](Scenario& s) {
         s.facts.valid_until = 0;
         s.facts.time_outs[kAccessCondition] = 0;
         s.now = kNow + 100'000'000;
       },
       allowed(true, Release::kNow)},
      {"the window closes a settled agreement too",
       [](Scenario& s) {
         s.asset.kind = K::kChecked;
         s.now = s.facts.valid_until + 1;
       },
       denied(R::kOutsideWindow, precondition)},
      // The lock and the agreement's shape.
      {"no payment locked", [](Scenario& s) { s.states.lock = ConditionState::kUnfulfilled; },
       denied(R::kNotLocked, precondition, "is not locked")},
      {"the lock aborted", [](Scenario& s) { s.states.lock = ConditionState::kAborted; },
       denied(R::kNotLocked, precondition)},
      {"an unlocked payment is refused before an aborted access",
       [](Scenario& s) {
         s.states.lock = ConditionState::kUnfulfilled;
         s.states.access = ConditionState::kAborted;
       },
       denied(R::kNotLocked, precondition)},
      {"two time locks only", [](Scenario& s) { s.facts.time_locks.pop_back(); },
       denied(R::kMalformed, ErrorCode::kDataLoss, "fewer than three condition times")},
      {"two time outs only", [](Scenario& s) { s.facts.time_outs.pop_back(); },
       denied(R::kMalformed, ErrorCode::kDataLoss)},
      // The access condition.
      {"access aborted", [](Scenario& s) { s.states.access = ConditionState::kAborted; },
       denied(R::kAccessAborted, precondition, "was aborted")},
      {"a second before access opens",
       [](Scenario& s) {
         s.facts.time_locks[kAccessCondition] = static_cast<std::uint64_t>(kNow + 1);
       },
       denied(R::kAccessTimeLocked, precondition, "time-locked until " + std::to_string(kNow + 1))},
      {"access opens now",
       [](Scenario& s) { s.facts.time_locks[kAccessCondition] = static_cast<std::uint64_t>(kNow); },
       allowed(true, Release::kNow)},
      {"access closes now",
       [](Scenario& s) { s.facts.time_outs[kAccessCondition] = static_cast<std::uint64_t>(kNow); },
       allowed(true, Release::kNow)},
      {"a second after access closed",
       [](Scenario& s) {
         s.facts.time_outs[kAccessCondition] = static_cast<std::uint64_t>(kNow - 1);
       },
       denied(R::kAccessTimedOut, precondition, "may be refunded")},
      {"access that never times out",
       [](Scenario& s) {
         s.facts.time_outs[kAccessCondition] = 0;
         s.now = s.facts.valid_until;
       },
       allowed(true, Release::kNow)},
      {"access fulfilled before is not fulfilled again",
       [](Scenario& s) { s.states.access = ConditionState::kFulfilled; },
       allowed(false, Release::kNow)},
      {"a fulfilled access does not time out",
       [](Scenario& s) {
         s.states.access = ConditionState::kFulfilled;
         s.facts.time_outs[kAccessCondition] = static_cast<std::uint64_t>(kNow - 1);
       },
       allowed(false, Release::kNow)},
      // The escrow.
      {"the payment released already",
       [](Scenario& s) {
         s.states.access = ConditionState::kFulfilled;
         s.states.escrow = ConditionState::kFulfilled;
       },
       allowed(false, Release::kDone)},
      {"the payment refunded",
       [](Scenario& s) {
         s.states.access = ConditionState::kFulfilled;
         s.states.escrow = ConditionState::kAborted;
       },
       denied(R::kRefunded, precondition, "was refunded")},
      {"a refunded payment with access still unfulfilled",
       [](Scenario& s) { s.states.escrow = ConditionState::kAborted; },
       denied(R::kRefunded, precondition)},
      {"a second before the escrow's time lock: served, released later",
       [](Scenario& s) {
         s.facts.time_locks[kEscrowCondition] = static_cast<std::uint64_t>(kNow + 1);
       },
       allowed(true, Release::kLater)},
      {"the escrow's time lock passes now",
       [](Scenario& s) { s.facts.time_locks[kEscrowCondition] = static_cast<std::uint64_t>(kNow); },
       allowed(true, Release::kNow)},
      {"no fee receivers: a single receiver",
       [](Scenario& s) {
         s.facts.payment.receivers.resize(1);
         s.facts.payment.amounts.resize(1);
         s.asset.offered = s.facts.payment;
       },
       allowed(true, Release::kNow)},
  };
  return table;
}

TEST(AccessDecision, Table) {
  ASSERT_GE(rows().size(), 40u);
  for (const auto& row : rows()) check(row);
}

TEST(AccessDecision, EveryRefusalHasARowAndADistinctName) {
  std::set<std::string> named;
  std::set<std::string> covered;
  for (const auto& row : rows()) {
    if (row.expected.kind == Expected::Kind::kDenied) {
      covered.insert(std::string(access_refusal_name(row.expected.reason)));
    }
  }
  for (int r = 0; r <= static_cast<int>(AccessRefusal::kRefunded); ++r) {
    const auto name = std::string(access_refusal_name(static_cast<AccessRefusal>(r)));
    EXPECT_TRUE(named.insert(name).second) << name;
    EXPECT_TRUE(covered.count(name)) << "no row refuses with " << name;
  }
}

TEST(AccessDecision, ReleaseAlone) {
  Scenario s = base();
  auto release = [&](ConditionState escrow, std::int64_t now) {
    return decide_release(s.facts, escrow, now);
  };
  s.facts.time_locks[kEscrowCondition] = static_cast<std::uint64_t>(kNow);
  EXPECT_EQ(std::get<Release>(release(ConditionState::kUnfulfilled, kNow - 1)), Release::kLater);
  EXPECT_EQ(std::get<Release>(release(ConditionState::kUnfulfilled, kNow)), Release::kNow);
  EXPECT_EQ(std::get<Release>(release(ConditionState::kFulfilled, kNow - 1)), Release::kDone);
  auto refunded = release(ConditionState::kAborted, kNow);
  ASSERT_TRUE(std::holds_alternative<AccessDenial>(refunded));
  EXPECT_EQ(std::get<AccessDenial>(refunded).reason, AccessRefusal::kRefunded);
  s.facts.time_locks.resize(2);
  auto malformed = release(ConditionState::kUnfulfilled, kNow);
  ASSERT_TRUE(std::holds_alternative<AccessDenial>(malformed));
  EXPECT_EQ(std::get<AccessDenial>(malformed).reason, AccessRefusal::kMalformed);
}

TEST(AccessDecision, FactsComeFromTheEngineParams) {
  struct Payment {
    eth::Address token;
    std::vector<eth::Address> receivers;
    std::vector<eth::U256> amounts;
  };
  struct Params {
    Hash32 template_id{};
    Hash32 did{};
    eth::Address consumer;
    std::uint64_t valid_from = 0;
    std::uint64_t valid_until = 0;
    std::vector<std::uint64_t> time_locks;
    std::vector<std::uint64_t> time_outs;
    Payment payment;
  };
  Params p;
  p.template_id = hash_of('t');
  p.did = hash_of('d');
  p.consumer = dev_key(2).address();
  p.valid_from = 10;
  p.valid_until = 20;
  p.time_locks = {1, 2, 3};
  p.time_outs = {4, 5, 6};
  p.payment.receivers = {dev_key(3).address()};
  p.payment.amounts = {eth::U256(9)};
  const AgreementFacts f = agreement_facts(hash_of('a'), p);
  EXPECT_EQ(f.id, hash_of('a'));
  EXPECT_EQ(f.template_id, p.template_id);
  EXPECT_EQ(f.did, p.did);
  EXPECT_EQ(f.consumer, p.consumer);
  EXPECT_EQ(f.valid_from, 10u);
  EXPECT_EQ(f.valid_until, 20u);
  EXPECT_EQ(f.time_locks, p.time_locks);
  EXPECT_EQ(f.time_outs, p.time_outs);
  EXPECT_EQ(f.payment.receivers, p.payment.receivers);
  EXPECT_EQ(f.payment.amounts, p.payment.amounts);
}

}  // namespace
}  // namespace pactum::sdk
