// Client::order: the paid-access agreement for a resolved asset, created and paid in one
// transaction (after an ERC-20 approve when the price is in a token and the allowance is short).
// Its file is written pending before anything is sent — seed, params, endpoint, and each
// transaction's hash before that transaction is submitted — and made once the receipt shows the
// agreement, so that recover.cpp can always find it; an earlier order of the same DID is found
// instead of paying again.
#include "client_internal.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::client {
namespace {

using Engine = contracts::AgreementEngine;

constexpr std::string_view kLock = "AgreementEngine.createAgreementAndLock";

eth::U256 total_of(const Payment& payment) {
  eth::U256 total;
  for (const auto& a : payment.amounts) total = total + a;  // checked when ordered
  return total;
}

OrderResult reused(const Hash32& id, const StoredAgreement& stored,
                   const std::filesystem::path& file) {
  OrderResult out;
  out.reused = true;
  out.agreement_id = id;
  out.params = stored.params;
  out.paid = total_of(stored.params.payment);
  out.access_endpoint = stored.access_endpoint;
  out.params_file = file;
  return out;
}

}  // namespace

Result<OrderResult> Client::order(const Hash32& did, const OrderOptions& options,
                                  OrderTrace* trace) {
  PACTUM_TRY_STATUS(impl_->need_key("order"));
  OrderTrace local;
  OrderTrace& t = trace != nullptr ? *trace : local;
  t = OrderTrace{};
  const std::string did_text = sdk::format_did(did);

  // An earlier order of this DID by this consumer, from this home, on this chain's engine.
  std::optional<std::pair<Hash32, StoredAgreement>> resume;
  if (!options.again) {
    auto files = impl_->agreement_files();
    for (auto it = files.rbegin(); it != files.rend(); ++it) {
      auto& [id, stored] = *it;
      if (stored.params.did != did || stored.params.consumer != address()) continue;
      if ((stored.chain_id != 0 && stored.chain_id != impl_->chain_id) ||
          (stored.engine && *stored.engine != impl_->engine)) {
        continue;
      }
      auto found = impl_->settle(id, stored, impl_->config.receipt_timeout);
      if (!found.ok()) {
        // A made file the chain no longer knows (a chain that was reset) is no order any more.
        if (found.error().code() == ErrorCode::kNotFound) continue;
        return found.error().with_context("looking for the earlier order " + to_hex(id) + " of " +
                                          did_text);
      }
      switch (found->outcome) {
        case RecoveryOutcome::kMade:
          return reused(id, stored, impl_->agreement_file(id));
        case RecoveryOutcome::kStillPending:
          return unavailable("the earlier order " + to_hex(id) + " of " + did_text +
                             " is pending: its transaction " + to_hex(*found->transaction) +
                             " waits to be mined; run `pactum recover " + to_hex(id) +
                             "` later (ordering anew with --again would pay a second time)");
        case RecoveryOutcome::kNeverCreated:
          // Sent again with its seed: the engine cannot create the same id twice.
          if (!resume) resume.emplace(id, stored);
          break;
      }
    }
  }

  PACTUM_TRY(ResolvedAsset asset, resolve(did));
  const AccessService& access = asset.access;
  if (access.template_id != impl_->paid_access) {
    return failed_precondition(did_text + " names template " + to_hex(access.template_id) +
                               ", not this deployment's paid-access template");
  }
  // Checked before paying: an asset whose node cannot be reached by this client is not bought.
  std::string named = access.endpoint.value_or(impl_->node.base_url());
  if (!access.endpoint) {
    while (!named.empty() && named.back() == '/') named.pop_back();
    named += "/api/v1/access";
  }
  auto endpoint = parse_access_endpoint(named);
  if (!endpoint.ok()) return endpoint.error().with_context("the DDO of " + did_text);
  PACTUM_TRY(bool provides, impl_->is_provider(did, access.provider));
  if (!provides) {
    return failed_precondition("the DDO's provider " + access.provider.to_checksum_string() +
                               " is not a provider of " + did_text + " on chain");
  }
  eth::U256 total;
  for (const auto& a : access.payment.amounts) {
    auto sum = eth::checked_add(total, a);
    if (!sum.ok()) return data_loss("the DDO's amounts of " + did_text + " overflow");
    total = *sum;
  }
  const eth::Address& token = access.payment.token;
  std::optional<TokenFunds> funds;
  if (!token.is_zero()) {
    // The engine pulls the total with transferFrom: a short balance would revert the order
    // after an approve was paid for, so it is refused before anything is sent.
    PACTUM_TRY(funds, impl_->token_funds(token, address(), impl_->engine));
    if (funds->balance < total) {
      return failed_precondition(did_text + " costs " + total.to_dec() +
                                 " base units of the token " + token.to_checksum_string() + "; " +
                                 address().to_checksum_string() + " holds " +
                                 funds->balance.to_dec());
    }
  }

  // Paid-access: LockPayment (0) → Access (1) → EscrowPayment (2). Access must time out so that
  // escrow can refund the consumer if the node never grants it. Fresh times (and the DDO's terms
  // as they are now) also for an intent sent again: the id depends only on the seed.
  const std::int64_t now = impl_->now();
  AgreementParams p;
  p.template_id = impl_->paid_access;
  p.did = did;
  p.consumer = address();
  p.purpose = Hash32{};
  // A minute of slack: the node checks the window against its own clock.
  p.valid_from = static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - 60));
  p.valid_until = 0;
  p.time_locks = {0, 0, 0};
  p.time_outs = {0, static_cast<std::uint64_t>(now) + access.access_timeout_seconds, 0};
  p.payment = access.payment;

  // The intent, on disk before anything is sent.
  StoredAgreement stored;
  Hash32 id{};
  if (resume) {
    id = resume->first;
    stored = std::move(resume->second);
  } else {
    PACTUM_TRY(Hash32 seed, random_word());
    stored.seed = seed;
    id = compute_agreement_id(seed, address());
  }
  PACTUM_TRY(std::uint64_t head, impl_->api.block_number());
  stored.params = p;
  stored.state = AgreementState::kPending;
  stored.chain_id = impl_->chain_id;
  stored.engine = impl_->engine;
  stored.node_url = impl_->node.base_url();
  stored.rpc_url = impl_->config.rpc_url;
  stored.access_endpoint = *endpoint;
  stored.provider = access.provider;
  stored.ordered_at = now;
  stored.from_block = std::min(stored.from_block == 0 ? head : stored.from_block, head);
  const std::filesystem::path file = impl_->agreement_file(id);
  PACTUM_TRY_STATUS(impl_->save_agreement(id, stored));
  t.agreement_id = id;
  t.params_file = file;

  auto record = [&](std::string_view what) {
    return [this, &stored, &id, what](const Hash32& hash) -> Status {
      stored.submitted.push_back({std::string(what), hash});
      if (what == kLock) stored.transaction = hash;
      return impl_->save_agreement(id, stored);
    };
  };
  // After a failure: a transaction that may be mined keeps the file pending for recover();
  // otherwise the agreement was never created and the file goes.
  auto failed = [&](const Error& error) -> Error {
    for (const auto& sent : t.transactions) {
      if (!sent.mined) {
        return error.with_context("agreement " + to_hex(id) + " stays pending in " + file.string() +
                                  ": its transaction " + to_hex(sent.hash) +
                                  " may be mined; `pactum recover " + to_hex(id) +
                                  "` (or ordering again) finds it without paying twice");
      }
    }
    std::error_code ec;
    std::filesystem::remove(file, ec);
    return error;
  };

  if (funds) {
    if (auto approved = impl_->ensure_allowance(token, impl_->engine, total, funds->allowance,
                                                t.transactions, record("ERC20.approve"));
        !approved.ok()) {
      return failed(approved.error());
    }
  }
  auto data = Engine::encode_createAgreementAndLock(*stored.seed, p);
  if (!data.ok()) return failed(data.error());
  // Ether is sent with the call; a token price is pulled by the engine (msg.value must be 0).
  const eth::U256 value = token.is_zero() ? total : eth::U256();
  auto receipt = impl_->send(kLock, impl_->engine, *data, value, t.transactions, record(kLock));
  if (!receipt.ok()) return failed(receipt.error());
  bool made = false;
  for (const auto& log : receipt->logs) {
    if (log.address != impl_->engine || log.topics.empty() ||
        log.topics[0] != Engine::kTopic_AgreementCreated) {
      continue;
    }
    auto event = Engine::decode_AgreementCreated(log);
    if (event.ok() && event->agreement_id == id && event->params == p) made = true;
  }
  if (!made) {
    return data_loss("the order's receipt " + to_hex(receipt->transaction_hash) +
                     " has no AgreementCreated event of " + to_hex(id) +
                     " with our params; its file stays pending in " + file.string());
  }
  stored.state = AgreementState::kMade;
  stored.transaction = receipt->transaction_hash;
  // The agreement exists and is paid for: a file that cannot be completed now stays pending,
  // and recover() completes it.
  PACTUM_TRY_STATUS(impl_->save_agreement(id, stored));

  OrderResult out;
  out.agreement_id = id;
  out.params = std::move(p);
  out.paid = total;
  out.access_endpoint = *endpoint;
  out.params_file = file;
  out.transactions = t.transactions;
  return out;
}

}  // namespace pactum::client
