#include "pactum/eth/uint256.hpp"

#include <algorithm>

namespace pactum::eth {
namespace {

__extension__ typedef unsigned __int128 u128;

// Divides `a` by a 64-bit divisor limb by limb. REQUIRES: d != 0.
U256 div_small(const U256& a, std::uint64_t d, std::uint64_t* remainder) noexcept {
  std::uint64_t q[4] = {};
  u128 rem = 0;
  for (int i = 3; i >= 0; --i) {
    const u128 cur = (rem << 64) | a.limb(static_cast<std::size_t>(i));
    q[i] = static_cast<std::uint64_t>(cur / d);
    rem = cur % d;
  }
  *remainder = static_cast<std::uint64_t>(rem);
  return U256::from_limbs(q[0], q[1], q[2], q[3]);
}

// Binary long division. REQUIRES: b != 0.
DivMod div_general(const U256& a, const U256& b) noexcept {
  if (b.fits_u64()) {
    std::uint64_t r = 0;
    U256 q = div_small(a, b.low64(), &r);
    return {q, U256(r)};
  }
  if (a < b) return {U256{}, a};
  const int shift = a.bit_length() - b.bit_length();
  U256 divisor = b << static_cast<unsigned>(shift);
  U256 rem = a;
  U256 quotient;
  for (int i = shift; i >= 0; --i) {
    if (rem >= divisor) {
      rem -= divisor;
      quotient = quotient | (U256(1) << static_cast<unsigned>(i));
    }
    divisor = divisor >> 1;
  }
  return {quotient, rem};
}

// 256-bit product and whether the exact product overflowed 256 bits.
U256 mul_impl(const U256& a, const U256& b, bool* overflow) noexcept {
  std::uint64_t r[8] = {};
  for (int i = 0; i < 4; ++i) {
    u128 carry = 0;
    const std::uint64_t ai = a.limb(static_cast<std::size_t>(i));
    if (ai == 0) continue;
    for (int j = 0; j < 4; ++j) {
      const u128 cur =
          static_cast<u128>(ai) * b.limb(static_cast<std::size_t>(j)) + r[i + j] + carry;
      r[i + j] = static_cast<std::uint64_t>(cur);
      carry = cur >> 64;
    }
    r[i + 4] = static_cast<std::uint64_t>(carry);
  }
  if (overflow != nullptr) *overflow = (r[4] | r[5] | r[6] | r[7]) != 0;
  return U256::from_limbs(r[0], r[1], r[2], r[3]);
}

int digit_value(char c, bool hex) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (!hex) return -1;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<U256> parse_digits(std::string_view digits, bool hex, std::string_view whole) {
  if (digits.empty()) {
    return invalid_argument("integer '" + std::string(whole) + "' has no digits");
  }
  U256 value;
  const U256 base(hex ? 16 : 10);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    const int d = digit_value(digits[i], hex);
    if (d < 0) {
      return invalid_argument("integer '" + std::string(whole) + "' has a non-" +
                              (hex ? "hex" : "decimal") + " character at position " +
                              std::to_string(whole.size() - digits.size() + i));
    }
    bool overflow = false;
    value = mul_impl(value, base, &overflow);
    const U256 next = value + U256(static_cast<std::uint64_t>(d));
    if (overflow || next < value) {
      return out_of_range("integer '" + std::string(whole) + "' exceeds 2^256-1");
    }
    value = next;
  }
  return value;
}

// 10^n for n ≤ 77.
U256 pow10(unsigned n) noexcept {
  U256 r(1);
  for (unsigned i = 0; i < n; ++i) r *= U256(10);
  return r;
}

}  // namespace

U256 U256::from_word(const Hash32& word) noexcept {
  U256 r;
  for (int limb = 0; limb < 4; ++limb) {
    std::uint64_t v = 0;
    for (int k = 0; k < 8; ++k) v = (v << 8) | word[static_cast<std::size_t>((3 - limb) * 8 + k)];
    r.limbs_[static_cast<std::size_t>(limb)] = v;
  }
  return r;
}

