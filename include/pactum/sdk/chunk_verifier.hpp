// ChunkVerifier: what a downloading client runs on every chunk before it writes it. Given the
// asset's checksum (the Merkle root, from the chain) and its shape (chunk count, chunk size,
// total size, from the DDO), each received (index, plaintext, proof) is checked to be exactly
// chunk `index` of that asset: the right length, and a leaf hash whose inclusion proof leads to
// the root. A node that sends a modified, reordered, truncated or foreign chunk is caught at
// that chunk; accept() also tracks which chunks arrived, so a download that stops early is
// never taken for a whole file.
//
// Thread safety: verify() is const and may be called from several threads; accept() needs one
// thread at a time.
#pragma once

#include <cstdint>
#include <set>
#include <span>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/sdk/merkle.hpp"

namespace pactum::sdk {

class ChunkVerifier {
 public:
  // Errors: kInvalidArgument when chunk_size is not a valid chunk size (chunk_cipher.hpp) or
  // chunk_count != ceil(total_size / chunk_size); kDataLoss when chunk_count is 0 and `root` is
  // not the empty tree's root (such an asset cannot exist).
  [[nodiscard]] static Result<ChunkVerifier> create(const Hash32& root, std::uint64_t chunk_count,
                                                    std::uint32_t chunk_size,
                                                    std::uint64_t total_size);

  // Checks one chunk. Errors: kOutOfRange when index >= chunk_count; kDataLoss when the length
  // is not chunk `index`'s length or the proof does not lead from the chunk to the root.
  [[nodiscard]] Status verify(std::uint64_t index, ByteView plaintext,
                              std::span<const Hash32> proof) const;

  // verify(), then records chunk `index` as received. Errors: those of verify(), and
  // kAlreadyExists when the chunk was accepted before.
  [[nodiscard]] Status accept(std::uint64_t index, ByteView plaintext,
                              std::span<const Hash32> proof);

  // Whether every chunk has been accepted (true at once for an empty asset).
  [[nodiscard]] bool complete() const noexcept { return prefix_ == chunk_count_; }
  [[nodiscard]] std::uint64_t accepted() const noexcept { return prefix_ + ahead_.size(); }

  [[nodiscard]] std::uint64_t chunk_count() const noexcept { return chunk_count_; }
  // Plaintext offset and length of chunk `index`. REQUIRES: index < chunk_count().
  [[nodiscard]] std::uint64_t chunk_offset(std::uint64_t index) const noexcept {
    return index * chunk_size_;
  }
  [[nodiscard]] std::uint64_t chunk_length(std::uint64_t index) const noexcept;

 private:
  ChunkVerifier(const Hash32& root, std::uint64_t chunk_count, std::uint32_t chunk_size,
                std::uint64_t total_size);

  Hash32 root_;
  std::uint64_t chunk_count_;
  std::uint32_t chunk_size_;
  std::uint64_t total_size_;
  // Chunks [0, prefix_) are accepted, and those in ahead_: memory grows with how far out of
  // order chunks arrive, not with the asset's size (a DDO claiming 2^50 chunks costs nothing).
  std::uint64_t prefix_ = 0;
  std::set<std::uint64_t> ahead_;
};

}  // namespace pactum::sdk
