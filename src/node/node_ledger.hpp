// The node's own SQLite database (node.db): the nonce ledger, the published assets (DID → upload
// and the DID's DDO) and the agreements the node has settled (with the terms it settled under).
//
// What is kept. A nonce is recorded with the expiry of the signed request that carried it,
// under the key (expiry, signer, nonce): a replay repeats the same signed request, hence the
// same expiry, and is refused. (The same signer may reuse a nonce with another expiry: that is
// a new request only its key could sign.) Once a request has expired the node refuses it on
// that ground alone, so its nonce is deleted kPruneGraceSeconds later (the grace covers the
// clock being stepped back): the ledger holds about ten minutes of requests, not all of them.
//
// Durability. The ledger runs in WAL mode with synchronous=NORMAL, so recording a nonce costs no
// fsync (it is on the access path of every request, docs/bench/node.md):
//   - a nonce is in the WAL, i.e. in the operating system's page cache, before use_nonce()
//     returns: a crash or kill of the node loses none, and a replay is refused after a restart;
//   - a background thread checkpoints every kCheckpointInterval, which first syncs the WAL: an
//     operating-system crash or power loss can lose the nonces recorded since the last
//     checkpoint (about a tenth of a second's worth). Such a request could then be replayed
//     until its expiry (at most sdk::kMaxRequestLifetimeSeconds after it was signed).
//     The interval is short because a checkpoint stalls the requests that record nonces while
//     it syncs, for longer the more the WAL has grown: at 1 s the access checks' p99 was
//     10 ms, at 100 ms 4.3 ms (docs/bench/node.md). An idle ledger's checkpoint does nothing.
//   - publish() and record_settled() commit with synchronous=FULL: a published DID and a
//     settled agreement survive power loss.
//
// Assets. Each DID has its own DDO, and an upload is bound to one DID at most: publishing the
// same upload under a second DID, or another upload under a published DID, is refused (a DID's
// content is fixed by its on-chain checksum; a second DID must not take over the first one's
// buyers). Re-publishing a DID with its upload replaces the DDO (a new price for new orders).
//
// Settled agreements. Once the node has fulfilled access and released an agreement's payment,
// the agreement is served on the terms it was settled under: a later DDO of the same DID cannot
// revoke it (docs/node-api.md). What a policy may revoke is the policy's to say, explicitly.
// An agreement whose escrow is time-locked is settled once access is fulfilled; its release
// waits in the table (released = 0) until the lock has passed.
//
// A full disk. When SQLite cannot write a nonce (SQLITE_FULL, SQLITE_IOERR: the disk is full or
// failing), the nonce is kept in memory instead — at most kMaxMemoryNonces of them, pruned like
// the others — so that paid assets stay readable and replays stay refused while the disk is
// full (#18: every signed request used to answer 503). Such nonces are written to node.db by
// the checkpointer once it can write again; until then a crash of the process forgets them (a
// request among them could be replayed until its expiry, as after an operating-system crash).
// health() says so.
//
// Upgrade. A node.db from before expiries were kept has a `nonces` table (signer, nonce): it is
// still consulted for the first kMaxRequestLifetimeSeconds + kPruneGraceSeconds after opening
// (any request it could refuse expires within that window), then dropped.
//
// Thread safety: every method may be called from any thread (one connection behind a mutex; the
// checkpointer uses its own connection).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "pactum/core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace pactum::node {

class NodeLedger {
 public:
  static constexpr std::chrono::milliseconds kCheckpointInterval{100};

  static constexpr std::int64_t kPruneGraceSeconds = 300;
  // Expired nonces deleted per checkpoint at most, so that the deletion holds the request path's
  // lock for about a millisecond (20,000 per second: twice the access checks' benchmark rate).
  static constexpr std::size_t kPruneBatch = 2000;

  // Unix seconds; the node's clock (the one that checks request expiries).
  using Clock = std::function<std::int64_t()>;

  // Opens (creating or upgrading) <directory>/node.db. `clock` must not be empty.
  // Errors: kUnavailable when it cannot be opened.
  [[nodiscard]] static Result<std::unique_ptr<NodeLedger>> open(const std::string& directory,
                                                                Clock clock);
  ~NodeLedger();
  NodeLedger(const NodeLedger&) = delete;
  NodeLedger& operator=(const NodeLedger&) = delete;

  // Records the nonce of a signed request that expires at `expiry` (unix seconds).
  // Errors: kUnauthenticated "replayed request" when (signer, nonce, expiry) was recorded before
  // (or the signer's nonce is in an upgraded ledger's old table); kUnavailable when SQLite fails.
  // kResourceExhausted when the disk refuses the write and kMaxMemoryNonces are already kept in
  // memory.
  [[nodiscard]] Status use_nonce(std::string_view signer, std::string_view nonce,
                                 std::uint64_t expiry);

  // The most nonces kept in memory while the disk refuses writes (about 150 bytes each).
  static constexpr std::size_t kMaxMemoryNonces = 200'000;

  struct Health {
    std::uint64_t memory_nonces = 0;  // nonces the disk refused, kept in memory
    std::string last_write_error;     // SQLite's last refusal of a nonce; "" when writes work
  };
  [[nodiscard]] Health health();

