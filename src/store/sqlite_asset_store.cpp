// The embedded AssetStore: SQLite for rows, local files (through Env) for sealed chunks.
#include <pthread.h>
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <thread>
#include <utility>

#include "pactum/core/random.hpp"
#include "pactum/store/asset_store.hpp"

namespace pactum::store {
namespace {

constexpr std::size_t kSealedOverhead = kTagSize;
constexpr std::size_t kLeafFlushBytes = 4096;
constexpr std::uint32_t kParallelHashMinChunk = 256 * 1024;
constexpr std::size_t kPipelineBytes = 16u << 20;  // plaintext in flight to the sealer
constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE assets (
  id          TEXT PRIMARY KEY NOT NULL,
  owner       TEXT NOT NULL,
  size        INTEGER NOT NULL,
  chunk_size  INTEGER NOT NULL,
  chunk_count INTEGER NOT NULL,
  merkle_root BLOB NOT NULL,
  wrapped_key BLOB NOT NULL,
  nonce_base  BLOB NOT NULL,
  created_at  INTEGER NOT NULL,
  ddo         TEXT NOT NULL
) STRICT;
PRAGMA user_version = 1;
)sql";

constexpr const char* kColumns =
    "id, owner, size, chunk_size, chunk_count, merkle_root, wrapped_key, nonce_base, created_at, "
    "ddo";

Error sqlite_error(sqlite3* db, std::string_view what) {
  return unavailable("sqlite " + std::string(what) + ": " + sqlite3_errmsg(db));
}

Status validate_commit_info(const CommitInfo& info) {
  if (info.owner.empty() || info.owner.size() > kMaxOwnerLength) {
    return invalid_argument("owner must be 1.." + std::to_string(kMaxOwnerLength) + " bytes, got " +
                            std::to_string(info.owner.size()));
  }
  for (const char c : info.owner) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return invalid_argument("owner contains a control character");
  }
  if (info.ddo_json.size() > kMaxDdoLength) {
    return invalid_argument("DDO is " + std::to_string(info.ddo_json.size()) +
                            " bytes, more than the limit of " + std::to_string(kMaxDdoLength));
  }
  return ok_status();
}

// A prepared statement, reset (bindings cleared) after each use.
class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  Status prepare(sqlite3* db, const char* sql) {
    db_ = db;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
      return sqlite_error(db, "prepare");
    }
    return ok_status();
  }
  sqlite3_stmt* get() { return stmt_; }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void bind_text(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void bind_blob(int i, ByteView b) {
    sqlite3_bind_blob(stmt_, i, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
  }
  void bind_int(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  // Runs a statement that returns no rows. Errors: kAlreadyExists on a constraint violation,
  // kUnavailable otherwise.
  Status run() {
    const int rc = sqlite3_step(stmt_);
    Status st = ok_status();
    if (rc == SQLITE_CONSTRAINT) {
      st = already_exists(std::string("sqlite: ") + sqlite3_errmsg(db_));
    } else if (rc != SQLITE_DONE) {
      st = sqlite_error(db_, "step");
    }
    reset();
    return st;
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string column_text(sqlite3_stmt* s, int i) {
  const auto* p = sqlite3_column_text(s, i);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p),
                                    static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
}

Bytes column_blob(sqlite3_stmt* s, int i) {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, i));
  const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s, i));
  return p == nullptr ? Bytes() : Bytes(p, p + n);
}

// Reads the row the statement is on; checks what the rest of the store relies on.
Result<AssetMetadata> read_row(sqlite3_stmt* s) {
  AssetMetadata m;
  m.id = column_text(s, 0);
  m.owner = column_text(s, 1);
  const std::int64_t size = sqlite3_column_int64(s, 2);
  const std::int64_t chunk_size = sqlite3_column_int64(s, 3);
  const std::int64_t chunk_count = sqlite3_column_int64(s, 4);
  const Bytes root = column_blob(s, 5);
  m.wrapped_key = column_blob(s, 6);
  const Bytes nonce = column_blob(s, 7);
  m.created_at = sqlite3_column_int64(s, 8);
  m.ddo_json = column_text(s, 9);
  if (size < 0 || !validate_chunk_size(static_cast<std::uint64_t>(chunk_size)).ok() ||
      root.size() != 32 || nonce.size() != kNonceSize) {
    return data_loss("row of asset '" + m.id + "' is damaged (size, chunk size or hash lengths)");
  }
  m.size = static_cast<std::uint64_t>(size);
  m.chunk_size = static_cast<std::uint32_t>(chunk_size);
  const std::uint64_t expected_count = (m.size + m.chunk_size - 1) / m.chunk_size;
  if (chunk_count < 0 || static_cast<std::uint64_t>(chunk_count) != expected_count) {
    return data_loss("row of asset '" + m.id + "' has " + std::to_string(chunk_count) +
                     " chunks, its size needs " + std::to_string(expected_count));
  }
  m.chunk_count = expected_count;
  std::copy(root.begin(), root.end(), m.merkle_root.begin());
  std::copy(nonce.begin(), nonce.end(), m.nonce_base.begin());
  return m;
}

