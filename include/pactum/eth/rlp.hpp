// RLP (Recursive Length Prefix), the serialization of Ethereum transactions and tries
// (Ethereum Yellow Paper, appendix B).
//
// Decoding is strict: only the one canonical encoding of a value is accepted. Each way an input
// can be wrong has its own RlpError, and the returned Error's message starts with
// "rlp <name>:" (rlp_error_name) so callers and tests can tell them apart:
//   input_too_short        a length prefix or payload runs past the end of the input
//   leading_zero           a long-form length has a leading zero byte
//   non_canonical_size     long form used for a length below 56
//   non_canonical_single   a single byte below 0x80 encoded as a one-byte string (0x81 0x05)
//   length_overflow        a length that does not fit in size_t (only on 32-bit hosts)
//   trailing_bytes         input left over after the item (or a list's payload not used up)
//   max_depth              lists nested deeper than kRlpMaxDepth
//   unexpected_list / unexpected_string   the item is not of the kind asked for
//   leading_zero_integer   an integer with leading zero bytes (as_uint)
//   integer_too_long       an integer longer than the target type
// Codes: input_too_short and length_overflow are kOutOfRange; the rest kInvalidArgument.
//
// Thread safety: RlpItem is a value; all functions are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/uint256.hpp"

namespace pactum::eth {

enum class RlpError : std::uint8_t {
  kInputTooShort,
  kLeadingZero,
  kNonCanonicalSize,
  kNonCanonicalSingle,
  kLengthOverflow,
  kTrailingBytes,
  kMaxDepth,
  kUnexpectedList,
  kUnexpectedString,
  kLeadingZeroInteger,
  kIntegerTooLong,
};

// The stable name used in messages ("input_too_short", ...).
[[nodiscard]] std::string_view rlp_error_name(RlpError error) noexcept;

// Deepest list nesting the decoder accepts (protects the stack against hostile input).
inline constexpr std::size_t kRlpMaxDepth = 128;

// A decoded RLP item: either a byte string or a list of items.
class RlpItem {
 public:
  // The empty byte string.
  RlpItem() = default;
  [[nodiscard]] static RlpItem string(Bytes bytes);
  [[nodiscard]] static RlpItem string(ByteView bytes) {
    return string(Bytes(bytes.begin(), bytes.end()));
  }
  // The canonical integer encoding: big-endian without leading zeros (zero → empty string).
  [[nodiscard]] static RlpItem uint(const U256& value) { return string(value.to_be_minimal()); }
  [[nodiscard]] static RlpItem list(std::vector<RlpItem> items);

  [[nodiscard]] bool is_list() const noexcept { return is_list_; }
  // The string's bytes. REQUIRES: !is_list().
  [[nodiscard]] const Bytes& bytes() const noexcept { return bytes_; }
  // The list's items. REQUIRES: is_list().
  [[nodiscard]] const std::vector<RlpItem>& items() const noexcept { return items_; }

  // Reads the string as a canonical unsigned integer (no leading zero bytes, at most 32 bytes).
  // Errors: unexpected_list, leading_zero_integer, integer_too_long (see the file comment).
  [[nodiscard]] Result<U256> as_uint() const;
  // As as_uint, at most 8 bytes.
  [[nodiscard]] Result<std::uint64_t> as_u64() const;
  // The string's bytes. Errors: unexpected_list.
  [[nodiscard]] Result<Bytes> as_bytes() const;
  // The list's items. Errors: unexpected_string.
  [[nodiscard]] Result<std::vector<RlpItem>> as_list() const;

  friend bool operator==(const RlpItem&, const RlpItem&) = default;

 private:
  bool is_list_ = false;
  Bytes bytes_;
  std::vector<RlpItem> items_;
};

// Appends the encoding of the byte string `bytes` to `out`.
void rlp_append_string(Bytes& out, ByteView bytes);
// Appends the canonical encoding of the integer `value`.
void rlp_append_uint(Bytes& out, const U256& value);
// Appends a list header for a payload of `payload_length` bytes; the caller appends the
// concatenated item encodings after it.
void rlp_append_list_header(Bytes& out, std::size_t payload_length);
// Appends the encoding of `item`.
void rlp_append(Bytes& out, const RlpItem& item);

// Returns the encoding of `item`.
[[nodiscard]] Bytes rlp_encode(const RlpItem& item);
// Returns the encoding of a byte string.
[[nodiscard]] Bytes rlp_encode_string(ByteView bytes);
// Returns the encoding of an integer.
[[nodiscard]] Bytes rlp_encode_uint(const U256& value);
// Returns a list whose items are the already encoded `encoded_items`.
[[nodiscard]] Bytes rlp_encode_list(const std::vector<Bytes>& encoded_items);

// Decodes exactly one item that spans all of `input`.
// Errors: any RlpError (see the file comment); trailing_bytes when input is left after it.
[[nodiscard]] Result<RlpItem> rlp_decode(ByteView input);
// Decodes one item from the front of `input` and advances `input` past it; bytes after the item
// are left for the caller. On error `input` is unspecified.
[[nodiscard]] Result<RlpItem> rlp_decode_prefix(ByteView& input);

}  // namespace pactum::eth
