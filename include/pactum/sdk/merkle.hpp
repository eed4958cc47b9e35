// Merkle trees over chunks, hashed as RFC 9162 (Certificate Transparency v2) §2.1 defines them:
//   MTH({})       = SHA-256()                                   (the empty tree)
//   leaf hash     = SHA-256(0x00 || chunk)
//   node hash     = SHA-256(0x01 || left || right)
//   MTH(D[n])     = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two smaller than n
// The same code serves asset checksums (one leaf per plaintext chunk) and the usage log
// (inclusion and consistency proofs against a tree head).
//
// Thread safety: the free functions are pure. A MerkleBuilder or MerkleTree is a value; a const
// MerkleTree may be read from several threads, a MerkleBuilder is used by one thread at a time.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"

namespace pactum::sdk {

using MerkleProof = std::vector<Hash32>;

// Returns SHA-256(0x00 || data), the hash of one leaf.
[[nodiscard]] Hash32 merkle_leaf_hash(ByteView data) noexcept;

// Returns SHA-256(0x01 || left || right), the hash of an interior node.
[[nodiscard]] Hash32 merkle_node_hash(const Hash32& left, const Hash32& right) noexcept;

// Returns SHA-256 of the empty string, the root of a tree with no leaves.
[[nodiscard]] Hash32 merkle_empty_root() noexcept;

// Returns the root of the tree whose leaf hashes are `leaves`, by the recursive definition
// above. O(n) time, O(log n) stack.
[[nodiscard]] Hash32 merkle_root(std::span<const Hash32> leaves) noexcept;

// Checks that `proof` shows the leaf with hash `leaf_hash` at `index` in a tree of `tree_size`
// leaves with root `root` (RFC 9162 §2.1.3.2).
// Returns ok when it does. Errors: kInvalidArgument when index >= tree_size; kDataLoss when the
// proof does not lead to `root` (wrong leaf, index, size, proof length or root).
[[nodiscard]] Status verify_inclusion(const Hash32& leaf_hash, std::uint64_t index,
                                      std::uint64_t tree_size, std::span<const Hash32> proof,
                                      const Hash32& root);

// Checks that `proof` shows the tree of `old_size` leaves with root `old_root` is a prefix of
// the tree of `new_size` leaves with root `new_root` (RFC 9162 §2.1.4.2).
// old_size == 0: the proof must be empty (the empty tree precedes every tree).
// old_size == new_size: the proof must be empty and the roots equal.
// Returns ok when it does. Errors: kInvalidArgument when old_size > new_size; kDataLoss when
// the proof does not verify.
[[nodiscard]] Status verify_consistency(std::uint64_t old_size, std::uint64_t new_size,
                                        const Hash32& old_root, const Hash32& new_root,
                                        std::span<const Hash32> proof);

// Incremental root over a stream of leaves in O(log n) memory: a stack of the roots of the
// perfect subtrees seen so far (one per set bit of the leaf count). For multi-GB assets the
// leaf hashes need not be kept.
class MerkleBuilder {
 public:
  MerkleBuilder() = default;

  // Appends one leaf by its hash (merkle_leaf_hash of the chunk).
  void append_leaf_hash(const Hash32& leaf_hash);
  // Appends one leaf by its data; returns its leaf hash.
  Hash32 append_leaf(ByteView data);

  // Number of leaves appended.
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  // Root of the leaves appended so far (merkle_empty_root() when none). O(log n).
  [[nodiscard]] Hash32 root() const noexcept;

 private:
  // stack_[i] is the root of a perfect subtree; sizes strictly decrease towards the top.
  std::vector<Hash32> stack_;
  std::uint64_t size_ = 0;
};

// A whole tree kept level by level (2n hashes for n leaves), for answering many proofs: the
// chunks of an asset being read, the usage log. Level 0 holds the leaf hashes; each level pairs
// left to right and carries an odd last node up unchanged, which yields exactly the RFC 9162
// tree.
class MerkleTree {
 public:
  // Builds the tree over `leaves` (leaf hashes). O(n).
  explicit MerkleTree(std::vector<Hash32> leaves);

  [[nodiscard]] std::uint64_t size() const noexcept { return levels_.front().size(); }
  [[nodiscard]] Hash32 root() const noexcept;
  // REQUIRES: index < size()
  [[nodiscard]] const Hash32& leaf(std::uint64_t index) const { return levels_.front()[index]; }

  // Returns the audit path of leaf `index` (RFC 9162 §2.1.3.1), innermost sibling first.
  // Errors: kOutOfRange when index >= size().
  [[nodiscard]] Result<MerkleProof> inclusion_proof(std::uint64_t index) const;
  // As above, into `out` (cleared first), to reuse its storage when streaming many proofs.
  [[nodiscard]] Status inclusion_proof(std::uint64_t index, MerkleProof& out) const;

  // Returns the root of the first `old_size` leaves. Errors: kOutOfRange when old_size > size().
  [[nodiscard]] Result<Hash32> root_at(std::uint64_t old_size) const;

  // Returns the consistency proof from the first `old_size` leaves to the whole tree
  // (RFC 9162 §2.1.4.1); empty when old_size is 0 or size().
  // Errors: kOutOfRange when old_size > size().
  [[nodiscard]] Result<MerkleProof> consistency_proof(std::uint64_t old_size) const;

 private:
  // Root of leaves [begin, end) where the range is a subtree of the RFC 9162 recursion.
  [[nodiscard]] Hash32 subtree_root(std::uint64_t begin, std::uint64_t end) const;
  void subproof(std::uint64_t m, std::uint64_t begin, std::uint64_t end, bool complete,
                MerkleProof& out) const;

  std::vector<std::vector<Hash32>> levels_;
};

}  // namespace pactum::sdk
