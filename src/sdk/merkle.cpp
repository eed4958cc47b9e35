#include "pactum/sdk/merkle.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <bit>
#include <cstring>
#include <string>
#include <utility>

namespace pactum::sdk {
namespace {

// Largest power of two strictly smaller than n. REQUIRES: n > 1.
std::uint64_t split_point(std::uint64_t n) {
  return std::bit_floor(n - 1);
}

}  // namespace

Hash32 merkle_leaf_hash(ByteView data) noexcept {
  Hash32 out{};
  static constexpr std::uint8_t kLeafPrefix = 0x00;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  // Allocation failure here leaves no sane way to continue; a zero hash never verifies.
  if (ctx == nullptr) return out;
  unsigned int len = 0;
  if (EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, &kLeafPrefix, 1) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1) {
    out.fill(0);
  }
  EVP_MD_CTX_free(ctx);
  return out;
}

Hash32 merkle_node_hash(const Hash32& left, const Hash32& right) noexcept {
  std::uint8_t buf[65];
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), 32);
  std::memcpy(buf + 33, right.data(), 32);
  Hash32 out{};
  SHA256(buf, sizeof(buf), out.data());
  return out;
}

Hash32 merkle_empty_root() noexcept {
  Hash32 out{};
  SHA256(nullptr, 0, out.data());
  return out;
}

Hash32 merkle_root(std::span<const Hash32> leaves) noexcept {
  if (leaves.empty()) return merkle_empty_root();
  if (leaves.size() == 1) return leaves[0];
  const std::uint64_t k = split_point(leaves.size());
  return merkle_node_hash(merkle_root(leaves.subspan(0, k)), merkle_root(leaves.subspan(k)));
}

