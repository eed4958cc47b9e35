// Client::order: the paid-access agreement for a resolved asset, created and paid in one
// transaction (after an ERC-20 approve when the price is in a token and the allowance is short);
// its params and access endpoint kept in the agreements directory.
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
  OrderResult out;
  const eth::Address& token = access.payment.token;
  if (!token.is_zero()) {
    // The engine pulls the total with transferFrom: a short balance would revert the order
    // after an approve was paid for, so it is refused before anything is sent.
    PACTUM_TRY(TokenFunds funds, impl_->token_funds(token, address(), impl_->engine));
    if (funds.balance < total) {
      return failed_precondition(did_text + " costs " + total.to_dec() +
                                 " base units of the token " + token.to_checksum_string() + "; " +
                                 address().to_checksum_string() + " holds " +
                                 funds.balance.to_dec());
    }
    PACTUM_TRY_STATUS(
        impl_->ensure_allowance(token, impl_->engine, total, funds.allowance, out.transactions));
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
  // Ether is sent with the call; a token price is pulled by the engine (msg.value must be 0).
  const eth::U256 value = token.is_zero() ? total : eth::U256();
  PACTUM_TRY(rpc::Receipt receipt, impl_->send("AgreementEngine.createAgreementAndLock",
                                               impl_->engine, data, value, out.transactions));
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
  out.paid = total;
  out.access_endpoint = *endpoint;
  out.params_file = impl_->config.agreements_dir / (to_hex(*id) + ".json");
  StoredAgreement stored;
  stored.params = p;
  stored.access_endpoint = *endpoint;
  stored.provider = access.provider;
  out.params = std::move(p);
  PACTUM_TRY_STATUS(write_file_atomically(
      out.params_file, agreement_file_json(*id, impl_->chain_id, impl_->node.base_url(), stored,
                                           receipt.transaction_hash)));
  return out;
}

}  // namespace pactum::client
