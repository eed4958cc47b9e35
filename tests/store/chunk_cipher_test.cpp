#include "pactum/store/chunk_cipher.hpp"

#include <gtest/gtest.h>

#include <string>

#include "pactum/core/random.hpp"

namespace pactum::store {
namespace {

Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 31 + seed);
  return out;
}

struct Fixture {
  DataKey key = DataKey::generate().value();
  NonceBase base{};
  Fixture() { EXPECT_TRUE(random_bytes(base).ok()); }
  ChunkCipher cipher(std::string_view id = "asset-1") {
    return ChunkCipher::create(key, base, id).value();
  }
};

Bytes seal(ChunkCipher& c, std::uint64_t index, bool final_chunk, const Bytes& pt) {
  Bytes out(pt.size() + kTagSize);
  EXPECT_TRUE(c.seal(index, final_chunk, pt, out).ok());
  return out;
}

TEST(ChunkCipher, RoundTripsIncludingEmptyChunk) {
  Fixture f;
  auto c = f.cipher();
  for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 4096u, 100000u}) {
    const Bytes pt = pattern(n, 7);
    const Bytes sealed = seal(c, 3, n == 0, pt);
    ASSERT_EQ(sealed.size(), n + kTagSize);
    Bytes out(n);
    ASSERT_TRUE(c.open(3, n == 0, sealed, out).ok()) << n;
    EXPECT_EQ(out, pt);
  }
}

TEST(ChunkCipher, SameChunkDifferentIndexOrAssetGivesDifferentCiphertext) {
  Fixture f;
  auto a = f.cipher("a");
  auto b = f.cipher("b");
  const Bytes pt = pattern(64, 1);
  EXPECT_NE(seal(a, 0, false, pt), seal(a, 1, false, pt));
  // Same key, base and index: only the associated data differs, so the ciphertext bodies are
  // equal (same keystream) but the tags are not.
  EXPECT_NE(seal(a, 0, false, pt), seal(b, 0, false, pt));
}

TEST(ChunkCipher, EveryModifiedByteIsDetected) {
  Fixture f;
  auto c = f.cipher();
  const Bytes pt = pattern(200, 9);
  const Bytes sealed = seal(c, 5, false, pt);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes bad = sealed;
    bad[i] ^= 0x40;
    Bytes out(pt.size(), 0xaa);
    const Status st = c.open(5, false, bad, out);
    ASSERT_EQ(st.error().code(), ErrorCode::kDataLoss) << i;
    ASSERT_EQ(out, Bytes(pt.size(), 0)) << "no unauthenticated plaintext left behind";
  }
}

TEST(ChunkCipher, ReorderedSwappedOrTruncatedChunksFail) {
  Fixture f;
  auto c = f.cipher("asset-1");
  auto other = f.cipher("asset-2");
  const Bytes pt = pattern(100, 2);
  const Bytes chunk0 = seal(c, 0, false, pt);
  const Bytes last = seal(c, 1, true, pt);
  Bytes out(pt.size());
  // Moved to another index.
  EXPECT_EQ(c.open(1, false, chunk0, out).error().code(), ErrorCode::kDataLoss);
  // Into another asset, even one sharing key and nonce base.
  EXPECT_EQ(other.open(0, false, chunk0, out).error().code(), ErrorCode::kDataLoss);
  // A non-final chunk presented as the last one (file cut after chunk 0).
  EXPECT_EQ(c.open(0, true, chunk0, out).error().code(), ErrorCode::kDataLoss);
  // The final chunk presented as a middle one (file extended after it).
  EXPECT_EQ(c.open(1, false, last, out).error().code(), ErrorCode::kDataLoss);
  // A shortened chunk.
  Bytes shorter(chunk0.begin(), chunk0.end() - 1);
  Bytes out2(shorter.size() - kTagSize);
  EXPECT_EQ(c.open(0, false, shorter, out2).error().code(), ErrorCode::kDataLoss);
  EXPECT_TRUE(c.open(0, false, chunk0, out).ok());
  EXPECT_TRUE(c.open(1, true, last, out).ok());
}

