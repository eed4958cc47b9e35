// ABI encoding and strict decoding; calls and logs.
//
// Encoding runs two passes: measure() checks every value against its type and computes the exact
// size, then write() fills a zeroed buffer (so padding needs no writes).
//
// Decoding walks the type tree. Each decoded word is charged to a budget of twice the data's
// word count: a canonical encoding reads every word exactly once, so only overlapping offsets
// (which could otherwise make small data decode to gigabytes) exhaust it.
#include <cstring>

#include "abi_internal.hpp"
#include "pactum/eth/abi.hpp"
#include "pactum/eth/keccak.hpp"

namespace pactum::eth {
namespace {

using abi_detail::abi_error;

constexpr std::size_t pad32(std::size_t n) {
  return (n + 31) / 32 * 32;
}

// ---- encoding ---------------------------------------------------------------------------------

class Encoder {
 public:
  // Returns the encoded size of `v` as `t` (its tail, for dynamic types), or an error.
  Result<std::size_t> measure(const AbiType& t, const AbiValue& v) {
    switch (t.kind()) {
      case AbiKind::kUint:
        if (!v.is_uint()) return mismatch(t, v);
        if (!fits_unsigned_bits(v.as_uint(), static_cast<unsigned>(t.size()))) {
          return abi_error("value_out_of_range",
                           v.as_uint().to_dec() + " does not fit in " + t.canonical());
        }
        return std::size_t{32};
      case AbiKind::kInt:
        if (!v.is_uint()) return mismatch(t, v);
        if (!fits_signed_bits(v.as_uint(), static_cast<unsigned>(t.size()))) {
          return abi_error("value_out_of_range",
                           to_dec_i256(v.as_uint()) + " does not fit in " + t.canonical());
        }
        return std::size_t{32};
      case AbiKind::kAddress:
        if (!v.is_address()) return mismatch(t, v);
        return std::size_t{32};
      case AbiKind::kBool:
        if (!v.is_bool()) return mismatch(t, v);
        return std::size_t{32};
      case AbiKind::kFixedBytes:
        if (!v.is_bytes()) return mismatch(t, v);
        if (v.as_bytes().size() != t.size()) {
          return abi_error("value_out_of_range", std::to_string(v.as_bytes().size()) +
                                                     " bytes given for " + t.canonical());
        }
        return std::size_t{32};
      case AbiKind::kBytes:
        if (!v.is_bytes()) return mismatch(t, v);
        return 32 + pad32(v.as_bytes().size());
      case AbiKind::kString:
        if (!v.is_string()) return mismatch(t, v);
        return 32 + pad32(v.as_string().size());
      case AbiKind::kArray: {
        if (!v.is_list()) return mismatch(t, v);
        PACTUM_TRY(std::size_t n, measure_repeated(t.element(), v.items()));
        return 32 + n;
      }
      case AbiKind::kFixedArray:
        if (!v.is_list()) return mismatch(t, v);
        if (v.items().size() != t.size()) {
          return abi_error("type_mismatch", std::to_string(v.items().size()) +
                                                " elements given for " + t.canonical());
        }
        return measure_repeated(t.element(), v.items());
      case AbiKind::kTuple:
        if (!v.is_list()) return mismatch(t, v);
        return measure_sequence(t.components(), v.items());
    }
    return abi_error("type_mismatch", "unknown kind");
  }

  Result<std::size_t> measure_sequence(std::span<const AbiType> types,
                                       std::span<const AbiValue> values) {
    if (types.size() != values.size()) {
      return abi_error("type_mismatch", std::to_string(values.size()) + " values given for " +
                                            std::to_string(types.size()) + " types");
    }
    std::size_t total = 0;
    for (std::size_t i = 0; i < types.size(); ++i) {
      PACTUM_TRY(std::size_t n, measure(types[i], values[i]));
      total += types[i].is_dynamic() ? 32 + n : n;
    }
    return total;
  }

  Result<std::size_t> measure_repeated(const AbiType& element, std::span<const AbiValue> values) {
    std::size_t total = 0;
    for (const AbiValue& v : values) {
      PACTUM_TRY(std::size_t n, measure(element, v));
      total += element.is_dynamic() ? 32 + n : n;
    }
    return total;
  }

