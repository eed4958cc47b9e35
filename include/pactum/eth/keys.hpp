// secp256k1 keys: an opaque private key that wipes itself, and a public key with its address.
//
// Thread safety: both types are values with const methods only; distinct threads may use one
// key concurrently through const methods. The shared libsecp256k1 context is immutable.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"

namespace pactum::eth {

namespace internal {
class KeyAccess;  // src/eth: the only code that reads a PrivateKey's secret
}  // namespace internal

// A secp256k1 public key (a point on the curve; never the point at infinity).
class PublicKey {
 public:
  // Parses a SEC1 encoding: 33 bytes compressed (0x02/0x03 ‖ x), 65 bytes uncompressed
  // (0x04 ‖ x ‖ y), or the 64-byte x ‖ y body Ethereum uses.
  // Errors: kInvalidArgument for another length or a point that is not on the curve.
  [[nodiscard]] static Result<PublicKey> parse(ByteView bytes);

  // 0x04 ‖ x ‖ y.
  [[nodiscard]] FixedBytes<65> serialize_uncompressed() const noexcept;
  // 0x02/0x03 ‖ x.
  [[nodiscard]] FixedBytes<33> serialize_compressed() const noexcept;
  // x ‖ y, the form Ethereum hashes for addresses.
  [[nodiscard]] const FixedBytes<64>& xy() const noexcept { return xy_; }
  // The account address: last 20 bytes of keccak256(x ‖ y).
  [[nodiscard]] Address address() const noexcept;

  friend bool operator==(const PublicKey&, const PublicKey&) noexcept = default;

 private:
  explicit PublicKey(const FixedBytes<64>& xy) noexcept : xy_(xy) {}
  friend class PrivateKey;
  friend class internal::KeyAccess;
  FixedBytes<64> xy_{};
};

// A secp256k1 private key: a scalar k with 0 < k < n (the group order).
//
// Invariants: always a valid scalar; the secret is overwritten with zeros when the object is
// destroyed or moved from. Copying is deleted so that secrets are not duplicated by accident;
// use clone() where a second copy is really meant. A moved-from key must only be destroyed or
// assigned to.
class PrivateKey {
 public:
  static constexpr std::size_t kSize = 32;

  // Draws a key from the operating system's CSPRNG (getrandom), retrying the negligible
  // out-of-range case. Errors: kUnavailable when the OS randomness source fails.
  [[nodiscard]] static Result<PrivateKey> generate();

  // Takes exactly 32 big-endian bytes. Errors: kInvalidArgument for another length, or for zero
  // or a value ≥ n ("private key out of range").
  [[nodiscard]] static Result<PrivateKey> from_bytes(ByteView bytes);
  // Parses 64 hex digits, "0x" prefix optional. Errors: as from_hex and from_bytes. The error
  // message never contains the key material.
  [[nodiscard]] static Result<PrivateKey> from_hex(std::string_view text);

  PrivateKey(PrivateKey&& other) noexcept;
  PrivateKey& operator=(PrivateKey&& other) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  // An explicit second copy of the secret.
  [[nodiscard]] PrivateKey clone() const noexcept { return PrivateKey(secret_); }

  // The matching public key (k·G). Costs one scalar multiplication per call.
  [[nodiscard]] PublicKey public_key() const noexcept;
  // The account address of public_key().
  [[nodiscard]] Address address() const noexcept;

  // Writes the 32-byte big-endian secret to `out`, for key storage (keystore, export). The
  // caller owns the copy and must secure_wipe() it when done.
  void export_secret(std::span<std::uint8_t, kSize> out) const noexcept;

 private:
  explicit PrivateKey(const FixedBytes<kSize>& secret) noexcept : secret_(secret) {}
  friend class internal::KeyAccess;
  FixedBytes<kSize> secret_{};
};

}  // namespace pactum::eth