class SqliteAssetStore;

// One chunk on its way from the caller's bytes to the data file: filled by the writer's thread,
// then hashed and sealed by whichever thread claims it first, then appended in chunk order.
struct ChunkSlot {
  enum class State { kFree, kQueued, kClaimed, kDone };
  Bytes plain;   // chunk_size bytes; the first `length` are the chunk
  Bytes sealed;  // chunk_size + tag
  std::size_t length = 0;
  std::uint64_t index = 0;
  bool final_chunk = false;
  Hash32 leaf{};
  Status sealed_status;
  State state = State::kFree;  // guarded by SealWorker::mu_ once a worker exists
};

// Hashes the leaf and seals one chunk: the CPU-heavy part of an upload (SHA-256 about twice
// AES-GCM per byte, docs/bench/store.md).
void hash_and_seal(ChunkCipher& cipher, ChunkSlot& slot) {
  const ByteView plain(slot.plain.data(), slot.length);
  slot.leaf = sdk::merkle_leaf_hash(plain);
  slot.sealed_status =
      cipher.seal(slot.index, slot.final_chunk, plain,
                  std::span<std::uint8_t>(slot.sealed.data(), slot.length + kSealedOverhead));
}

// A second thread that claims queued slots, oldest first, and hashes and seals them with its
// own cipher (a ChunkCipher is one thread's). The writer's thread claims queued slots too
// whenever it would otherwise wait (see LocalUploadWriter::retire_oldest), so the work spreads
// over both cores whatever the scheduler does with the curl/socket side of an upload.
class SealWorker {
 public:
  SealWorker(std::vector<ChunkSlot>& slots, ChunkCipher cipher)
      : slots_(slots), cipher_(std::move(cipher)), thread_([this] { run(); }) {}
  SealWorker(const SealWorker&) = delete;
  SealWorker& operator=(const SealWorker&) = delete;
  // Finishes the slot being processed (queued ones stay queued) and joins the thread.
  ~SealWorker() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // Marks `slot` (filled, kFree) queued for hashing and sealing.
  void queue(ChunkSlot& slot) {
    {
      std::lock_guard lock(mu_);
      slot.state = ChunkSlot::State::kQueued;
    }
    cv_.notify_all();
  }

  // Returns once `slot` (queued or claimed) is done, hashing and sealing other queued slots
  // on this thread with `cipher` meanwhile, oldest first, rather than waiting idle.
  void wait_done(ChunkSlot& slot, ChunkCipher& cipher) {
    std::unique_lock lock(mu_);
    while (slot.state != ChunkSlot::State::kDone) {
      ChunkSlot* job = oldest_queued_locked();
      if (job == nullptr) {
        cv_.wait(lock);
        continue;
      }
      job->state = ChunkSlot::State::kClaimed;
      lock.unlock();
      hash_and_seal(cipher, *job);
      lock.lock();
      job->state = ChunkSlot::State::kDone;
    }
  }

  // True when `slot` is done; never waits.
  bool done(const ChunkSlot& slot) {
    std::lock_guard lock(mu_);
    return slot.state == ChunkSlot::State::kDone;
  }

  // Marks a done slot free for refilling.
  void release(ChunkSlot& slot) {
    std::lock_guard lock(mu_);
    slot.state = ChunkSlot::State::kFree;
  }

 private:
  ChunkSlot* oldest_queued_locked() {
    ChunkSlot* best = nullptr;
    for (ChunkSlot& s : slots_) {
      if (s.state == ChunkSlot::State::kQueued && (best == nullptr || s.index < best->index)) {
        best = &s;
      }
    }
    return best;
  }

  void run() {
    ::pthread_setname_np(::pthread_self(), "pactum-seal");  // for top -H, perf, gdb
    std::unique_lock lock(mu_);
    for (;;) {
      ChunkSlot* job = nullptr;
      cv_.wait(lock, [&] { return stop_ || (job = oldest_queued_locked()) != nullptr; });
      if (stop_) return;
      job->state = ChunkSlot::State::kClaimed;
      lock.unlock();
      hash_and_seal(cipher_, *job);
      lock.lock();
      job->state = ChunkSlot::State::kDone;
      cv_.notify_all();
    }
  }

  std::vector<ChunkSlot>& slots_;
  ChunkCipher cipher_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;   // guarded by mu_
  std::thread thread_;  // last: starts once the fields above exist
};

