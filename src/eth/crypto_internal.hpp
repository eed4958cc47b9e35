// Private to src/eth: the shared libsecp256k1 context, secret access for PrivateKey, OS
// randomness, and a scope guard that wipes secret buffers.
#pragma once

#include <secp256k1.h>

#include <span>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/keys.hpp"

namespace pactum::eth::internal {

// The one libsecp256k1 context of the process. Created and randomized (side-channel blinding)
// on first use and never modified afterwards: libsecp256k1 documents that a context may be used
// from many threads at once by every function that takes it as `const`, which is all we call.
// Function-local static initialization is thread-safe in C++11, so no mutable global state is
// shared. Never null (creation failing aborts: it only fails on allocation failure).
[[nodiscard]] const secp256k1_context* secp_context() noexcept;

// Reads a PrivateKey's secret for signing and serialization inside src/eth.
class KeyAccess {
 public:
  [[nodiscard]] static const FixedBytes<PrivateKey::kSize>& secret(const PrivateKey& key) noexcept {
    return key.secret_;
  }
  [[nodiscard]] static PrivateKey make_unchecked(
      const FixedBytes<PrivateKey::kSize>& secret) noexcept {
    return PrivateKey(secret);
  }
  [[nodiscard]] static PublicKey make_public(const FixedBytes<64>& xy) noexcept {
    return PublicKey(xy);
  }
};

// Wipes a buffer when the scope ends, on every return path.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::span<std::uint8_t> bytes) noexcept : bytes_(bytes) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit() { secure_wipe(bytes_); }

 private:
  std::span<std::uint8_t> bytes_;
};

// Converts a libsecp256k1 public key to the 64-byte x ‖ y body.
[[nodiscard]] FixedBytes<64> pubkey_xy(const secp256k1_pubkey& pubkey) noexcept;

}  // namespace pactum::eth::internal
