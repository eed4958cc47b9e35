// AssetStore: the node's encrypted storage of published files.
//
// An upload streams plaintext in pieces of any size; the writer cuts it into chunks, seals each
// with the asset's data key (chunk_cipher.hpp), hashes each plaintext chunk into the Merkle tree
// (merkle.hpp) and appends both to temporary files. Only commit() makes the asset visible: it
// syncs the files, renames their directory into place and inserts the asset's row in one SQLite
// transaction; the row is the commit point. Until then — and after abort(), a failed commit or a
// crash — the asset does not exist, and recover() (run when the store opens) removes what was
// left behind.
//
// Reads decrypt chunk by chunk, each chunk with its inclusion proof against the asset's Merkle
// root, so the HTTP layer can stream any byte range and the client can check every chunk
// (chunk_verifier.hpp) before writing it. Stored data that was changed on disk is reported as
// kDataLoss; wrong plaintext is never returned.
//
// Layout of the embedded default (open_sqlite_asset_store) under its directory:
//   LOCK                 flock held while the store is open: one process per store
//   assets.db            SQLite (WAL): one row per committed asset
//   tmp/<random>/        uploads in progress: data, leaves
//   objects/<asset id>/  committed assets: data (sealed chunks, each ciphertext || 16-byte tag,
//                        at offset index * (chunk_size + 16)), leaves (32-byte leaf hashes)
//
// Thread safety: AssetStore methods may be called from any thread (one SQLite connection
// behind a mutex). An UploadWriter, AssetReader or RangeReader is used by one thread at a time;
// many may be in use at once. The store must outlive every writer and reader it returned.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/sdk/merkle.hpp"
#include "pactum/store/chunk_cipher.hpp"
#include "pactum/store/env.hpp"

namespace pactum::store {

inline constexpr std::size_t kMaxAssetIdLength = 128;
inline constexpr std::size_t kMaxOwnerLength = 256;
inline constexpr std::size_t kMaxDdoLength = 1024 * 1024;

// Checks an asset id before it names anything: 1..128 bytes of [A-Za-z0-9._:-], not starting
// with '.' or '-', no "..". Rejects path-like values ('/', '\\', "..", NUL, control bytes) and
// overlong ones. Errors: kInvalidArgument saying which rule failed.
[[nodiscard]] Status validate_asset_id(std::string_view id);

// One committed asset, as stored.
struct AssetMetadata {
  std::string id;
  std::string owner;              // opaque to the store (the node puts an address or DID)
  std::uint64_t size = 0;         // plaintext bytes
  std::uint32_t chunk_size = 0;   // plaintext bytes per chunk (the last may be shorter)
  std::uint64_t chunk_count = 0;  // ceil(size / chunk_size); 0 for an empty asset
  Hash32 merkle_root{};           // RFC 9162 root of the plaintext chunks: the checksum
  Bytes wrapped_key;              // the data key wrapped by the master key
  NonceBase nonce_base{};         // per-asset nonce base (not secret)
  std::int64_t created_at = 0;    // Unix seconds, from the Env clock
  std::string ddo_json;           // opaque JSON text (the DDO); the store never parses it

  // Plaintext length of chunk `index`. REQUIRES: index < chunk_count.
  [[nodiscard]] std::uint64_t chunk_length(std::uint64_t index) const noexcept;
};

// What the caller supplies when an upload is committed.
struct CommitInfo {
  std::string owner;     // 1..256 bytes, no control characters
  std::string ddo_json;  // may be empty (set later with set_ddo); at most 1 MiB
};

// An upload in progress. Destroying it without commit() aborts it.
class UploadWriter {
 public:
  virtual ~UploadWriter() = default;

  // Appends `data` (any size, including zero) to the asset's plaintext.
  // Errors: kFailedPrecondition after commit()/abort() or a failed write; the Env's errors
  // (kUnavailable, kResourceExhausted) — after any error the upload is dead: abort() it.
  [[nodiscard]] virtual Status write(ByteView data) = 0;

  // Where the caller may place the next plaintext bytes itself, reporting them with wrote():
  // a socket can be read straight into it, saving the copy write() makes. Never empty while the
  // upload is open. Calls through it and write() may be mixed.
  // Errors: as write() (the span may need a full chunk sealed and appended first).
  [[nodiscard]] virtual Result<std::span<std::uint8_t>> write_buffer() = 0;

  // Accepts the first `n` bytes of the span write_buffer() returned last.
  // REQUIRES: nothing but reads of that span since write_buffer().
  // Errors: kFailedPrecondition after commit()/abort() or a failed write; kInvalidArgument when
  // `n` is larger than that span (the upload is then dead).
  [[nodiscard]] virtual Status wrote(std::size_t n) = 0;

  // Plaintext bytes accepted so far.
  [[nodiscard]] virtual std::uint64_t bytes_written() const noexcept = 0;

  // Seals the last chunk, makes the files durable, moves them into place and registers the
  // asset in one transaction. Returns the metadata as stored. On any error nothing is visible
  // and the temporary files are removed.
  // Errors: kFailedPrecondition when already committed/aborted or a write failed;
  // kInvalidArgument for a bad owner or DDO; kAlreadyExists when the id was committed by
  // another upload meanwhile; the Env's errors; kUnavailable when SQLite fails.
  [[nodiscard]] virtual Result<AssetMetadata> commit(const CommitInfo& info) = 0;

