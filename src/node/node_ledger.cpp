#include "node_ledger.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>

#include "pactum/sdk/node_request.hpp"

namespace pactum::node {
namespace {

Error sqlite_error(sqlite3* db, std::string_view what) {
  return unavailable("node ledger: " + std::string(what) + ": " +
                     (db != nullptr ? sqlite3_errmsg(db) : "no database"));
}

// A prepared statement finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  [[nodiscard]] bool ok() const { return ok_; }
  void bind_text(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind_int(int index, std::uint64_t value) {
    sqlite3_bind_int64(stmt_, index, static_cast<sqlite3_int64>(value));
  }
  int step() { return sqlite3_step(stmt_); }
  std::string text(int column) {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p == nullptr
               ? std::string()
               : std::string(reinterpret_cast<const char*>(p),
                             static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::uint64_t integer(int column) {
    return static_cast<std::uint64_t>(sqlite3_column_int64(stmt_, column));
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  bool ok_ = false;
};

// synchronous=NORMAL in WAL mode: a commit appends to the WAL without an fsync; checkpoints sync
// (node_ledger.hpp, "Durability").
constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS used_nonces (expiry INTEGER NOT NULL, signer TEXT NOT NULL,
                                        nonce TEXT NOT NULL,
                                        PRIMARY KEY (expiry, signer, nonce)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS assets (did TEXT PRIMARY KEY, upload_id TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS assets_by_upload ON assets (upload_id);
CREATE TABLE IF NOT EXISTS settled (agreement_id TEXT PRIMARY KEY, did TEXT NOT NULL,
                                    upload_id TEXT NOT NULL, consumer TEXT NOT NULL,
                                    terms TEXT NOT NULL, valid_from INTEGER NOT NULL,
                                    valid_until INTEGER NOT NULL, settled_at INTEGER NOT NULL)
                                    WITHOUT ROWID;
)sql";

// Whether `table` has a column `column` (for upgrades that add one).
bool has_column(sqlite3* db, const char* table, std::string_view column) {
  Statement st(db, (std::string("SELECT name FROM pragma_table_info('") + table + "')").c_str());
  if (!st.ok()) return false;
  while (st.step() == SQLITE_ROW) {
    if (st.text(0) == column) return true;
  }
  return false;
}

// Runs `body` in a transaction committed with synchronous=FULL (a rare write its caller
// acknowledges: it must survive power loss); rolled back when `body` fails.
template <class Body>
Status durable_transaction(sqlite3* db, Body&& body) {
  if (sqlite3_exec(db, "BEGIN IMMEDIATE;", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return sqlite_error(db, "begin");
  }
  Status st = body();
  if (!st.ok()) {
    sqlite3_exec(db, "ROLLBACK;", nullptr, nullptr, nullptr);
    return st;
  }
  sqlite3_exec(db, "PRAGMA synchronous=FULL;", nullptr, nullptr, nullptr);
  const int rc = sqlite3_exec(db, "COMMIT;", nullptr, nullptr, nullptr);
  sqlite3_exec(db, "PRAGMA synchronous=NORMAL;", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(db, "commit");
    sqlite3_exec(db, "ROLLBACK;", nullptr, nullptr, nullptr);
    return e;
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<NodeLedger>> NodeLedger::open(const std::string& directory, Clock clock) {
  if (!clock) return invalid_argument("node ledger: no clock");
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return unavailable("node ledger: cannot create " + directory + ": " + ec.message());
  const std::string path = (std::filesystem::path(directory) / "node.db").string();
  // Both connections are used under our own locks (mutex_, or by the checkpointer thread only).
  auto open_one = [&path](sqlite3** db) -> Status {
    if (sqlite3_open_v2(path.c_str(), db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      Error e = sqlite_error(*db, "open " + path);
      sqlite3_close(*db);
      *db = nullptr;
      return e;
    }
    sqlite3_busy_timeout(*db, 5000);
    return ok_status();
  };
  sqlite3* db = nullptr;
  PACTUM_TRY_STATUS(open_one(&db));
  char* message = nullptr;
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : "?";
    sqlite3_free(message);
    sqlite3_close(db);
    return unavailable("node ledger: schema of " + path + ": " + text);
  }
  // A node.db from before DDOs were kept per DID: its bindings get theirs from the store
  // (NodeService fills them at start-up, assets_without_ddo()).
  if (!has_column(db, "assets", "ddo") &&
      sqlite3_exec(db, "ALTER TABLE assets ADD COLUMN ddo TEXT;", nullptr, nullptr, nullptr) !=
          SQLITE_OK) {
    Error e = sqlite_error(db, "add the ddo column to " + path);
    sqlite3_close(db);
    return e;
  }
  // A node.db from before escrow time locks were honoured: every settlement in it was released.
  if (!has_column(db, "settled", "released") &&
      sqlite3_exec(db,
                   "ALTER TABLE settled ADD COLUMN released INTEGER NOT NULL DEFAULT 1;"
                   "ALTER TABLE settled ADD COLUMN release_after INTEGER NOT NULL DEFAULT 0;",
                   nullptr, nullptr, nullptr) != SQLITE_OK) {
    Error e = sqlite_error(db, "add the release columns to " + path);
    sqlite3_close(db);
    return e;
  }
  // No checkpoint inside a request: the checkpointer thread does them.
  sqlite3_wal_autocheckpoint(db, 0);
  // A ledger from before expiries were kept: its nonces stay in force for as long as any
  // request they could refuse can still be valid (node_ledger.hpp, "Upgrade").
  std::int64_t legacy_until = 0;
  {
    Statement old_rows(db, "SELECT EXISTS (SELECT 1 FROM nonces)");
    if (old_rows.ok()) {  // no such table: nothing to upgrade
      const int rc = old_rows.step();
      if (rc != SQLITE_ROW) {
        Error e = sqlite_error(db, "read the old nonce table");
        sqlite3_close(db);
        return e;
      }
      if (old_rows.integer(0) != 0) {
        legacy_until = clock() + sdk::kMaxRequestLifetimeSeconds + kPruneGraceSeconds;
      }
    }
  }
  if (legacy_until == 0)
    sqlite3_exec(db, "DROP TABLE IF EXISTS nonces;", nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  if (sqlite3_prepare_v3(db, "INSERT INTO used_nonces (expiry, signer, nonce) VALUES (?1, ?2, ?3)",
                         -1, SQLITE_PREPARE_PERSISTENT, &insert, nullptr) != SQLITE_OK) {
    Error e = sqlite_error(db, "prepare nonce insert");
    sqlite3_close(db);
    return e;
  }
  sqlite3* checkpoint_db = nullptr;
  if (auto st = open_one(&checkpoint_db); !st.ok()) {
    sqlite3_finalize(insert);
    sqlite3_close(db);
    return st.error();
  }
  // The checkpoint's syncs follow this connection's setting: NORMAL syncs the WAL, then the file.
  sqlite3_exec(checkpoint_db, "PRAGMA synchronous=NORMAL;", nullptr, nullptr, nullptr);
  return std::unique_ptr<NodeLedger>(
      new NodeLedger(db, checkpoint_db, insert, std::move(clock), legacy_until));
}

NodeLedger::NodeLedger(sqlite3* db, sqlite3* checkpoint_db, sqlite3_stmt* insert_nonce, Clock clock,
                       std::int64_t legacy_until)
    : clock_(std::move(clock)),
      db_(db),
      insert_nonce_(insert_nonce),
      legacy_until_(legacy_until),
      checkpoint_db_(checkpoint_db),
      checkpointer_([this] { checkpoint_loop(); }) {}

NodeLedger::~NodeLedger() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  checkpointer_.join();
  sqlite3_close(checkpoint_db_);
  sqlite3_finalize(insert_nonce_);
  sqlite3_close(db_);  // the last connection: checkpoints (with syncs) and removes the WAL
}

void NodeLedger::checkpoint_loop() {
  std::unique_lock lock(stop_mutex_);
  for (;;) {
    stop_cv_.wait_for(lock, kCheckpointInterval, [this] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    // Pruning failures are retried next time; a ledger that cannot delete keeps refusing
    // replays all the same.
    (void)prune_expired(kPruneBatch);
    // PASSIVE: never waits for or blocks the writer; syncs the WAL before copying it back.
    sqlite3_wal_checkpoint_v2(checkpoint_db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
}

Status NodeLedger::use_nonce(std::string_view signer, std::string_view nonce,
                             std::uint64_t expiry) {
  std::lock_guard lock(mutex_);
  if (legacy_until_ != 0) {
    Statement old(db_, "SELECT 1 FROM nonces WHERE signer = ?1 AND nonce = ?2");
    if (!old.ok()) return sqlite_error(db_, "prepare old nonce lookup");
    old.bind_text(1, signer);
    old.bind_text(2, nonce);
    const int rc = old.step();
    if (rc == SQLITE_ROW) return unauthenticated("replayed request: nonce already used");
    if (rc != SQLITE_DONE) return sqlite_error(db_, "old nonce lookup");
  }
  const bool in_memory = !memory_nonces_.empty() &&
                         memory_nonces_.contains({expiry, std::string(signer), std::string(nonce)});
  if (in_memory) return unauthenticated("replayed request: nonce already used");
  const int rc = insert_nonce(signer, nonce, expiry);
  if (rc == SQLITE_DONE) return ok_status();
  if (rc == SQLITE_CONSTRAINT) return unauthenticated("replayed request: nonce already used");
  // The disk refused the write (full, failing): keep the nonce in memory (node_ledger.hpp, "A
  // full disk") so that reads go on and the replay is still refused.
  if (rc == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR) {
    last_write_error_ = sqlite3_errmsg(db_);
    // Whatever SQLite checks first, a replay of a nonce on disk must not pass as a new one.
    Statement seen(db_,
                   "SELECT 1 FROM used_nonces WHERE expiry = ?1 AND signer = ?2 AND nonce = ?3");
    if (!seen.ok()) return sqlite_error(db_, "prepare nonce lookup");
    seen.bind_int(1, std::min<std::uint64_t>(expiry, INT64_MAX));
    seen.bind_text(2, signer);
    seen.bind_text(3, nonce);
    const int found = seen.step();
    if (found == SQLITE_ROW) return unauthenticated("replayed request: nonce already used");
    if (found != SQLITE_DONE) return sqlite_error(db_, "nonce lookup");
    if (memory_nonces_.size() >= kMaxMemoryNonces) {
      return resource_exhausted("node ledger: the disk refuses writes (" + last_write_error_ +
                                ") and " + std::to_string(kMaxMemoryNonces) +
                                " nonces are already kept in memory");
    }
    memory_nonces_.emplace(expiry, std::string(signer), std::string(nonce));
    return ok_status();
  }
  return sqlite_error(db_, "insert nonce");
}

int NodeLedger::insert_nonce(std::string_view signer, std::string_view nonce,
                             std::uint64_t expiry) {
  sqlite3_bind_int64(insert_nonce_, 1,
                     static_cast<sqlite3_int64>(std::min<std::uint64_t>(expiry, INT64_MAX)));
  sqlite3_bind_text(insert_nonce_, 2, signer.data(), static_cast<int>(signer.size()),
                    SQLITE_STATIC);
  sqlite3_bind_text(insert_nonce_, 3, nonce.data(), static_cast<int>(nonce.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(insert_nonce_);
  sqlite3_reset(insert_nonce_);
  sqlite3_clear_bindings(insert_nonce_);
  return rc;
}

void NodeLedger::flush_memory_nonces() {
  // One transaction per batch: a commit per nonce appends a WAL frame per nonce, and a batch of
  // them would fill again the little room the disk just got back. A batch per checkpoint, so
  // the request path's lock is held about a millisecond.
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE;", nullptr, nullptr, nullptr) != SQLITE_OK) {
    last_write_error_ = sqlite3_errmsg(db_);
    return;
  }
  auto it = memory_nonces_.begin();
  for (std::size_t n = 0; n < kPruneBatch && it != memory_nonces_.end(); ++n, ++it) {
    const auto& [expiry, signer, nonce] = *it;
    const int rc = insert_nonce(signer, nonce, expiry);
    if (rc != SQLITE_DONE && rc != SQLITE_CONSTRAINT) {
      last_write_error_ = sqlite3_errmsg(db_);
      sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
      return;  // still refused: next checkpoint
    }
  }
  if (sqlite3_exec(db_, "COMMIT;", nullptr, nullptr, nullptr) != SQLITE_OK) {
    last_write_error_ = sqlite3_errmsg(db_);
    sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
    return;
  }
  memory_nonces_.erase(memory_nonces_.begin(), it);
  if (memory_nonces_.empty()) last_write_error_.clear();
}

NodeLedger::Health NodeLedger::health() {
  std::lock_guard lock(mutex_);
  return Health{memory_nonces_.size(), last_write_error_};
}

Result<std::uint64_t> NodeLedger::prune_expired(std::size_t max_rows) {
  const std::int64_t now = clock_();
  std::lock_guard lock(mutex_);
  if (legacy_until_ != 0 && now >= legacy_until_) {
    if (sqlite3_exec(db_, "DROP TABLE IF EXISTS nonces;", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return sqlite_error(db_, "drop the old nonce table");
    }
    legacy_until_ = 0;
  }
  // Nonces kept in memory while the disk refused them: pruned by the same rule, then written.
  const auto horizon =
      static_cast<std::uint64_t>(std::max<std::int64_t>(now - kPruneGraceSeconds, 0));
  while (!memory_nonces_.empty() && std::get<0>(*memory_nonces_.begin()) < horizon) {
    memory_nonces_.erase(memory_nonces_.begin());
  }
  if (!memory_nonces_.empty()) flush_memory_nonces();
  // The primary key starts with the expiry: the oldest rows are a range at its start.
  Statement st(db_,
               "DELETE FROM used_nonces WHERE (expiry, signer, nonce) IN "
               "(SELECT expiry, signer, nonce FROM used_nonces WHERE expiry < ?1 "
               "ORDER BY expiry LIMIT ?2)");
  if (!st.ok()) return sqlite_error(db_, "prepare prune");
  st.bind_int(1, horizon);
  st.bind_int(2, max_rows);
  if (st.step() != SQLITE_DONE) return sqlite_error(db_, "prune");
  return static_cast<std::uint64_t>(sqlite3_changes(db_));
}

Result<std::uint64_t> NodeLedger::nonce_count() {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT COUNT(*) FROM used_nonces");
  if (!st.ok() || st.step() != SQLITE_ROW) return sqlite_error(db_, "count nonces");
  return st.integer(0);
}

Status NodeLedger::publish(std::string_view did, std::string_view upload_id, std::string_view ddo) {
  std::lock_guard lock(mutex_);
  return durable_transaction(db_, [&]() -> Status {
    {
      Statement other(db_, "SELECT did FROM assets WHERE upload_id = ?1 AND did <> ?2 LIMIT 1");
      if (!other.ok()) return sqlite_error(db_, "prepare publish");
      other.bind_text(1, upload_id);
      other.bind_text(2, did);
      const int rc = other.step();
      if (rc == SQLITE_ROW) {
        return already_exists("upload " + std::string(upload_id) + " is published as " +
                              other.text(0) + "; an upload is bound to one DID");
      }
      if (rc != SQLITE_DONE) return sqlite_error(db_, "publish");
    }
    {
      Statement bound(db_, "SELECT upload_id FROM assets WHERE did = ?1");
      if (!bound.ok()) return sqlite_error(db_, "prepare publish");
      bound.bind_text(1, did);
      const int rc = bound.step();
      if (rc == SQLITE_ROW && bound.text(0) != upload_id) {
        return already_exists(std::string(did) + " is published with upload " + bound.text(0) +
                              "; its content cannot change");
      }
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(db_, "publish");
    }
    Statement st(db_,
                 "INSERT INTO assets (did, upload_id, ddo) VALUES (?1, ?2, ?3) "
                 "ON CONFLICT(did) DO UPDATE SET ddo = excluded.ddo");
    if (!st.ok()) return sqlite_error(db_, "prepare publish");
    st.bind_text(1, did);
    st.bind_text(2, upload_id);
    st.bind_text(3, ddo);
    if (st.step() != SQLITE_DONE) return sqlite_error(db_, "publish");
    return ok_status();
  });
}

Result<std::optional<std::string>> NodeLedger::upload_of(std::string_view did) {
  PACTUM_TRY(auto found, asset(did));
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(std::move(found->upload_id));
}

Result<std::optional<NodeLedger::Asset>> NodeLedger::asset(std::string_view did) {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT did, upload_id, ddo FROM assets WHERE did = ?1");
  if (!st.ok()) return sqlite_error(db_, "prepare lookup");
  st.bind_text(1, did);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<Asset>(Asset{st.text(0), st.text(1), st.text(2)});
  if (rc == SQLITE_DONE) return std::optional<Asset>();
  return sqlite_error(db_, "lookup");
}

Result<std::uint64_t> NodeLedger::ddo_size(std::string_view did) {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT length(CAST(ddo AS BLOB)) FROM assets WHERE did = ?1");
  if (!st.ok()) return sqlite_error(db_, "prepare DDO size");
  st.bind_text(1, did);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return st.integer(0);
  if (rc == SQLITE_DONE) return std::uint64_t{0};
  return sqlite_error(db_, "DDO size");
}

Result<std::vector<std::string>> NodeLedger::list(std::uint64_t offset, std::uint64_t limit) {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT did FROM assets ORDER BY did LIMIT ?1 OFFSET ?2");
  if (!st.ok()) return sqlite_error(db_, "prepare list");
  st.bind_int(1, limit);
  st.bind_int(2, offset);
  std::vector<std::string> out;
  for (;;) {
    const int rc = st.step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return sqlite_error(db_, "list");
    out.push_back(st.text(0));
  }
  return out;
}

Result<std::uint64_t> NodeLedger::count() {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT COUNT(*) FROM assets");
  if (!st.ok() || st.step() != SQLITE_ROW) return sqlite_error(db_, "count");
  return st.integer(0);
}

Result<std::vector<NodeLedger::Asset>> NodeLedger::assets_without_ddo() {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT did, upload_id FROM assets WHERE ddo IS NULL ORDER BY did");
  if (!st.ok()) return sqlite_error(db_, "prepare upgrade scan");
  std::vector<Asset> out;
  for (;;) {
    const int rc = st.step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return sqlite_error(db_, "upgrade scan");
    out.push_back(Asset{st.text(0), st.text(1), ""});
  }
  return out;
}

Status NodeLedger::fill_ddo(std::string_view did, std::string_view ddo) {
  std::lock_guard lock(mutex_);
  return durable_transaction(db_, [&]() -> Status {
    Statement st(db_, "UPDATE assets SET ddo = ?2 WHERE did = ?1 AND ddo IS NULL");
    if (!st.ok()) return sqlite_error(db_, "prepare upgrade");
    st.bind_text(1, did);
    st.bind_text(2, ddo);
    if (st.step() != SQLITE_DONE) return sqlite_error(db_, "upgrade");
    return ok_status();
  });
}

Status NodeLedger::record_settled(const SettledAgreement& a) {
  std::lock_guard lock(mutex_);
  return durable_transaction(db_, [&]() -> Status {
    Statement st(db_,
                 "INSERT INTO settled (agreement_id, did, upload_id, consumer, terms, valid_from, "
                 "valid_until, settled_at, released, release_after) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                 "ON CONFLICT(agreement_id) DO NOTHING");
    if (!st.ok()) return sqlite_error(db_, "prepare settlement");
    st.bind_text(1, a.agreement_id);
    st.bind_text(2, a.did);
    st.bind_text(3, a.upload_id);
    st.bind_text(4, a.consumer);
    st.bind_text(5, a.terms);
    st.bind_int(6, a.valid_from);
    st.bind_int(7, a.valid_until);
    st.bind_int(8, static_cast<std::uint64_t>(std::max<std::int64_t>(a.settled_at, 0)));
    st.bind_int(9, a.released ? 1 : 0);
    st.bind_int(10, a.release_after);
    if (st.step() != SQLITE_DONE) return sqlite_error(db_, "record settlement");
    return ok_status();
  });
}

Result<std::optional<NodeLedger::SettledAgreement>> NodeLedger::settled(
    std::string_view agreement_id) {
  std::lock_guard lock(mutex_);
  Statement st(db_,
               "SELECT agreement_id, did, upload_id, consumer, terms, valid_from, valid_until, "
               "settled_at, released, release_after FROM settled WHERE agreement_id = ?1");
  if (!st.ok()) return sqlite_error(db_, "prepare settlement lookup");
  st.bind_text(1, agreement_id);
  const int rc = st.step();
  if (rc == SQLITE_DONE) return std::optional<SettledAgreement>();
  if (rc != SQLITE_ROW) return sqlite_error(db_, "settlement lookup");
  SettledAgreement a;
  a.agreement_id = st.text(0);
  a.did = st.text(1);
  a.upload_id = st.text(2);
  a.consumer = st.text(3);
  a.terms = st.text(4);
  a.valid_from = st.integer(5);
  a.valid_until = st.integer(6);
  a.settled_at = static_cast<std::int64_t>(st.integer(7));
  a.released = st.integer(8) != 0;
  a.release_after = st.integer(9);
  return std::optional<SettledAgreement>(std::move(a));
}

Result<std::vector<std::string>> NodeLedger::release_due(std::int64_t now, std::size_t limit) {
  std::lock_guard lock(mutex_);
  Statement st(db_,
               "SELECT agreement_id FROM settled WHERE released = 0 AND release_after <= ?1 "
               "ORDER BY release_after LIMIT ?2");
  if (!st.ok()) return sqlite_error(db_, "prepare due releases");
  st.bind_int(1, static_cast<std::uint64_t>(std::max<std::int64_t>(now, 0)));
  st.bind_int(2, limit);
  std::vector<std::string> out;
  int rc = SQLITE_ROW;
  while ((rc = st.step()) == SQLITE_ROW) out.emplace_back(st.text(0));
  if (rc != SQLITE_DONE) return sqlite_error(db_, "due releases");
  return out;
}

Status NodeLedger::mark_released(std::string_view agreement_id) {
  std::lock_guard lock(mutex_);
  return durable_transaction(db_, [&]() -> Status {
    Statement st(db_, "UPDATE settled SET released = 1 WHERE agreement_id = ?1");
    if (!st.ok()) return sqlite_error(db_, "prepare release mark");
    st.bind_text(1, agreement_id);
    if (st.step() != SQLITE_DONE) return sqlite_error(db_, "mark released");
    return ok_status();
  });
}

}  // namespace pactum::node
