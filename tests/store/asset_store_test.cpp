#include "pactum/store/asset_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "store/store_test_util.hpp"

namespace pactum::store {
namespace {

using testing::open_store;
using testing::read_back;
using testing::TempDir;
using testing::test_data;
using testing::upload;
namespace fs = std::filesystem;

constexpr std::uint32_t kChunk = kMinChunkSize;

// A clock the test sets.
class FixedClockEnv : public EnvWrapper {
 public:
  FixedClockEnv() : EnvWrapper(posix_env()) {}
  std::int64_t now_unix_seconds() override { return 1700000000; }
};

std::size_t count_entries(const std::string& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

void patch_file(const std::string& path, std::uint64_t offset, std::uint8_t xor_mask) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ xor_mask));
}

Bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

void write_file(const std::string& path, const Bytes& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

void exec_sql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(AssetStore, RoundTripsEverySizeAndPieceSize) {
  TempDir dir;
  auto store = open_store(dir.path()).value();
  int n = 0;
  for (std::size_t size : {0u, 1u, 4095u, 4096u, 4097u, 3u * 4096u, 3u * 4096u + 5u, 50000u}) {
    for (std::size_t piece : {1u, 7u, 4096u, 10000u, 1u << 20}) {
      if (piece == 1 && size > 5000) continue;  // slow and adds nothing
      const Bytes data = test_data(size, static_cast<std::uint32_t>(size + piece));
      const std::string id = "asset-" + std::to_string(n++);
      auto meta = upload(*store, id, data, kChunk, piece);
      ASSERT_TRUE(meta.ok()) << meta.error().to_string();
      EXPECT_EQ(meta->size, size);
      EXPECT_EQ(meta->chunk_count, (size + kChunk - 1) / kChunk);
      // The root is the RFC 9162 root of the plaintext chunks, computed independently here.
      sdk::MerkleBuilder expected;
      for (std::size_t off = 0; off < size; off += kChunk) {
        expected.append_leaf(
            ByteView(data).subspan(off, std::min<std::size_t>(kChunk, size - off)));
      }
      EXPECT_EQ(meta->merkle_root, expected.root());
      auto reader = store->open_reader(id).value();
      EXPECT_EQ(read_back(*reader, 0, size).value(), data) << size << "/" << piece;
    }
  }
}

// Chunks of 256 KiB and up are hashed and sealed by two threads (a ring of at most sixteen
// slots); sizes past the ring, around chunk boundaries and every piece shape must give the same
// root and bytes as the inline path.
TEST(AssetStore, PipelinedUploadsRoundTripPastTheRing) {
  TempDir dir;
  auto store = open_store(dir.path()).value();
  constexpr std::uint32_t kBig = 256 * 1024;
  int n = 0;
  for (std::size_t size :
       {std::size_t{1}, std::size_t{kBig - 1}, std::size_t{kBig}, std::size_t{kBig + 1},
        std::size_t{8 * kBig}, std::size_t{21 * kBig + 5}}) {
    for (std::size_t piece : {std::size_t{4097}, std::size_t{kBig}, std::size_t{3 * kBig + 1}}) {
      const Bytes data = test_data(size, static_cast<std::uint32_t>(size + piece));
      const std::string id = "big-" + std::to_string(n++);
      auto meta = upload(*store, id, data, kBig, piece);
      ASSERT_TRUE(meta.ok()) << meta.error().to_string();
      sdk::MerkleBuilder expected;
      for (std::size_t off = 0; off < size; off += kBig) {
        expected.append_leaf(ByteView(data).subspan(off, std::min<std::size_t>(kBig, size - off)));
      }
      EXPECT_EQ(meta->merkle_root, expected.root()) << size << "/" << piece;
      EXPECT_EQ(meta->chunk_count, (size + kBig - 1) / kBig);
      auto reader = store->open_reader(id).value();
      EXPECT_EQ(read_back(*reader, 0, size).value(), data) << size << "/" << piece;
    }
  }
}

// write_buffer()/wrote() (a socket read straight into the chunk buffers) mixed with write():
// the same root and bytes as write() alone, for inline and pipelined chunk sizes; a wrote()
// beyond the span handed out, or without one, kills the upload and leaves nothing.
TEST(AssetStore, DirectWritesMixWithWriteAndRefuseOverruns) {
  TempDir dir;
  auto store = open_store(dir.path()).value();
  for (const std::uint32_t chunk : {kChunk, std::uint32_t{256 * 1024}}) {
    const Bytes data = test_data(9 * chunk + 123, chunk);
    const std::string id = "direct-" + std::to_string(chunk);
    auto w = store->begin_upload(id, {.chunk_size = chunk}).value();
    std::size_t off = 0;
    for (int step = 0; off < data.size(); ++step) {
      if (step % 3 == 2) {  // every third step through write(), 1,001 bytes
        const std::size_t n = std::min<std::size_t>(1001, data.size() - off);
        ASSERT_TRUE(w->write(ByteView(data).subspan(off, n)).ok());
        off += n;
        continue;
      }
      auto span = w->write_buffer();
      ASSERT_TRUE(span.ok()) << span.error().to_string();
      ASSERT_FALSE(span->empty());
      // Fill all of it, or 777 bytes of it: partial fills must work too.
      const std::size_t n =
          std::min<std::size_t>(step % 2 == 0 ? span->size() : 777, data.size() - off);
      std::memcpy(span->data(), data.data() + off, n);
      ASSERT_TRUE(w->wrote(n).ok());
      off += n;
    }
    EXPECT_EQ(w->bytes_written(), data.size());
    auto meta = w->commit({.owner = "o"});
    ASSERT_TRUE(meta.ok()) << meta.error().to_string();
    sdk::MerkleBuilder expected;
    for (std::size_t o = 0; o < data.size(); o += chunk) {
      expected.append_leaf(
          ByteView(data).subspan(o, std::min<std::size_t>(chunk, data.size() - o)));
    }
    EXPECT_EQ(meta->merkle_root, expected.root()) << chunk;
    auto reader = store->open_reader(id).value();
    EXPECT_EQ(read_back(*reader, 0, data.size()).value(), data) << chunk;
  }
  {
    auto w = store->begin_upload("overrun", {}).value();
    auto span = w->write_buffer().value();
    EXPECT_EQ(w->wrote(span.size() + 1).error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(w->write(test_data(1)).error().code(), ErrorCode::kFailedPrecondition);
    EXPECT_EQ(w->commit({.owner = "o"}).error().code(), ErrorCode::kFailedPrecondition);
  }
  {
    auto w = store->begin_upload("stale", {}).value();
    (void)w->write_buffer().value();
    ASSERT_TRUE(w->write(test_data(5)).ok());  // write() takes back the span handed out
    EXPECT_EQ(w->wrote(1).error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(store->get("overrun").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->get("stale").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(count_entries(dir.path() + "/tmp"), 0u);
}

TEST(AssetStore, MetadataRowIsStoredAndPersists) {
  TempDir dir;
  FixedClockEnv env;
  const Bytes data = test_data(10000);
  AssetMetadata committed;
  {
    auto store = open_store(dir.path(), testing::test_master_key(), &env).value();
    auto writer = store->begin_upload("did:pactum:0xabc", {.chunk_size = 8192}).value();
    ASSERT_TRUE(writer->write(data).ok());
    EXPECT_EQ(writer->bytes_written(), data.size());
    committed = writer->commit({.owner = "0xPublisher", .ddo_json = R"({"a":1})"}).value();
  }
  auto store = open_store(dir.path(), testing::test_master_key(), &env).value();
  const AssetMetadata m = store->get("did:pactum:0xabc").value();
  EXPECT_EQ(m.id, "did:pactum:0xabc");
  EXPECT_EQ(m.owner, "0xPublisher");
  EXPECT_EQ(m.size, 10000u);
  EXPECT_EQ(m.chunk_size, 8192u);
  EXPECT_EQ(m.chunk_count, 2u);
  EXPECT_EQ(m.merkle_root, committed.merkle_root);
  EXPECT_EQ(m.wrapped_key.size(), kWrappedKeySize);
  EXPECT_EQ(m.created_at, 1700000000);
  EXPECT_EQ(m.ddo_json, R"({"a":1})");
  EXPECT_EQ(m.chunk_length(0), 8192u);
  EXPECT_EQ(m.chunk_length(1), 10000u - 8192u);
  auto reader = store->open_reader("did:pactum:0xabc").value();
  EXPECT_EQ(read_back(*reader, 0, data.size()).value(), data);
}

TEST(AssetStore, ZeroLengthAsset) {
  TempDir dir;
  auto store = open_store(dir.path()).value();
  const AssetMetadata m = upload(*store, "empty", {}).value();
  EXPECT_EQ(m.size, 0u);
  EXPECT_EQ(m.chunk_count, 0u);
  EXPECT_EQ(m.merkle_root, sdk::merkle_empty_root());
  auto reader = store->open_reader("empty").value();
  EXPECT_TRUE(read_back(*reader, 0, 0).value().empty());
  ChunkPiece piece;
  EXPECT_EQ(reader->read_chunk(0, piece).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(reader->read_range(0, 1).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(reader->read_range(1, 0).error().code(), ErrorCode::kOutOfRange);
}

TEST(AssetStore, RangesAcrossChunkBoundaries) {
  TempDir dir;
  auto store = open_store(dir.path()).value();
  const Bytes data = test_data(5 * kChunk + 123);
  ASSERT_TRUE(upload(*store, "r", data).ok());
  auto reader = store->open_reader("r").value();
  const std::uint64_t size = data.size();
  const std::pair<std::uint64_t, std::uint64_t> ranges[] = {
      {0, 1},        {0, size}, {kChunk - 1, 2}, {kChunk, kChunk},  {kChunk + 1, 3 * kChunk},
      {size - 1, 1}, {size, 0}, {17, 0},         {5 * kChunk, 123}, {4 * kChunk + 5, kChunk + 100},
  };
  for (const auto& [off, len] : ranges) {
    auto got = read_back(*reader, off, len);
    ASSERT_TRUE(got.ok()) << off << "+" << len << " " << got.error().to_string();
    EXPECT_EQ(*got, Bytes(data.begin() + static_cast<std::ptrdiff_t>(off),
                          data.begin() + static_cast<std::ptrdiff_t>(off + len)))
        << off << "+" << len;
  }
  // The chunks a range yields are whole, with the range marked inside.
  RangeReader range = reader->read_range(kChunk + 10, 20).value();
  ChunkPiece piece;
  ASSERT_TRUE(range.next(piece).value());
  EXPECT_EQ(piece.index, 1u);
  EXPECT_EQ(piece.offset, kChunk);
  EXPECT_EQ(piece.plaintext.size(), kChunk);
  EXPECT_EQ(piece.range_begin, 10u);
  EXPECT_EQ(piece.range_end, 30u);
  EXPECT_FALSE(range.next(piece).value());
  // Past the end, and arithmetic that would overflow.
  EXPECT_EQ(reader->read_range(size, 1).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(reader->read_range(size + 1, 0).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(reader->read_range(1, size).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(reader->read_range(UINT64_MAX, 2).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(reader->read_range(2, UINT64_MAX).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(reader->read_chunk(6, piece).error().code(), ErrorCode::kOutOfRange);
}

TEST(AssetStore, RejectsPathLikeAndOverlongIds) {
  TempDir dir;
  auto store = open_store(dir.path()).value();
  const std::string bad_ids[] = {"",
                                 "/",
                                 "a/b",
                                 "/etc/passwd",
                                 "..",
                                 "../x",
                                 "x/..",
                                 "a..b",
                                 ".",
                                 ".hidden",
                                 "-rf",
                                 std::string("a\0b", 3),
                                 "a\\b",
                                 "a b",
                                 "tab\t",
                                 "new\nline",
                                 "caf\xc3\xa9",
                                 std::string(kMaxAssetIdLength + 1, 'a'),
                                 std::string(100000, 'a')};
  for (const std::string& id : bad_ids) {
    EXPECT_EQ(validate_asset_id(id).error().code(), ErrorCode::kInvalidArgument) << id;
    EXPECT_EQ(store->begin_upload(id, {}).error().code(), ErrorCode::kInvalidArgument) << id;
    EXPECT_EQ(store->get(id).error().code(), ErrorCode::kInvalidArgument) << id;
    EXPECT_EQ(store->open_reader(id).error().code(), ErrorCode::kInvalidArgument) << id;
    EXPECT_EQ(store->set_ddo(id, "{}").error().code(), ErrorCode::kInvalidArgument) << id;
  }
  for (const std::string id : {"a", "did:pactum:0xAbC123", "a.b_c-d", "x..", "0"}) {
    if (std::string_view(id).find("..") != std::string_view::npos) continue;
    EXPECT_TRUE(validate_asset_id(id).ok()) << id;
  }
  EXPECT_TRUE(validate_asset_id(std::string(kMaxAssetIdLength, 'a')).ok());
  // Nothing was created outside the store's own directories.
  EXPECT_EQ(count_entries(dir.path() + "/objects"), 0u);
  EXPECT_EQ(count_entries(dir.path() + "/tmp"), 0u);
}

TEST(AssetStore, RejectsBadChunkSizesOwnersAndDdos) {
  TempDir dir;
  auto store = open_store(dir.path()).value();
  for (std::uint32_t cs : {0u, 1000u, 4097u, 32u << 20}) {
    EXPECT_EQ(store->begin_upload("x", {.chunk_size = cs}).error().code(),
              ErrorCode::kInvalidArgument);
  }
  for (const std::string owner : {std::string(), std::string(kMaxOwnerLength + 1, 'o'),
                                  std::string("a\nb"), std::string("a\0b", 3)}) {
    auto w = store->begin_upload("x", {}).value();
    ASSERT_TRUE(w->write(test_data(10)).ok());
    EXPECT_EQ(w->commit({.owner = owner}).error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(store->get("x").error().code(), ErrorCode::kNotFound);
  }
  auto w = store->begin_upload("x", {}).value();
  EXPECT_EQ(
      w->commit({.owner = "o", .ddo_json = std::string(kMaxDdoLength + 1, ' ')}).error().code(),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(count_entries(dir.path() + "/tmp"), 0u);
  EXPECT_EQ(count_entries(dir.path() + "/objects"), 0u);
}

TEST(AssetStore, DuplicateIdsAndConcurrentUploadsOfOneId) {
  TempDir dir;
  auto store = open_store(dir.path()).value();
  auto first = store->begin_upload("dup", {}).value();
  EXPECT_EQ(store->begin_upload("dup", {}).error().code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(first->write(test_data(100)).ok());
  ASSERT_TRUE(first->commit({.owner = "o"}).ok());
  EXPECT_EQ(store->begin_upload("dup", {}).error().code(), ErrorCode::kAlreadyExists);
  // A committed writer cannot be written, committed again or aborted.
  EXPECT_EQ(first->write(test_data(1)).error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(first->commit({.owner = "o"}).error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(first->abort().error().code(), ErrorCode::kFailedPrecondition);
}

TEST(AssetStore, AbortAndDestructionLeaveNothing) {
  TempDir dir;
  auto store = open_store(dir.path()).value();
  {
    auto w = store->begin_upload("gone", {}).value();
    ASSERT_TRUE(w->write(test_data(3 * kDefaultChunkSize + 5)).ok());
    EXPECT_EQ(count_entries(dir.path() + "/tmp"), 1u);
    ASSERT_TRUE(w->abort().ok());
    EXPECT_TRUE(w->abort().ok());
    EXPECT_EQ(w->write(test_data(1)).error().code(), ErrorCode::kFailedPrecondition);
    EXPECT_EQ(w->commit({.owner = "o"}).error().code(), ErrorCode::kFailedPrecondition);
  }
  {
    auto w = store->begin_upload("gone", {}).value();  // the id is free again
    ASSERT_TRUE(w->write(test_data(10)).ok());
  }  // destroyed without commit
  EXPECT_EQ(store->get("gone").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->open_reader("gone").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(count_entries(dir.path() + "/tmp"), 0u);
  EXPECT_EQ(count_entries(dir.path() + "/objects"), 0u);
}

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_store(dir_.path()).value();
    ASSERT_TRUE(upload(*store_, "t", data_).ok());
    ASSERT_TRUE(upload(*store_, "u", data_).ok());
  }
  std::string data_path(const std::string& id = "t") const {
    return dir_.path() + "/objects/" + id + "/data";
  }
  std::string leaves_path() const { return dir_.path() + "/objects/t/leaves"; }
  static constexpr std::uint64_t kSealed = kChunk + kTagSize;

  TempDir dir_;
  Bytes data_ = test_data(4 * kChunk);
  std::unique_ptr<AssetStore> store_;
};

TEST_F(TamperTest, ModifiedByteInAChunkIsDataLossForThatChunkOnly) {
  for (std::uint64_t at : {std::uint64_t{0}, kSealed + 7, 2 * kSealed - 1, 4 * kSealed - 1}) {
    patch_file(data_path(), at, 0x01);
    auto reader = store_->open_reader("t").value();
    const std::uint64_t bad = at / kSealed;
    for (std::uint64_t i = 0; i < 4; ++i) {
      ChunkPiece piece;
      const Status st = reader->read_chunk(i, piece);
      if (i == bad) {
        EXPECT_EQ(st.error().code(), ErrorCode::kDataLoss) << at;
        EXPECT_TRUE(piece.plaintext.empty());
      } else {
        EXPECT_TRUE(st.ok()) << at << " chunk " << i;
      }
    }
    EXPECT_EQ(read_back(*reader, 0, data_.size()).error().code(), ErrorCode::kDataLoss);
    patch_file(data_path(), at, 0x01);  // restore
  }
  auto reader = store_->open_reader("t").value();
  EXPECT_EQ(read_back(*reader, 0, data_.size()).value(), data_);
}

TEST_F(TamperTest, TruncatedOrExtendedDataFileIsDataLoss) {
  const Bytes original = read_file(data_path());
  write_file(data_path(), Bytes(original.begin(), original.end() - 1));
  EXPECT_EQ(store_->open_reader("t").error().code(), ErrorCode::kDataLoss);
  write_file(data_path(), Bytes(original.begin(), original.end() - kSealed));
  EXPECT_EQ(store_->open_reader("t").error().code(), ErrorCode::kDataLoss);
  Bytes longer = original;
  longer.push_back(0);
  write_file(data_path(), longer);
  EXPECT_EQ(store_->open_reader("t").error().code(), ErrorCode::kDataLoss);
  write_file(data_path(), {});
  EXPECT_EQ(store_->open_reader("t").error().code(), ErrorCode::kDataLoss);
}

TEST_F(TamperTest, ReorderedChunksAreDataLoss) {
  Bytes file = read_file(data_path());
  std::swap_ranges(file.begin(), file.begin() + kSealed, file.begin() + kSealed);
  write_file(data_path(), file);
  auto reader = store_->open_reader("t").value();
  ChunkPiece piece;
  EXPECT_EQ(reader->read_chunk(0, piece).error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(reader->read_chunk(1, piece).error().code(), ErrorCode::kDataLoss);
  EXPECT_TRUE(reader->read_chunk(2, piece).ok());
}

TEST_F(TamperTest, ChunksFromAnotherAssetAreDataLoss) {
  // Same plaintext, same size, same master key: still different data keys and ids.
  write_file(data_path("t"), read_file(data_path("u")));
  auto reader = store_->open_reader("t").value();
  ChunkPiece piece;
  EXPECT_EQ(reader->read_chunk(0, piece).error().code(), ErrorCode::kDataLoss);
}

TEST_F(TamperTest, ModifiedLeafHashesAreDataLoss) {
  patch_file(leaves_path(), 40, 0x80);
  EXPECT_EQ(store_->open_reader("t").error().code(), ErrorCode::kDataLoss);
  patch_file(leaves_path(), 40, 0x80);
  EXPECT_TRUE(store_->open_reader("t").ok());
  write_file(leaves_path(), {});
  EXPECT_EQ(store_->open_reader("t").error().code(), ErrorCode::kDataLoss);
}

TEST_F(TamperTest, MissingFilesAreDataLoss) {
  fs::remove(data_path());
  EXPECT_EQ(store_->open_reader("t").error().code(), ErrorCode::kDataLoss);
  fs::remove_all(dir_.path() + "/objects/u");
  EXPECT_EQ(store_->open_reader("u").error().code(), ErrorCode::kDataLoss);
}

TEST_F(TamperTest, DamagedRowsAreDataLoss) {
  store_.reset();
  const std::string db = dir_.path() + "/assets.db";
  // Another asset's wrapped key: bound to its asset id, so it does not unwrap.
  exec_sql(db,
           "UPDATE assets SET wrapped_key = (SELECT wrapped_key FROM assets WHERE id='u') "
           "WHERE id='t'");
  // A different root.
  exec_sql(db, "UPDATE assets SET merkle_root = zeroblob(32) WHERE id='u'");
  auto reopened = open_store(dir_.path());
  ASSERT_TRUE(reopened.ok()) << reopened.error().to_string();
  store_ = std::move(reopened).value();
  EXPECT_EQ(store_->open_reader("t").error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(store_->open_reader("u").error().code(), ErrorCode::kDataLoss);
  store_.reset();
  exec_sql(db, "UPDATE assets SET chunk_count = 3 WHERE id='u'");
  store_ = open_store(dir_.path()).value();
  EXPECT_EQ(store_->get("u").error().code(), ErrorCode::kDataLoss);
}

TEST_F(TamperTest, WrongMasterKeyIsFailedPrecondition) {
  store_.reset();
  store_ = open_store(dir_.path(), testing::test_master_key(0x43)).value();
  EXPECT_EQ(store_->open_reader("t").error().code(), ErrorCode::kFailedPrecondition);
}

TEST(AssetStore, OneProcessPerStore) {
  TempDir dir;
  auto store = open_store(dir.path()).value();
  EXPECT_EQ(open_store(dir.path()).error().code(), ErrorCode::kFailedPrecondition);
  store.reset();
  EXPECT_TRUE(open_store(dir.path()).ok());
}

TEST(AssetStore, NotADatabase) {
  TempDir dir;
  write_file(dir.path() + "/assets.db", Bytes(4096, 'x'));
  EXPECT_EQ(open_store(dir.path()).error().code(), ErrorCode::kDataLoss);
}

TEST(AssetStore, RecoverRemovesLeftoversAndReportsMissingFiles) {
  TempDir dir;
  {
    auto store = open_store(dir.path()).value();
    ASSERT_TRUE(upload(*store, "kept", test_data(100)).ok());
    ASSERT_TRUE(upload(*store, "lost", test_data(100)).ok());
  }
  fs::create_directory(dir.path() + "/tmp/0123abcd");
  write_file(dir.path() + "/tmp/0123abcd/data", test_data(10));
  fs::create_directory(dir.path() + "/objects/orphan");
  write_file(dir.path() + "/objects/orphan/data", test_data(10));
  fs::create_directory(dir.path() + "/objects/.weird");
  fs::remove_all(dir.path() + "/objects/lost");
  auto store = open_store(dir.path()).value();  // runs recover()
  EXPECT_FALSE(fs::exists(dir.path() + "/tmp/0123abcd"));
  EXPECT_FALSE(fs::exists(dir.path() + "/objects/orphan"));
  EXPECT_FALSE(fs::exists(dir.path() + "/objects/.weird"));
  EXPECT_TRUE(fs::exists(dir.path() + "/objects/kept/data"));
  const RecoveryReport again = store->recover().value();
  EXPECT_EQ(again.removed_uploads, 0u);
  EXPECT_EQ(again.removed_orphans, 0u);
  EXPECT_EQ(again.missing_objects, std::vector<std::string>{"lost"});
  // recover() spares uploads in progress.
  auto w = store->begin_upload("live", {}).value();
  ASSERT_TRUE(w->write(test_data(10)).ok());
  EXPECT_EQ(store->recover().value().removed_uploads, 0u);
  ASSERT_TRUE(w->commit({.owner = "o"}).ok());
  auto reader = store->open_reader("live").value();
  EXPECT_EQ(read_back(*reader, 0, 10).value(), test_data(10));
}

TEST(AssetStore, ListAndSetDdo) {
  TempDir dir;
  auto store = open_store(dir.path()).value();
  for (const char* id : {"c", "a", "b", "d"}) ASSERT_TRUE(upload(*store, id, test_data(5)).ok());
  auto page = store->list("", 3).value();
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].id, "a");
  EXPECT_EQ(page[2].id, "c");
  page = store->list("c", 3).value();
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, "d");
  EXPECT_EQ(store->list("", 0).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->list("", 1001).error().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store->set_ddo("b", R"({"id":"did:x"})").ok());
  EXPECT_EQ(store->get("b").value().ddo_json, R"({"id":"did:x"})");
  EXPECT_EQ(store->set_ddo("zz", "{}").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->set_ddo("b", std::string(kMaxDdoLength + 1, ' ')).error().code(),
            ErrorCode::kInvalidArgument);
}

// Fails the n-th call of one kind of file-system operation.
class FailingEnv : public EnvWrapper {
 public:
  enum class Op { kSync, kSyncDir, kRename, kAppend };
  FailingEnv(Op op, int fail_at) : EnvWrapper(posix_env()), op_(op), fail_at_(fail_at) {}

  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override {
    PACTUM_TRY(auto file, target().new_writable_file(path));
    return std::unique_ptr<WritableFile>(std::make_unique<File>(*this, std::move(file)));
  }
  Status rename(const std::string& from, const std::string& to) override {
    if (hit(Op::kRename)) return unavailable("injected rename failure");
    return target().rename(from, to);
  }
  Status sync_dir(const std::string& path) override {
    if (hit(Op::kSyncDir)) return unavailable("injected directory sync failure");
    return target().sync_dir(path);
  }

 private:
  class File : public WritableFile {
   public:
    File(FailingEnv& env, std::unique_ptr<WritableFile> f) : env_(env), f_(std::move(f)) {}
    Status append(ByteView d) override {
      if (env_.hit(Op::kAppend)) return resource_exhausted("injected disk full");
      return f_->append(d);
    }
    Status sync() override {
      if (env_.hit(Op::kSync)) return unavailable("injected fdatasync failure");
      return f_->sync();
    }
    Status close() override { return f_->close(); }

   private:
    FailingEnv& env_;
    std::unique_ptr<WritableFile> f_;
  };
  bool hit(Op op) { return op == op_ && count_++ == fail_at_; }

  Op op_;
  int fail_at_;
  int count_ = 0;
};

TEST(AssetStore, FailedCommitStepsLeaveNothingVisible) {
  using Op = FailingEnv::Op;
  const std::pair<Op, int> cases[] = {{Op::kSync, 0},    {Op::kSync, 1},    {Op::kSyncDir, 0},
                                      {Op::kSyncDir, 1}, {Op::kSyncDir, 2}, {Op::kRename, 0},
                                      {Op::kAppend, 0},  {Op::kAppend, 3}};
  // 4 KiB chunks hash inline; 1 MiB chunks hash on a worker thread.
  for (const std::uint32_t chunk : {kChunk, kDefaultChunkSize}) {
    for (const auto& [op, at] : cases) {
      SCOPED_TRACE("chunk " + std::to_string(chunk) + " op " +
                   std::to_string(static_cast<int>(op)) + "@" + std::to_string(at));
      TempDir dir;
      FailingEnv env(op, at);
      auto store = open_store(dir.path(), testing::test_master_key(), &env).value();
      const Bytes data = test_data(5 * chunk + 11);
      auto meta = upload(*store, "f", data, chunk, 3 * chunk / 2);
      ASSERT_FALSE(meta.ok());
      EXPECT_EQ(store->get("f").error().code(), ErrorCode::kNotFound);
      EXPECT_EQ(count_entries(dir.path() + "/tmp"), 0u);
      EXPECT_EQ(count_entries(dir.path() + "/objects"), 0u);
      // The failure was a moment's: the same id uploads fine afterwards.
      ASSERT_TRUE(upload(*store, "f", data, chunk, 3 * chunk / 2).ok());
      auto reader = store->open_reader("f").value();
      EXPECT_EQ(read_back(*reader, 0, data.size()).value(), data);
    }
  }
}

// Several threads upload and read at once through one store; every asset reads back intact.
TEST(AssetStore, ConcurrentUploadsAndReads) {
  TempDir dir;
  auto store = open_store(dir.path()).value();
  ASSERT_TRUE(upload(*store, "shared", test_data(3 * kChunk + 1, 7)).ok());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        const Bytes data = test_data(static_cast<std::size_t>(kChunk * (i + 1) + t), t * 100 + i);
        if (!upload(*store, id, data, kChunk, 5000).ok()) ++failures[t];
        auto reader = store->open_reader(id);
        if (!reader.ok() || read_back(**reader, 0, data.size()).value_or({}) != data) {
          ++failures[t];
        }
        auto shared = store->open_reader("shared");
        if (!shared.ok() ||
            read_back(**shared, 0, 3 * kChunk + 1).value_or({}) != test_data(3 * kChunk + 1, 7)) {
          ++failures[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
  EXPECT_EQ(store->list("", 1000).value().size(), 1u + kThreads * kPerThread);
}

}  // namespace
}  // namespace pactum::store
