// NodeService's insides, shared by node_service.cpp (routes, upload, publish) and access.cpp.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "node_ledger.hpp"
#include "pactum/contracts/agreement_engine.hpp"
#include "pactum/contracts/asset_registry.hpp"
#include "pactum/node/node_service.hpp"
#include "pactum/sdk/access.hpp"
#include "pactum/sdk/ddo.hpp"
#include "pactum/sdk/node_request.hpp"
#include "pactum/server/http.hpp"
#include "pactum/server/system_routes.hpp"
#include "reader_pool.hpp"

namespace pactum::node {

// Parses "0x" + 64 hex digits (length checked first). Errors: kInvalidArgument naming `what`.
[[nodiscard]] Result<Hash32> parse_hash_text(std::string_view text, std::string_view what);
// A decimal query value, `fallback` when absent. Errors: kInvalidArgument.
[[nodiscard]] Result<std::uint64_t> parse_count(std::optional<std::string_view> text,
                                                std::uint64_t fallback, std::string_view what);
// Payment terms as one canonical line ("token=0x…;0x<receiver>=<amount>;…"), kept with a settled
// agreement so that an audit can see what the node checked.
[[nodiscard]] std::string terms_text(const sdk::PaymentTerms& terms);

// What the node knows of an agreement whose params checked out on chain.
struct KnownAgreement {
  // Params and facts of agreement `id`, nothing checked yet.
  static KnownAgreement of(const Hash32& id, contracts::AgreementEngine::AgreementParams params) {
    KnownAgreement known;
    known.facts = sdk::agreement_facts(id, params);
    known.params = std::move(params);
    return known;
  }

  contracts::AgreementEngine::AgreementParams params;  // to encode the engine's calls
  sdk::AgreementFacts facts;             // the same, kept for the access decision's fast path
  std::optional<std::string> upload_id;  // set once DID, template and terms were checked
  bool settled = false;  // fulfillAccess done, releasePayment done or scheduled (settle())
};

struct NodeService::Impl {
  Impl(store::AssetStore& s, rpc::EthApi& a, contracts::Transactor& t, NodeServiceConfig c,
       std::unique_ptr<NodeLedger> l)
      : store(s), api(a), transactor(t), config(std::move(c)), ledger(std::move(l)) {}

  // Checks the signed request for `action` and `subject`, then records its nonce; returns the
  // signer. Errors: those of sdk::verify_node_request; kUnauthenticated without the headers or
  // for a replayed nonce; kPermissionDenied for another subject.
  [[nodiscard]] Result<eth::Address> authenticate(const server::Request& request,
                                                  sdk::NodeAction action, const Hash32& subject);
  // Whether `signer` is one of the publishers this node serves (config.publishers).
  [[nodiscard]] bool is_publisher(const eth::Address& signer) const;
  // The chain's word on a publication: `did` is registered, owned by `owner`, with checksum
  // `root`, and this node is one of its providers. Errors: kNotFound (not registered),
  // kPermissionDenied (another owner), kFailedPrecondition (another checksum, not a provider),
  // and those of the chain calls.
  [[nodiscard]] Status check_registration(const Hash32& did, const eth::Address& owner,
                                          const Hash32& root);
  // eth_call from the node's address at the latest block.
  [[nodiscard]] Result<Bytes> view_call(const eth::Address& to, Bytes data);

  [[nodiscard]] Result<std::unique_ptr<server::BodySink>> begin_upload(server::Request& request);
  // PUT /api/v1/assets/{did} in two steps: who asks is checked on the head, before the server
  // reads a byte of the body (only a publisher of this node may make it read a DDO); the
  // handler returned publishes the body for that signer.
  [[nodiscard]] Result<server::Handler> check_publish(server::Request& head);
  [[nodiscard]] Result<server::Response> publish(server::Request& request, const Hash32& did,
                                                 const eth::Address& signer);
  [[nodiscard]] Result<server::Response> resolve(server::Request& request);
  [[nodiscard]] Result<server::Response> list(server::Request& request);
  [[nodiscard]] Result<server::Response> content(server::Request& request);
  [[nodiscard]] Result<server::Response> proofs(server::Request& request);