Result<U256> U256::from_be_bytes(ByteView bytes) {
  if (bytes.size() > 32) {
    return out_of_range("integer of " + std::to_string(bytes.size()) + " bytes exceeds 32 bytes");
  }
  Hash32 word{};
  std::copy(bytes.begin(), bytes.end(),
            word.begin() + static_cast<std::ptrdiff_t>(32 - bytes.size()));
  return from_word(word);
}

Result<U256> U256::from_dec(std::string_view text) {
  return parse_digits(text, false, text);
}

Result<U256> U256::from_hex(std::string_view text) {
  std::string_view digits = text;
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
  }
  return parse_digits(digits, true, text);
}

Result<U256> U256::from_string(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    return from_hex(text);
  }
  return from_dec(text);
}

void U256::store_word(std::uint8_t* out) const noexcept {
  for (int limb = 0; limb < 4; ++limb) {
    std::uint64_t v = limbs_[static_cast<std::size_t>(3 - limb)];
    for (int k = 7; k >= 0; --k) {
      out[limb * 8 + k] = static_cast<std::uint8_t>(v);
      v >>= 8;
    }
  }
}

Hash32 U256::to_word() const noexcept {
  Hash32 w;
  store_word(w.data());
  return w;
}

Bytes U256::to_be_minimal() const {
  const Hash32 w = to_word();
  std::size_t first = 0;
  while (first < 32 && w[first] == 0) ++first;
  return Bytes(w.begin() + static_cast<std::ptrdiff_t>(first), w.end());
}