// Streams plaintext into sealed chunks. Two modes:
//  - inline (small chunks, or no thread to be had): one slot; each chunk is hashed and sealed
//    on the caller's thread, and whole chunks are sealed straight from the caller's buffer;
//  - pipelined (chunks >= 256 KiB): a ring of slots; the caller's thread fills them and a
//    SealWorker hashes and seals them on a second core. Whenever the caller's thread would
//    wait for a slot it hashes and seals queued ones itself, so neither core idles while work
//    is queued (a worker that only hashed, with sealing on the caller's thread, left a core
//    idle whenever the scheduler ran curl instead: docs/bench/node.md). Sealed chunks are
//    appended in chunk order by the caller's thread only, so the data file is written
//    sequentially as before.
class LocalUploadWriter final : public UploadWriter {
 public:
  // `worker_cipher`, when given and the chunks are large enough, seals on the second thread.
  LocalUploadWriter(SqliteAssetStore& store, std::string id, std::string tmp_name,
                    std::uint32_t chunk_size, Bytes wrapped_key, NonceBase nonce_base,
                    ChunkCipher cipher, std::optional<ChunkCipher> worker_cipher,
                    std::unique_ptr<WritableFile> data, std::unique_ptr<WritableFile> leaves)
      : store_(store),
        id_(std::move(id)),
        tmp_name_(std::move(tmp_name)),
        chunk_size_(chunk_size),
        wrapped_key_(std::move(wrapped_key)),
        nonce_base_(nonce_base),
        cipher_(std::move(cipher)),
        data_(std::move(data)),
        leaves_(std::move(leaves)) {
    const bool pipelined = chunk_size >= kParallelHashMinChunk && worker_cipher.has_value();
    const std::size_t depth =
        pipelined ? std::clamp<std::size_t>(kPipelineBytes / chunk_size, 2, 16) : 1;
    slots_.resize(depth);
    for (ChunkSlot& s : slots_) {
      s.plain.resize(chunk_size);
      s.sealed.resize(chunk_size + kSealedOverhead);
    }
    if (pipelined) {
      try {
        worker_ = std::make_unique<SealWorker>(slots_, std::move(*worker_cipher));
      } catch (const std::system_error&) {
        slots_.resize(1);  // no thread to be had: seal inline
      }
    }
  }

  ~LocalUploadWriter() override;

  Status write(ByteView data) override {
    if (state_ != State::kOpen) return failed_precondition("upload of '" + id_ + "' is not open");
    offered_ = 0;
    auto st = write_impl(data);
    if (!st.ok()) state_ = State::kFailed;
    return st;
  }

  Result<std::span<std::uint8_t>> write_buffer() override {
    if (state_ != State::kOpen) return failed_precondition("upload of '" + id_ + "' is not open");
    if (buffered_ == chunk_size_) {
      if (auto st = dispatch(false); !st.ok()) {
        state_ = State::kFailed;
        return st.error();
      }
    }
    offered_ = chunk_size_ - buffered_;
    return std::span<std::uint8_t>(slots_[cur_].plain.data() + buffered_, offered_);
  }

  Status wrote(std::size_t n) override {
    if (state_ != State::kOpen) return failed_precondition("upload of '" + id_ + "' is not open");
    if (n > offered_) {
      state_ = State::kFailed;
      return invalid_argument("wrote " + std::to_string(n) + " bytes into a buffer of " +
                              std::to_string(offered_));
    }
    buffered_ += n;
    total_ += n;
    offered_ = 0;
    return ok_status();
  }

  std::uint64_t bytes_written() const noexcept override { return total_; }

  Result<AssetMetadata> commit(const CommitInfo& info) override;

  Status abort() override;

 private:
  enum class State { kOpen, kFailed, kCommitted, kAborted };

  Status write_impl(ByteView data) {
    while (!data.empty()) {
      if (buffered_ == chunk_size_) PACTUM_TRY_STATUS(dispatch(false));
      // Inline mode: a whole chunk with more data after it cannot be the last one; seal it
      // straight from the caller's buffer and skip the copy.
      if (!worker_ && buffered_ == 0 && data.size() > chunk_size_) {
        PACTUM_TRY_STATUS(seal_inline_and_append(data.first(chunk_size_)));
        total_ += chunk_size_;
        data = data.subspan(chunk_size_);
        continue;
      }
      const std::size_t n = std::min<std::size_t>(chunk_size_ - buffered_, data.size());
      std::memcpy(slots_[cur_].plain.data() + buffered_, data.data(), n);
      buffered_ += n;
      total_ += n;
      data = data.subspan(n);
    }
    return ok_status();
  }

  // Hands the slot being filled on for hashing and sealing and moves to the next slot,
  // appending finished chunks (and, when every slot is in flight, waiting for the oldest).
  Status dispatch(bool final_chunk) {
    ChunkSlot& slot = slots_[cur_];
    slot.length = buffered_;
    slot.index = next_index_++;
    slot.final_chunk = final_chunk;
    buffered_ = 0;
    ++in_flight_;
    cur_ = (cur_ + 1) % slots_.size();
    if (!worker_) {
      hash_and_seal(cipher_, slot);
      return retire_oldest();
    }
    worker_->queue(slot);
    // Append what is already sealed, so the disk is written steadily.
    while (in_flight_ > 0 && worker_->done(slots_[oldest()])) PACTUM_TRY_STATUS(retire_oldest());
    // The next slot to fill is still in flight only when every slot is.
    if (in_flight_ == slots_.size()) PACTUM_TRY_STATUS(retire_oldest());
    return ok_status();
  }

