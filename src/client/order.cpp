// Client::order: the paid-access agreement for a resolved asset, created and paid in one
// transaction; its params kept in the agreements directory.
#include "client_internal.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::client {

using Engine = contracts::AgreementEngine;

Result<OrderResult> Client::order(const Hash32& did) {
  PACTUM_TRY_STATUS(impl_->need_key("order"));
  PACTUM_TRY(ResolvedAsset asset, resolve(did));
  const AccessService& access = asset.access;
  const std::string did_text = sdk::format_did(did);
  if (access.template_id != impl_->paid_access) {
    return failed_precondition(did_text + " names template " + to_hex(access.template_id) +
                               ", not this deployment's paid-access template");
  }
  if (!access.payment.token.is_zero()) {
    return unimplemented(did_text + " is priced in the ERC-20 token " +
                         access.payment.token.to_checksum_string() +
                         "; ordering pays in ether only for now");
  }
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

  // Paid-access: LockPayment (0) → Access (1) → EscrowPayment (2). Access must time out so that
  // escrow can refund the consumer if the node never grants it.
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

  PACTUM_TRY(Hash32 seed, random_word());
  PACTUM_TRY(auto data, Engine::encode_createAgreementAndLock(seed, p));
  OrderResult out;
  PACTUM_TRY(rpc::Receipt receipt, impl_->send("AgreementEngine.createAgreementAndLock",
                                               impl_->engine, data, total, out.transactions));
  std::optional<Hash32> id;
  for (const auto& log : receipt.logs) {
    if (log.address != impl_->engine || log.topics.empty() ||
        log.topics[0] != Engine::kTopic_AgreementCreated) {
      continue;
    }
    auto event = Engine::decode_AgreementCreated(log);
    if (event.ok() && event->params == p) id = event->agreement_id;
  }
  if (!id) return data_loss("the order's receipt has no AgreementCreated event with our params");

  out.agreement_id = *id;
  out.params = std::move(p);
  out.paid = total;
  out.params_file = impl_->config.agreements_dir / (to_hex(*id) + ".json");
  PACTUM_TRY_STATUS(write_file_atomically(
      out.params_file, agreement_file_json(*id, impl_->chain_id, impl_->node.base_url(), out.params,
                                           receipt.transaction_hash)));
  return out;
}

}  // namespace pactum::client
