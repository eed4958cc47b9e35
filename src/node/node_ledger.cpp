#include "node_ledger.hpp"

#include <sqlite3.h>

#include <filesystem>

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

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
CREATE TABLE IF NOT EXISTS nonces (signer TEXT NOT NULL, nonce TEXT NOT NULL,
                                   PRIMARY KEY (signer, nonce)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS assets (did TEXT PRIMARY KEY, upload_id TEXT NOT NULL) WITHOUT ROWID;
)sql";

}  // namespace

Result<std::unique_ptr<NodeLedger>> NodeLedger::open(const std::string& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return unavailable("node ledger: cannot create " + directory + ": " + ec.message());
  const std::string path = (std::filesystem::path(directory) / "node.db").string();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    Error e = sqlite_error(db, "open " + path);
    sqlite3_close(db);
    return e;
  }
  sqlite3_busy_timeout(db, 5000);
  char* message = nullptr;
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : "?";
    sqlite3_free(message);
    sqlite3_close(db);
    return unavailable("node ledger: schema of " + path + ": " + text);
  }
  return std::unique_ptr<NodeLedger>(new NodeLedger(db));
}

NodeLedger::~NodeLedger() {
  sqlite3_close(db_);
}

Status NodeLedger::use_nonce(std::string_view signer, std::string_view nonce) {
  std::lock_guard lock(mutex_);
  Statement st(db_, "INSERT INTO nonces (signer, nonce) VALUES (?1, ?2)");
  if (!st.ok()) return sqlite_error(db_, "prepare nonce insert");
  st.bind_text(1, signer);
  st.bind_text(2, nonce);
  const int rc = st.step();
  if (rc == SQLITE_DONE) return ok_status();
  if (rc == SQLITE_CONSTRAINT) return unauthenticated("replayed request: nonce already used");
  return sqlite_error(db_, "insert nonce");
}

Status NodeLedger::bind(std::string_view did, std::string_view upload_id) {
  std::lock_guard lock(mutex_);
  Statement st(db_,
               "INSERT INTO assets (did, upload_id) VALUES (?1, ?2) "
               "ON CONFLICT(did) DO UPDATE SET upload_id = excluded.upload_id");
  if (!st.ok()) return sqlite_error(db_, "prepare bind");
  st.bind_text(1, did);
  st.bind_text(2, upload_id);
  if (st.step() != SQLITE_DONE) return sqlite_error(db_, "bind");
  return ok_status();
}

Result<std::optional<std::string>> NodeLedger::upload_of(std::string_view did) {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT upload_id FROM assets WHERE did = ?1");
  if (!st.ok()) return sqlite_error(db_, "prepare lookup");
  st.bind_text(1, did);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(st.text(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return sqlite_error(db_, "lookup");
}

Result<std::vector<NodeLedger::Binding>> NodeLedger::list(std::uint64_t offset,
                                                          std::uint64_t limit) {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT did, upload_id FROM assets ORDER BY did LIMIT ?1 OFFSET ?2");
  if (!st.ok()) return sqlite_error(db_, "prepare list");
  st.bind_int(1, limit);
  st.bind_int(2, offset);
  std::vector<Binding> out;
  for (;;) {
    const int rc = st.step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return sqlite_error(db_, "list");
    out.push_back(Binding{st.text(0), st.text(1)});
  }
  return out;
}

Result<std::uint64_t> NodeLedger::count() {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT COUNT(*) FROM assets");
  if (!st.ok() || st.step() != SQLITE_ROW) return sqlite_error(db_, "count");
  return st.integer(0);
}

}  // namespace pactum::node
