#include "pactum/sdk/chunk_verifier.hpp"

#include <algorithm>
#include <string>

#include "pactum/sdk/chunks.hpp"

namespace pactum::sdk {

ChunkVerifier::ChunkVerifier(const Hash32& root, std::uint64_t chunk_count,
                             std::uint32_t chunk_size, std::uint64_t total_size)
    : root_(root), chunk_count_(chunk_count), chunk_size_(chunk_size), total_size_(total_size) {}

Result<ChunkVerifier> ChunkVerifier::create(const Hash32& root, std::uint64_t chunk_count,
                                            std::uint32_t chunk_size, std::uint64_t total_size) {
  PACTUM_TRY_STATUS(validate_chunk_size(chunk_size));
  const std::uint64_t expected = total_size / chunk_size + (total_size % chunk_size != 0 ? 1 : 0);
  if (chunk_count != expected) {
    return invalid_argument("an asset of " + std::to_string(total_size) + " bytes in chunks of " +
                            std::to_string(chunk_size) + " has " + std::to_string(expected) +
                            " chunks, not " + std::to_string(chunk_count));
  }
  if (chunk_count == 0 && root != merkle_empty_root()) {
    return data_loss("an empty asset must have the empty tree's root");
  }
  return ChunkVerifier(root, chunk_count, chunk_size, total_size);
}

std::uint64_t ChunkVerifier::chunk_length(std::uint64_t index) const noexcept {
  return std::min<std::uint64_t>(chunk_size_, total_size_ - index * chunk_size_);
}

Status ChunkVerifier::verify(std::uint64_t index, ByteView plaintext,
                             std::span<const Hash32> proof) const {
  if (index >= chunk_count_) {
    return out_of_range("chunk " + std::to_string(index) + " of an asset of " +
                        std::to_string(chunk_count_) + " chunks");
  }
  if (plaintext.size() != chunk_length(index)) {
    return data_loss("chunk " + std::to_string(index) + " is " + std::to_string(plaintext.size()) +
                     " bytes, expected " + std::to_string(chunk_length(index)));
  }
  auto st = verify_inclusion(merkle_leaf_hash(plaintext), index, chunk_count_, proof, root_);
  if (!st.ok()) return data_loss("chunk " + std::to_string(index) + ": " + st.error().message());
  return ok_status();
}

Status ChunkVerifier::accept(std::uint64_t index, ByteView plaintext,
                             std::span<const Hash32> proof) {
  PACTUM_TRY_STATUS(verify(index, plaintext, proof));
  if (index < prefix_ || ahead_.count(index) != 0) {
    return already_exists("chunk " + std::to_string(index) + " was accepted before");
  }
  if (index != prefix_) {
    ahead_.insert(index);
    return ok_status();
  }
  ++prefix_;
  while (!ahead_.empty() && *ahead_.begin() == prefix_) {
    ahead_.erase(ahead_.begin());
    ++prefix_;
  }
  return ok_status();
}

}  // namespace pactum::sdk
