// Address: a 20-byte Ethereum account address, and its EIP-55 checksummed text form.
//
// Thread safety: Address is a value; all functions are pure.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"

namespace pactum::eth {

class Address {
 public:
  static constexpr std::size_t kSize = 20;

  // The zero address 0x0000…0000.
  constexpr Address() noexcept = default;
  // The address with exactly these bytes.
  explicit constexpr Address(const FixedBytes<kSize>& bytes) noexcept : bytes_(bytes) {}

  // Parses 40 hex digits, with or without a "0x" prefix. All-lower-case and all-upper-case
  // digits are accepted as they are; mixed case must be the EIP-55 checksum of the address.
  // Errors: kInvalidArgument for a wrong length, a non-hex character (position named), or a
  // mixed-case text whose checksum does not match (the expected form is named).
  [[nodiscard]] static Result<Address> parse(std::string_view text);

  // Takes exactly 20 bytes. Errors: kInvalidArgument when bytes.size() != 20.
  [[nodiscard]] static Result<Address> from_bytes(ByteView bytes);

  // Returns the address of an uncompressed public key given as its 64-byte x‖y body:
  // the last 20 bytes of keccak256(x‖y). REQUIRES: public_key_xy.size() == 64.
  [[nodiscard]] static Address from_public_key_xy(ByteView public_key_xy) noexcept;

  // "0x" followed by the EIP-55 mixed-case checksummed hex (what users should see).
  [[nodiscard]] std::string to_checksum_string() const;
  // "0x" followed by lower-case hex (what JSON-RPC accepts everywhere).
  [[nodiscard]] std::string to_hex() const;

  [[nodiscard]] constexpr const FixedBytes<kSize>& bytes() const noexcept { return bytes_; }
  [[nodiscard]] ByteView view() const noexcept { return bytes_; }
  [[nodiscard]] constexpr bool is_zero() const noexcept {
    for (auto b : bytes_) {
      if (b != 0) return false;
    }
    return true;
  }

  friend constexpr bool operator==(const Address&, const Address&) noexcept = default;
  friend constexpr std::strong_ordering operator<=>(const Address&,
                                                    const Address&) noexcept = default;

 private:
  FixedBytes<kSize> bytes_{};
};

}  // namespace pactum::eth

// Hashing for unordered containers (the bytes are already uniformly distributed for real
// addresses; for adversarial keys use an ordered container).
template <>
struct std::hash<pactum::eth::Address> {
  std::size_t operator()(const pactum::eth::Address& a) const noexcept {
    std::size_t h = 0;
    for (std::size_t i = 0; i < sizeof(std::size_t); ++i) h = (h << 8) | a.bytes()[i];
    return h;
  }
};
