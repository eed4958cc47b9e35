// Keccak-256 as Ethereum defines it (the original Keccak padding 0x01, not SHA3-256's 0x06).
//
// Thread safety: the functions are pure; a Keccak256 object is used by one thread at a time.
#pragma once

#include <memory>

#include "pactum/core/bytes.hpp"

namespace pactum::eth {

// Returns Keccak-256 of `data`.
[[nodiscard]] Hash32 keccak256(ByteView data) noexcept;

// Incremental Keccak-256 for data that arrives in pieces.
class Keccak256 {
 public:
  Keccak256();
  ~Keccak256();
  Keccak256(const Keccak256&) = delete;
  Keccak256& operator=(const Keccak256&) = delete;

  // Appends `data` to the message.
  void update(ByteView data) noexcept;
  // Returns the digest of everything appended and resets to an empty message.
  [[nodiscard]] Hash32 finish() noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pactum::eth