  // Discards the upload and its temporary files. Ok when already aborted.
  // Errors: kFailedPrecondition after a successful commit; the Env's errors.
  [[nodiscard]] virtual Status abort() = 0;
};

// One chunk as read: the whole plaintext chunk (what the client hashes), its proof, and which
// part of it a range request asked for.
struct ChunkPiece {
  std::uint64_t index = 0;
  std::uint64_t offset = 0;  // offset of plaintext[0] in the asset
  Bytes plaintext;           // the whole chunk, authenticated
  sdk::MerkleProof proof;    // inclusion proof of leaf `index` against the asset's root
  std::size_t range_begin = 0;
  std::size_t range_end = 0;  // [range_begin, range_end) of plaintext lies in the range

  // The requested bytes of this chunk.
  [[nodiscard]] ByteView in_range() const noexcept {
    return ByteView(plaintext).subspan(range_begin, range_end - range_begin);
  }
};

class AssetReader;

// Streams the chunks that cover a byte range, first to last.
class RangeReader {
 public:
  // Fills `out` (reusing its buffers) with the next chunk; returns false when the range is done.
  // Errors: those of AssetReader::read_chunk.
  [[nodiscard]] Result<bool> next(ChunkPiece& out);

  [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }
  [[nodiscard]] std::uint64_t length() const noexcept { return length_; }

 private:
  friend class AssetReader;
  RangeReader(AssetReader& reader, std::uint64_t offset, std::uint64_t length);
  AssetReader* reader_;
  std::uint64_t offset_;
  std::uint64_t length_;
  std::uint64_t next_index_;
  std::uint64_t end_index_;  // one past the last chunk
};

// Reads one committed asset. Opening checked the stored files against the row (sizes, the leaf
// hashes against the Merkle root) and unwrapped the data key.
class AssetReader {
 public:
  virtual ~AssetReader() = default;

  [[nodiscard]] virtual const AssetMetadata& metadata() const noexcept = 0;

  // Decrypts chunk `index` into `out` with its inclusion proof; range_* span the whole chunk.
  // Errors: kOutOfRange when index >= chunk_count; kDataLoss when the stored chunk fails to
  // authenticate or is missing; kUnavailable on I/O errors. On error `out.plaintext` holds no
  // unauthenticated bytes.
  [[nodiscard]] virtual Status read_chunk(std::uint64_t index, ChunkPiece& out) = 0;

  // Returns a reader over plaintext bytes [offset, offset + length) chunk by chunk. The
  // RangeReader borrows this reader, which must outlive it. A zero length yields no chunks.
  // Errors: kOutOfRange when the range does not lie within [0, size] (the caller clamps an
  // HTTP Range to the size first).
  [[nodiscard]] Result<RangeReader> read_range(std::uint64_t offset, std::uint64_t length);
};

// What recover() found and did.
struct RecoveryReport {
  std::uint64_t removed_uploads = 0;         // temporary upload directories deleted
  std::uint64_t removed_orphans = 0;         // object directories without a row, deleted
  std::vector<std::string> missing_objects;  // rows whose files are gone (left as they are)
};

struct UploadOptions {
  std::uint32_t chunk_size = kDefaultChunkSize;  // a power of two in [4 KiB, 16 MiB]
};

class AssetStore {
 public:
  virtual ~AssetStore() = default;
  AssetStore() = default;
  AssetStore(const AssetStore&) = delete;
  AssetStore& operator=(const AssetStore&) = delete;

  // Starts an upload of asset `asset_id` with a fresh data key.
  // Errors: kInvalidArgument for a bad id or chunk size; kAlreadyExists when the id is committed
  // or another upload of it is in progress; the Env's errors.
  [[nodiscard]] virtual Result<std::unique_ptr<UploadWriter>> begin_upload(
      std::string_view asset_id, const UploadOptions& options) = 0;

  // Opens a committed asset for reading. Errors: kInvalidArgument for a bad id; kNotFound;
  // kDataLoss when its files are missing, of the wrong size, or their leaf hashes do not give
  // the stored root, or the wrapped key is damaged; kFailedPrecondition when the key was wrapped
  // under another master key.
  [[nodiscard]] virtual Result<std::unique_ptr<AssetReader>> open_reader(
      std::string_view asset_id) = 0;

  // Returns the metadata of a committed asset. Errors: kInvalidArgument; kNotFound.
  [[nodiscard]] virtual Result<AssetMetadata> get(std::string_view asset_id) = 0;

  // Replaces the DDO text of a committed asset. Errors: kInvalidArgument (bad id, DDO over
  // 1 MiB); kNotFound.
  [[nodiscard]] virtual Status set_ddo(std::string_view asset_id, std::string_view ddo_json) = 0;

  // Returns up to `limit` (1..1000) assets with id > `after_id` in id order; "" starts at the
  // beginning. Errors: kInvalidArgument for a bad limit.
  [[nodiscard]] virtual Result<std::vector<AssetMetadata>> list(std::string_view after_id,
                                                                std::size_t limit) = 0;

  // Removes what crashed or abandoned uploads left: temporary upload directories (except those
  // of uploads in progress in this store) and object directories with no row. Runs when the
  // store opens; safe to call again. Errors: the Env's errors; kUnavailable from SQLite.
  [[nodiscard]] virtual Result<RecoveryReport> recover() = 0;
};

struct SqliteStoreOptions {
  std::string directory;       // created if missing
  MasterKey master_key;        // wraps every data key
  Env* env = nullptr;          // nullptr: posix_env(); must outlive the store
  int busy_timeout_ms = 5000;  // SQLite busy timeout
};

// Opens (creating if needed) the embedded store: SQLite + local files under
// options.directory, locks it for this process, and runs recover(); the report is available
// from the returned store's recover() again if needed.
// Errors: kFailedPrecondition when another process holds the store; kUnavailable when the
// directory or database cannot be opened; kDataLoss when the database is not a Pactum store.
[[nodiscard]] Result<std::unique_ptr<AssetStore>> open_sqlite_asset_store(
    SqliteStoreOptions options);

}  // namespace pactum::store
