// NodeService: the asset API of pactumd (docs/node-api.md) — upload, publish, resolve, list, and
// paid access to content and Merkle proofs — wired from the store, the chain and the server.
//
// Every state-changing or data-releasing route takes a signed request (sdk/node_request.hpp);
// the nonce of each accepted signature is recorded in the node's ledger (SQLite, node.db in the
// data directory) before anything else happens, so a replay is refused even after a restart.
//
// Access (GET /api/v1/access/{agreement_id}/...) checks, in this order: the signed request; the
// agreement's parameters from its AgreementCreated log, confirmed by checkParams; that the
// signer is the consumer, the DID is served here, the template is "paid-access" and the payment
// terms are exactly the DDO's; that the lock condition is Fulfilled; the validity window. Then,
// once per agreement, fulfillAccess and releasePayment with the node's key. A refusal never sends
// a byte of plaintext. Verified agreements are cached in memory (their params cannot change).
//
// Thread safety: handlers run on many server threads at once; the service guards its cache and
// ledger itself and serializes its chain writes. The store, EthApi, Transactor and the service
// must outlive the server that routes to it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pactum/contracts/deployment.hpp"
#include "pactum/contracts/transactor.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/rpc/eth_api.hpp"
#include "pactum/sdk/did.hpp"
#include "pactum/server/log.hpp"
#include "pactum/server/router.hpp"
#include "pactum/server/system_routes.hpp"
#include "pactum/store/asset_store.hpp"

namespace pactum::node {

// Unix seconds now. The node's only source of wall time (tests pass their own).
using UnixClock = std::function<std::int64_t()>;

// The system clock in unix seconds.
[[nodiscard]] UnixClock system_unix_clock();

struct NodeServiceConfig {
  std::uint64_t chain_id = 0;
  contracts::Deployment deployment;
  std::string public_url;                // "http://127.0.0.1:8030", for logs and DDO checks
  std::vector<eth::Address> publishers;  // who may upload
  std::string data_dir;                  // node.db goes here (created if missing)
  UnixClock clock;                       // empty: system_unix_clock()
  std::uint32_t chunk_size = store::kDefaultChunkSize;     // of new uploads
  std::uint64_t max_upload_size = std::uint64_t{1} << 40;  // 1 TiB
  std::uint64_t max_proof_chunks = 1024;                   // chunks per /proofs request at most
  server::Logger* logger = nullptr;  // refusals are logged here (warn); may be null
  // How often the chain watch probes the chain and checks published DIDs are still registered
  // (an anvil that restarted loses them); zero: no watch (the chain check then says so).
  std::chrono::milliseconds watch_interval{10'000};
  // Published DIDs checked against the registry per probe (round robin over all of them).
  std::uint64_t watch_batch = 100;
  // How long a first access waits for its settlement's transactions to be mined (and
  // confirmed) before it answers 503 "settlement pending" with Retry-After; the transactions
  // stay on their way and the client's retry waits for the same ones. Shorter than a client's
  // idle timeout (120 s) and a proxy's (nginx: 60 s), so the node answers first.
  std::chrono::milliseconds settle_wait{20'000};
  // Blocks that must be on top of a settlement transaction's block before its effect is
  // trusted (0: mined is enough, as on a local chain).
  std::uint64_t confirmations = 0;
  // Below this many free bytes in data_dir the disk check fails (paid reads still work).
  std::uint64_t min_free_bytes = std::uint64_t{64} << 20;
};

class NodeService {
 public:
  // Opens (creating) the node's ledger under config.data_dir. `store`, `api` and `transactor`
  // (the node's provider key) must outlive the service.
  // Errors: kInvalidArgument for a config without data_dir, chain id or the deployment's
  // AgreementEngine / AssetRegistry / "paid-access" template; kUnavailable when SQLite fails.
  [[nodiscard]] static Result<std::unique_ptr<NodeService>> create(
      store::AssetStore& store, rpc::EthApi& api, contracts::Transactor& transactor,
      NodeServiceConfig config);
  ~NodeService();
  NodeService(const NodeService&) = delete;
  NodeService& operator=(const NodeService&) = delete;

  // Adds POST /api/v1/uploads, PUT and GET /api/v1/assets/{did}, GET /api/v1/assets,
  // GET /api/v1/access/{agreement_id}/content and GET /api/v1/access/{agreement_id}/proofs.
  // The router keeps references to this service.
  void add_routes(server::Router& router);

  // The readiness checks for /health and /ready (server::SystemInfo::checks): "disk" (free space
  // in data_dir, nonces kept in memory while the disk refuses writes), "chain" (the watch's last
  // probe, published DIDs no longer registered) and "store" (node.db answers). Answers from
  // memory and a statvfs: never blocks on the network.
  [[nodiscard]] std::vector<server::HealthCheck> health();

  // The node's address (its transactor's): the `node` every request must name.
  [[nodiscard]] const eth::Address& address() const noexcept;

  struct Impl;

 private:
  explicit NodeService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// DIDs are parsed and formatted by the SDK (pactum/sdk/did.hpp), the same for node and client.
using sdk::format_did;
using sdk::parse_did;

}  // namespace pactum::node
