#include "pactum/eth/rlp.hpp"

#include <string>

namespace pactum::eth {
namespace {

Error rlp_error(RlpError kind, const std::string& detail) {
  std::string message = "rlp ";
  message += rlp_error_name(kind);
  message += ": ";
  message += detail;
  if (kind == RlpError::kInputTooShort || kind == RlpError::kLengthOverflow) {
    return out_of_range(std::move(message));
  }
  return invalid_argument(std::move(message));
}

// Appends a short (< 56) or long length header with base 0x80 (strings) or 0xc0 (lists).
void append_header(Bytes& out, std::uint8_t base, std::size_t length) {
  if (length < 56) {
    out.push_back(static_cast<std::uint8_t>(base + length));
    return;
  }
  std::uint8_t be[8];
  int n = 0;
  for (std::size_t v = length; v != 0; v >>= 8) be[n++] = static_cast<std::uint8_t>(v);
  out.push_back(static_cast<std::uint8_t>(base + 55 + n));
  while (n > 0) out.push_back(be[--n]);
}

struct Header {
  bool is_list = false;
  std::size_t payload_length = 0;
  bool single_byte = false;  // the item is the prefix byte itself (< 0x80)
};

// Reads the header at the front of `in` and advances past it; checks the payload fits.
Result<Header> read_header(ByteView& in) {
  if (in.empty()) return rlp_error(RlpError::kInputTooShort, "empty input, expected an item");
  const std::uint8_t prefix = in[0];
  in = in.subspan(1);
  Header h;
  if (prefix < 0x80) {
    h.single_byte = true;
    h.payload_length = 1;
    return h;
  }
  h.is_list = prefix >= 0xc0;
  const std::uint8_t base = h.is_list ? 0xc0 : 0x80;
  const std::size_t short_len = static_cast<std::size_t>(prefix - base);
  if (short_len <= 55) {
    h.payload_length = short_len;
  } else {
    const std::size_t len_of_len = short_len - 55;
    if (in.size() < len_of_len) {
      return rlp_error(RlpError::kInputTooShort, "length of length " + std::to_string(len_of_len) +
                                                     " exceeds remaining " +
                                                     std::to_string(in.size()) + " bytes");
    }
    if (in[0] == 0) {
      return rlp_error(RlpError::kLeadingZero, "long-form length starts with a zero byte");
    }
    if (len_of_len > sizeof(std::size_t)) {
      return rlp_error(RlpError::kLengthOverflow, "length of " + std::to_string(len_of_len) +
                                                      " bytes does not fit in 64 bits");
    }
    std::size_t length = 0;
    for (std::size_t i = 0; i < len_of_len; ++i) length = (length << 8) | in[i];
    in = in.subspan(len_of_len);
    if (length < 56) {
      return rlp_error(RlpError::kNonCanonicalSize,
                       "length " + std::to_string(length) + " below 56 in long form");
    }
    h.payload_length = length;
  }
  if (h.payload_length > in.size()) {
    return rlp_error(RlpError::kInputTooShort, std::string(h.is_list ? "list" : "string") +
                                                   " length " + std::to_string(h.payload_length) +
                                                   " exceeds remaining " +
                                                   std::to_string(in.size()) + " bytes");
  }
  if (!h.is_list && h.payload_length == 1 && in[0] < 0x80) {
    return rlp_error(RlpError::kNonCanonicalSingle,
                     "single byte below 0x80 must be encoded as itself");
  }
  return h;
}

Result<RlpItem> decode_item(ByteView& in, std::size_t depth) {
  const ByteView at = in;
  PACTUM_TRY(Header h, read_header(in));
  if (h.single_byte) return RlpItem::string(at.subspan(0, 1));
  ByteView payload = in.subspan(0, h.payload_length);
  in = in.subspan(h.payload_length);
  if (!h.is_list) return RlpItem::string(payload);
  if (depth >= kRlpMaxDepth) {
    return rlp_error(RlpError::kMaxDepth,
                     "lists nested deeper than " + std::to_string(kRlpMaxDepth));
  }
  std::vector<RlpItem> items;
  while (!payload.empty()) {
    PACTUM_TRY(RlpItem item, decode_item(payload, depth + 1));
    items.push_back(std::move(item));
  }
  return RlpItem::list(std::move(items));
}

}  // namespace

std::string_view rlp_error_name(RlpError error) noexcept {
  switch (error) {
    case RlpError::kInputTooShort:
      return "input_too_short";
    case RlpError::kLeadingZero:
      return "leading_zero";
    case RlpError::kNonCanonicalSize:
      return "non_canonical_size";
    case RlpError::kNonCanonicalSingle:
      return "non_canonical_single";
    case RlpError::kLengthOverflow:
      return "length_overflow";
    case RlpError::kTrailingBytes:
      return "trailing_bytes";
    case RlpError::kMaxDepth:
      return "max_depth";
    case RlpError::kUnexpectedList:
      return "unexpected_list";
    case RlpError::kUnexpectedString:
      return "unexpected_string";
    case RlpError::kLeadingZeroInteger:
      return "leading_zero_integer";
    case RlpError::kIntegerTooLong:
      return "integer_too_long";
  }
  return "unknown";
}

RlpItem RlpItem::string(Bytes bytes) {
  RlpItem item;
  item.bytes_ = std::move(bytes);
  return item;
}

RlpItem RlpItem::list(std::vector<RlpItem> items) {
  RlpItem item;
  item.is_list_ = true;
  item.items_ = std::move(items);
  return item;
}

Result<Bytes> RlpItem::as_bytes() const {
  if (is_list_) return rlp_error(RlpError::kUnexpectedList, "expected a string, got a list");
  return bytes_;
}

Result<std::vector<RlpItem>> RlpItem::as_list() const {
  if (!is_list_) return rlp_error(RlpError::kUnexpectedString, "expected a list, got a string");
  return items_;
}

Result<U256> RlpItem::as_uint() const {
  if (is_list_) return rlp_error(RlpError::kUnexpectedList, "expected an integer, got a list");
  if (!bytes_.empty() && bytes_[0] == 0) {
    return rlp_error(RlpError::kLeadingZeroInteger, "integer has a leading zero byte");
  }
  if (bytes_.size() > 32) {
    return rlp_error(RlpError::kIntegerTooLong,
                     "integer of " + std::to_string(bytes_.size()) + " bytes exceeds 32");
  }
  return U256::from_be_bytes(bytes_);
}

Result<std::uint64_t> RlpItem::as_u64() const {
  PACTUM_TRY(U256 v, as_uint());
  if (!v.fits_u64()) {
    return rlp_error(RlpError::kIntegerTooLong,
                     "integer of " + std::to_string(bytes_.size()) + " bytes exceeds 8");
  }
  return v.low64();
}

void rlp_append_string(Bytes& out, ByteView bytes) {
  if (bytes.size() == 1 && bytes[0] < 0x80) {
    out.push_back(bytes[0]);
    return;
  }
  append_header(out, 0x80, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}

void rlp_append_uint(Bytes& out, const U256& value) {
  if (value.fits_u64() && value.low64() < 0x80) {
    out.push_back(value.low64() == 0 ? 0x80 : static_cast<std::uint8_t>(value.low64()));
    return;
  }
  rlp_append_string(out, value.to_be_minimal());
}

void rlp_append_list_header(Bytes& out, std::size_t payload_length) {
  append_header(out, 0xc0, payload_length);
}

void rlp_append(Bytes& out, const RlpItem& item) {
  if (!item.is_list()) {
    rlp_append_string(out, item.bytes());
    return;
  }
  Bytes payload;
  for (const RlpItem& child : item.items()) rlp_append(payload, child);
  rlp_append_list_header(out, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
}

Bytes rlp_encode(const RlpItem& item) {
  Bytes out;
  rlp_append(out, item);
  return out;
}

Bytes rlp_encode_string(ByteView bytes) {
  Bytes out;
  rlp_append_string(out, bytes);
  return out;
}

Bytes rlp_encode_uint(const U256& value) {
  Bytes out;
  rlp_append_uint(out, value);
  return out;
}

Bytes rlp_encode_list(const std::vector<Bytes>& encoded_items) {
  std::size_t total = 0;
  for (const Bytes& b : encoded_items) total += b.size();
  Bytes out;
  out.reserve(total + 9);
  rlp_append_list_header(out, total);
  for (const Bytes& b : encoded_items) out.insert(out.end(), b.begin(), b.end());
  return out;
}

Result<RlpItem> rlp_decode_prefix(ByteView& input) {
  return decode_item(input, 0);
}

Result<RlpItem> rlp_decode(ByteView input) {
  PACTUM_TRY(RlpItem item, decode_item(input, 0));
  if (!input.empty()) {
    return rlp_error(RlpError::kTrailingBytes,
                     std::to_string(input.size()) + " bytes left after the item");
  }
  return item;
}

}  // namespace pactum::eth
