// Client::recover and what order(), download() and status() share with it: finding on chain
// what became of an order whose file is pending (a lost receipt, a crash, a kill), from the file
// alone — the recorded transactions, agreementExists and checkParams, the AgreementCreated logs.
// Nothing here sends a transaction.
#include "client_internal.hpp"
#include "pactum/rpc/logs.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::client {
namespace {

using Engine = contracts::AgreementEngine;

constexpr std::string_view kLock = "AgreementEngine.createAgreementAndLock";

// The params of agreement `id` if `log` is its AgreementCreated from `engine`.
std::optional<AgreementParams> created(const rpc::Log& log, const eth::Address& engine,
                                       const Hash32& id) {
  if (log.removed || log.address != engine || log.topics.size() < 2 ||
      log.topics[0] != Engine::kTopic_AgreementCreated || log.topics[1] != id) {
    return std::nullopt;
  }
  auto event = Engine::decode_AgreementCreated(log);
  if (!event.ok() || event->agreement_id != id) return std::nullopt;
  return event->params;
}

}  // namespace

std::string_view recovery_outcome_name(RecoveryOutcome outcome) noexcept {
  switch (outcome) {
    case RecoveryOutcome::kMade:
      return "made";
    case RecoveryOutcome::kStillPending:
      return "pending";
    case RecoveryOutcome::kNeverCreated:
      return "never_created";
  }
  return "unknown";
}

Result<RecoveredAgreement> Client::Impl::settle(const Hash32& id, StoredAgreement& stored,
                                                std::chrono::milliseconds wait) {
  RecoveredAgreement out;
  out.agreement_id = id;
  out.did = stored.params.did;
  out.params = stored.params;
  out.params_file = agreement_file(id);
  out.was_pending = stored.state == AgreementState::kPending;
  const std::string named = "agreement " + to_hex(id);
  if (stored.seed && compute_agreement_id(*stored.seed, stored.params.consumer) != id) {
    return data_loss("the file of " + named + " is corrupt: its seed and consumer give " +
                     to_hex(compute_agreement_id(*stored.seed, stored.params.consumer)));
  }
  auto exists_on_chain = [&]() -> Result<bool> {
    PACTUM_TRY(auto data, Engine::encode_agreementExists(id));
    PACTUM_TRY(auto ret, view(engine, std::move(data)));
    return Engine::decode_agreementExists_result(ret);
  };
  auto params_match = [&](const AgreementParams& p) -> Result<bool> {
    PACTUM_TRY(auto data, Engine::encode_checkParams(id, p));
    PACTUM_TRY(auto ret, view(engine, std::move(data)));
    return Engine::decode_checkParams_result(ret);
  };
  auto complete = [&](std::optional<Hash32> transaction,
                      AgreementParams params) -> Result<RecoveredAgreement> {
    stored.state = AgreementState::kMade;
    stored.params = std::move(params);
    if (transaction) stored.transaction = transaction;
    PACTUM_TRY_STATUS(save_agreement(id, stored));
    out.outcome = RecoveryOutcome::kMade;
    out.params = stored.params;
    out.transaction = stored.transaction;
    return out;
  };

  if (stored.state == AgreementState::kMade) {
    PACTUM_TRY(bool exists, exists_on_chain());
    if (!exists) {
      return not_found(named + " does not exist on chain " + std::to_string(chain_id) +
                       " (was the chain reset?)");
    }
    PACTUM_TRY(bool matches, params_match(stored.params));
    if (!matches) {
      return data_loss("the stored params of " + named + " do not match the chain's (checkParams)");
    }
    out.outcome = RecoveryOutcome::kMade;
    out.transaction = stored.transaction;
    return out;
  }

  // The order's own transactions, newest first: a receipt names the agreement and its params.
  std::optional<Hash32> waiting;
  for (auto it = stored.submitted.rbegin(); it != stored.submitted.rend(); ++it) {
    if (it->what != kLock) continue;
    PACTUM_TRY(std::optional<rpc::Receipt> receipt, api.get_transaction_receipt(it->hash));
    if (!receipt) {
      PACTUM_TRY(std::optional<rpc::TransactionInfo> known, api.get_transaction_by_hash(it->hash));
      if (!known) continue;  // the node never got it, or dropped it
      if (wait.count() > 0 && transactor) {
        auto mined = transactor->sender().wait_for_receipt(it->hash, wait);
        if (mined.ok()) {
          receipt = std::move(mined).value();
        } else if (mined.error().code() != ErrorCode::kDeadlineExceeded) {
          return mined.error().with_context(named);
        }
      }
      if (!receipt) {
        if (!waiting) waiting = it->hash;
        continue;
      }
    }
    if (!receipt->success) continue;  // reverted: it created nothing
    for (const auto& log : receipt->logs) {
      if (auto params = created(log, engine, id)) return complete(it->hash, std::move(*params));
    }
  }

  // Not through a recorded transaction (or its receipt is gone): the chain's own word.
  PACTUM_TRY(bool exists, exists_on_chain());
  if (!exists) {
    out.outcome = waiting ? RecoveryOutcome::kStillPending : RecoveryOutcome::kNeverCreated;
    out.transaction = waiting;
    return out;
  }
  // Which transaction made it, and with which params: its AgreementCreated log.
  rpc::LogFilter filter;
  filter.addresses = {engine};
  filter.topics = {{Engine::kTopic_AgreementCreated}, {id}};
  std::optional<std::pair<Hash32, AgreementParams>> logged;
  if (auto head = api.block_number(); head.ok() && *head >= stored.from_block) {
    auto logs = rpc::get_logs_range(api, filter, stored.from_block, *head);
    if (logs.ok()) {
      for (const auto& log : *logs) {
        if (auto params = created(log, engine, id)) logged.emplace(log.transaction_hash, *params);
      }
    }
  }
  PACTUM_TRY(bool matches, params_match(stored.params));
  if (matches) {
    return complete(logged ? std::optional<Hash32>(logged->first) : std::nullopt, stored.params);
  }
  if (logged) return complete(logged->first, std::move(logged->second));
  return data_loss(named +
                   " exists on chain, but with params other than its file's, and its "
                   "AgreementCreated log could not be read");
}

