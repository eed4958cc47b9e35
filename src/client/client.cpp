// Client: creation, the signed-request and chain helpers, resolve and status (agreement files:
// agreement_file.cpp).
#include "pactum/client/client.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

#include "client_internal.hpp"
#include "pactum/core/random.hpp"
#include "pactum/rpc/http_client.hpp"
#include "pactum/sdk/ddo.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::client {

using Json = nlohmann::json;
using Engine = contracts::AgreementEngine;
using Registry = contracts::AssetRegistry;

std::string_view condition_type_name(ConditionType type) noexcept {
  switch (type) {
    case ConditionType::kLockPayment:
      return "LockPayment";
    case ConditionType::kAccess:
      return "Access";
    case ConditionType::kEscrowPayment:
      return "EscrowPayment";
    case ConditionType::kNftHolder:
      return "NftHolder";
    case ConditionType::kNftTransfer:
      return "NftTransfer";
    case ConditionType::kAllowList:
      return "AllowList";
    case ConditionType::kComputeExecution:
      return "ComputeExecution";
  }
  return "Unknown";
}

std::string_view condition_state_name(ConditionState state) noexcept {
  switch (state) {
    case ConditionState::kUnfulfilled:
      return "Unfulfilled";
    case ConditionState::kFulfilled:
      return "Fulfilled";
    case ConditionState::kAborted:
      return "Aborted";
  }
  return "Unknown";
}

Result<Hash32> parse_agreement_id(std::string_view text) {
  if (text.size() != 66 || text.substr(0, 2) != "0x") {
    const std::string shown =
        text.size() <= 80 ? "'" + std::string(text) + "'" : std::to_string(text.size()) + " bytes";
    return invalid_argument(shown +
                            " is not an agreement id: expected 0x followed by 64 hex digits");
  }
  auto id = fixed_from_hex<32>(text);
  if (!id.ok()) {
    return invalid_argument("'" + std::string(text) + "' is not an agreement id: bad hex digit");
  }
  return *id;
}

Result<std::string> parse_access_endpoint(std::string_view text) {
  // Sizes first, so a megabyte of text costs nothing and is never echoed whole.
  if (text.empty()) return invalid_argument("the access serviceEndpoint is empty");
  if (text.size() > kMaxEndpointLength) {
    return invalid_argument("the access serviceEndpoint is " + std::to_string(text.size()) +
                            " bytes long (at most " + std::to_string(kMaxEndpointLength) + ")");
  }
  const std::string shown =
      "'" + std::string(text.substr(0, 120)) + (text.size() > 120 ? "…'" : "'");
  const std::string_view scheme = text.substr(0, text.find("://"));
  if (text.find("://") == std::string_view::npos || (scheme != "http" && scheme != "https")) {
    return invalid_argument("the access serviceEndpoint " + shown + " is not an http(s) URL");
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return invalid_argument("the access serviceEndpoint contains a space or control character");
    }
  }
  // Paths are appended to it: a query or fragment would swallow them.
  if (text.find_first_of("?#") != std::string_view::npos) {
    return invalid_argument("the access serviceEndpoint " + shown + " has a query or fragment");
  }
  auto parsed = rpc::parse_http_url(text);
  if (!parsed.ok()) {
    return Error(parsed.error().code(),
                 "the access serviceEndpoint " + shown + ": " + parsed.error().message());
  }
  std::string out(text);
  while (out.back() == '/') out.pop_back();
  return out;
}

Result<Hash32> random_word() {
  Hash32 out{};
  PACTUM_TRY_STATUS(random_bytes(out));
  return out;
}

// ---- Impl helpers

