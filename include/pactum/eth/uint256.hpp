// U256: the EVM's 256-bit unsigned word, as a small value type (four 64-bit limbs).
//
// Arithmetic operators wrap modulo 2^256 like the EVM; the checked_* functions detect overflow
// instead. Signed int256 values are carried in a U256 as two's complement (see the "int256"
// section at the end): the ABI encodes them that way, so no separate type is needed.
//
// Text forms: decimal ("1000") and 0x-prefixed hex ("0x3e8"). format_units/parse_units convert
// between integer base units and decimal amounts ("1.5" ether = 1500000000000000000 wei).
//
// Thread safety: U256 is a value; all functions are pure.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"

namespace pactum::eth {

class U256 {
 public:
  // Zero.
  constexpr U256() noexcept = default;
  // The value `v` (implicit so that `U256 x = 5;` and `x + 1` read naturally).
  constexpr U256(std::uint64_t v) noexcept : limbs_{v, 0, 0, 0} {}  // NOLINT: implicit

  // From four limbs, least significant first.
  [[nodiscard]] static constexpr U256 from_limbs(std::uint64_t l0, std::uint64_t l1,
                                                 std::uint64_t l2, std::uint64_t l3) noexcept {
    U256 r;
    r.limbs_ = {l0, l1, l2, l3};
    return r;
  }
  // 2^256 - 1.
  [[nodiscard]] static constexpr U256 max() noexcept {
    return from_limbs(~0ULL, ~0ULL, ~0ULL, ~0ULL);
  }

  // From a 32-byte big-endian word (the ABI and EVM layout). Never fails.
  [[nodiscard]] static U256 from_word(const Hash32& word) noexcept;
  // From at most 32 big-endian bytes (leading zeros allowed; an empty view is zero).
  // Errors: kOutOfRange when `bytes` is longer than 32.
  [[nodiscard]] static Result<U256> from_be_bytes(ByteView bytes);
  // Parses decimal digits ("123") or 0x/0X-prefixed hex ("0x7b", at most 64 digits after
  // leading zeros). No sign, no whitespace, no empty digit string.
  // Errors: kInvalidArgument for a malformed string (message names the offending character),
  // kOutOfRange when the value exceeds 2^256 - 1.
  [[nodiscard]] static Result<U256> from_string(std::string_view text);
  // As from_string but decimal only.
  [[nodiscard]] static Result<U256> from_dec(std::string_view text);
  // As from_string but hex only; the 0x prefix is optional here.
  [[nodiscard]] static Result<U256> from_hex(std::string_view text);

  // Returns the 32-byte big-endian word.
  [[nodiscard]] Hash32 to_word() const noexcept;
  // Writes the 32-byte big-endian word to out[0..32). REQUIRES: out points to 32 bytes.
  void store_word(std::uint8_t* out) const noexcept;
  // Returns the big-endian bytes without leading zeros (zero → empty), as RLP wants them.
  [[nodiscard]] Bytes to_be_minimal() const;
  // Decimal text without leading zeros ("0" for zero).
  [[nodiscard]] std::string to_dec() const;
  // "0x"-prefixed lower-case hex without leading zeros ("0x0" for zero), as JSON-RPC wants.
  [[nodiscard]] std::string to_hex() const;

  // Limb i (0 = least significant). REQUIRES: i < 4.
  [[nodiscard]] constexpr std::uint64_t limb(std::size_t i) const noexcept { return limbs_[i]; }
  [[nodiscard]] constexpr bool is_zero() const noexcept {
    return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0;
  }
  // True when the value is below 2^64 (then low64() is the whole value).
  [[nodiscard]] constexpr bool fits_u64() const noexcept {
    return (limbs_[1] | limbs_[2] | limbs_[3]) == 0;
  }
  [[nodiscard]] constexpr std::uint64_t low64() const noexcept { return limbs_[0]; }
  // Number of significant bits (0 for zero, 256 for values ≥ 2^255).
  [[nodiscard]] int bit_length() const noexcept;

  friend constexpr bool operator==(const U256&, const U256&) noexcept = default;
  friend constexpr std::strong_ordering operator<=>(const U256& a, const U256& b) noexcept {
    for (int i = 3; i >= 0; --i) {
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
    }
    return std::strong_ordering::equal;
  }

  // Wrapping arithmetic modulo 2^256.
  friend constexpr U256 operator+(const U256& a, const U256& b) noexcept {
    U256 r;
    unsigned carry = 0;
    for (int i = 0; i < 4; ++i) {
      const std::uint64_t s = a.limbs_[i] + b.limbs_[i];
      const unsigned c1 = s < a.limbs_[i];
      r.limbs_[i] = s + carry;
      carry = c1 | (r.limbs_[i] < s);
    }
    return r;
  }
  friend constexpr U256 operator-(const U256& a, const U256& b) noexcept {
    U256 r;
    unsigned borrow = 0;
    for (int i = 0; i < 4; ++i) {
      const std::uint64_t d = a.limbs_[i] - b.limbs_[i];
      const unsigned b1 = a.limbs_[i] < b.limbs_[i];
      r.limbs_[i] = d - borrow;
      borrow = b1 | (d < borrow);
    }
    return r;
  }
  friend U256 operator*(const U256& a, const U256& b) noexcept;
  // Division and remainder; division by zero yields zero (the EVM's rule). Use divmod() to
  // have it reported instead.
  friend U256 operator/(const U256& a, const U256& b) noexcept;
  friend U256 operator%(const U256& a, const U256& b) noexcept;

