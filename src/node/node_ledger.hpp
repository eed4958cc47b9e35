// The node's own SQLite database (node.db): the nonce ledger and the DID → upload bindings.
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
//   - bind() commits with synchronous=FULL: a published DID survives power loss.
//
// Thread safety: every method may be called from any thread (one connection behind a mutex; the
// checkpointer uses its own connection).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "pactum/core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace pactum::node {

class NodeLedger {
 public:
  static constexpr std::chrono::milliseconds kCheckpointInterval{100};

  // Opens (creating) <directory>/node.db. Errors: kUnavailable when it cannot be opened.
  [[nodiscard]] static Result<std::unique_ptr<NodeLedger>> open(const std::string& directory);
  ~NodeLedger();
  NodeLedger(const NodeLedger&) = delete;
  NodeLedger& operator=(const NodeLedger&) = delete;

  // Records (signer, nonce) as used. Errors: kUnauthenticated "replayed request" when it was
  // recorded before; kUnavailable when SQLite fails.
  [[nodiscard]] Status use_nonce(std::string_view signer, std::string_view nonce);

  // Binds `did` to `upload_id` (replacing an earlier binding of the DID).
  [[nodiscard]] Status bind(std::string_view did, std::string_view upload_id);
  // The upload bound to `did`, or nullopt.
  [[nodiscard]] Result<std::optional<std::string>> upload_of(std::string_view did);

  struct Binding {
    std::string did;
    std::string upload_id;
  };
  // Bindings in DID order, `limit` from `offset`, and how many there are in all.
  [[nodiscard]] Result<std::vector<Binding>> list(std::uint64_t offset, std::uint64_t limit);
  [[nodiscard]] Result<std::uint64_t> count();

 private:
  NodeLedger(sqlite3* db, sqlite3* checkpoint_db, sqlite3_stmt* insert_nonce);
  void checkpoint_loop();

  std::mutex mutex_;
  sqlite3* db_;                 // GUARDED_BY(mutex_)
  sqlite3_stmt* insert_nonce_;  // GUARDED_BY(mutex_), prepared once

  // The checkpointer: its own connection, so a checkpoint's fsyncs never hold mutex_.
  sqlite3* checkpoint_db_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;     // GUARDED_BY(stop_mutex_)
  std::thread checkpointer_;  // last: starts once the fields above exist
};

}  // namespace pactum::node