  std::size_t oldest() const { return (cur_ + slots_.size() - in_flight_) % slots_.size(); }

  // Waits for the oldest chunk in flight (sealing queued ones meanwhile), appends it and its
  // leaf, and frees its slot.
  Status retire_oldest() {
    ChunkSlot& slot = slots_[oldest()];
    if (worker_) worker_->wait_done(slot, cipher_);
    --in_flight_;
    PACTUM_TRY_STATUS(slot.sealed_status);
    PACTUM_TRY_STATUS(data_->append(ByteView(slot.sealed.data(), slot.length + kSealedOverhead)));
    PACTUM_TRY_STATUS(add_leaf(slot.leaf));
    ++chunk_index_;
    if (worker_) worker_->release(slot);
    return ok_status();
  }

  // Appends every chunk in flight (commit).
  Status drain() {
    while (in_flight_ > 0) PACTUM_TRY_STATUS(retire_oldest());
    return ok_status();
  }

  // Inline mode only: seals a whole chunk from the caller's buffer and appends it.
  Status seal_inline_and_append(ByteView plain) {
    ChunkSlot& slot = slots_[0];
    std::span<std::uint8_t> sealed(slot.sealed.data(), plain.size() + kSealedOverhead);
    PACTUM_TRY_STATUS(cipher_.seal(next_index_, false, plain, sealed));
    PACTUM_TRY_STATUS(data_->append(sealed));
    PACTUM_TRY_STATUS(add_leaf(sdk::merkle_leaf_hash(plain)));
    ++next_index_;
    ++chunk_index_;
    return ok_status();
  }

  // Adds the next leaf, in chunk order, to the tree and the leaf file.
  Status add_leaf(const Hash32& leaf) {
    tree_.append_leaf_hash(leaf);
    leaf_buf_.insert(leaf_buf_.end(), leaf.begin(), leaf.end());
    if (leaf_buf_.size() >= kLeafFlushBytes) PACTUM_TRY_STATUS(flush_leaves());
    return ok_status();
  }

  Status flush_leaves() {
    PACTUM_TRY_STATUS(leaves_->append(leaf_buf_));
    leaf_buf_.clear();
    return ok_status();
  }

  Result<AssetMetadata> finish(const CommitInfo& info);

  SqliteAssetStore& store_;
  std::string id_;
  std::string tmp_name_;
  std::uint32_t chunk_size_;
  Bytes wrapped_key_;
  NonceBase nonce_base_;
  ChunkCipher cipher_;  // the caller's thread's
  std::unique_ptr<WritableFile> data_;
  std::unique_ptr<WritableFile> leaves_;
  std::vector<ChunkSlot> slots_;  // slots_[cur_] is being filled
  std::size_t cur_ = 0;
  std::size_t in_flight_ = 0;  // slots dispatched and not yet appended, just before cur_
  Bytes leaf_buf_;
  std::size_t buffered_ = 0;  // bytes in slots_[cur_]
  std::size_t offered_ = 0;   // bytes of slots_[cur_] the last write_buffer() handed out
  std::uint64_t total_ = 0;
  std::uint64_t next_index_ = 0;   // chunks dispatched
  std::uint64_t chunk_index_ = 0;  // chunks sealed and appended
  sdk::MerkleBuilder tree_;        // leaves appended so far (== chunk_index_)
  // After slots_: destroyed first, so the worker never touches a freed slot.
  std::unique_ptr<SealWorker> worker_;
  State state_ = State::kOpen;
};

class LocalAssetReader final : public AssetReader {
 public:
  LocalAssetReader(AssetMetadata meta, std::unique_ptr<RandomAccessFile> data, sdk::MerkleTree tree,
                   ChunkCipher cipher)
      : meta_(std::move(meta)),
        data_(std::move(data)),
        tree_(std::move(tree)),
        cipher_(std::move(cipher)) {}

  const AssetMetadata& metadata() const noexcept override { return meta_; }

  Status read_chunk(std::uint64_t index, ChunkPiece& out) override {
    out.plaintext.clear();
    if (index >= meta_.chunk_count) {
      return out_of_range("chunk " + std::to_string(index) + " of an asset of " +
                          std::to_string(meta_.chunk_count) + " chunks");
    }
    const std::uint64_t len = meta_.chunk_length(index);
    sealed_.resize(len + kSealedOverhead);
    PACTUM_TRY_STATUS(data_->read_at(index * (meta_.chunk_size + kSealedOverhead), sealed_));
    out.plaintext.resize(len);
    if (auto st = cipher_.open(index, index + 1 == meta_.chunk_count, sealed_, out.plaintext);
        !st.ok()) {
      out.plaintext.clear();
      return st.error().with_context("asset '" + meta_.id + "'");
    }
    PACTUM_TRY_STATUS(tree_.inclusion_proof(index, out.proof));
    out.index = index;
    out.offset = index * meta_.chunk_size;
    out.range_begin = 0;
    out.range_end = len;
    return ok_status();
  }