  // Writes `v` (validated by measure) at `out`; returns the bytes written.
  static std::size_t write(const AbiType& t, const AbiValue& v, std::uint8_t* out) {
    switch (t.kind()) {
      case AbiKind::kUint:
      case AbiKind::kInt:
        v.as_uint().store_word(out);
        return 32;
      case AbiKind::kAddress:
        std::memcpy(out + 12, v.as_address().data(), 20);
        return 32;
      case AbiKind::kBool:
        out[31] = v.as_bool() ? 1 : 0;
        return 32;
      case AbiKind::kFixedBytes:
        if (!v.as_bytes().empty()) std::memcpy(out, v.as_bytes().data(), v.as_bytes().size());
        return 32;
      case AbiKind::kBytes:
        return write_payload(v.as_bytes().data(), v.as_bytes().size(), out);
      case AbiKind::kString:
        return write_payload(reinterpret_cast<const std::uint8_t*>(v.as_string().data()),
                             v.as_string().size(), out);
      case AbiKind::kArray:
        U256(v.items().size()).store_word(out);
        return 32 + write_repeated(t.element(), v.items(), out + 32);
      case AbiKind::kFixedArray:
        return write_repeated(t.element(), v.items(), out);
      case AbiKind::kTuple:
        return write_sequence(t.components(), v.items(), out);
    }
    return 0;
  }

  static std::size_t write_sequence(std::span<const AbiType> types,
                                    std::span<const AbiValue> values, std::uint8_t* out) {
    std::size_t head = 0;
    for (const AbiType& t : types) head += t.head_size();
    std::size_t pos = 0;
    std::size_t tail = head;
    for (std::size_t i = 0; i < types.size(); ++i) {
      if (types[i].is_dynamic()) {
        U256(tail).store_word(out + pos);
        tail += write(types[i], values[i], out + tail);
        pos += 32;
      } else {
        pos += write(types[i], values[i], out + pos);
      }
    }
    return tail;
  }

  static std::size_t write_repeated(const AbiType& element, std::span<const AbiValue> values,
                                    std::uint8_t* out) {
    if (!element.is_dynamic()) {
      std::size_t pos = 0;
      for (const AbiValue& v : values) pos += write(element, v, out + pos);
      return pos;
    }
    std::size_t tail = 32 * values.size();
    for (std::size_t i = 0; i < values.size(); ++i) {
      U256(tail).store_word(out + 32 * i);
      tail += write(element, values[i], out + tail);
    }
    return tail;
  }

 private:
  static std::size_t write_payload(const std::uint8_t* data, std::size_t size, std::uint8_t* out) {
    U256(size).store_word(out);
    if (size != 0) std::memcpy(out + 32, data, size);
    return 32 + pad32(size);
  }

  static Error mismatch(const AbiType& t, const AbiValue& v) {
    static constexpr const char* kShapes[] = {"an integer", "an address", "a bool",
                                              "bytes",      "a string",   "a list"};
    return abi_error("type_mismatch",
                     std::string(kShapes[v.storage().index()]) + " given for " + t.canonical());
  }
};

// ---- decoding ---------------------------------------------------------------------------------

class Decoder {
 public:
  explicit Decoder(ByteView data) : data_(data), budget_(2 * (data.size() / 32) + 2) {}

  // Decodes the sequence `types` whose head starts at `base` (an absolute position).
  Result<std::vector<AbiValue>> sequence(std::span<const AbiType> types, std::size_t base) {
    std::size_t head = 0;
    for (const AbiType& t : types) head += t.head_size();
    PACTUM_TRY_STATUS(require(base, head, "head"));
    std::vector<AbiValue> out;
    out.reserve(types.size());
    std::size_t pos = base;
    for (const AbiType& t : types) {
      PACTUM_TRY(AbiValue v, element(t, base, head, pos));
      out.push_back(std::move(v));
      pos += t.head_size();
    }
    return out;
  }

  // Decodes `count` elements of `type` whose head starts at `base`.
  Result<std::vector<AbiValue>> repeated(const AbiType& type, std::size_t count, std::size_t base) {
    // Checked by the caller: count * head_size fits in the data after base.
    const std::size_t head = count * type.head_size();
    PACTUM_TRY_STATUS(require(base, head, "head"));
    std::vector<AbiValue> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      PACTUM_TRY(AbiValue v, element(type, base, head, base + i * type.head_size()));
      out.push_back(std::move(v));
    }
    return out;
  }

  std::size_t max_end() const { return max_end_; }