Result<StoredAgreement> Client::Impl::made_agreement(const Hash32& id,
                                                     std::chrono::milliseconds wait) {
  PACTUM_TRY(StoredAgreement stored, stored_agreement(id));
  if (stored.chain_id != 0 && stored.chain_id != chain_id) {
    return failed_precondition(
        "agreement " + to_hex(id) + " was ordered on chain " + std::to_string(stored.chain_id) +
        (stored.rpc_url.empty() ? std::string() : " (" + stored.rpc_url + ")") +
        ", and this client talks to chain " + std::to_string(chain_id) +
        ": use that chain's RPC URL (--rpc)");
  }
  if (stored.state == AgreementState::kMade) return stored;
  PACTUM_TRY(RecoveredAgreement found, settle(id, stored, wait));
  const std::string named = "agreement " + to_hex(id);
  switch (found.outcome) {
    case RecoveryOutcome::kMade:
      return stored;
    case RecoveryOutcome::kStillPending:
      return failed_precondition(
          named + " is pending: its transaction " + to_hex(*found.transaction) +
          " waits to be mined; run `pactum recover " + to_hex(id) + "` later");
    case RecoveryOutcome::kNeverCreated:
      break;
  }
  return failed_precondition(
      named + " was never created on chain (nothing was paid for it); `pactum order " +
      sdk::format_did(stored.params.did) + "` sends it again");
}

Result<RecoveredAgreement> Client::recover(const Hash32& agreement_id) {
  PACTUM_TRY(StoredAgreement stored, impl_->stored_agreement(agreement_id));
  return impl_->settle(agreement_id, stored, impl_->config.receipt_timeout);
}

std::vector<Hash32> Client::pending_agreements(const std::optional<Hash32>& did) const {
  std::vector<Hash32> out;
  for (const auto& [id, stored] : impl_->agreement_files()) {
    if (stored.state != AgreementState::kPending) continue;
    if (did && stored.params.did != *did) continue;
    out.push_back(id);
  }
  return out;
}

}  // namespace pactum::client
