#include "pactum/eth/address.hpp"

#include <algorithm>

#include "pactum/eth/keccak.hpp"

namespace pactum::eth {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// EIP-55: a hex letter is upper case when the matching nibble of keccak256(lower-case hex) is
// at least 8.
std::string checksum_digits(const FixedBytes<Address::kSize>& bytes) {
  std::string lower(Address::kSize * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    lower[2 * i] = kHexDigits[bytes[i] >> 4];
    lower[2 * i + 1] = kHexDigits[bytes[i] & 0x0f];
  }
  const Hash32 h = keccak256(as_bytes(lower));
  for (std::size_t i = 0; i < lower.size(); ++i) {
    const int nibble = (i % 2 == 0) ? (h[i / 2] >> 4) : (h[i / 2] & 0x0f);
    if (lower[i] >= 'a' && nibble >= 8) lower[i] = static_cast<char>(lower[i] - 'a' + 'A');
  }
  return lower;
}

}  // namespace

Result<Address> Address::parse(std::string_view text) {
  std::string_view digits = text;
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
  }
  if (digits.size() != kSize * 2) {
    return invalid_argument("address: expected 40 hex digits, got " +
                            std::to_string(digits.size()));
  }
  auto raw = fixed_from_hex<kSize>(digits);
  if (!raw.ok()) return raw.error().with_context("address");
  const bool has_lower =
      std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'a' && c <= 'f'; });
  const bool has_upper =
      std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'A' && c <= 'F'; });
  Address address(*raw);
  if (has_lower && has_upper) {
    const std::string expected = checksum_digits(*raw);
    if (expected != digits) {
      return invalid_argument("address: bad EIP-55 checksum (expected 0x" + expected + ")");
    }
  }
  return address;
}

Result<Address> Address::from_bytes(ByteView bytes) {
  if (bytes.size() != kSize) {
    return invalid_argument("address: expected 20 bytes, got " + std::to_string(bytes.size()));
  }
  FixedBytes<kSize> raw;
  std::copy(bytes.begin(), bytes.end(), raw.begin());
  return Address(raw);
}

Address Address::from_public_key_xy(ByteView public_key_xy) noexcept {
  const Hash32 h = keccak256(public_key_xy);
  FixedBytes<kSize> raw;
  std::copy(h.begin() + 12, h.end(), raw.begin());
  return Address(raw);
}

std::string Address::to_checksum_string() const {
  return "0x" + checksum_digits(bytes_);
}

std::string Address::to_hex() const {
  return pactum::to_hex(bytes_);
}

}  // namespace pactum::eth
