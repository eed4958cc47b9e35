// Client::refund: the consumer's way back to its money when the node never granted access
// (docs/node-api.md, the agreement's conditions): abortCondition(access) once it timed out,
// then refundPayment, which the engine allows only then.
#include <string>

#include "client_internal.hpp"

namespace pactum::client {
namespace {

using Engine = contracts::AgreementEngine;

constexpr std::string_view kAbort = "AgreementEngine.abortCondition";
constexpr std::string_view kRefund = "AgreementEngine.refundPayment";

const ConditionStatus* find_condition(const AgreementStatus& status, ConditionType type) {
  for (const auto& c : status.conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

}  // namespace

Result<RefundResult> Client::refund(const Hash32& agreement_id,
                                    std::vector<SentTransaction>* sent) {
  PACTUM_TRY(AgreementStatus status, this->status(agreement_id));
  const std::string id = to_hex(agreement_id);
  const ConditionStatus* lock = find_condition(status, ConditionType::kLockPayment);
  const ConditionStatus* access = find_condition(status, ConditionType::kAccess);
  const ConditionStatus* escrow = find_condition(status, ConditionType::kEscrowPayment);
  if (lock == nullptr || access == nullptr || escrow == nullptr) {
    return failed_precondition(
        "agreement " + id + " (template " +
        (status.template_name.empty() ? std::string("unknown") : status.template_name) +
        ") has no lock, access and escrow conditions to refund");
  }
  if (escrow->state == ConditionState::kAborted) {
    return failed_precondition("agreement " + id + " was refunded already");
  }
  if (escrow->state == ConditionState::kFulfilled) {
    return failed_precondition("agreement " + id +
                               ": the escrow paid the publisher (access was granted); nothing to "
                               "refund");
  }
  if (lock->state != ConditionState::kFulfilled) {
    return failed_precondition("agreement " + id + ": nothing was locked, nothing to refund");
  }
  if (access->state == ConditionState::kFulfilled) {
    return failed_precondition("agreement " + id +
                               ": access was granted, so the escrow pays the publisher; nothing to "
                               "refund");
  }
  if (access->state == ConditionState::kUnfulfilled) {
    if (access->time_out == 0) {
      return failed_precondition("agreement " + id +
                                 ": its access condition never times out, so it cannot be "
                                 "refunded");
    }
    PACTUM_TRY(std::uint64_t chain_now, impl_->api.latest_block_timestamp());
    // abortCondition needs block.timestamp > timeOut; the next block's is at least this one's.
    if (chain_now <= access->time_out) {
      const std::uint64_t wait = access->time_out - chain_now + 1;
      return failed_precondition("agreement " + id + ": access may still be granted until " +
                                 std::to_string(access->time_out) +
                                 " (unix seconds, chain time; the chain's clock is at " +
                                 std::to_string(chain_now) + "): a refund is possible in " +
                                 std::to_string(wait) + " s");
    }
  }

  std::vector<SentTransaction> local;
  std::vector<SentTransaction>& transactions = sent != nullptr ? *sent : local;
  const AgreementParams& params = status.params;
  if (access->state == ConditionState::kUnfulfilled) {
    PACTUM_TRY(Bytes abort,
               Engine::encode_abortCondition(agreement_id, params, eth::U256(access->index)));
    PACTUM_TRY(rpc::Receipt aborted,
               impl_->send(kAbort, impl_->engine, abort, eth::U256(), transactions));
    (void)aborted;
  }
  PACTUM_TRY(Bytes refund, Engine::encode_refundPayment(agreement_id, params));
  PACTUM_TRY(rpc::Receipt receipt,
             impl_->send(kRefund, impl_->engine, refund, eth::U256(), transactions));
  RefundResult out;
  out.agreement_id = agreement_id;
  bool seen = false;
  for (const auto& log : receipt.logs) {
    if (log.address != impl_->engine || log.topics.empty() ||
        log.topics[0] != Engine::kTopic_PaymentRefunded) {
      continue;
    }
    auto event = Engine::decode_PaymentRefunded(log);
    if (event.ok() && event->agreement_id == agreement_id) {
      out.consumer = event->consumer;
      out.token = event->token;
      out.amount = event->amount;
      seen = true;
    }
  }
  if (!seen) {
    return data_loss("the refund's receipt " + to_hex(receipt.transaction_hash) +
                     " has no PaymentRefunded event of " + id);
  }
  out.transactions = transactions;
  return out;
}

}  // namespace pactum::client