  // Deletes up to `max_rows` nonces that expired more than kPruneGraceSeconds ago, and the old
  // table of an upgraded ledger once its window has passed; returns how many nonces went. The
  // checkpointer calls it every kCheckpointInterval. Errors: kUnavailable when SQLite fails.
  [[nodiscard]] Result<std::uint64_t> prune_expired(std::size_t max_rows);

  // Nonces recorded and not yet pruned (old table excluded).
  [[nodiscard]] Result<std::uint64_t> nonce_count();

  // Publishes `did` as `upload_id` with its DDO text, in one transaction: a new DID is bound to
  // the upload; a DID already bound to that upload gets the new DDO.
  // Errors: kAlreadyExists when the upload is bound to another DID, or the DID to another
  // upload (both named); kUnavailable when SQLite fails (nothing is changed then).
  [[nodiscard]] Status publish(std::string_view did, std::string_view upload_id,
                               std::string_view ddo);
  // The upload bound to `did`, or nullopt.
  [[nodiscard]] Result<std::optional<std::string>> upload_of(std::string_view did);

  struct Asset {
    std::string did;
    std::string upload_id;
    std::string ddo;  // empty for a binding from before DDOs were kept here (see fill_ddo)
  };
  // The asset published as `did`, or nullopt.
  [[nodiscard]] Result<std::optional<Asset>> asset(std::string_view did);
  // The length in bytes of the DDO of `did`; 0 when there is none (or no such DID).
  [[nodiscard]] Result<std::uint64_t> ddo_size(std::string_view did);
  // The DIDs in order, `limit` from `offset` (DDOs are read one by one with asset()).
  [[nodiscard]] Result<std::vector<std::string>> list(std::uint64_t offset, std::uint64_t limit);
  [[nodiscard]] Result<std::uint64_t> count();
  // Bindings made before DDOs were kept per DID (their DDO was the upload's, in the store).
  [[nodiscard]] Result<std::vector<Asset>> assets_without_ddo();
  // Sets the DDO of a binding that has none (the upgrade of an older node.db).
  [[nodiscard]] Status fill_ddo(std::string_view did, std::string_view ddo);

  // An agreement the node has settled on chain (fulfilled access; released payment, or its
  // release scheduled past the escrow's time lock), and what it
  // checked then: served on these facts from then on.
  struct SettledAgreement {
    std::string agreement_id;  // 0x-hex
    std::string did;
    std::string upload_id;
    std::string consumer;  // 0x-hex, lower case
    std::string terms;     // the payment terms as checked (a canonical text, for audits)
    std::uint64_t valid_from = 0;
    std::uint64_t valid_until = 0;  // 0: no end
    std::int64_t settled_at = 0;    // unix seconds, the node's clock
    // Whether the node has released the payment; false while the escrow is time-locked (the
    // chain watch releases it once `release_after` has passed, release_due()).
    bool released = true;
    std::uint64_t release_after = 0;  // unix seconds: the escrow's time lock
  };
  // Records a settlement (replacing none: a second record of the same id is ignored).
  // Errors: kUnavailable when SQLite fails.
  [[nodiscard]] Status record_settled(const SettledAgreement& settled);
  // The settlement of `agreement_id`, or nullopt.
  [[nodiscard]] Result<std::optional<SettledAgreement>> settled(std::string_view agreement_id);
  // Up to `limit` settled agreements whose payment is not released and whose release_after is
  // at most `now`, oldest release first. Errors: kUnavailable.
  [[nodiscard]] Result<std::vector<std::string>> release_due(std::int64_t now, std::size_t limit);
  // Marks the payment of `agreement_id` released (nothing when it is unknown). Errors:
  // kUnavailable.
  [[nodiscard]] Status mark_released(std::string_view agreement_id);

 private:
  NodeLedger(sqlite3* db, sqlite3* checkpoint_db, sqlite3_stmt* insert_nonce, Clock clock,
             std::int64_t legacy_until);
  void checkpoint_loop();
  // Writes up to kPruneBatch of the nonces kept in memory to node.db. REQUIRES: mutex_ held.
  void flush_memory_nonces();
  // The nonce insert, on the prepared statement. REQUIRES: mutex_ held.
  int insert_nonce(std::string_view signer, std::string_view nonce, std::uint64_t expiry);

  const Clock clock_;
  std::mutex mutex_;
  sqlite3* db_;                 // GUARDED_BY(mutex_)
  sqlite3_stmt* insert_nonce_;  // GUARDED_BY(mutex_), prepared once
  // Until this time (unix seconds) an old `nonces` table is consulted; 0: there is none.
  std::int64_t legacy_until_;  // GUARDED_BY(mutex_)
  // Nonces the disk refused, keyed as the table is: (expiry, signer, nonce).
  std::set<std::tuple<std::uint64_t, std::string, std::string>> memory_nonces_;  // GUARDED_BY
  std::string last_write_error_;                                                 // GUARDED_BY

  // The checkpointer: its own connection, so a checkpoint's fsyncs never hold mutex_.
  sqlite3* checkpoint_db_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;     // GUARDED_BY(stop_mutex_)
  std::thread checkpointer_;  // last: starts once the fields above exist
};

}  // namespace pactum::node