std::string U256::to_dec() const {
  if (is_zero()) return "0";
  std::string out;
  U256 v = *this;
  constexpr std::uint64_t kChunk = 10000000000000000000ULL;  // 10^19
  while (!v.is_zero()) {
    std::uint64_t r = 0;
    v = div_small(v, kChunk, &r);
    for (int i = 0; i < 19; ++i) {
      out += static_cast<char>('0' + r % 10);
      r /= 10;
      if (v.is_zero() && r == 0) break;
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::string U256::to_hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (is_zero()) return "0x0";
  std::string out = "0x";
  bool started = false;
  for (int i = 3; i >= 0; --i) {
    for (int nibble = 15; nibble >= 0; --nibble) {
      const unsigned d = (limbs_[static_cast<std::size_t>(i)] >> (nibble * 4)) & 0xf;
      if (d != 0) started = true;
      if (started) out += kDigits[d];
    }
  }
  return out;
}

int U256::bit_length() const noexcept {
  for (int i = 3; i >= 0; --i) {
    const std::uint64_t l = limbs_[static_cast<std::size_t>(i)];
    if (l != 0) return i * 64 + (64 - __builtin_clzll(l));
  }
  return 0;
}

U256 operator*(const U256& a, const U256& b) noexcept {
  return mul_impl(a, b, nullptr);
}

U256 operator/(const U256& a, const U256& b) noexcept {
  if (b.is_zero()) return U256{};
  return div_general(a, b).quotient;
}

U256 operator%(const U256& a, const U256& b) noexcept {
  if (b.is_zero()) return U256{};
  return div_general(a, b).remainder;
}

U256 operator<<(const U256& a, unsigned n) noexcept {
  if (n >= 256) return U256{};
  const unsigned limb_shift = n / 64;
  const unsigned bit_shift = n % 64;
  std::uint64_t r[4] = {};
  for (unsigned i = 3 + 1; i-- > limb_shift;) {
    std::uint64_t v = a.limb(i - limb_shift) << bit_shift;
    if (bit_shift != 0 && i - limb_shift >= 1) v |= a.limb(i - limb_shift - 1) >> (64 - bit_shift);
    r[i] = v;
  }
  return U256::from_limbs(r[0], r[1], r[2], r[3]);
}

U256 operator>>(const U256& a, unsigned n) noexcept {
  if (n >= 256) return U256{};
  const unsigned limb_shift = n / 64;
  const unsigned bit_shift = n % 64;
  std::uint64_t r[4] = {};
  for (unsigned i = 0; i + limb_shift < 4; ++i) {
    std::uint64_t v = a.limb(i + limb_shift) >> bit_shift;
    if (bit_shift != 0 && i + limb_shift + 1 < 4)
      v |= a.limb(i + limb_shift + 1) << (64 - bit_shift);
    r[i] = v;
  }
  return U256::from_limbs(r[0], r[1], r[2], r[3]);
}

Result<U256> checked_add(const U256& a, const U256& b) {
  const U256 r = a + b;
  if (r < a) return out_of_range("uint256 addition overflows: " + a.to_dec() + " + " + b.to_dec());
  return r;
}

Result<U256> checked_sub(const U256& a, const U256& b) {
  if (a < b)
    return out_of_range("uint256 subtraction underflows: " + a.to_dec() + " - " + b.to_dec());
  return a - b;
}

Result<U256> checked_mul(const U256& a, const U256& b) {
  bool overflow = false;
  const U256 r = mul_impl(a, b, &overflow);
  if (overflow) {
    return out_of_range("uint256 multiplication overflows: " + a.to_dec() + " * " + b.to_dec());
  }
  return r;
}

Result<DivMod> divmod(const U256& a, const U256& b) {
  if (b.is_zero()) return invalid_argument("uint256 division by zero");
  return div_general(a, b);
}

std::string format_units(const U256& amount, unsigned decimals) {
  if (decimals == 0) return amount.to_dec();
  const DivMod qr = div_general(amount, pow10(decimals));
  std::string frac = qr.remainder.to_dec();
  if (frac.size() < decimals) frac.insert(0, decimals - frac.size(), '0');
  while (frac.size() > 1 && frac.back() == '0') frac.pop_back();
  return qr.quotient.to_dec() + "." + frac;
}

Result<U256> parse_units(std::string_view text, unsigned decimals) {
  if (decimals > 77) return out_of_range("decimals " + std::to_string(decimals) + " exceed 77");
  const std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() && frac.empty()) {
    return invalid_argument("amount '" + std::string(text) + "' has no digits");
  }
  while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
  if (frac.size() > decimals) {
    return invalid_argument("amount '" + std::string(text) + "' has more than " +
                            std::to_string(decimals) + " fractional digits");
  }
  std::string digits(whole.empty() ? "0" : whole);
  digits += frac;
  digits.append(decimals - frac.size(), '0');
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (digits[i] < '0' || digits[i] > '9') {
      return invalid_argument("amount '" + std::string(text) + "' is not a decimal number");
    }
  }
  auto value = parse_digits(digits, false, digits);
  if (!value.ok()) {
    return out_of_range("amount '" + std::string(text) + "' with " + std::to_string(decimals) +
                        " decimals exceeds 2^256-1");
  }
  return value;
}

Result<U256> parse_i256(std::string_view text) {
  const bool negative = !text.empty() && text[0] == '-';
  const std::string_view body = negative ? text.substr(1) : text;
  auto magnitude = U256::from_string(body);
  if (!magnitude.ok()) return std::move(magnitude).error();
  const U256 limit = U256(1) << 255;
  if (negative ? *magnitude > limit : *magnitude >= limit) {
    return out_of_range("integer '" + std::string(text) + "' is outside int256");
  }
  return negative ? negate(*magnitude) : *magnitude;
}

std::string to_dec_i256(const U256& v) {
  if (is_negative_i256(v)) return "-" + negate(v).to_dec();
  return v.to_dec();
}

bool fits_signed_bits(const U256& v, unsigned bits) noexcept {
  if (bits >= 256) return true;
  // The bits from bits-1 upward must all equal the sign bit.
  const U256 high = v >> (bits - 1);
  const U256 all_ones = U256::max() >> (bits - 1);
  return high.is_zero() || high == all_ones;
}

bool fits_unsigned_bits(const U256& v, unsigned bits) noexcept {
  if (bits >= 256) return true;
  return (v >> bits).is_zero();
}

}  // namespace pactum::eth