  friend constexpr U256 operator&(const U256& a, const U256& b) noexcept {
    return from_limbs(a.limbs_[0] & b.limbs_[0], a.limbs_[1] & b.limbs_[1],
                      a.limbs_[2] & b.limbs_[2], a.limbs_[3] & b.limbs_[3]);
  }
  friend constexpr U256 operator|(const U256& a, const U256& b) noexcept {
    return from_limbs(a.limbs_[0] | b.limbs_[0], a.limbs_[1] | b.limbs_[1],
                      a.limbs_[2] | b.limbs_[2], a.limbs_[3] | b.limbs_[3]);
  }
  friend constexpr U256 operator^(const U256& a, const U256& b) noexcept {
    return from_limbs(a.limbs_[0] ^ b.limbs_[0], a.limbs_[1] ^ b.limbs_[1],
                      a.limbs_[2] ^ b.limbs_[2], a.limbs_[3] ^ b.limbs_[3]);
  }
  friend constexpr U256 operator~(const U256& a) noexcept {
    return from_limbs(~a.limbs_[0], ~a.limbs_[1], ~a.limbs_[2], ~a.limbs_[3]);
  }
  // Shifts by `n` bits; n ≥ 256 yields zero.
  friend U256 operator<<(const U256& a, unsigned n) noexcept;
  friend U256 operator>>(const U256& a, unsigned n) noexcept;

  U256& operator+=(const U256& b) noexcept { return *this = *this + b; }
  U256& operator-=(const U256& b) noexcept { return *this = *this - b; }
  U256& operator*=(const U256& b) noexcept { return *this = *this * b; }

 private:
  std::array<std::uint64_t, 4> limbs_{};
};

// Overflow-checked arithmetic. Errors: kOutOfRange naming the operation when the exact result
// does not fit in 256 bits (or is negative, for subtraction).
[[nodiscard]] Result<U256> checked_add(const U256& a, const U256& b);
[[nodiscard]] Result<U256> checked_sub(const U256& a, const U256& b);
[[nodiscard]] Result<U256> checked_mul(const U256& a, const U256& b);

struct DivMod {
  U256 quotient;
  U256 remainder;
};
// Returns a / b and a % b. Errors: kInvalidArgument when b is zero.
[[nodiscard]] Result<DivMod> divmod(const U256& a, const U256& b);

// Formats `amount` base units as a decimal number with `decimals` fractional digits, trailing
// fractional zeros removed but at least one kept, like ethers' formatUnits:
// format_units(1500000000000000000, 18) == "1.5", format_units(10^18, 18) == "1.0",
// format_units(5, 0) == "5". REQUIRES: decimals ≤ 77.
[[nodiscard]] std::string format_units(const U256& amount, unsigned decimals);

// Parses a decimal amount ("1.5", "0.000001", "42", ".5") into base units with `decimals`
// fractional digits, like ethers' parseUnits. Errors: kInvalidArgument for a malformed string
// or more fractional digits than `decimals` (after trailing zeros are dropped), kOutOfRange when
// the result exceeds 2^256 - 1 or decimals > 77.
[[nodiscard]] Result<U256> parse_units(std::string_view text, unsigned decimals);

// ---- int256 as two's complement -------------------------------------------------------------
// A signed value v in [-2^255, 2^255) is carried as the U256 v mod 2^256.

// True when the word, read as int256, is negative (its top bit is set).
[[nodiscard]] constexpr bool is_negative_i256(const U256& v) noexcept {
  return (v.limb(3) >> 63) != 0;
}
// Returns -v mod 2^256 (two's complement negation).
[[nodiscard]] constexpr U256 negate(const U256& v) noexcept {
  return U256{} - v;
}
// The two's complement of a signed 64-bit integer, sign-extended to 256 bits.
[[nodiscard]] constexpr U256 from_i64(std::int64_t v) noexcept {
  const std::uint64_t ext = v < 0 ? ~0ULL : 0ULL;
  return U256::from_limbs(static_cast<std::uint64_t>(v), ext, ext, ext);
}
// Parses an optionally '-'-prefixed decimal or 0x-hex integer into int256 two's complement.
// Errors: as U256::from_string; kOutOfRange when the value is outside [-2^255, 2^255).
[[nodiscard]] Result<U256> parse_i256(std::string_view text);
// Decimal text of the word read as int256 ("-1" for 2^256 - 1).
[[nodiscard]] std::string to_dec_i256(const U256& v);
// True when the int256 `v` fits in a signed integer of `bits` bits (8 ≤ bits ≤ 256), i.e. it
// equals the sign extension of its low `bits` bits.
[[nodiscard]] bool fits_signed_bits(const U256& v, unsigned bits) noexcept;
// True when the unsigned `v` is below 2^bits (bits ≤ 256).
[[nodiscard]] bool fits_unsigned_bits(const U256& v, unsigned bits) noexcept;

}  // namespace pactum::eth
