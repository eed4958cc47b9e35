// NodeService: routes, publish and the upload sink. Access lives in access.cpp.
#include "pactum/node/node_service.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <utility>

#include "guarded_json.hpp"
#include "node_internal.hpp"
#include "pactum/core/random.hpp"
#include "pactum/sdk/ddo.hpp"
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

std::string terms_text(const sdk::PaymentTerms& terms) {
  std::string out = "token=" + terms.token.to_hex();
  for (std::size_t i = 0; i < terms.receivers.size(); ++i) {
    out += ";" + terms.receivers[i].to_hex() + "=" + terms.amounts[i].to_dec();
  }
  return out;
}

// ---- NodeService

namespace {

// A node.db from before DDOs were kept per DID: each binding takes the DDO its upload carries in
// the store, if that DDO names the DID (a second DID published over the same upload overwrote
// the first one's DDO there: that one is lost, and logged, until its owner publishes again).
Status upgrade_ddos(store::AssetStore& store, NodeLedger& ledger, server::Logger* logger) {
  PACTUM_TRY(auto bindings, ledger.assets_without_ddo());
  for (const auto& b : bindings) {
    auto meta = store.get(b.upload_id);
    auto ddo = meta.ok() ? sdk::parse_ddo(meta->ddo_json) : Result<sdk::Ddo>(meta.error());
    if (ddo.ok() && sdk::format_did(ddo->did) == b.did) {
      PACTUM_TRY_STATUS(ledger.fill_ddo(b.did, meta->ddo_json));
    } else if (logger != nullptr) {
      logger->warn("node: a published DID has no DDO; its owner must publish it again",
                   {{"did", b.did}, {"upload_id", b.upload_id}});
    }
  }
  return ok_status();
}

}  // namespace

NodeService::NodeService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NodeService::~NodeService() = default;

std::vector<server::HealthCheck> NodeService::health() {
  return impl_->health();
}

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
  PACTUM_TRY_STATUS(upgrade_ddos(store, *ledger, config.logger));
  auto impl = std::make_unique<Impl>(store, api, transactor, std::move(config), std::move(ledger));
  impl->paid_access = *paid;
  impl->served_template = sdk::ServedTemplate{*paid, "paid-access"};
  impl->engine = impl->config.deployment.agreement_engine().address();
  impl->registry = impl->config.deployment.asset_registry().address();
  if (impl->config.watch_interval.count() > 0) {
    Impl* watched = impl.get();
    impl->watcher = std::thread([watched] { watched->watch_loop(); });
  }
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
  if (!is_publisher(signer)) {
    return permission_denied(signer.to_checksum_string() + " is not a publisher of this node");
  }
  FixedBytes<16> random{};
  PACTUM_TRY_STATUS(random_bytes(random));
  std::string id = "u" + to_hex(random, false);
  PACTUM_TRY(auto writer, store.begin_upload(id, store::UploadOptions{config.chunk_size}));
  return std::unique_ptr<server::BodySink>(
      std::make_unique<UploadSink>(std::move(writer), id, signer.to_hex()));
}

Result<server::Handler> NodeService::Impl::check_publish(Request& head) {
  PACTUM_TRY(auto did, parse_did(head.param("did")));
  // Who asks, before anything of the body is read: only a publisher of this node can own one
  // of its uploads (docs/node-api.md, "Signed requests").
  PACTUM_TRY(auto signer, authenticate(head, sdk::NodeAction::kPublish, did));
  if (!is_publisher(signer)) {
    return permission_denied(signer.to_checksum_string() + " is not a publisher of this node");
  }
  return server::Handler([this, did, signer](Request& request) -> Result<Response> {
    return publish(request, did, signer);
  });
}

