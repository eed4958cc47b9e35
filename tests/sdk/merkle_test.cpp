#include "pactum/sdk/merkle.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <string>
#include <vector>

namespace pactum::sdk {
namespace {

Hash32 h(std::string_view hex) {
  return fixed_from_hex<32>(hex).value();
}

// The Certificate Transparency reference tree (RFC 6962 test data): eight leaves and the root
// of every prefix.
std::vector<Hash32> ct_leaves() {
  std::vector<Hash32> out;
  for (const char* hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f"}) {
    out.push_back(merkle_leaf_hash(from_hex(hex).value()));
  }
  return out;
}

const char* const kCtRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

std::vector<Hash32> leaves_of(std::size_t n) {
  std::vector<Hash32> out;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string data = "leaf " + std::to_string(i);
    out.push_back(merkle_leaf_hash(as_bytes(data)));
  }
  return out;
}

Hash32 flip(Hash32 x, int bit) {
  x[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  return x;
}

TEST(Merkle, ReferenceRootsForEveryPrefix) {
  const auto leaves = ct_leaves();
  for (std::size_t n = 0; n <= leaves.size(); ++n) {
    std::span<const Hash32> prefix(leaves.data(), n);
    EXPECT_EQ(merkle_root(prefix), h(kCtRoots[n])) << "size " << n;
    MerkleBuilder b;
    for (const auto& l : prefix) b.append_leaf_hash(l);
    EXPECT_EQ(b.root(), h(kCtRoots[n])) << "builder size " << n;
    EXPECT_EQ(MerkleTree({prefix.begin(), prefix.end()}).root(), h(kCtRoots[n]));
  }
  EXPECT_EQ(merkle_empty_root(), h(kCtRoots[0]));
}

TEST(Merkle, ReferenceInclusionProofs) {
  const MerkleTree tree(ct_leaves());
  EXPECT_EQ(tree.inclusion_proof(0).value(),
            (MerkleProof{h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                         h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                         h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")}));
  EXPECT_EQ(tree.inclusion_proof(5).value(),
            (MerkleProof{h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                         h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                         h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")}));
}

TEST(Merkle, ReferenceConsistencyProofs) {
  const MerkleTree tree(ct_leaves());
  const MerkleProof p2{h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                       h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")};
  const MerkleProof p6{h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                       h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                       h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")};
  EXPECT_EQ(tree.consistency_proof(2).value(), p2);
  EXPECT_EQ(tree.consistency_proof(6).value(), p6);
  EXPECT_TRUE(verify_consistency(2, 8, h(kCtRoots[2]), h(kCtRoots[8]), p2).ok());
  EXPECT_TRUE(verify_consistency(6, 8, h(kCtRoots[6]), h(kCtRoots[8]), p6).ok());
}

// The incremental builder, the level-by-level tree and the recursive definition agree.
TEST(Merkle, BuilderTreeAndRecursionAgreeUpTo300) {
  const auto all = leaves_of(300);
  MerkleBuilder b;
  for (std::size_t n = 1; n <= all.size(); ++n) {
    b.append_leaf_hash(all[n - 1]);
    const std::span<const Hash32> prefix(all.data(), n);
    const Hash32 expected = merkle_root(prefix);
    ASSERT_EQ(b.root(), expected) << "n=" << n;
    ASSERT_EQ(b.size(), n);
    ASSERT_EQ(MerkleTree({prefix.begin(), prefix.end()}).root(), expected) << "n=" << n;
  }
  const MerkleTree full(all);
  for (std::size_t n = 0; n <= all.size(); ++n) {
    ASSERT_EQ(full.root_at(n).value(), merkle_root({all.data(), n})) << "n=" << n;
  }
  EXPECT_EQ(full.root_at(301).error().code(), ErrorCode::kOutOfRange);
}

TEST(Merkle, AppendLeafHashesTheData) {
  MerkleBuilder b;
  EXPECT_EQ(b.append_leaf(as_bytes("x")), merkle_leaf_hash(as_bytes("x")));
  EXPECT_EQ(b.root(), merkle_leaf_hash(as_bytes("x")));
}

TEST(Merkle, EveryInclusionProofVerifiesUpTo300) {
  const auto all = leaves_of(300);
  for (std::size_t n = 1; n <= all.size(); n += (n < 70 ? 1 : 23)) {
    const MerkleTree tree({all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n)});
    const Hash32 root = tree.root();
    for (std::uint64_t i = 0; i < n; ++i) {
      const MerkleProof proof = tree.inclusion_proof(i).value();
      ASSERT_TRUE(verify_inclusion(all[i], i, n, proof, root).ok()) << i << "/" << n;
      // The wrong leaf, index or size fails.
      if (n > 1) {
        EXPECT_EQ(verify_inclusion(all[(i + 1) % n], i, n, proof, root).error().code(),
                  ErrorCode::kDataLoss);
        EXPECT_FALSE(verify_inclusion(all[i], (i + 1) % n, n, proof, root).ok());
      }
      // A wrong size fails only where it changes the path's shape: the (root, size) pair is
      // what a signed tree head vouches for, so a verifier never takes the size on its own.
      if (n >= 2 && std::has_single_bit(n)) {
        EXPECT_FALSE(verify_inclusion(all[i], i, n + 1, proof, root).ok()) << i << "/" << n;
      }
    }
  }
}

TEST(Merkle, EverySingleBitChangeFailsInclusion) {
  const auto all = leaves_of(19);
  for (std::size_t n = 1; n <= all.size(); ++n) {
    const MerkleTree tree({all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n)});
    const Hash32 root = tree.root();
    for (std::uint64_t i = 0; i < n; ++i) {
      const MerkleProof proof = tree.inclusion_proof(i).value();
      for (int bit = 0; bit < 256; ++bit) {
        ASSERT_EQ(verify_inclusion(flip(all[i], bit), i, n, proof, root).error().code(),
                  ErrorCode::kDataLoss);
        ASSERT_FALSE(verify_inclusion(all[i], i, n, proof, flip(root, bit)).ok());
        for (std::size_t p = 0; p < proof.size(); ++p) {
          MerkleProof bad = proof;
          bad[p] = flip(bad[p], bit);
          ASSERT_FALSE(verify_inclusion(all[i], i, n, bad, root).ok()) << i << "/" << n;
        }
      }
      // Truncated and extended proofs fail too.
      if (!proof.empty()) {
        MerkleProof shorter(proof.begin(), proof.end() - 1);
        EXPECT_FALSE(verify_inclusion(all[i], i, n, shorter, root).ok());
      }
      MerkleProof longer = proof;
      longer.push_back(root);
      EXPECT_FALSE(verify_inclusion(all[i], i, n, longer, root).ok());
    }
  }
}

TEST(Merkle, InclusionBadArguments) {
  const MerkleTree tree(leaves_of(5));
  EXPECT_EQ(tree.inclusion_proof(5).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(MerkleTree({}).inclusion_proof(0).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(verify_inclusion(tree.leaf(0), 5, 5, {}, tree.root()).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(verify_inclusion(tree.leaf(0), 0, 0, {}, tree.root()).error().code(),
            ErrorCode::kInvalidArgument);
}

TEST(Merkle, EveryConsistencyProofVerifiesAndMangledOnesFail) {
  const auto all = leaves_of(70);
  for (std::size_t n = 0; n <= all.size(); ++n) {
    const MerkleTree tree({all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n)});
    const Hash32 new_root = tree.root();
    for (std::uint64_t m = 0; m <= n; ++m) {
      const Hash32 old_root = tree.root_at(m).value();
      const MerkleProof proof = tree.consistency_proof(m).value();
      ASSERT_TRUE(verify_consistency(m, n, old_root, new_root, proof).ok()) << m << "->" << n;
      if (m == 0 || m == n) {
        EXPECT_TRUE(proof.empty());
        continue;
      }
      EXPECT_EQ(verify_consistency(m, n, flip(old_root, 3), new_root, proof).error().code(),
                ErrorCode::kDataLoss);
      EXPECT_FALSE(verify_consistency(m, n, old_root, flip(new_root, 200), proof).ok());
      for (std::size_t p = 0; p < proof.size(); ++p) {
        MerkleProof bad = proof;
        bad[p] = flip(bad[p], static_cast<int>(p * 37 % 256));
        ASSERT_FALSE(verify_consistency(m, n, old_root, new_root, bad).ok()) << m << "->" << n;
      }
      EXPECT_FALSE(
          verify_consistency(m, n, old_root, new_root, {proof.begin(), proof.end() - 1}).ok());
      MerkleProof longer = proof;
      longer.push_back(new_root);
      EXPECT_FALSE(verify_consistency(m, n, old_root, new_root, longer).ok());
      EXPECT_FALSE(verify_consistency(m, n, old_root, new_root, {}).ok());
    }
  }
}

TEST(Merkle, ConsistencyDegenerateCases) {
  const MerkleTree tree(leaves_of(8));
  const Hash32 r4 = tree.root_at(4).value();
  const Hash32 r5 = tree.root_at(5).value();
  EXPECT_TRUE(verify_consistency(4, 4, r4, r4, {}).ok());
  EXPECT_EQ(verify_consistency(4, 4, r4, r5, {}).error().code(), ErrorCode::kDataLoss);
  EXPECT_FALSE(verify_consistency(4, 4, r4, r4, std::vector<Hash32>{r4}).ok());
  EXPECT_TRUE(verify_consistency(0, 8, merkle_empty_root(), tree.root(), {}).ok());
  EXPECT_FALSE(verify_consistency(0, 8, merkle_empty_root(), tree.root(), {{r4}}).ok());
  EXPECT_EQ(verify_consistency(5, 4, r5, r4, {}).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.consistency_proof(9).error().code(), ErrorCode::kOutOfRange);
}

}  // namespace
}  // namespace pactum::sdk