 private:
  // One element of a sequence whose head is [base, base+head); its head slot is at `pos`.
  Result<AbiValue> element(const AbiType& t, std::size_t base, std::size_t head, std::size_t pos) {
    if (!t.is_dynamic()) return value(t, pos);
    PACTUM_TRY(std::size_t offset, read_size(pos, "offset"));
    if (offset < head) {
      return abi_error("offset_out_of_range",
                       "offset " + std::to_string(offset) + " at byte " + std::to_string(pos) +
                           " points into its own head of " + std::to_string(head) + " bytes",
                       ErrorCode::kOutOfRange);
    }
    if (offset + 32 > data_.size() - base) {  // every dynamic value needs a word
      return abi_error("offset_out_of_range",
                       "offset " + std::to_string(offset) + " at byte " + std::to_string(pos) +
                           " points past the end of the data (" + std::to_string(data_.size()) +
                           " bytes)",
                       ErrorCode::kOutOfRange);
    }
    return value(t, base + offset);
  }

  // Decodes a value of type t located at absolute position `at`.
  Result<AbiValue> value(const AbiType& t, std::size_t at) {
    switch (t.kind()) {
      case AbiKind::kUint: {
        PACTUM_TRY(const std::uint8_t* w, word(at));
        const U256 v = U256::from_word(as_hash(w));
        if (!fits_unsigned_bits(v, static_cast<unsigned>(t.size()))) return dirty(t, at);
        return AbiValue(v);
      }
      case AbiKind::kInt: {
        PACTUM_TRY(const std::uint8_t* w, word(at));
        const U256 v = U256::from_word(as_hash(w));
        if (!fits_signed_bits(v, static_cast<unsigned>(t.size()))) return dirty(t, at);
        return AbiValue(v);
      }
      case AbiKind::kAddress: {
        PACTUM_TRY(const std::uint8_t* w, word(at));
        for (int i = 0; i < 12; ++i) {
          if (w[i] != 0) return dirty(t, at);
        }
        FixedBytes<20> a;
        std::memcpy(a.data(), w + 12, 20);
        return AbiValue(a);
      }
      case AbiKind::kBool: {
        PACTUM_TRY(const std::uint8_t* w, word(at));
        for (int i = 0; i < 31; ++i) {
          if (w[i] != 0) return invalid_bool(at);
        }
        if (w[31] > 1) return invalid_bool(at);
        return AbiValue(w[31] == 1);
      }
      case AbiKind::kFixedBytes: {
        PACTUM_TRY(const std::uint8_t* w, word(at));
        for (std::size_t i = t.size(); i < 32; ++i) {
          if (w[i] != 0) return dirty_padding(t, at);
        }
        return AbiValue(Bytes(w, w + t.size()));
      }
      case AbiKind::kBytes: {
        PACTUM_TRY(ByteView payload, bytes_payload(t, at));
        return AbiValue(Bytes(payload.begin(), payload.end()));
      }
      case AbiKind::kString: {
        PACTUM_TRY(ByteView payload, bytes_payload(t, at));
        return AbiValue(std::string(reinterpret_cast<const char*>(payload.data()), payload.size()));
      }
      case AbiKind::kArray: {
        PACTUM_TRY(std::size_t count, read_size(at, "array length"));
        const std::size_t base = at + 32;
        const std::size_t room = data_.size() - base;  // read_size checked at + 32 ≤ size
        if (count > room / t.element().head_size()) {
          return abi_error("length_out_of_range",
                           "array length " + std::to_string(count) + " at byte " +
                               std::to_string(at) + " needs " + t.element().canonical() +
                               " heads beyond the " + std::to_string(room) + " bytes left",
                           ErrorCode::kOutOfRange);
        }
        PACTUM_TRY(std::vector<AbiValue> items, repeated(t.element(), count, base));
        return AbiValue(std::move(items));
      }
      case AbiKind::kFixedArray: {
        PACTUM_TRY(std::vector<AbiValue> items, repeated(t.element(), t.size(), at));
        return AbiValue(std::move(items));
      }
      case AbiKind::kTuple: {
        PACTUM_TRY(std::vector<AbiValue> items, sequence(t.components(), at));
        return AbiValue(std::move(items));
      }
    }
    return abi_error("invalid_type", "unknown kind");
  }

