#include "pactum/sdk/chunk_verifier.hpp"

#include <gtest/gtest.h>

#include "pactum/store/asset_store.hpp"
#include "store/store_test_util.hpp"

namespace pactum::store {
namespace {

using testing::TempDir;
using testing::test_data;
constexpr std::uint32_t kChunk = kMinChunkSize;

// Chunks and proofs as a node serves them, from a real store.
class ChunkVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::open_store(dir_.path()).value();
    meta_ = testing::upload(*store_, "a", data_).value();
    reader_ = store_->open_reader("a").value();
    for (std::uint64_t i = 0; i < meta_.chunk_count; ++i) {
      ChunkPiece piece;
      ASSERT_TRUE(reader_->read_chunk(i, piece).ok());
      pieces_.push_back(std::move(piece));
    }
  }
  sdk::ChunkVerifier verifier() const {
    return sdk::ChunkVerifier::create(meta_.merkle_root, meta_.chunk_count, meta_.chunk_size,
                                      meta_.size)
        .value();
  }

  TempDir dir_;
  Bytes data_ = test_data(5 * kChunk + 321);
  std::unique_ptr<AssetStore> store_;
  AssetMetadata meta_;
  std::unique_ptr<AssetReader> reader_;
  std::vector<ChunkPiece> pieces_;
};

TEST_F(ChunkVerifierTest, AcceptsEveryChunkOnceAndKnowsWhenComplete) {
  sdk::ChunkVerifier v = verifier();
  EXPECT_EQ(v.chunk_count(), 6u);
  EXPECT_EQ(v.chunk_length(5), 321u);
  EXPECT_EQ(v.chunk_offset(5), 5u * kChunk);
  // Any order is fine; each chunk once.
  for (std::uint64_t i : {3u, 0u, 5u, 1u, 4u}) {
    ASSERT_TRUE(v.accept(i, pieces_[i].plaintext, pieces_[i].proof).ok()) << i;
    EXPECT_FALSE(v.complete());
  }
  EXPECT_EQ(v.accept(3, pieces_[3].plaintext, pieces_[3].proof).error().code(),
            ErrorCode::kAlreadyExists);
  ASSERT_TRUE(v.accept(2, pieces_[2].plaintext, pieces_[2].proof).ok());
  EXPECT_TRUE(v.complete());
  EXPECT_EQ(v.accepted(), 6u);
}

TEST_F(ChunkVerifierTest, RefusesTamperedReorderedTruncatedAndForeignChunks) {
  const sdk::ChunkVerifier v = verifier();
  const ChunkPiece& p1 = pieces_[1];
  Bytes modified = p1.plaintext;
  modified[100] ^= 1;
  EXPECT_EQ(v.verify(1, modified, p1.proof).error().code(), ErrorCode::kDataLoss);
  // Chunk 2's bytes and proof presented as chunk 1 (reordering).
  EXPECT_EQ(v.verify(1, pieces_[2].plaintext, pieces_[2].proof).error().code(),
            ErrorCode::kDataLoss);
  // Chunk 1's bytes with chunk 2's proof.
  EXPECT_EQ(v.verify(1, p1.plaintext, pieces_[2].proof).error().code(), ErrorCode::kDataLoss);
  // Truncated chunk; truncated last chunk.
  EXPECT_EQ(v.verify(1, ByteView(p1.plaintext).first(kChunk - 1), p1.proof).error().code(),
            ErrorCode::kDataLoss);
  EXPECT_EQ(v.verify(5, ByteView(pieces_[5].plaintext).first(320), pieces_[5].proof).error().code(),
            ErrorCode::kDataLoss);
  // Wrong, short and long proofs.
  sdk::MerkleProof bad = p1.proof;
  bad[0][0] ^= 1;
  EXPECT_EQ(v.verify(1, p1.plaintext, bad).error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(v.verify(1, p1.plaintext, {p1.proof.begin(), p1.proof.end() - 1}).error().code(),
            ErrorCode::kDataLoss);
  sdk::MerkleProof longer = p1.proof;
  longer.push_back(meta_.merkle_root);
  EXPECT_EQ(v.verify(1, p1.plaintext, longer).error().code(), ErrorCode::kDataLoss);
  // Past the end.
  EXPECT_EQ(v.verify(6, p1.plaintext, p1.proof).error().code(), ErrorCode::kOutOfRange);
  // Another asset with the same shape: its chunks do not verify against this root.
  const Bytes other_data = test_data(data_.size(), 77);
  const AssetMetadata other = testing::upload(*store_, "b", other_data).value();
  auto other_reader = store_->open_reader("b").value();
  ChunkPiece foreign;
  ASSERT_TRUE(other_reader->read_chunk(1, foreign).ok());
  EXPECT_EQ(v.verify(1, foreign.plaintext, foreign.proof).error().code(), ErrorCode::kDataLoss);
  // Against the wrong root, nothing verifies.
  const sdk::ChunkVerifier wrong =
      sdk::ChunkVerifier::create(other.merkle_root, meta_.chunk_count, kChunk, meta_.size).value();
  EXPECT_EQ(wrong.verify(1, p1.plaintext, p1.proof).error().code(), ErrorCode::kDataLoss);
}

TEST(ChunkVerifier, RejectsInconsistentShapes) {
  const Hash32 root{};
  EXPECT_EQ(sdk::ChunkVerifier::create(root, 1, 1000, 10).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(sdk::ChunkVerifier::create(root, 2, kChunk, kChunk).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(sdk::ChunkVerifier::create(root, 1, kChunk, kChunk + 1).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(sdk::ChunkVerifier::create(root, 1, kChunk, 0).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(sdk::ChunkVerifier::create(root, 0, kChunk, 0).error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(sdk::ChunkVerifier::create(root, UINT64_MAX, kChunk, UINT64_MAX).error().code(),
            ErrorCode::kInvalidArgument);
  // A huge claimed shape allocates nothing up front.
  sdk::ChunkVerifier huge = sdk::ChunkVerifier::create(root, std::uint64_t{1} << 50, kChunk,
                                                       (std::uint64_t{1} << 50) * kChunk)
                                .value();
  EXPECT_FALSE(huge.complete());
  sdk::ChunkVerifier empty =
      sdk::ChunkVerifier::create(sdk::merkle_empty_root(), 0, kChunk, 0).value();
  EXPECT_TRUE(empty.complete());
  EXPECT_EQ(empty.verify(0, {}, {}).error().code(), ErrorCode::kOutOfRange);
}

}  // namespace
}  // namespace pactum::store