Result<Response> NodeService::Impl::publish(Request& request, const Hash32& did,
                                            const eth::Address& signer) {
  const std::string did_text = format_did(did);

  json::Limits limits;
  limits.max_bytes = sdk::kMaxDdoBytes + 4096;  // the DDO and an upload id
  limits.max_depth = sdk::kMaxDdoDepth + 1;
  PACTUM_TRY(auto body, json::parse(request.body, limits, "body"));
  if (!body.is_object()) return invalid_argument("body is not a JSON object");
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
  // The nesting is bounded by the guarded parse: dump() cannot recurse deeply.
  std::string ddo_text = body["ddo"].dump();
  PACTUM_TRY(sdk::Ddo ddo, sdk::parse_ddo(ddo_text));
  if (ddo.did != did) return invalid_argument("DDO id: must be the DID of the path, " + did_text);
  if (ddo.chain_id != config.chain_id || ddo.controller != signer) {
    return invalid_argument(
        "DDO controller: must be did:pkh:eip155:" + std::to_string(config.chain_id) + ":" +
        signer.to_checksum_string() + " (the signer, on this node's chain)");
  }
  if (ddo.access.provider != transactor.address()) {
    return invalid_argument("DDO PactumAccess provider: must be this node, " +
                            transactor.address().to_checksum_string());
  }
  if (ddo.access.template_id != paid_access) {
    return invalid_argument(
        "DDO PactumAccess templateId: this node serves the paid-access "
        "template " +
        to_hex(paid_access) + " only");
  }

  PACTUM_TRY(auto meta, store.get(upload_id));
  if (meta.owner != signer.to_hex()) {
    return permission_denied("upload " + upload_id + " was not made by the signer");
  }
  // The DDO describes the upload exactly: a consumer checks every chunk against these numbers.
  const sdk::MetadataService& m = ddo.metadata;
  if (m.size != meta.size || m.chunk_size != meta.chunk_size || m.chunk_count != meta.chunk_count ||
      m.checksum != meta.merkle_root) {
    return invalid_argument("DDO PactumMetadata: size " + std::to_string(m.size) + ", chunkSize " +
                            std::to_string(m.chunk_size) + ", chunkCount " +
                            std::to_string(m.chunk_count) + " and checksum " + to_hex(m.checksum) +
                            " must be the upload's: " + std::to_string(meta.size) + ", " +
                            std::to_string(meta.chunk_size) + ", " +
                            std::to_string(meta.chunk_count) + " and " + to_hex(meta.merkle_root));
  }
  // The chain's word (registry calls: never on an I/O thread), then the binding.
  return Response::after_blocking([this, did, did_text, upload_id, signer, root = meta.merkle_root,
                                   ddo_text = std::move(ddo_text)]() -> Result<Response> {
    PACTUM_TRY_STATUS(check_registration(did, signer, root));
    PACTUM_TRY_STATUS(ledger->publish(did_text, upload_id, ddo_text));
    {
      // Terms checked against an older DDO must be checked again; settled agreements keep the
      // terms they were settled under (node_ledger.hpp).
      std::lock_guard lock(cache_mutex);
      std::erase_if(agreements, [&](const auto& entry) {
        return !entry.second.settled && entry.second.params.did == did;
      });
    }
    Json out = {{"did", did_text}, {"upload_id", upload_id}, {"checksum", to_hex(root)}};
    return Response::json(out.dump(), 200);
  });
}

Status NodeService::Impl::check_registration(const Hash32& did, const eth::Address& owner,
                                             const Hash32& root) {
  const std::string did_text = format_did(did);
  PACTUM_TRY(auto get_data, contracts::AssetRegistry::encode_getAsset(did));
  auto got = view_call(registry, std::move(get_data));
  if (!got.ok()) {
    if (got.error().code() == ErrorCode::kFailedPrecondition) {
      return not_found(did_text + " is not registered on chain");
    }
    return std::move(got).error();
  }
  PACTUM_TRY(auto asset, contracts::AssetRegistry::decode_getAsset_result(*got));
  if (asset.owner != owner) {
    return permission_denied("the signer is not the on-chain owner of " + did_text);
  }
  if (asset.checksum != root) {
    return failed_precondition("the on-chain checksum " + to_hex(asset.checksum) +
                               " differs from the upload's root " + to_hex(root));
  }
  PACTUM_TRY(auto provider_data,
             contracts::AssetRegistry::encode_isProvider(did, transactor.address()));
  PACTUM_TRY(auto provider_ret, view_call(registry, std::move(provider_data)));
  PACTUM_TRY(bool is_provider, contracts::AssetRegistry::decode_isProvider_result(provider_ret));
  if (!is_provider) {
    return failed_precondition("this node (" + transactor.address().to_checksum_string() +
                               ") is not a provider of " + did_text);
  }
  return ok_status();
}

bool NodeService::Impl::is_publisher(const eth::Address& signer) const {
  return std::find(config.publishers.begin(), config.publishers.end(), signer) !=
         config.publishers.end();
}

Result<Response> NodeService::Impl::resolve(Request& request) {
  PACTUM_TRY(auto did, parse_did(request.param("did")));
  const std::string did_text = format_did(did);
  PACTUM_TRY(auto asset, ledger->asset(did_text));
  if (!asset || asset->ddo.empty()) return not_found(did_text + " is not served by this node");
  return Response::json(std::move(asset->ddo), 200);
}