TEST(ChunkCipher, WrongKeyOrNonceBaseFails) {
  Fixture f;
  auto c = f.cipher();
  const Bytes pt = pattern(64, 3);
  const Bytes sealed = seal(c, 0, true, pt);
  Fixture g;
  auto wrong_key = ChunkCipher::create(g.key, f.base, "asset-1").value();
  Bytes out(pt.size());
  EXPECT_EQ(wrong_key.open(0, true, sealed, out).error().code(), ErrorCode::kDataLoss);
  auto wrong_base = ChunkCipher::create(f.key, g.base, "asset-1").value();
  EXPECT_EQ(wrong_base.open(0, true, sealed, out).error().code(), ErrorCode::kDataLoss);
}

TEST(ChunkCipher, BadSizesAndIds) {
  Fixture f;
  auto c = f.cipher();
  Bytes pt(10);
  Bytes small(10);
  EXPECT_EQ(c.seal(0, true, pt, small).error().code(), ErrorCode::kInvalidArgument);
  Bytes tiny(5);
  Bytes out(0);
  EXPECT_EQ(c.open(0, true, tiny, out).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ChunkCipher::create(f.key, f.base, "").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ChunkCipher::create(f.key, f.base, std::string(256, 'a')).error().code(),
            ErrorCode::kInvalidArgument);
}

TEST(ChunkCipher, ChunkSizeRule) {
  for (std::uint64_t ok : {4096ull, 8192ull, 1048576ull, 16777216ull}) {
    EXPECT_TRUE(validate_chunk_size(ok).ok()) << ok;
  }
  for (std::uint64_t bad : {0ull, 1ull, 2048ull, 4095ull, 5000ull, 1048577ull, 33554432ull}) {
    EXPECT_EQ(validate_chunk_size(bad).error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(KeyWrap, RoundTripAndBinding) {
  const MasterKey master = MasterKey::generate().value();
  const DataKey key = DataKey::generate().value();
  const Bytes wrapped = wrap_data_key(master, key, "asset-1").value();
  ASSERT_EQ(wrapped.size(), kWrappedKeySize);
  const DataKey back = unwrap_data_key(master, wrapped, "asset-1").value();
  EXPECT_TRUE(constant_time_equal(back.bytes(), key.bytes()));
  // The wrap is randomised: wrapping twice gives different bytes.
  EXPECT_NE(wrap_data_key(master, key, "asset-1").value(), wrapped);
  // Bound to the asset id.
  EXPECT_EQ(unwrap_data_key(master, wrapped, "asset-2").error().code(), ErrorCode::kDataLoss);
  // Every modified byte after the key id is detected; the version byte too.
  for (std::size_t i = 0; i < wrapped.size(); ++i) {
    if (i >= 1 && i < 9) continue;  // key id bytes: a different error, below
    Bytes bad = wrapped;
    bad[i] ^= 1;
    EXPECT_EQ(unwrap_data_key(master, bad, "asset-1").error().code(), ErrorCode::kDataLoss) << i;
  }
  Bytes bad_id = wrapped;
  bad_id[4] ^= 1;
  EXPECT_EQ(unwrap_data_key(master, bad_id, "asset-1").error().code(),
            ErrorCode::kFailedPrecondition);
  // Truncated.
  EXPECT_EQ(unwrap_data_key(master, ByteView(wrapped).first(wrapped.size() - 1), "asset-1")
                .error()
                .code(),
            ErrorCode::kDataLoss);
}

TEST(KeyWrap, WrongMasterKeyIsAFailedPrecondition) {
  const MasterKey master = MasterKey::generate().value();
  const MasterKey other = MasterKey::generate().value();
  EXPECT_NE(master.key_id(), other.key_id());
  const DataKey key = DataKey::generate().value();
  const Bytes wrapped = wrap_data_key(master, key, "asset-1").value();
  EXPECT_EQ(unwrap_data_key(other, wrapped, "asset-1").error().code(),
            ErrorCode::kFailedPrecondition);
}

TEST(KeyWrap, KeysFromBytes) {
  EXPECT_EQ(MasterKey::from_bytes(Bytes(31)).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DataKey::from_bytes(Bytes(33)).error().code(), ErrorCode::kInvalidArgument);
  const Bytes raw = pattern(32, 5);
  EXPECT_TRUE(constant_time_equal(MasterKey::from_bytes(raw).value().bytes(), raw));
  // The key id is stable for the same key.
  EXPECT_EQ(MasterKey::from_bytes(raw).value().key_id(),
            MasterKey::from_bytes(raw).value().key_id());
}

}  // namespace
}  // namespace pactum::store
