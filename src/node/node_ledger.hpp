// The node's own SQLite database (node.db): the nonce ledger and the DID → upload bindings.
//
// Thread safety: every method may be called from any thread (one connection behind a mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/core/result.hpp"

struct sqlite3;

namespace pactum::node {

class NodeLedger {
 public:
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
  explicit NodeLedger(sqlite3* db) : db_(db) {}
  std::mutex mutex_;
  sqlite3* db_;  // GUARDED_BY(mutex_)
};

}  // namespace pactum::node