std::int64_t Client::Impl::now() const {
  if (config.clock) return config.clock();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<Bytes> Client::Impl::view(const eth::Address& to, Bytes data) {
  rpc::CallRequest call;
  call.to = to;
  call.data = std::move(data);
  return api.call(call);
}

Status Client::Impl::need_key(std::string_view what) const {
  if (!key || !transactor) {
    return failed_precondition(std::string(what) + " needs an account (--as or --key)");
  }
  return ok_status();
}

Result<HeaderList> Client::Impl::signed_headers(sdk::NodeAction action, const Hash32& subject,
                                                const eth::Address& node) {
  PACTUM_TRY_STATUS(need_key("a signed node request"));
  PACTUM_TRY(Hash32 nonce, random_word());
  sdk::NodeRequest r;
  r.action = action;
  r.subject = subject;
  r.node = node;
  r.nonce = eth::U256::from_word(nonce);
  // Well inside the node's 10-minute limit, with room for clock skew.
  r.expiry = static_cast<std::uint64_t>(now() + 300);
  auto s = sdk::sign_node_request(*key, r, chain_id);
  return HeaderList{{std::string(sdk::kRequestHeader), std::move(s.request_header)},
                    {std::string(sdk::kSignatureHeader), std::move(s.signature_header)}};
}

Result<rpc::Receipt> Client::Impl::send(std::string_view what, const eth::Address& to,
                                        ByteView data, const eth::U256& value,
                                        std::vector<SentTransaction>& sent,
                                        const std::function<Status(const Hash32&)>& before_submit) {
  PACTUM_TRY_STATUS(need_key(what));
  rpc::SendTrace trace;
  if (before_submit) {
    trace.before_submit = [&before_submit](const Hash32& hash, std::uint64_t) {
      return before_submit(hash);
    };
  }
  auto receipt = transactor->send(what, to, data, value, &trace);
  std::optional<rpc::Receipt> mined;
  if (receipt.ok()) {
    mined = *receipt;
  } else if (trace.in_flight) {
    // Sent, and maybe mined: it is reported either way. A receipt that can be read now (a
    // transaction that reverted when mined) gives what it cost.
    auto late = api.get_transaction_receipt(*trace.in_flight);
    if (late.ok() && late->has_value()) mined = **late;
  }
  if (mined || trace.in_flight) {
    SentTransaction t;
    t.what = std::string(what);
    if (mined) {
      t.hash = mined->transaction_hash;
      t.from = mined->from;
      t.block_number = mined->block_number;
      t.gas_used = mined->gas_used;
      t.effective_gas_price = mined->effective_gas_price;
      PACTUM_TRY(t.fee, eth::checked_mul(eth::U256(mined->gas_used), mined->effective_gas_price));
    } else {
      t.hash = *trace.in_flight;
      t.from = transactor->address();
      t.mined = false;
    }
    sent.push_back(std::move(t));
  }
  return receipt;
}

Result<Registry::GetAssetResult> Client::Impl::asset(const Hash32& did) {
  PACTUM_TRY(auto data, Registry::encode_getAsset(did));
  auto ret = view(registry, std::move(data));
  if (!ret.ok()) {
    if (ret.error().code() == ErrorCode::kFailedPrecondition) {
      return not_found(sdk::format_did(did) + " is not registered on chain " +
                       std::to_string(chain_id));
    }
    return std::move(ret).error();
  }
  return Registry::decode_getAsset_result(*ret);
}

Result<bool> Client::Impl::is_provider(const Hash32& did, const eth::Address& who) {
  PACTUM_TRY(auto data, Registry::encode_isProvider(did, who));
  PACTUM_TRY(auto ret, view(registry, std::move(data)));
  return Registry::decode_isProvider_result(ret);
}

// ---- Client

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::create(rpc::EthApi& api, ClientConfig config,
                                               std::optional<eth::PrivateKey> key) {
  if (config.node_url.empty()) return invalid_argument("client: a node URL is required");
  const auto& addresses = config.deployment.addresses;
  if (!addresses.contains("AgreementEngine") || !addresses.contains("AssetRegistry")) {
    return invalid_argument("client: the deployment lacks AgreementEngine or AssetRegistry");
  }
  auto paid = config.deployment.template_id("paid-access");
  if (!paid.ok()) return invalid_argument("client: " + paid.error().message());
  PACTUM_TRY(NodeHttpClient node, NodeHttpClient::create(config.node_url, config.http));
  PACTUM_TRY(std::uint64_t chain_id, api.chain_id());
  if (config.deployment.chain_id != 0 && config.deployment.chain_id != chain_id) {
    return failed_precondition("the chain's id is " + std::to_string(chain_id) +
                               ", the deployment's " + std::to_string(config.deployment.chain_id));
  }
  auto impl = std::make_unique<Impl>(api, std::move(config), std::move(node));
  impl->chain_id = chain_id;
  impl->paid_access = *paid;
  impl->registry = impl->config.deployment.asset_registry().address();
  impl->engine = impl->config.deployment.agreement_engine().address();
  if (key) {
    rpc::SenderOptions sending;
    sending.receipt_timeout = impl->config.receipt_timeout;
    PACTUM_TRY(auto t, contracts::Transactor::create(api, key->clone(), sending));
    impl->transactor.emplace(std::move(t));
    impl->key = std::move(key);
  }
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

const eth::Address& Client::address() const {
  return impl_->transactor->address();
}

Result<eth::Address> Client::node_address() {
  if (impl_->node_address) return *impl_->node_address;
  // The node names its signing address in /health (docs/openapi.json, Health).
  PACTUM_TRY(NodeReply health, impl_->node.request("GET", "/health", {}));
  auto doc = Json::parse(health.body, nullptr, false);
  if (health.status == 200 && !doc.is_discarded() && doc.is_object()) {
    if (doc.contains("node_address") && doc["node_address"].is_string()) {
      auto a = eth::Address::parse(doc["node_address"].get<std::string>());
      if (!a.ok()) return data_loss("the node's /health node_address: " + a.error().message());
      impl_->node_address = *a;
      return *a;
    }
  }
  return unavailable("the node at " + impl_->node.base_url() +
                     " does not name its address (node_address) in /health");
}

namespace {

// The one DDO parser (sdk/ddo.hpp), its refusals as data loss naming where the DDO came from.
Result<sdk::Ddo> parse_ddo_from(std::string_view ddo_json, std::string_view source) {
  auto ddo = sdk::parse_ddo(ddo_json);
  // A DDO the node or the owner serves is received data: wrong, it is data loss, not a usage
  // error of ours.
  if (!ddo.ok()) return data_loss(ddo.error().message() + " (from " + std::string(source) + ")");
  return ddo;
}

AccessService access_service_of(const sdk::Ddo& ddo) {
  AccessService out;
  out.endpoint = ddo.access.endpoint;
  out.provider = ddo.access.provider;
  out.template_id = ddo.access.template_id;
  out.payment.token = ddo.access.payment.token;
  out.payment.receivers = ddo.access.payment.receivers;
  out.payment.amounts = ddo.access.payment.amounts;
  out.access_timeout_seconds = ddo.access.access_timeout_seconds;
  return out;
}

// GET of the DDO URL an owner registered on chain (untrusted: checked as an access endpoint is,
// but a query is allowed since nothing is appended to it).
Result<NodeReply> fetch_registered_ddo(const std::string& url, const NodeHttpOptions& options) {
  const std::string shown = "'" + url.substr(0, 120) + (url.size() > 120 ? "…'" : "'");
  if (url.size() > kMaxEndpointLength) {
    return failed_precondition("the DDO URL registered on chain is " + std::to_string(url.size()) +
                               " bytes long (at most " + std::to_string(kMaxEndpointLength) + ")");
  }
  auto endpoint = rpc::parse_http_url(url);
  if (!endpoint.ok()) {
    return failed_precondition("the DDO URL registered on chain, " + shown +
                               ", is not an http URL this client can fetch");
  }
  const bool v6 = endpoint->host.find(':') != std::string::npos;
  const std::string origin = std::string(endpoint->tls ? "https://" : "http://") +
                             (v6 ? "[" + endpoint->host + "]" : endpoint->host) + ":" +
                             endpoint->port;
  PACTUM_TRY(NodeHttpClient at, NodeHttpClient::create(origin, options));
  return at.request("GET", endpoint->target, {});
}

}  // namespace

Result<ResolvedAsset> Client::resolve(const Hash32& did) {
  const std::string did_text = sdk::format_did(did);
  PACTUM_TRY(NodeReply got, impl_->node.request("GET", "/api/v1/assets/" + did_text, {}));
  std::string source = "the node at " + impl_->node.base_url();
  std::optional<Registry::GetAssetResult> on_chain;
  if (got.status == 404) {
    // Not held by the node this client resolves through: the DDO is wherever its owner registered
    // it (another publisher's node). The chain says where, or that the DID does not exist.
    auto registered = impl_->asset(did);
    if (!registered.ok()) {
      if (registered.error().code() != ErrorCode::kNotFound) return std::move(registered).error();
      return not_found(did_text + " is not known to " + source + " and not registered on chain " +
                       std::to_string(impl_->chain_id));
    }
    on_chain = std::move(registered).value();
    auto fetched = fetch_registered_ddo(on_chain->url, impl_->config.http);
    if (!fetched.ok()) return fetched.error().with_context(did_text);
    got = std::move(fetched).value();
    source = "its registered DDO URL " + on_chain->url.substr(0, 200);
    if (got.status == 404) {
      return not_found(did_text + " is registered on chain but neither the node at " +
                       impl_->node.base_url() + " nor " + source + " has its DDO");
    }
  }
  if (got.status != 200) return node_error(got, did_text + " from " + source);
  PACTUM_TRY(sdk::Ddo ddo, parse_ddo_from(got.body, source));
  if (ddo.did != did) {
    return data_loss("the DDO for " + did_text + " from " + source + " names another DID, " +
                     sdk::format_did(ddo.did));
  }

  // The chain's word on the owner and the checksum.
  if (!on_chain) {
    PACTUM_TRY(on_chain, impl_->asset(did));
  }
  const Registry::GetAssetResult& asset = *on_chain;
  if (ddo.controller != asset.owner || ddo.chain_id != impl_->chain_id) {
    return data_loss("the DDO's controller " + ddo.controller.to_checksum_string() + " on chain " +
                     std::to_string(ddo.chain_id) + " is not the on-chain owner " +
                     asset.owner.to_checksum_string() + " on chain " +
                     std::to_string(impl_->chain_id));
  }
  if (ddo.metadata.checksum != asset.checksum) {
    return data_loss("the DDO's checksum differs from the on-chain checksum " +
                     to_hex(asset.checksum));
  }
  ResolvedAsset out;
  out.did = did;
  out.owner = asset.owner;
  out.checksum = asset.checksum;
  out.ddo_json = std::move(got.body);
  out.access = access_service_of(ddo);
  return out;
}

Result<AgreementStatus> Client::status(const Hash32& agreement_id) {
  PACTUM_TRY(StoredAgreement stored,
             impl_->made_agreement(agreement_id, std::chrono::milliseconds(0)));
  AgreementParams params = std::move(stored.params);
  PACTUM_TRY(auto exists_data, Engine::encode_agreementExists(agreement_id));
  PACTUM_TRY(auto exists_ret, impl_->view(impl_->engine, std::move(exists_data)));
  PACTUM_TRY(bool exists, Engine::decode_agreementExists_result(exists_ret));
  if (!exists) {
    return not_found("agreement " + to_hex(agreement_id) + " does not exist on chain " +
                     std::to_string(impl_->chain_id));
  }
  PACTUM_TRY(auto check_data, Engine::encode_checkParams(agreement_id, params));
  PACTUM_TRY(auto check_ret, impl_->view(impl_->engine, std::move(check_data)));
  PACTUM_TRY(bool matches, Engine::decode_checkParams_result(check_ret));
  if (!matches) {
    return data_loss("the stored params of agreement " + to_hex(agreement_id) +
                     " do not match the chain's (checkParams)");
  }
  PACTUM_TRY(auto tpl_data, Engine::encode_getTemplate(params.template_id));
  PACTUM_TRY(auto tpl_ret, impl_->view(impl_->engine, std::move(tpl_data)));
  PACTUM_TRY(auto tpl, Engine::decode_getTemplate_result(tpl_ret));
  AgreementStatus out;
  out.agreement_id = agreement_id;
  for (const auto& [name, id] : impl_->config.deployment.templates) {
    if (id == params.template_id) out.template_name = name;
  }
  for (unsigned i = 0; i < tpl.types.size(); ++i) {
    PACTUM_TRY(auto data, Engine::encode_getConditionState(agreement_id, eth::U256(i)));
    PACTUM_TRY(auto ret, impl_->view(impl_->engine, std::move(data)));
    PACTUM_TRY(auto state, Engine::decode_getConditionState_result(ret));
    ConditionStatus c;
    c.index = i;
    c.type = tpl.types[i];
    c.state = state;
    c.time_lock = i < params.time_locks.size() ? params.time_locks[i] : 0;
    c.time_out = i < params.time_outs.size() ? params.time_outs[i] : 0;
    out.conditions.push_back(c);
  }
  out.params = std::move(params);
  return out;
}

}  // namespace pactum::client