 private:
  AssetMetadata meta_;
  std::unique_ptr<RandomAccessFile> data_;
  sdk::MerkleTree tree_;
  ChunkCipher cipher_;
  Bytes sealed_;
};

class SqliteAssetStore final : public AssetStore {
 public:
  SqliteAssetStore(Env& env, std::string dir, MasterKey master, std::unique_ptr<FileLock> lock)
      : env_(env), dir_(std::move(dir)), master_(std::move(master)), lock_(std::move(lock)) {}

  ~SqliteAssetStore() override {
    // Statements first: sqlite3_close refuses while any is unfinalised.
    insert_.reset();
    select_.reset();
    update_ddo_.reset();
    list_.reset();
    all_ids_.reset();
    exists_.reset();
    sqlite3_close(db_);
  }

  Status open_db(int busy_timeout_ms) {
    const std::string path = dir_ + "/assets.db";
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      return sqlite_error(db_, "open " + path);
    }
    sqlite3_extended_result_codes(db_, 0);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    // WAL: readers do not block the writer. synchronous=FULL: a committed asset survives power
    // loss, not only a process crash — the node has told someone the asset exists.
    const int rc = sqlite3_exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr,
                                nullptr, nullptr);
    if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) {
      return data_loss(path + " is not a SQLite database: " + sqlite3_errmsg(db_));
    }
    if (rc != SQLITE_OK) return sqlite_error(db_, "configure");
    PACTUM_TRY(const int version, user_version());
    if (version == 0) {
      if (sqlite3_exec(db_, (std::string("BEGIN IMMEDIATE;") + kSchema + "COMMIT;").c_str(),
                       nullptr, nullptr, nullptr) != SQLITE_OK) {
        auto err = sqlite_error(db_, "create schema");
        sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
        return err;
      }
    } else if (version != kSchemaVersion) {
      return data_loss(path + " has schema version " + std::to_string(version) +
                       ", this build knows " + std::to_string(kSchemaVersion));
    }
    const std::string select = std::string("SELECT ") + kColumns + " FROM assets WHERE id = ?1";
    const std::string list =
        std::string("SELECT ") + kColumns + " FROM assets WHERE id > ?1 ORDER BY id LIMIT ?2";
    insert_ = std::make_unique<Statement>();
    select_ = std::make_unique<Statement>();
    update_ddo_ = std::make_unique<Statement>();
    list_ = std::make_unique<Statement>();
    all_ids_ = std::make_unique<Statement>();
    exists_ = std::make_unique<Statement>();
    PACTUM_TRY_STATUS(exists_->prepare(db_, "SELECT 1 FROM assets WHERE id = ?1"));
    PACTUM_TRY_STATUS(insert_->prepare(
        db_,
        "INSERT INTO assets (id, owner, size, chunk_size, chunk_count, merkle_root, "
        "wrapped_key, nonce_base, created_at, ddo) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"));
    PACTUM_TRY_STATUS(select_->prepare(db_, select.c_str()));
    PACTUM_TRY_STATUS(update_ddo_->prepare(db_, "UPDATE assets SET ddo = ?2 WHERE id = ?1"));
    PACTUM_TRY_STATUS(list_->prepare(db_, list.c_str()));
    PACTUM_TRY_STATUS(all_ids_->prepare(db_, "SELECT id FROM assets ORDER BY id"));
    return ok_status();
  }

  Result<std::unique_ptr<UploadWriter>> begin_upload(std::string_view asset_id,
                                                     const UploadOptions& options) override {
    PACTUM_TRY_STATUS(validate_asset_id(asset_id));
    PACTUM_TRY_STATUS(validate_chunk_size(options.chunk_size));
    const std::string id(asset_id);
    Bytes tmp_raw(16);
    PACTUM_TRY_STATUS(random_bytes(tmp_raw));
    const std::string tmp_name = to_hex(tmp_raw, false);
    {
      std::lock_guard lock(mu_);
      PACTUM_TRY(const bool exists, row_exists_locked(id));
      if (exists) return already_exists("asset '" + id + "' exists already");
      if (!uploading_.insert(id).second) {
        return already_exists("an upload of asset '" + id + "' is in progress");
      }
      active_tmp_.insert(tmp_name);
    }
    auto writer = make_writer(id, tmp_name, options.chunk_size);
    if (!writer.ok()) {
      (void)remove_flat_dir(env_, tmp_path(tmp_name));
      release_upload(id, tmp_name);
    }
    return writer;
  }

  Result<std::unique_ptr<AssetReader>> open_reader(std::string_view asset_id) override {
    PACTUM_TRY(AssetMetadata meta, get(asset_id));
    const std::string obj = object_path(meta.id);
    auto data = env_.open_random_access(obj + "/data");
    auto leaves = env_.open_random_access(obj + "/leaves");
    if (!data.ok() || !leaves.ok()) {
      const Error& e = !data.ok() ? data.error() : leaves.error();
      if (e.code() != ErrorCode::kNotFound) return e;
      return data_loss("files of asset '" + meta.id + "' are missing: " + e.message());
    }
    const std::uint64_t want_data = meta.size + meta.chunk_count * kSealedOverhead;
    if ((*data)->size() != want_data) {
      return data_loss("data file of asset '" + meta.id + "' is " +
                       std::to_string((*data)->size()) + " bytes, expected " +
                       std::to_string(want_data));
    }
    if ((*leaves)->size() != meta.chunk_count * 32) {
      return data_loss("leaf file of asset '" + meta.id + "' is " +
                       std::to_string((*leaves)->size()) + " bytes, expected " +
                       std::to_string(meta.chunk_count * 32));
    }
    std::vector<Hash32> leaf_hashes(meta.chunk_count);
    PACTUM_TRY_STATUS((*leaves)->read_at(
        0, {reinterpret_cast<std::uint8_t*>(leaf_hashes.data()), leaf_hashes.size() * 32}));
    sdk::MerkleTree tree(std::move(leaf_hashes));
    if (tree.root() != meta.merkle_root) {
      return data_loss("leaf hashes of asset '" + meta.id + "' do not give its Merkle root");
    }
    PACTUM_TRY(DataKey key, unwrap_data_key(master_, meta.wrapped_key, meta.id));
    PACTUM_TRY(ChunkCipher cipher, ChunkCipher::create(key, meta.nonce_base, meta.id));
    return std::unique_ptr<AssetReader>(std::make_unique<LocalAssetReader>(
        std::move(meta), std::move(*data), std::move(tree), std::move(cipher)));
  }

  Result<AssetMetadata> get(std::string_view asset_id) override {
    PACTUM_TRY_STATUS(validate_asset_id(asset_id));
    std::lock_guard lock(mu_);
    PACTUM_TRY(auto row, find_locked(std::string(asset_id)));
    if (!row.has_value()) return not_found("asset '" + std::string(asset_id) + "' not found");
    return std::move(*row);
  }

  Status set_ddo(std::string_view asset_id, std::string_view ddo_json) override {
    PACTUM_TRY_STATUS(validate_asset_id(asset_id));
    if (ddo_json.size() > kMaxDdoLength) {
      return invalid_argument("DDO is " + std::to_string(ddo_json.size()) +
                              " bytes, more than the limit of " + std::to_string(kMaxDdoLength));
    }
    std::lock_guard lock(mu_);
    update_ddo_->bind_text(1, asset_id);
    update_ddo_->bind_text(2, ddo_json);
    PACTUM_TRY_STATUS(update_ddo_->run());
    if (sqlite3_changes(db_) == 0) {
      return not_found("asset '" + std::string(asset_id) + "' not found");
    }
    return ok_status();
  }

  Result<std::vector<AssetMetadata>> list(std::string_view after_id, std::size_t limit) override {
    if (limit == 0 || limit > 1000) {
      return invalid_argument("list limit must be 1..1000, got " + std::to_string(limit));
    }
    std::lock_guard lock(mu_);
    Statement& s = *list_;
    s.bind_text(1, after_id);
    s.bind_int(2, static_cast<std::int64_t>(limit));
    std::vector<AssetMetadata> out;
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      auto row = read_row(s.get());
      if (!row.ok()) {
        s.reset();
        return std::move(row).error();
      }
      out.push_back(std::move(*row));
    }
    s.reset();
    if (rc != SQLITE_DONE) return sqlite_error(db_, "list");
    return out;
  }

  Result<RecoveryReport> recover() override {
    std::lock_guard lock(mu_);
    RecoveryReport report;
    PACTUM_TRY(auto tmp_names, env_.list_dir(dir_ + "/tmp"));
    for (const std::string& name : tmp_names) {
      if (active_tmp_.count(name) != 0) continue;
      PACTUM_TRY_STATUS(remove_flat_dir(env_, tmp_path(name)));
      ++report.removed_uploads;
    }
    PACTUM_TRY(auto object_names, env_.list_dir(dir_ + "/objects"));
    for (const std::string& name : object_names) {
      bool keep = false;
      if (validate_asset_id(name).ok()) {
        // Existence only: a damaged row keeps its files (open_reader reports it) and must not
        // stop the store from opening.
        PACTUM_TRY(keep, row_exists_locked(name));
      }
      if (keep) continue;
      PACTUM_TRY_STATUS(remove_flat_dir(env_, object_path(name)));
      ++report.removed_orphans;
    }
    if (report.removed_uploads > 0) PACTUM_TRY_STATUS(env_.sync_dir(dir_ + "/tmp"));
    if (report.removed_orphans > 0) PACTUM_TRY_STATUS(env_.sync_dir(dir_ + "/objects"));
    // Rows whose files are gone are reported, never deleted: that is for an operator to decide.
    Statement& s = *all_ids_;
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      const std::string id = column_text(s.get(), 0);
      auto there = env_.exists(object_path(id) + "/data");
      if (!there.ok()) {
        s.reset();
        return std::move(there).error();
      }
      if (!*there) report.missing_objects.push_back(id);
    }
    s.reset();
    if (rc != SQLITE_DONE) return sqlite_error(db_, "recover");
    return report;
  }

  // Called by LocalUploadWriter::commit with the files synced in tmp/<tmp_name>: moves them into
  // place and inserts the row. On error, nothing is left under objects/.
  Status publish(const AssetMetadata& meta, const std::string& tmp_name) {
    std::lock_guard lock(mu_);
    PACTUM_TRY(const bool exists, row_exists_locked(meta.id));
    if (exists) return already_exists("asset '" + meta.id + "' exists already");
    const std::string obj = object_path(meta.id);
    // A directory without a row is an orphan of a crash between rename and insert.
    PACTUM_TRY_STATUS(remove_flat_dir(env_, obj));
    PACTUM_TRY_STATUS(env_.rename(tmp_path(tmp_name), obj));
    auto st = [&]() -> Status {
      PACTUM_TRY_STATUS(env_.sync_dir(dir_ + "/objects"));
      PACTUM_TRY_STATUS(env_.sync_dir(dir_ + "/tmp"));
      Statement& s = *insert_;
      s.bind_text(1, meta.id);
      s.bind_text(2, meta.owner);
      s.bind_int(3, static_cast<std::int64_t>(meta.size));
      s.bind_int(4, meta.chunk_size);
      s.bind_int(5, static_cast<std::int64_t>(meta.chunk_count));
      s.bind_blob(6, meta.merkle_root);
      s.bind_blob(7, meta.wrapped_key);
      s.bind_blob(8, meta.nonce_base);
      s.bind_int(9, meta.created_at);
      s.bind_text(10, meta.ddo_json);
      return s.run();
    }();
    if (!st.ok()) (void)remove_flat_dir(env_, obj);
    return st;
  }

  void release_upload(const std::string& id, const std::string& tmp_name) {
    std::lock_guard lock(mu_);
    uploading_.erase(id);
    active_tmp_.erase(tmp_name);
  }

  Env& env() { return env_; }
  std::string tmp_path(const std::string& tmp_name) const { return dir_ + "/tmp/" + tmp_name; }
  std::string object_path(const std::string& id) const { return dir_ + "/objects/" + id; }

 private:
  Result<int> user_version() {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &s, nullptr) != SQLITE_OK) {
      return sqlite_error(db_, "read schema version");
    }
    const int rc = sqlite3_step(s);
    const int v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_finalize(s);
    if (v < 0) return sqlite_error(db_, "read schema version");
    return v;
  }

  // REQUIRES: mu_ held.
  Result<bool> row_exists_locked(const std::string& id) {
    Statement& s = *exists_;
    s.bind_text(1, id);
    const int rc = sqlite3_step(s.get());
    s.reset();
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_error(db_, "select");
  }

  // REQUIRES: mu_ held.
  Result<std::optional<AssetMetadata>> find_locked(const std::string& id) {
    Statement& s = *select_;
    s.bind_text(1, id);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) {
      s.reset();
      return std::optional<AssetMetadata>();
    }
    if (rc != SQLITE_ROW) {
      auto err = sqlite_error(db_, "select");
      s.reset();
      return err;
    }
    auto row = read_row(s.get());
    s.reset();
    if (!row.ok()) return std::move(row).error();
    return std::optional<AssetMetadata>(std::move(*row));
  }

  Result<std::unique_ptr<UploadWriter>> make_writer(const std::string& id,
                                                    const std::string& tmp_name,
                                                    std::uint32_t chunk_size) {
    PACTUM_TRY(DataKey key, DataKey::generate());
    NonceBase nonce_base{};
    PACTUM_TRY_STATUS(random_bytes(nonce_base));
    PACTUM_TRY(Bytes wrapped, wrap_data_key(master_, key, id));
    PACTUM_TRY(ChunkCipher cipher, ChunkCipher::create(key, nonce_base, id));
    // The second thread's own cipher; without one the upload seals inline.
    std::optional<ChunkCipher> worker_cipher;
    if (chunk_size >= kParallelHashMinChunk) {
      if (auto c = ChunkCipher::create(key, nonce_base, id); c.ok()) {
        worker_cipher.emplace(std::move(c).value());
      }
    }
    const std::string tmp = tmp_path(tmp_name);
    PACTUM_TRY_STATUS(env_.create_dir(tmp));
    PACTUM_TRY(auto data, env_.new_writable_file(tmp + "/data"));
    PACTUM_TRY(auto leaves, env_.new_writable_file(tmp + "/leaves"));
    return std::unique_ptr<UploadWriter>(std::make_unique<LocalUploadWriter>(
        *this, id, tmp_name, chunk_size, std::move(wrapped), nonce_base, std::move(cipher),
        std::move(worker_cipher), std::move(data), std::move(leaves)));
  }

  Env& env_;
  const std::string dir_;
  const MasterKey master_;
  std::unique_ptr<FileLock> lock_;
  std::mutex mu_;
  // Everything below is guarded by mu_.
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statement> insert_, select_, update_ddo_, list_, all_ids_, exists_;
  std::set<std::string> uploading_;   // ids with an upload in progress
  std::set<std::string> active_tmp_;  // tmp/ names of uploads in progress
};

