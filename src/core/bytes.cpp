#include "pactum/core/bytes.hpp"

namespace pactum {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string to_hex(ByteView bytes, bool prefix) {
  std::string out;
  out.reserve(bytes.size() * 2 + (prefix ? 2 : 0));
  if (prefix) out += "0x";
  for (std::uint8_t b : bytes) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 0x0f];
  }
  return out;
}

Result<Bytes> from_hex(std::string_view text) {
  std::size_t offset = 0;
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) offset = 2;
  const std::string_view digits = text.substr(offset);
  if (digits.size() % 2 != 0) {
    return invalid_argument("hex text has an odd number of digits (" +
                            std::to_string(digits.size()) + ")");
  }
  Bytes out(digits.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(digits[2 * i]);
    const int lo = hex_value(digits[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      const std::size_t bad = offset + 2 * i + (hi < 0 ? 0 : 1);
      return invalid_argument("non-hex character at position " + std::to_string(bad));
    }
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

bool constant_time_equal(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  volatile std::uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = diff | (a[i] ^ b[i]);
  return diff == 0;
}

void secure_wipe(std::span<std::uint8_t> bytes) noexcept {
  volatile std::uint8_t* p = bytes.data();
  for (std::size_t i = 0; i < bytes.size(); ++i) p[i] = 0;
}

}  // namespace pactum
