// Byte strings and their hexadecimal text form.
//
// Bytes owns; ByteView borrows (the caller keeps the bytes alive for the view's lifetime).
// FixedBytes<N> is for values whose length the protocol fixes (hashes, addresses, keys).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/core/result.hpp"

namespace pactum {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

template <std::size_t N>
using FixedBytes = std::array<std::uint8_t, N>;

using Hash32 = FixedBytes<32>;

// Returns a view of the bytes of a string (no copy; `s` must outlive the view).
[[nodiscard]] inline ByteView as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Returns the bytes as lower-case hex; with `prefix` the text starts with "0x".
[[nodiscard]] std::string to_hex(ByteView bytes, bool prefix = true);

// Parses hex text with or without a "0x"/"0X" prefix; upper and lower case digits.
// Errors: kInvalidArgument for an odd number of digits or a non-hex character (the message
// names its position).
[[nodiscard]] Result<Bytes> from_hex(std::string_view text);

// Parses hex text that must decode to exactly N bytes.
// Errors: as from_hex, and kInvalidArgument when the length is not N.
template <std::size_t N>
[[nodiscard]] Result<FixedBytes<N>> fixed_from_hex(std::string_view text) {
  auto bytes = from_hex(text);
  if (!bytes.ok()) return std::move(bytes).error();
  if (bytes->size() != N) {
    return invalid_argument("expected " + std::to_string(N) + " bytes of hex, got " +
                            std::to_string(bytes->size()));
  }
  FixedBytes<N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = (*bytes)[i];
  return out;
}

// Compares two byte strings in time that depends only on their lengths, for secrets and MACs.
[[nodiscard]] bool constant_time_equal(ByteView a, ByteView b) noexcept;

// Overwrites the bytes with zeros in a way the compiler may not elide; for secrets.
void secure_wipe(std::span<std::uint8_t> bytes) noexcept;

}  // namespace pactum