LocalUploadWriter::~LocalUploadWriter() {
  if (state_ == State::kOpen || state_ == State::kFailed) (void)abort();
  worker_.reset();  // joins the worker before the buffers it may touch are wiped
  for (ChunkSlot& s : slots_) {
    secure_wipe(s.plain);
    secure_wipe(s.sealed);
  }
}

Result<AssetMetadata> LocalUploadWriter::commit(const CommitInfo& info) {
  if (state_ != State::kOpen) {
    return failed_precondition("upload of '" + id_ + "' cannot be committed: it is " +
                               (state_ == State::kCommitted ? "committed" : "not open"));
  }
  auto meta = finish(info);
  if (!meta.ok()) {
    state_ = State::kFailed;
    (void)abort();
    return meta;
  }
  state_ = State::kCommitted;
  store_.release_upload(id_, tmp_name_);
  return meta;
}

Result<AssetMetadata> LocalUploadWriter::finish(const CommitInfo& info) {
  PACTUM_TRY_STATUS(validate_commit_info(info));
  if (buffered_ > 0) PACTUM_TRY_STATUS(dispatch(true));
  PACTUM_TRY_STATUS(drain());
  if (tree_.size() != chunk_index_) {
    return internal_error("upload of '" + id_ + "': " + std::to_string(tree_.size()) +
                          " leaves for " + std::to_string(chunk_index_) + " chunks");
  }
  PACTUM_TRY_STATUS(flush_leaves());
  PACTUM_TRY_STATUS(data_->sync());
  PACTUM_TRY_STATUS(leaves_->sync());
  PACTUM_TRY_STATUS(data_->close());
  PACTUM_TRY_STATUS(leaves_->close());
  PACTUM_TRY_STATUS(store_.env().sync_dir(store_.tmp_path(tmp_name_)));
  AssetMetadata meta;
  meta.id = id_;
  meta.owner = info.owner;
  meta.size = total_;
  meta.chunk_size = chunk_size_;
  meta.chunk_count = chunk_index_;
  meta.merkle_root = tree_.root();
  meta.wrapped_key = wrapped_key_;
  meta.nonce_base = nonce_base_;
  meta.created_at = store_.env().now_unix_seconds();
  meta.ddo_json = info.ddo_json;
  PACTUM_TRY_STATUS(store_.publish(meta, tmp_name_));
  return meta;
}

