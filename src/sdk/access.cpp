#include "pactum/sdk/access.hpp"

#include "pactum/sdk/did.hpp"

namespace pactum::sdk {

std::string_view access_refusal_name(AccessRefusal reason) noexcept {
  switch (reason) {
    case AccessRefusal::kNotConsumer:
      return "not_consumer";
    case AccessRefusal::kOtherTemplate:
      return "other_template";
    case AccessRefusal::kNotServed:
      return "not_served";
    case AccessRefusal::kUnreadableDdo:
      return "unreadable_ddo";
    case AccessRefusal::kTermsDiffer:
      return "terms_differ";
    case AccessRefusal::kOutsideWindow:
      return "outside_window";
    case AccessRefusal::kNotLocked:
      return "not_locked";
    case AccessRefusal::kMalformed:
      return "malformed";
    case AccessRefusal::kAccessAborted:
      return "access_aborted";
    case AccessRefusal::kAccessTimeLocked:
      return "access_time_locked";
    case AccessRefusal::kAccessTimedOut:
      return "access_timed_out";
    case AccessRefusal::kRefunded:
      return "refunded";
  }
  return "unknown";
}

namespace {

AccessDenial deny(AccessRefusal reason, Error error) {
  return AccessDenial{reason, std::move(error)};
}

// Whether `now` lies in the agreement's validity window (valid_until 0: no end).
bool window_contains(const AgreementFacts& facts, std::int64_t now) {
  return now >= static_cast<std::int64_t>(facts.valid_from) &&
         (facts.valid_until == 0 || now <= static_cast<std::int64_t>(facts.valid_until));
}

// The paid-access template's conditions each have a time lock and a time out.
bool has_condition_times(const AgreementFacts& facts) {
  return facts.time_locks.size() > kEscrowCondition && facts.time_outs.size() > kEscrowCondition;
}

AccessDenial malformed(const AgreementFacts& facts) {
  return deny(AccessRefusal::kMalformed,
              data_loss("agreement " + to_hex(facts.id) + " has fewer than three condition times"));
}

}  // namespace

std::optional<AccessDenial> decide_terms(const eth::Address& signer, const AgreementFacts& facts,
                                         const ServedTemplate& served, const ServedAsset& asset,
                                         std::int64_t now) {
  if (facts.consumer != signer) {
    return deny(AccessRefusal::kNotConsumer,
                permission_denied("the signer " + signer.to_checksum_string() +
                                  " is not the consumer of agreement " + to_hex(facts.id)));
  }
  if (asset.kind != ServedAsset::Kind::kChecked) {
    if (facts.template_id != served.id) {
      return deny(AccessRefusal::kOtherTemplate,
                  permission_denied("agreement " + to_hex(facts.id) + " is not of the " +
                                    served.name + " template"));
    }
    const std::string did_text = format_did(facts.did);
    switch (asset.kind) {
      case ServedAsset::Kind::kNotServed:
        return deny(AccessRefusal::kNotServed, not_found(did_text + " is not served by this node"));
      case ServedAsset::Kind::kUnreadable:
        return deny(AccessRefusal::kUnreadableDdo, data_loss("the stored DDO of " + did_text +
                                                             " does not parse: " + asset.problem));
      case ServedAsset::Kind::kOffered:
        if (!(asset.offered == facts.payment)) {
          return deny(AccessRefusal::kTermsDiffer,
                      permission_denied("the payment terms of agreement " + to_hex(facts.id) +
                                        " differ from the access service of " + did_text));
        }
        break;
      case ServedAsset::Kind::kChecked:
        break;
    }
  }
  if (!window_contains(facts, now)) {
    return deny(
        AccessRefusal::kOutsideWindow,
        failed_precondition("agreement " + to_hex(facts.id) + " is outside its validity window"));
  }
  return std::nullopt;
}

std::variant<Settlement, AccessDenial> decide_settlement(const AgreementFacts& facts,
                                                         const ConditionStates& states,
                                                         std::int64_t now) {
  if (states.lock != ConditionState::kFulfilled) {
    return deny(
        AccessRefusal::kNotLocked,
        failed_precondition("the payment of agreement " + to_hex(facts.id) + " is not locked"));
  }
  if (!has_condition_times(facts)) return malformed(facts);
  Settlement settlement;
  if (states.access == ConditionState::kAborted) {
    return deny(
        AccessRefusal::kAccessAborted,
        failed_precondition("the access condition of " + to_hex(facts.id) + " was aborted"));
  }
  if (states.access == ConditionState::kUnfulfilled) {
    // The chain would revert fulfillAccess (ConditionTimeLocked, ConditionTimedOut): refuse
    // before paying for a transaction that cannot succeed, and say when it could.
    const std::uint64_t opens = facts.time_locks[kAccessCondition];
    const std::uint64_t closes = facts.time_outs[kAccessCondition];
    if (now < static_cast<std::int64_t>(opens)) {
      return deny(AccessRefusal::kAccessTimeLocked,
                  failed_precondition("access under agreement " + to_hex(facts.id) +
                                      " is time-locked until " + std::to_string(opens) +
                                      " (unix seconds)"));
    }
    if (closes != 0 && now > static_cast<std::int64_t>(closes)) {
      return deny(AccessRefusal::kAccessTimedOut,
                  failed_precondition("the access condition of agreement " + to_hex(facts.id) +
                                      " timed out at " + std::to_string(closes) +
                                      " (unix seconds): its payment may be refunded"));
    }
    settlement.fulfil_access = true;
  }
  auto release = decide_release(facts, states.escrow, now);
  if (auto* denial = std::get_if<AccessDenial>(&release)) return std::move(*denial);
  settlement.release = std::get<Release>(release);
  return settlement;
}

std::variant<Release, AccessDenial> decide_release(const AgreementFacts& facts,
                                                   ConditionState escrow, std::int64_t now) {
  if (!has_condition_times(facts)) return malformed(facts);
  if (escrow == ConditionState::kAborted) {
    return deny(AccessRefusal::kRefunded,
                failed_precondition("the payment of " + to_hex(facts.id) + " was refunded"));
  }
  if (escrow == ConditionState::kFulfilled) return Release::kDone;
  // A time-locked escrow is released once its lock has passed (the node's watch does it):
  // access does not wait for the publisher's payment.
  if (now < static_cast<std::int64_t>(facts.time_locks[kEscrowCondition])) return Release::kLater;
  return Release::kNow;
}

}  // namespace pactum::sdk
