// NodeService: routes, publish and the upload sink. Access lives in access.cpp.
#include "pactum/node/node_service.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <utility>

#include "node_internal.hpp"
#include "pactum/sdk/node_request.hpp"
#include "pactum/server/range.hpp"
#include "pactum/store/chunk_cipher.hpp"

namespace pactum::node {

using Json = nlohmann::json;
using server::Request;
using server::Response;

UnixClock system_unix_clock() {
  return [] {
    return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
  };
}

Result<Hash32> parse_hash_text(std::string_view text, std::string_view what) {
  if (text.size() != 66 || text.substr(0, 2) != "0x") {
    return invalid_argument(std::string(what) + " is 0x followed by 64 hex digits");
  }
  auto h = fixed_from_hex<32>(text);
  if (!h.ok()) return invalid_argument(std::string(what) + ": " + h.error().message());
  return *h;
}

Result<std::uint64_t> parse_count(std::optional<std::string_view> text, std::uint64_t fallback,
                                  std::string_view what) {
  if (!text) return fallback;
  if (text->empty() || text->size() > 18) {
    return invalid_argument(std::string(what) + " must be a decimal number below 10^18");
  }
  std::uint64_t v = 0;
  for (char c : *text) {
    if (c < '0' || c > '9') return invalid_argument(std::string(what) + " must be decimal digits");
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

Result<contracts::AgreementEngine::Payment> access_terms(std::string_view ddo_text) {
  using Payment = contracts::AgreementEngine::Payment;
  Json ddo = Json::parse(ddo_text, nullptr, false);
  if (ddo.is_discarded() || !ddo.is_object()) return invalid_argument("DDO is not a JSON object");
  auto services = ddo.find("service");
  if (services == ddo.end() || !services->is_array()) {
    return invalid_argument("DDO has no service array");
  }
  for (const auto& s : *services) {
    if (!s.is_object() || s.value("type", Json()) != "PactumAccess") continue;
    auto payment = s.find("payment");
    if (payment == s.end() || !payment->is_object()) {
      return invalid_argument("DDO access service has no payment object");
    }
    Payment out;
    const Json& p = *payment;
    if (!p.contains("token") || !p["token"].is_string()) {
      return invalid_argument("DDO payment.token must be an address");
    }
    auto token = eth::Address::parse(p["token"].get<std::string>());
    if (!token.ok()) return invalid_argument("DDO payment.token: " + token.error().message());
    out.token = *token;
    if (!p.contains("receivers") || !p["receivers"].is_array() || !p.contains("amounts") ||
        !p["amounts"].is_array() || p["receivers"].size() != p["amounts"].size() ||
        p["receivers"].empty() || p["receivers"].size() > 16) {
      return invalid_argument("DDO payment needs 1..16 receivers and as many amounts");
    }
    for (const auto& r : p["receivers"]) {
      if (!r.is_string()) return invalid_argument("DDO payment.receivers holds addresses");
      auto a = eth::Address::parse(r.get<std::string>());
      if (!a.ok()) return invalid_argument("DDO payment.receivers: " + a.error().message());
      out.receivers.push_back(*a);
    }
    for (const auto& m : p["amounts"]) {
      if (!m.is_string()) return invalid_argument("DDO payment.amounts are decimal strings");
      auto v = eth::U256::from_dec(m.get<std::string>());
      if (!v.ok()) return invalid_argument("DDO payment.amounts: " + v.error().message());
      out.amounts.push_back(*v);
    }
    return out;
  }
  return invalid_argument("DDO has no PactumAccess service");
}

// ---- NodeService

NodeService::NodeService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NodeService::~NodeService() = default;

const eth::Address& NodeService::address() const noexcept {
  return impl_->transactor.address();
}

Result<std::unique_ptr<NodeService>> NodeService::create(store::AssetStore& store, rpc::EthApi& api,
                                                         contracts::Transactor& transactor,
                                                         NodeServiceConfig config) {
  if (config.data_dir.empty()) return invalid_argument("node: data_dir is required");
  if (config.chain_id == 0) return invalid_argument("node: chain_id is required");
  const auto& addresses = config.deployment.addresses;
  if (!addresses.contains("AgreementEngine") || !addresses.contains("AssetRegistry")) {
    return invalid_argument("node: the deployment lacks AgreementEngine or AssetRegistry");
  }
  auto paid = config.deployment.template_id("paid-access");
  if (!paid.ok()) return invalid_argument("node: " + paid.error().message());
  if (!config.clock) config.clock = system_unix_clock();
  PACTUM_TRY(auto ledger, NodeLedger::open(config.data_dir, config.clock));
  auto impl = std::make_unique<Impl>(store, api, transactor, std::move(config), std::move(ledger));
  impl->paid_access = *paid;
  impl->engine = impl->config.deployment.agreement_engine().address();
  impl->registry = impl->config.deployment.asset_registry().address();
  return std::unique_ptr<NodeService>(new NodeService(std::move(impl)));
}

Result<eth::Address> NodeService::Impl::authenticate(const Request& request, sdk::NodeAction action,
                                                     const Hash32& subject) {
  auto header = request.headers.get(sdk::kRequestHeader);
  auto signature = request.headers.get(sdk::kSignatureHeader);
  if (!header || !signature) {
    return unauthenticated("missing " + std::string(sdk::kRequestHeader) + " or " +
                           std::string(sdk::kSignatureHeader) + " header");
  }
  PACTUM_TRY(auto verified, sdk::verify_node_request(
                                *header, *signature,
                                {config.chain_id, transactor.address(), action, config.clock()}));
  if (verified.request.subject != subject) {
    return permission_denied("the signed request's subject " + to_hex(verified.request.subject) +
                             " is not " + to_hex(subject));
  }
  PACTUM_TRY_STATUS(ledger->use_nonce(verified.signer.to_hex(), verified.request.nonce.to_dec(),
                                      verified.request.expiry));
  return verified.signer;
}

Result<Bytes> NodeService::Impl::view_call(const eth::Address& to, Bytes data) {
  rpc::CallRequest call;
  call.from = transactor.address();
  call.to = to;
  call.data = std::move(data);
  return api.call(call);
}

namespace {

// Streams an upload into the store; the commit makes it visible.
class UploadSink final : public server::BodySink {
 public:
  UploadSink(std::unique_ptr<store::UploadWriter> writer, std::string id, std::string owner)
      : writer_(std::move(writer)), id_(std::move(id)), owner_(std::move(owner)) {}

  Status write(ByteView piece) override { return writer_->write(piece); }
  // The socket is read straight into the store's chunk buffers (docs/bench/node.md).
  Result<std::span<std::uint8_t>> direct_buffer() override { return writer_->write_buffer(); }
  Status wrote(std::size_t n) override { return writer_->wrote(n); }

  Result<Response> finish() override {
    PACTUM_TRY(auto meta, writer_->commit(store::CommitInfo{owner_, ""}));
    Json out = {{"upload_id", id_},
                {"checksum", to_hex(meta.merkle_root)},
                {"size", meta.size},
                {"chunk_size", meta.chunk_size},
                {"chunk_count", meta.chunk_count}};
    return Response::json(out.dump(), 201);
  }

  void abort(const Error&) noexcept override { (void)writer_->abort(); }

 private:
  std::unique_ptr<store::UploadWriter> writer_;
  std::string id_;
  std::string owner_;
};

}  // namespace

Result<std::unique_ptr<server::BodySink>> NodeService::Impl::begin_upload(Request& request) {
  PACTUM_TRY(auto signer, authenticate(request, sdk::NodeAction::kUpload, Hash32{}));
  bool allowed = false;
  for (const auto& p : config.publishers) allowed = allowed || p == signer;
  if (!allowed) {
    return permission_denied(signer.to_checksum_string() + " is not a publisher of this node");
  }
  FixedBytes<16> random{};
  PACTUM_TRY_STATUS(store::random_bytes(random));
  std::string id = "u" + to_hex(random, false);
  PACTUM_TRY(auto writer, store.begin_upload(id, store::UploadOptions{config.chunk_size}));
  return std::unique_ptr<server::BodySink>(
      std::make_unique<UploadSink>(std::move(writer), id, signer.to_hex()));
}

Result<Response> NodeService::Impl::publish(Request& request) {
  PACTUM_TRY(auto did, parse_did(request.param("did")));
  PACTUM_TRY(auto signer, authenticate(request, sdk::NodeAction::kPublish, did));
  const std::string did_text = format_did(did);

  Json body = Json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return invalid_argument("body is not a JSON object");
  for (const auto& [key, value] : body.items()) {
    if (key != "upload_id" && key != "ddo")
      return invalid_argument("unknown member \"" + key.substr(0, 64) + "\"");
  }
  if (!body.contains("upload_id") || !body["upload_id"].is_string()) {
    return invalid_argument("upload_id must be a string");
  }
  const std::string upload_id = body["upload_id"].get<std::string>();
  if (upload_id.size() != 33 || upload_id[0] != 'u' || !from_hex(upload_id.substr(1)).ok()) {
    return invalid_argument("upload_id is 'u' followed by 32 hex digits");
  }
  if (!body.contains("ddo") || !body["ddo"].is_object())
    return invalid_argument("ddo must be an object");
  const Json& ddo = body["ddo"];
  if (ddo.value("id", Json()) != did_text) {
    return invalid_argument("ddo.id must be the DID of the path, " + did_text);
  }
  std::string ddo_text = ddo.dump();
  if (ddo_text.size() > store::kMaxDdoLength) return resource_exhausted("ddo is over 1 MiB");
  PACTUM_TRY_STATUS(access_terms(ddo_text));

  PACTUM_TRY(auto meta, store.get(upload_id));
  if (meta.owner != signer.to_hex()) {
    return permission_denied("upload " + upload_id + " was not made by the signer");
  }

  // The chain has the last word: owner, checksum and that this node provides the asset.
  PACTUM_TRY(auto get_data, contracts::AssetRegistry::encode_getAsset(did));
  auto got = view_call(registry, std::move(get_data));
  if (!got.ok()) {
    if (got.error().code() == ErrorCode::kFailedPrecondition) {
      return not_found(did_text + " is not registered on chain");
    }
    return std::move(got).error();
  }
  PACTUM_TRY(auto asset, contracts::AssetRegistry::decode_getAsset_result(*got));
  if (asset.owner != signer) {
    return permission_denied("the signer is not the on-chain owner of " + did_text);
  }
  if (asset.checksum != meta.merkle_root) {
    return failed_precondition("the on-chain checksum " + to_hex(asset.checksum) +
                               " differs from the upload's root " + to_hex(meta.merkle_root));
  }
  PACTUM_TRY(auto provider_data,
             contracts::AssetRegistry::encode_isProvider(did, transactor.address()));
  PACTUM_TRY(auto provider_ret, view_call(registry, std::move(provider_data)));
  PACTUM_TRY(bool is_provider, contracts::AssetRegistry::decode_isProvider_result(provider_ret));
  if (!is_provider) {
    return failed_precondition("this node (" + transactor.address().to_checksum_string() +
                               ") is not a provider of " + did_text);
  }

  PACTUM_TRY_STATUS(store.set_ddo(upload_id, ddo_text));
  PACTUM_TRY_STATUS(ledger->bind(did_text, upload_id));
  {
    std::lock_guard lock(cache_mutex);
    agreements.clear();  // terms checked against an older DDO must be checked again
  }
  Json out = {{"did", did_text}, {"upload_id", upload_id}, {"checksum", to_hex(meta.merkle_root)}};
  return Response::json(out.dump(), 200);
}

Result<Response> NodeService::Impl::resolve(Request& request) {
  PACTUM_TRY(auto did, parse_did(request.param("did")));
  const std::string did_text = format_did(did);
  PACTUM_TRY(auto upload, ledger->upload_of(did_text));
  if (!upload) return not_found(did_text + " is not served by this node");
  PACTUM_TRY(auto meta, store.get(*upload));
  return Response::json(meta.ddo_json, 200);
}

Result<Response> NodeService::Impl::list(Request& request) {
  PACTUM_TRY(auto page, parse_count(request.query_param("page"), 1, "page"));
  PACTUM_TRY(auto per_page, parse_count(request.query_param("per_page"), 20, "per_page"));
  if (page < 1 || page > 1'000'000) return invalid_argument("page is 1..1000000");
  if (per_page < 1 || per_page > 100) return invalid_argument("per_page is 1..100");
  PACTUM_TRY(auto total, ledger->count());
  PACTUM_TRY(auto rows, ledger->list((page - 1) * per_page, per_page));
  std::string out = "{\"page\":" + std::to_string(page) +
                    ",\"per_page\":" + std::to_string(per_page) +
                    ",\"total\":" + std::to_string(total) + ",\"assets\":[";
  bool first = true;
  for (const auto& row : rows) {
    auto meta = store.get(row.upload_id);
    if (!meta.ok() || meta->ddo_json.empty()) continue;
    if (!first) out += ',';
    first = false;
    out += meta->ddo_json;  // written by publish() as serialized JSON
  }
  out += "]}";
  return Response::json(std::move(out), 200);
}

namespace {

// Logs a refused or failed request (docs/node-api.md: the node refuses and logs) and passes the
// result on unchanged.
void log_refusal(NodeService::Impl& impl, const std::string& method, const std::string& route,
                 const std::string& remote, const Error& error) {
  if (impl.config.logger == nullptr) return;
  impl.config.logger->warn("node request refused", {{"method", method},
                                                    {"route", route},
                                                    {"remote", remote},
                                                    {"code", error_code_name(error.code())},
                                                    {"error", error.message()}});
}

template <class T>
Result<T> logged(NodeService::Impl& impl, const Request& request, Result<T> result) {
  if (!result.ok())
    log_refusal(impl, request.method, request.route, request.remote, result.error());
  if constexpr (std::is_same_v<T, Response>) {
    // An answer decided on the blocking pool (a first access) is logged when it is decided.
    if (result.ok() && result->blocking_work) {
      result->blocking_work = [&impl, method = request.method, route = request.route,
                               remote = request.remote,
                               work = std::move(result->blocking_work)]() -> Result<Response> {
        Result<Response> answer = work();
        if (!answer.ok()) log_refusal(impl, method, route, remote, answer.error());
        return answer;
      };
    }
  }
  return result;
}

}  // namespace

void NodeService::add_routes(server::Router& router) {
  Impl* impl = impl_.get();
  router.add_upload(
      "POST", "/api/v1/uploads",
      [impl](Request& r) { return logged(*impl, r, impl->begin_upload(r)); },
      server::RouteOptions{impl->config.max_upload_size});
  router.add("PUT", "/api/v1/assets/{did}",
             [impl](Request& r) { return logged(*impl, r, impl->publish(r)); });
  router.add("GET", "/api/v1/assets/{did}",
             [impl](Request& r) { return logged(*impl, r, impl->resolve(r)); });
  router.add("GET", "/api/v1/assets",
             [impl](Request& r) { return logged(*impl, r, impl->list(r)); });
  router.add("GET", "/api/v1/access/{agreement_id}/content",
             [impl](Request& r) { return logged(*impl, r, impl->content(r)); });
  router.add("GET", "/api/v1/access/{agreement_id}/proofs",
             [impl](Request& r) { return logged(*impl, r, impl->proofs(r)); });
}

}  // namespace pactum::node