Status LocalUploadWriter::abort() {
  if (state_ == State::kCommitted) {
    return failed_precondition("upload of '" + id_ + "' is committed; it cannot be aborted");
  }
  if (state_ == State::kAborted) return ok_status();
  state_ = State::kAborted;
  data_.reset();
  leaves_.reset();
  auto st = remove_flat_dir(store_.env(), store_.tmp_path(tmp_name_));
  store_.release_upload(id_, tmp_name_);
  return st;
}

}  // namespace

Result<std::unique_ptr<AssetStore>> open_sqlite_asset_store(SqliteStoreOptions options) {
  Env& env = options.env != nullptr ? *options.env : posix_env();
  if (options.directory.empty()) return invalid_argument("store directory is empty");
  PACTUM_TRY_STATUS(env.create_dir(options.directory));
  PACTUM_TRY(auto lock, env.lock_file(options.directory + "/LOCK"));
  PACTUM_TRY_STATUS(env.create_dir(options.directory + "/tmp"));
  PACTUM_TRY_STATUS(env.create_dir(options.directory + "/objects"));
  auto store = std::make_unique<SqliteAssetStore>(env, options.directory,
                                                  std::move(options.master_key), std::move(lock));
  PACTUM_TRY_STATUS(store->open_db(options.busy_timeout_ms));
  PACTUM_TRY_STATUS(store->recover());
  return std::unique_ptr<AssetStore>(std::move(store));
}

}  // namespace pactum::store
