#include "client_session.hpp"

#include <cctype>

#include "pactum/contracts/deployment.hpp"

namespace pactum::cli {

namespace {

Result<ClientSession> open_session(Invocation& inv, std::optional<Role> role,
                                   std::chrono::milliseconds receipt_wait,
                                   std::chrono::milliseconds settlement_wait,
                                   const std::string& recorded_rpc_url) {
  ClientSession s;
  if (role) {
    PACTUM_TRY(Account account, select_account(inv, role));
    s.account = std::move(account);
  }
  PACTUM_TRY(s.node_url, inv.node_url());
  const bool rpc_named = inv.options().rpc_url || inv.env().get("PACTUM_RPC");
  if (!rpc_named && !recorded_rpc_url.empty()) {
    PACTUM_TRY_STATUS(validate_url("the agreement file's rpc_url", recorded_rpc_url));
    s.rpc_url = recorded_rpc_url;
  } else {
    PACTUM_TRY(s.rpc_url, inv.rpc_url());
  }
  PACTUM_TRY(Home home, inv.home());
  PACTUM_TRY(std::string ca_file, inv.ca_file());
  rpc::HttpOptions http;
  http.ca_file = ca_file;
  PACTUM_TRY(s.rpc, rpc::RpcClient::connect_http(s.rpc_url, http));
  s.api = std::make_unique<rpc::EthApi>(*s.rpc);
  PACTUM_TRY(std::uint64_t chain_id, s.api->chain_id());
  if (s.account) PACTUM_TRY_STATUS(check_account_for_chain(inv, *s.account, chain_id));
  const auto path = contracts::deployment_path(home.root() / "deployments", chain_id);
  auto deployment = contracts::read_deployment(path);
  if (!deployment.ok()) {
    if (deployment.error().code() == ErrorCode::kNotFound) {
      return not_found("no deployment of the contracts is recorded for chain " +
                       std::to_string(chain_id) + " (" + path.string() +
                       "); start the stack with `pactum up` or run `pactum deploy`");
    }
    return std::move(deployment).error();
  }
  client::ClientConfig config;
  config.rpc_url = s.rpc_url;
  config.node_url = s.node_url;
  config.http.ca_file = ca_file;
  config.deployment = std::move(deployment).value();
  config.agreements_dir = home.root() / "agreements";
  config.receipt_timeout = receipt_wait;
  config.settlement_timeout = settlement_wait;
  // Only an explicit --node overrides the node an agreement's DDO names for downloads: a
  // PACTUM_NODE or stack default is where this user resolves, not where every asset lives.
  config.download_via_node_url = inv.options().node_url.has_value();
  std::optional<eth::PrivateKey> key;
  if (s.account) key = s.account->key.clone();
  PACTUM_TRY(s.client, client::Client::create(*s.api, std::move(config), std::move(key)));
  return s;
}

}  // namespace

Result<ClientSession> open_client_session(Invocation& inv, std::optional<Role> role,
                                          std::chrono::milliseconds receipt_wait) {
  return open_session(inv, role, receipt_wait, std::chrono::seconds(600), "");
}

Result<ClientSession> open_agreement_session(Invocation& inv, std::optional<Role> role,
                                             const Hash32& id,
                                             std::chrono::milliseconds receipt_wait,
                                             std::chrono::milliseconds settlement_wait) {
  PACTUM_TRY(Home home, inv.home());
  PACTUM_TRY(std::string recorded, client::recorded_rpc_url(home.root() / "agreements", id));
  return open_session(inv, role, receipt_wait, settlement_wait, recorded);
}

Status check_agreement_known(Invocation& inv, const Hash32& id) {
  PACTUM_TRY(Home home, inv.home());
  const auto path = home.root() / "agreements" / (to_hex(id) + ".json");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return not_found("no agreement " + to_hex(id) + " was ordered from this home (" +
                     path.string() + " does not exist; `pactum order` writes it)");
  }
  return ok_status();
}

Result<eth::U256> parse_amount(std::string_view text, std::string_view what) {
  const std::string shown = std::string(what) + " '" + std::string(text.substr(0, 80)) + "'";
  if (text.empty() || text.size() > 100) {
    return invalid_argument(
        shown + ": expected wei (250000000000000000) or a decimal with a unit (0.25eth, 12gwei)");
  }
  std::string lower(text);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  struct Unit {
    std::string_view suffix;
    unsigned decimals;
  };
  static constexpr Unit kUnits[] = {{"ether", 18}, {"eth", 18}, {"gwei", 9}, {"wei", 0}};
  unsigned decimals = 0;
  std::string_view number = lower;
  for (const auto& u : kUnits) {
    if (number.size() > u.suffix.size() && number.ends_with(u.suffix)) {
      number.remove_suffix(u.suffix.size());
      decimals = u.decimals;
      break;
    }
  }
  while (!number.empty() && number.back() == ' ') number.remove_suffix(1);
  auto v = eth::parse_units(number, decimals);
  if (!v.ok()) {
    return invalid_argument(shown + ": " + v.error().message() +
                            " (expected wei, or a decimal with a unit: 0.25eth, 12gwei)");
  }
  return *v;
}

client::ProgressFn TransferProgress::callback() {
  return [this](std::uint64_t done, std::uint64_t total) {
    if (!reporter_) reporter_.emplace(inv_->progress(label_, total));
    reporter_->set(done);
  };
}

void TransferProgress::finish() {
  if (reporter_) reporter_->finish();
}

nlohmann::json transactions_json(const std::vector<client::SentTransaction>& sent) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : sent) {
    const auto known = [&](nlohmann::json value) { return t.mined ? value : nlohmann::json(); };
    out.push_back({{"what", t.what},
                   {"hash", to_hex(t.hash)},
                   {"mined", t.mined},
                   {"from", t.from.to_checksum_string()},
                   {"block_number", known(t.block_number)},
                   {"gas_used", known(t.gas_used)},
                   {"effective_gas_price", known(t.effective_gas_price.to_dec())},
                   {"fee_wei", known(t.fee.to_dec())}});
  }
  return out;
}

nlohmann::json payment_json(const client::Payment& payment) {
  nlohmann::json receivers = nlohmann::json::array(), amounts = nlohmann::json::array();
  for (const auto& r : payment.receivers) receivers.push_back(r.to_checksum_string());
  for (const auto& a : payment.amounts) amounts.push_back(a.to_dec());
  return {{"token", payment.token.to_checksum_string()},
          {"receivers", receivers},
          {"amounts", amounts}};
}

}  // namespace pactum::cli
