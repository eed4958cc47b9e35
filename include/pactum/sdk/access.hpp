// The access decision: whether a node may serve an agreement's asset to the one who asks, and
// what it must do on chain first (docs/node-api.md, "What the node checks before a byte leaves").
//
// Pure: the caller gathers the facts — the verified request's signer (sdk/node_request.hpp),
// the agreement's params from the chain, where the node stands with the asset, the states of
// the agreement's conditions — and acts on the answer (sends the transactions, serves the bytes,
// maps a denial to HTTP). The node's NodeService is one such caller; a policy engine extends
// these functions, and tests table them without a server or a chain.
//
// The paid-access template's conditions: lock (0, the consumer's payment locked in escrow),
// access (1, fulfilled by the node when it first serves), escrow (2, the payment released to the
// receivers). Every time is unix seconds.
//
// Thread safety: values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/sdk/ddo.hpp"

namespace pactum::sdk {

// The state of one condition of an agreement (IAgreementEngine.ConditionState, same values).
enum class ConditionState : std::uint8_t { kUnfulfilled = 0, kFulfilled = 1, kAborted = 2 };

// The condition indices of the paid-access template.
inline constexpr unsigned kLockCondition = 0;
inline constexpr unsigned kAccessCondition = 1;
inline constexpr unsigned kEscrowCondition = 2;

// What the chain says of an agreement: its AgreementCreated params, vouched for by checkParams.
struct AgreementFacts {
  Hash32 id{};
  Hash32 template_id{};
  Hash32 did{};
  eth::Address consumer;
  PaymentTerms payment;
  std::uint64_t valid_from = 0;
  std::uint64_t valid_until = 0;          // 0: no end
  std::vector<std::uint64_t> time_locks;  // per condition: not before
  std::vector<std::uint64_t> time_outs;   // per condition: not after; 0: never
};

// The facts of agreement `id` from the engine binding's params (any struct with the members
// of IAgreementEngine.AgreementParams).
template <class Params>
[[nodiscard]] AgreementFacts agreement_facts(const Hash32& id, const Params& params) {
  return AgreementFacts{id,
                        params.template_id,
                        params.did,
                        params.consumer,
                        to_payment_terms(params.payment),
                        params.valid_from,
                        params.valid_until,
                        params.time_locks,
                        params.time_outs};
}

// Where the node stands with the agreement's asset.
struct ServedAsset {
  enum class Kind : std::uint8_t {
    kChecked,     // this node checked template and terms before (it settled the agreement, or
                  // an earlier request got that far): served on the terms checked then
    kOffered,     // the node serves the DID now, on `offered` terms (its DDO's access service)
    kNotServed,   // the node does not serve the DID (or has no DDO for it)
    kUnreadable,  // the node's stored DDO does not parse: `problem` says why
  };
  Kind kind = Kind::kNotServed;
  PaymentTerms offered;  // kOffered
  std::string problem;   // kUnreadable
};

// Why access is refused. In the order the checks run: the first that fails is the answer.
enum class AccessRefusal : std::uint8_t {
  kNotConsumer,       // the signer is not the agreement's consumer
  kOtherTemplate,     // the agreement is not of the template this node serves
  kNotServed,         // the node does not serve the agreement's DID
  kUnreadableDdo,     // the node's DDO of the DID does not parse
  kTermsDiffer,       // the agreement's payment differs from the DDO's access terms
  kOutsideWindow,     // now lies outside [valid_from, valid_until]
  kNotLocked,         // the consumer's payment is not locked
  kMalformed,         // the agreement has fewer condition times than the template needs
  kAccessAborted,     // the access condition was aborted
  kAccessTimeLocked,  // the access condition cannot be fulfilled yet
  kAccessTimedOut,    // the access condition can no longer be fulfilled (refund is open)
  kRefunded,          // the escrow was refunded to the consumer
};

// "not_consumer", "other_template", …: stable names for logs and tests.
[[nodiscard]] std::string_view access_refusal_name(AccessRefusal reason) noexcept;

// A refusal: its reason, and the error a node answers — kPermissionDenied (not the consumer,
// another template, other terms), kNotFound (not served), kDataLoss (unreadable DDO, malformed
// agreement), kFailedPrecondition (outside the window, not locked, aborted, time-locked, timed
// out, refunded) — with a message naming the agreement and, where it helps, when it opens.
struct AccessDenial {
  AccessRefusal reason;
  Error error;
};

// The agreement template a node serves: its id and the name its refusals use ("paid-access").
struct ServedTemplate {
  Hash32 id{};
  std::string name;
};

// Whether `signer` may be served agreement `facts` at `now` by a node serving `served`,
// judging from what is known without the chain's condition states: consumer, then template,
// asset and terms (all three skipped for kChecked), then the validity window. nullopt: allowed.
// For an agreement this node settled before, this is the whole decision (the fast path).
[[nodiscard]] std::optional<AccessDenial> decide_terms(const eth::Address& signer,
                                                       const AgreementFacts& facts,
                                                       const ServedTemplate& served,
                                                       const ServedAsset& asset, std::int64_t now);

// The states of the paid-access template's three conditions, read from the chain.
struct ConditionStates {
  ConditionState lock = ConditionState::kUnfulfilled;
  ConditionState access = ConditionState::kUnfulfilled;
  ConditionState escrow = ConditionState::kUnfulfilled;
};

// What to do about the payment once access is fulfilled.
enum class Release : std::uint8_t {
  kDone,   // the escrow is released already
  kNow,    // send releasePayment
  kLater,  // the escrow is time-locked until time_locks[2]: release it then (the node's watch)
};

// What to send before the first byte is served.
struct Settlement {
  bool fulfil_access = false;  // send fulfillAccess (the access condition is unfulfilled)
  Release release = Release::kDone;
};

// The settlement of an agreement that passed decide_terms, from its condition states at `now`:
// refused when the payment is not locked, the access condition was aborted or cannot be
// fulfilled now (the chain would revert: time-locked, timed out), or the escrow was refunded;
// else what to send. Access never waits for the publisher's payment (Release::kLater).
[[nodiscard]] std::variant<Settlement, AccessDenial> decide_settlement(
    const AgreementFacts& facts, const ConditionStates& states, std::int64_t now);

// The release alone, for an agreement whose access is fulfilled (the node's watch, for
// payments it left time-locked): refused when the escrow was refunded.
[[nodiscard]] std::variant<Release, AccessDenial> decide_release(const AgreementFacts& facts,
                                                                 ConditionState escrow,
                                                                 std::int64_t now);

}  // namespace pactum::sdk
