// Helpers shared by the store tests: temporary directories, deterministic data, uploads.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "pactum/store/asset_store.hpp"

namespace pactum::store::testing {

// A fresh directory under the test temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "pactum-store-XXXXXX";
    path_ = ::mkdtemp(tmpl.data());
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// n bytes of a fixed pseudo-random pattern depending on `seed`.
inline Bytes test_data(std::size_t n, std::uint32_t seed = 1) {
  Bytes out(n);
  std::uint32_t x = seed * 2654435761u + 1;
  for (std::size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out[i] = static_cast<std::uint8_t>(x);
  }
  return out;
}

inline MasterKey test_master_key(std::uint8_t fill = 0x42) {
  return MasterKey::from_bytes(Bytes(32, fill)).value();
}

inline Result<std::unique_ptr<AssetStore>> open_store(const std::string& dir,
                                                      MasterKey key = test_master_key(),
                                                      Env* env = nullptr) {
  return open_sqlite_asset_store(
      SqliteStoreOptions{.directory = dir, .master_key = std::move(key), .env = env});
}

// Uploads `data` in pieces of `piece` bytes and commits it.
inline Result<AssetMetadata> upload(AssetStore& store, const std::string& id, ByteView data,
                                    std::uint32_t chunk_size = kMinChunkSize,
                                    std::size_t piece = 1000) {
  PACTUM_TRY(auto writer, store.begin_upload(id, UploadOptions{.chunk_size = chunk_size}));
  for (std::size_t off = 0; off < data.size(); off += piece) {
    PACTUM_TRY_STATUS(writer->write(data.subspan(off, std::min(piece, data.size() - off))));
  }
  return writer->commit(CommitInfo{.owner = "0xowner", .ddo_json = "{}"});
}

// Reads [offset, offset + length) through read_range, checking every chunk's proof against the
// asset's root; returns the bytes in range.
inline Result<Bytes> read_back(AssetReader& reader, std::uint64_t offset, std::uint64_t length) {
  PACTUM_TRY(RangeReader range, reader.read_range(offset, length));
  Bytes out;
  ChunkPiece piece;
  const AssetMetadata& m = reader.metadata();
  for (;;) {
    PACTUM_TRY(bool more, range.next(piece));
    if (!more) break;
    PACTUM_TRY_STATUS(sdk::verify_inclusion(sdk::merkle_leaf_hash(piece.plaintext), piece.index,
                                            m.chunk_count, piece.proof, m.merkle_root));
    const ByteView part = piece.in_range();
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

}  // namespace pactum::store::testing