Result<Response> NodeService::Impl::list(Request& request) {
  PACTUM_TRY(auto page, parse_count(request.query_param("page"), 1, "page"));
  PACTUM_TRY(auto per_page, parse_count(request.query_param("per_page"), 20, "per_page"));
  if (page < 1 || page > 1'000'000) return invalid_argument("page is 1..1000000");
  if (per_page < 1 || per_page > 100) return invalid_argument("per_page is 1..100");
  PACTUM_TRY(auto total, ledger->count());
  PACTUM_TRY(auto dids, ledger->list((page - 1) * per_page, per_page));
  // Streamed one DDO at a time (each up to 1 MiB): a slow reader holds one DDO, not a page of
  // them. The length must be known for the head, so the DDOs' sizes are read first.
  struct Listing {
    std::vector<std::string> dids;
    std::size_t next = 0;
    bool opened = false;
  };
  auto listing = std::make_shared<Listing>();
  std::string head = "{\"page\":" + std::to_string(page) +
                     ",\"per_page\":" + std::to_string(per_page) +
                     ",\"total\":" + std::to_string(total) + ",\"assets\":[";
  std::uint64_t length = head.size() + 2;  // "]}"
  for (auto& did : dids) {
    PACTUM_TRY(auto size, ledger->ddo_size(did));
    if (size == 0) continue;  // no DDO (an upgraded binding whose DDO was lost)
    length += size + (listing->dids.empty() ? 0 : 1);
    listing->dids.push_back(std::move(did));
  }
  server::StreamBody body;
  body.length = length;
  body.next_chunk = [this, listing, head = std::move(head)]() -> Result<std::optional<Bytes>> {
    if (!listing->opened) {
      listing->opened = true;
      return std::optional<Bytes>(Bytes(head.begin(), head.end()));
    }
    if (listing->next > listing->dids.size()) return std::optional<Bytes>();
    if (listing->next == listing->dids.size()) {
      ++listing->next;
      return std::optional<Bytes>(Bytes{']', '}'});
    }
    const std::string& did = listing->dids[listing->next];
    PACTUM_TRY(auto asset, ledger->asset(did));
    // Republished meanwhile with a DDO of another length: the head's length would be wrong, so
    // the answer ends early (the server closes the connection) rather than lying.
    if (!asset) return internal_error("asset " + did + " vanished during a listing");
    Bytes out;
    if (listing->next > 0) out.push_back(',');
    out.insert(out.end(), asset->ddo.begin(), asset->ddo.end());
    ++listing->next;
    return std::optional<Bytes>(std::move(out));
  };
  Response r = Response::streamed(std::move(body), 200);
  r.headers.set("Content-Type", "application/json");
  return r;
}

namespace {

// What the client is told of a fault on the node's side (its disk, its store, its database, the
// chain it talks to): the code, and a reference to the log line that has the whole message. Those
// messages name files under the data directory, the RPC URL and SQLite's words — nothing a
// client needs, and a map of the server for anyone probing it (#18). Refusals of the request
// itself (invalid, unauthenticated, denied, not found, …) say what was wrong, as before.
bool is_node_fault(ErrorCode code) {
  return code == ErrorCode::kUnavailable || code == ErrorCode::kDataLoss ||
         code == ErrorCode::kDeadlineExceeded || code == ErrorCode::kInternal;
}

Error public_error(ErrorCode code, std::string_view reference) {
  std::string why;
  switch (code) {
    case ErrorCode::kUnavailable:
      why = "the node cannot serve this request now; retry later";
      break;
    case ErrorCode::kDeadlineExceeded:
      why = "the node did not finish this request in time; retry later";
      break;
    case ErrorCode::kDataLoss:
      why = "the node's stored data failed its integrity check";
      break;
    default:
      why = "internal error";
      break;
  }
  return Error(code, why + " (node log reference " + std::string(reference) + ")");
}

// Logs a refused or failed request (docs/node-api.md: the node refuses and logs) and returns
// what the client may be told of it.
Error log_refusal(NodeService::Impl& impl, const std::string& method, const std::string& route,
                  const std::string& remote, const Error& error) {
  std::string reference;
  if (is_node_fault(error.code())) {
    FixedBytes<6> random{};
    if (!random_bytes(random).ok()) random.fill(0);
    reference = to_hex(random, false);
  }
  if (impl.config.logger != nullptr) {
    std::vector<server::LogField> fields = {{"method", method},
                                            {"route", route},
                                            {"remote", remote},
                                            {"code", error_code_name(error.code())},
                                            {"error", error.message()}};
    if (!reference.empty()) fields.emplace_back("reference", reference);
    impl.config.logger->warn("node request refused", std::move(fields));
  }
  return reference.empty() ? error : public_error(error.code(), reference);
}

template <class T>
Result<T> logged(NodeService::Impl& impl, const Request& request, Result<T> result) {
  if (!result.ok()) {
    return log_refusal(impl, request.method, request.route, request.remote, result.error());
  }
  if constexpr (std::is_same_v<T, Response>) {
    // An answer decided on the blocking pool (a first access) is logged when it is decided.
    if (result->blocking_work) {
      result->blocking_work = [&impl, method = request.method, route = request.route,
                               remote = request.remote,
                               work = std::move(result->blocking_work)]() -> Result<Response> {
        Result<Response> answer = work();
        if (!answer.ok()) return log_refusal(impl, method, route, remote, answer.error());
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
  router.add_checked(
      "PUT", "/api/v1/assets/{did}", [impl](Request& head) -> Result<server::Handler> {
        auto checked = impl->check_publish(head);
        if (!checked.ok()) return logged(*impl, head, Result<Response>(checked.error())).error();
        return server::Handler([impl, publish = std::move(checked).value()](Request& r) {
          return logged(*impl, r, publish(r));
        });
      });
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