  // The first half of the access checks (docs/node-api.md), on the I/O thread: the signed
  // request and its nonce; then, for an agreement already settled and cached, every other check
  // from memory. `upload` is set when the request may be served at once.
  struct AccessCheck {
    Hash32 agreement{};
    eth::Address signer;
    std::optional<std::string> upload;
  };
  [[nodiscard]] Result<AccessCheck> check_access(server::Request& request);
  // The rest, for an agreement not yet settled: its params from the chain, consumer, asset,
  // template, terms, window, the lock, and the settlement on chain (transactions: this blocks,
  // so it runs on the server's blocking pool). Returns the upload to serve.
  // Returns the upload to serve, or what is still on its way when config.settle_wait ran out.
  struct SettlementPending {
    std::string what;
  };
  static constexpr int kSettlementRetrySeconds = 1;  // the Retry-After of a pending settlement
  using Settled = std::variant<std::string, SettlementPending>;
  [[nodiscard]] Result<Settled> settle_access(const Hash32& id, const eth::Address& signer);
  // Answers an access route with `serve`: at once when check_access() allows it, else after
  // settle_access() on the blocking pool (with a copy of the request).
  using Serve = Result<server::Response> (Impl::*)(const server::Request&, const std::string&);
  [[nodiscard]] Result<server::Response> answer_access(server::Request& request, Serve serve);
  [[nodiscard]] Result<server::Response> serve_content(const server::Request& request,
                                                       const std::string& upload);
  [[nodiscard]] Result<server::Response> serve_proofs(const server::Request& request,
                                                      const std::string& upload);
  [[nodiscard]] Result<contracts::AgreementEngine::AgreementParams> load_params(const Hash32& id);
  [[nodiscard]] Result<contracts::AgreementEngine::ConditionState> condition(const Hash32& id,
                                                                             unsigned index);
  // Where this node stands with the asset of `known` (sdk/access.hpp): kChecked when it was
  // checked before or the ledger has the agreement settled (then `known` is updated so), else
  // what the ledger serves under its DID.
  [[nodiscard]] Result<sdk::ServedAsset> served_asset(KnownAgreement& known);
  // The transactions of one agreement's settlement that were sent and whose receipts were not
  // yet seen (docs/node-api.md, "Settlement"): a request that comes while they are on their way
  // waits for the same transactions instead of sending others.
  struct SentSettlement {
    std::optional<Hash32> access;                     // fulfillAccess
    std::optional<Hash32> release;                    // releasePayment
    sdk::Release release_plan = sdk::Release::kDone;  // kNow when `release` was sent
  };
  // How a settlement stands after settle(): done (the payment released, or left to the watch),
  // or still on its way when config.settle_wait ran out (`pending` says what was sent).
  struct SettleOutcome {
    bool released = false;
    std::optional<std::string> pending;
  };
  // Reads the agreement's condition states and sends what sdk::decide_settlement says
  // (fulfillAccess, and releasePayment right behind it with a proven gas bound, consecutive
  // nonces) under chain_mutex, then waits for their receipts outside it, so agreements settle
  // side by side, each in about one block. Errors: the decision's refusals; a transaction that
  // failed or could not be sent.
  [[nodiscard]] Result<SettleOutcome> settle(const KnownAgreement& known);
  // Waits until `deadline` for the receipts of `sent` (and their confirmations), forgetting
  // each transaction from `sending` once it is seen mined (or failed).
  [[nodiscard]] Result<SettleOutcome> await_settlement(
      const Hash32& id, SentSettlement sent, std::chrono::steady_clock::time_point deadline);
  // Waits for `hash` (sent as `what`) until `deadline` and for config.confirmations blocks on
  // top of it. nullopt when it is not yet mined (or confirmed) by then.
  [[nodiscard]] Result<std::optional<rpc::Receipt>> await_mined(
      std::string_view what, const Hash32& hash, std::chrono::steady_clock::time_point deadline);
  // One round of the watch's releases: settled agreements whose escrow time lock has passed,
  // or whose release was sent but not seen mined.
  void release_due();

  store::AssetStore& store;
  rpc::EthApi& api;
  contracts::Transactor& transactor;
  NodeServiceConfig config;
  std::unique_ptr<NodeLedger> ledger;
  Hash32 paid_access{};
  sdk::ServedTemplate served_template;  // paid_access, named for the access decision's refusals
  eth::Address engine;
  eth::Address registry;

  std::mutex cache_mutex;
  std::map<Hash32, KnownAgreement> agreements;  // GUARDED_BY(cache_mutex)
  std::mutex chain_mutex;  // serializes reading condition states and sending (settle())
  std::map<Hash32, SentSettlement> sending;  // GUARDED_BY(chain_mutex)
  ReaderPool readers{store};                 // opened readers, reused by the access routes

  // The chain watch (health.cpp): a background probe of the chain and of whether the published
  // assets are still registered on it, so that /health answers from memory and never waits on
  // the network.
  struct ChainWatch {
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;          // GUARDED_BY(mutex)
    std::uint64_t last_block = 0;   // GUARDED_BY(mutex)
    std::int64_t last_ok_at = 0;    // GUARDED_BY(mutex); unix seconds; 0: never
    std::string last_error;         // GUARDED_BY(mutex); "" after a good probe
    std::set<std::string> missing;  // GUARDED_BY(mutex); published DIDs not on chain
    std::uint64_t cursor = 0;       // GUARDED_BY(mutex); the next DID to check, by index
  };
  ChainWatch watch;
  // One round of the watch: the block number, then up to config.watch_batch DIDs.
  void watch_once();
  void watch_loop();
  [[nodiscard]] std::vector<server::HealthCheck> health();
  // Stops and joins the watch; called first by ~Impl, while every member still exists.
  void stop_watch();
  ~Impl() { stop_watch(); }
  std::thread watcher;  // last: started once everything above exists
};

}  // namespace pactum::node