Status verify_inclusion(const Hash32& leaf_hash, std::uint64_t index, std::uint64_t tree_size,
                        std::span<const Hash32> proof, const Hash32& root) {
  if (index >= tree_size) {
    return invalid_argument("inclusion proof: leaf index " + std::to_string(index) +
                            " is not below tree size " + std::to_string(tree_size));
  }
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  Hash32 r = leaf_hash;
  for (const Hash32& p : proof) {
    if (sn == 0) return data_loss("inclusion proof: longer than the tree is deep");
    if ((fn & 1) != 0 || fn == sn) {
      r = merkle_node_hash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = merkle_node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return data_loss("inclusion proof: shorter than the tree is deep");
  if (!constant_time_equal(r, root)) {
    return data_loss("inclusion proof: leaf " + std::to_string(index) +
                     " does not lead to the root");
  }
  return ok_status();
}

Status verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Hash32& old_root,
                          const Hash32& new_root, std::span<const Hash32> proof) {
  if (old_size > new_size) {
    return invalid_argument("consistency proof: old size " + std::to_string(old_size) +
                            " exceeds new size " + std::to_string(new_size));
  }
  if (old_size == 0) {
    if (!proof.empty()) return data_loss("consistency proof: must be empty from the empty tree");
    return ok_status();
  }
  if (old_size == new_size) {
    if (!proof.empty()) return data_loss("consistency proof: must be empty for equal sizes");
    if (old_root != new_root) return data_loss("consistency proof: equal sizes, different roots");
    return ok_status();
  }
  if (proof.empty()) return data_loss("consistency proof: empty");
  // RFC 9162 §2.1.4.2, step by step. When old_size is a power of two the old root is itself the
  // first node of the path.
  std::size_t pos = 0;
  Hash32 first_node;
  if (std::has_single_bit(old_size)) {
    first_node = old_root;
  } else {
    first_node = proof[0];
    pos = 1;
  }
  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash32 fr = first_node;
  Hash32 sr = first_node;
  for (; pos < proof.size(); ++pos) {
    const Hash32& c = proof[pos];
    if (sn == 0) return data_loss("consistency proof: longer than the tree is deep");
    if ((fn & 1) != 0 || fn == sn) {
      fr = merkle_node_hash(c, fr);
      sr = merkle_node_hash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = merkle_node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return data_loss("consistency proof: shorter than the tree is deep");
  if (fr != old_root) return data_loss("consistency proof: does not lead to the old root");
  if (sr != new_root) return data_loss("consistency proof: does not lead to the new root");
  return ok_status();
}

void MerkleBuilder::append_leaf_hash(const Hash32& leaf_hash) {
  stack_.push_back(leaf_hash);
  ++size_;
  // Each trailing one bit of the new size is a pair of equal perfect subtrees to merge.
  for (std::uint64_t s = size_; (s & 1) == 0; s >>= 1) {
    Hash32 right = stack_.back();
    stack_.pop_back();
    stack_.back() = merkle_node_hash(stack_.back(), right);
  }
}

Hash32 MerkleBuilder::append_leaf(ByteView data) {
  Hash32 h = merkle_leaf_hash(data);
  append_leaf_hash(h);
  return h;
}

Hash32 MerkleBuilder::root() const noexcept {
  if (stack_.empty()) return merkle_empty_root();
  // The RFC 9162 tree of a non-power-of-two size is the perfect subtrees, largest first,
  // folded from the right.
  Hash32 acc = stack_.back();
  for (std::size_t i = stack_.size() - 1; i-- > 0;) acc = merkle_node_hash(stack_[i], acc);
  return acc;
}

MerkleTree::MerkleTree(std::vector<Hash32> leaves) {
  levels_.push_back(std::move(leaves));
  while (levels_.back().size() > 1) {
    const std::vector<Hash32>& below = levels_.back();
    std::vector<Hash32> above;
    above.reserve((below.size() + 1) / 2);
    for (std::size_t i = 0; i + 1 < below.size(); i += 2) {
      above.push_back(merkle_node_hash(below[i], below[i + 1]));
    }
    if (below.size() % 2 == 1) above.push_back(below.back());
    levels_.push_back(std::move(above));
  }
}

Hash32 MerkleTree::root() const noexcept {
  if (levels_.front().empty()) return merkle_empty_root();
  return levels_.back().front();
}

Result<MerkleProof> MerkleTree::inclusion_proof(std::uint64_t index) const {
  MerkleProof out;
  PACTUM_TRY_STATUS(inclusion_proof(index, out));
  return out;
}

Status MerkleTree::inclusion_proof(std::uint64_t index, MerkleProof& out) const {
  out.clear();
  if (index >= size()) {
    return out_of_range("inclusion proof: leaf " + std::to_string(index) + " of a tree of " +
                        std::to_string(size()));
  }
  std::uint64_t idx = index;
  for (std::size_t level = 0; level + 1 < levels_.size(); ++level, idx >>= 1) {
    const std::uint64_t sibling = idx ^ 1;
    // A node without a sibling is carried up unchanged: no hash on the path.
    if (sibling < levels_[level].size()) out.push_back(levels_[level][sibling]);
  }
  return ok_status();
}

Hash32 MerkleTree::subtree_root(std::uint64_t begin, std::uint64_t end) const {
  const std::uint64_t n = end - begin;
  if (n == 0) return merkle_empty_root();
  const unsigned level = static_cast<unsigned>(std::bit_width(n - 1));  // ceil(log2 n)
  const std::uint64_t width = std::uint64_t{1} << level;
  if (level < levels_.size() && begin % width == 0 && std::min(begin + width, size()) == end) {
    return levels_[level][begin >> level];
  }
  const std::uint64_t k = split_point(n);
  return merkle_node_hash(subtree_root(begin, begin + k), subtree_root(begin + k, end));
}

Result<Hash32> MerkleTree::root_at(std::uint64_t old_size) const {
  if (old_size > size()) {
    return out_of_range("tree of " + std::to_string(size()) + " leaves has no root at size " +
                        std::to_string(old_size));
  }
  return subtree_root(0, old_size);
}

void MerkleTree::subproof(std::uint64_t m, std::uint64_t begin, std::uint64_t end, bool complete,
                          MerkleProof& out) const {
  const std::uint64_t n = end - begin;
  if (m == n) {
    if (!complete) out.push_back(subtree_root(begin, end));
    return;
  }
  const std::uint64_t k = split_point(n);
  if (m <= k) {
    subproof(m, begin, begin + k, complete, out);
    out.push_back(subtree_root(begin + k, end));
  } else {
    subproof(m - k, begin + k, end, false, out);
    out.push_back(subtree_root(begin, begin + k));
  }
}

Result<MerkleProof> MerkleTree::consistency_proof(std::uint64_t old_size) const {
  if (old_size > size()) {
    return out_of_range("consistency proof from size " + std::to_string(old_size) +
                        " in a tree of " + std::to_string(size()));
  }
  MerkleProof out;
  if (old_size == 0 || old_size == size()) return out;
  subproof(old_size, 0, size(), true, out);
  return out;
}

}  // namespace pactum::sdk