  // Checks [at, at+size) lies within the data.
  Status require(std::size_t at, std::size_t size, const char* what) {
    if (at > data_.size() || size > data_.size() - at) {
      return abi_error("data_too_short",
                       std::string(what) + " of " + std::to_string(size) + " bytes at byte " +
                           std::to_string(at) + " runs past the end of the data (" +
                           std::to_string(data_.size()) + " bytes)",
                       ErrorCode::kOutOfRange);
    }
    return ok_status();
  }

  // Returns the 32-byte word at `at`, charging the budget.
  Result<const std::uint8_t*> word(std::size_t at) {
    PACTUM_TRY_STATUS(require(at, 32, "word"));
    PACTUM_TRY_STATUS(charge(1));
    max_end_ = std::max(max_end_, at + 32);
    return data_.data() + at;
  }

  // Reads a word that must be a size (offset or length) below the data's size.
  Result<std::size_t> read_size(std::size_t at, const char* what) {
    PACTUM_TRY(const std::uint8_t* w, word(at));
    const U256 v = U256::from_word(as_hash(w));
    // Compare as U256 before narrowing: a huge word must not wrap into a small size_t.
    if (!v.fits_u64() || v.low64() > data_.size()) {
      return abi_error(
          std::string(what) == "offset" ? "offset_out_of_range" : "length_out_of_range",
          std::string(what) + " " + v.to_dec() + " at byte " + std::to_string(at) +
              " exceeds the data size " + std::to_string(data_.size()),
          ErrorCode::kOutOfRange);
    }
    return static_cast<std::size_t>(v.low64());
  }

  Result<ByteView> bytes_payload(const AbiType& t, std::size_t at) {
    PACTUM_TRY(std::size_t length, read_size(at, "length"));
    const std::size_t start = at + 32;
    const std::size_t padded = pad32(length);
    if (padded > data_.size() - start) {
      return abi_error("data_too_short",
                       t.canonical() + " of length " + std::to_string(length) + " at byte " +
                           std::to_string(at) + " runs past the end of the data (" +
                           std::to_string(data_.size()) + " bytes)",
                       ErrorCode::kOutOfRange);
    }
    PACTUM_TRY_STATUS(charge(padded / 32));
    for (std::size_t i = start + length; i < start + padded; ++i) {
      if (data_[i] != 0) return dirty_padding(t, at);
    }
    max_end_ = std::max(max_end_, start + padded);
    return data_.subspan(start, length);
  }

  Status charge(std::size_t words) {
    if (words > budget_) {
      return abi_error("too_complex",
                       "offsets make the " + std::to_string(data_.size()) +
                           " bytes decode to more than twice their size",
                       ErrorCode::kResourceExhausted);
    }
    budget_ -= words;
    return ok_status();
  }

  static const Hash32& as_hash(const std::uint8_t* w) {
    return *reinterpret_cast<const Hash32*>(w);
  }

  static Error dirty(const AbiType& t, std::size_t at) {
    return abi_error("dirty_bits", "word at byte " + std::to_string(at) + " has bits set outside " +
                                       t.canonical());
  }
  static Error invalid_bool(std::size_t at) {
    return abi_error("invalid_bool", "word at byte " + std::to_string(at) + " is not 0 or 1");
  }
  static Error dirty_padding(const AbiType& t, std::size_t at) {
    return abi_error("dirty_padding",
                     t.canonical() + " at byte " + std::to_string(at) + " has non-zero padding");
  }

  ByteView data_;
  std::size_t budget_;
  std::size_t max_end_ = 0;
};

Result<std::vector<AbiValue>> decode_all(std::span<const AbiType> types, ByteView data) {
  Decoder d(data);
  PACTUM_TRY(std::vector<AbiValue> values, d.sequence(types, 0));
  if (d.max_end() != data.size()) {
    return abi_error("trailing_bytes", std::to_string(data.size() - d.max_end()) +
                                           " bytes left after the last value");
  }
  return values;
}

void append_value_text(std::string& out, const AbiValue& v) {
  if (v.is_uint()) {
    out += v.as_uint().to_dec();
  } else if (v.is_address()) {
    out += to_hex(v.as_address());
  } else if (v.is_bool()) {
    out += v.as_bool() ? "true" : "false";
  } else if (v.is_bytes()) {
    out += to_hex(v.as_bytes());
  } else if (v.is_string()) {
    out += '"' + v.as_string() + '"';
  } else {
    out += '[';
    for (std::size_t i = 0; i < v.items().size(); ++i) {
      if (i != 0) out += ", ";
      append_value_text(out, v.items()[i]);
    }
    out += ']';
  }
}

}  // namespace

std::string AbiValue::to_string() const {
  std::string out;
  append_value_text(out, *this);
  return out;
}

Result<Bytes> abi_encode(std::span<const AbiType> types, std::span<const AbiValue> values) {
  Encoder e;
  PACTUM_TRY(std::size_t size, e.measure_sequence(types, values));
  Bytes out(size);
  Encoder::write_sequence(types, values, out.data());
  return out;
}

Result<Bytes> abi_encode_single(const AbiType& type, const AbiValue& value) {
  return abi_encode(std::span<const AbiType>(&type, 1), std::span<const AbiValue>(&value, 1));
}

Result<std::vector<AbiValue>> abi_decode(std::span<const AbiType> types, ByteView data) {
  return decode_all(types, data);
}

Result<Bytes> encode_call(std::string_view signature, std::span<const AbiValue> values) {
  PACTUM_TRY(AbiSignature sig, parse_function_signature(signature));
  return encode_call(sig, values);
}

Result<Bytes> encode_call(const AbiSignature& sig, std::span<const AbiValue> values) {
  return encode_call(selector_of_canonical(sig.canonical()), sig.inputs, values);
}

Result<Bytes> encode_call(const Selector& selector, std::span<const AbiType> types,
                          std::span<const AbiValue> values) {
  Encoder e;
  PACTUM_TRY(std::size_t size, e.measure_sequence(types, values));
  Bytes out(4 + size);
  std::memcpy(out.data(), selector.data(), 4);
  Encoder::write_sequence(types, values, out.data() + 4);
  return out;
}

Result<std::vector<AbiValue>> decode_call(const AbiSignature& function, ByteView call_data) {
  return decode_call(selector_of_canonical(function.canonical()), function.inputs, call_data);
}

Result<std::vector<AbiValue>> decode_call(const Selector& selector, std::span<const AbiType> types,
                                          ByteView call_data) {
  if (call_data.size() < 4) {
    return abi_error("data_too_short",
                     "call data of " + std::to_string(call_data.size()) + " bytes has no selector",
                     ErrorCode::kOutOfRange);
  }
  if (!std::equal(selector.begin(), selector.end(), call_data.begin())) {
    return abi_error("selector_mismatch", "call data selector " + to_hex(call_data.subspan(0, 4)) +
                                              " is not " + to_hex(selector));
  }
  return decode_all(types, call_data.subspan(4));
}

Result<std::vector<AbiValue>> decode_log(const AbiEvent& event, std::span<const Hash32> topics,
                                         ByteView data) {
  std::size_t indexed = 0;
  for (const AbiEventParam& p : event.params) indexed += p.indexed ? 1 : 0;
  const std::size_t first = event.anonymous ? 0 : 1;
  if (topics.size() != indexed + first) {
    return abi_error("topic_mismatch", event.canonical() + " has " + std::to_string(indexed) +
                                           " indexed parameters, the log has " +
                                           std::to_string(topics.size()) + " topics");
  }
  if (!event.anonymous && topics[0] != event.topic()) {
    return abi_error("topic_mismatch",
                     "topic 0 " + to_hex(topics[0]) + " is not " + event.canonical());
  }
  std::vector<AbiType> data_types;
  for (const AbiEventParam& p : event.params) {
    if (!p.indexed) data_types.push_back(p.type);
  }
  PACTUM_TRY(std::vector<AbiValue> data_values, decode_all(data_types, data));
  std::vector<AbiValue> out;
  out.reserve(event.params.size());
  std::size_t topic_index = first;
  std::size_t data_index = 0;
  for (const AbiEventParam& p : event.params) {
    if (!p.indexed) {
      out.push_back(std::move(data_values[data_index++]));
      continue;
    }
    const Hash32& topic = topics[topic_index++];
    if (p.type.is_dynamic() || p.type.kind() == AbiKind::kTuple ||
        p.type.kind() == AbiKind::kFixedArray) {
      out.emplace_back(Bytes(topic.begin(), topic.end()));
      continue;
    }
    PACTUM_TRY(std::vector<AbiValue> one,
               decode_all(std::span<const AbiType>(&p.type, 1), ByteView(topic)));
    out.push_back(std::move(one.front()));
  }
  return out;
}

}  // namespace pactum::eth
