// The Solidity contract ABI: types, values, encoding and strict decoding, function selectors,
// event topics and log decoding (https://docs.soliditylang.org/en/latest/abi-spec.html).
//
// Decoding treats its input as hostile. It never reads past the data and never allocates more
// than a small multiple of the data's size, whatever the offsets and lengths say: an offset or
// length pointing outside the data, an offset into the head it came from, a length whose
// elements cannot fit in the remaining data, and data that would be read more than twice over
// (overlapping offsets, "decoding bombs") are each errors. It also accepts only clean words:
// dirty high bits in uint<N>/int<N>/address, a bool other than 0/1, non-zero padding after
// bytesN/bytes/string, and bytes left over after the last value are errors.
//
// Every error message starts with "abi <name>:" so callers and tests can tell them apart:
//   invalid_type        a type string that is not an ABI type ("uint7", "(uint256", "uint256[0]")
//   invalid_signature   a function/event signature that does not parse
//   type_mismatch       (encode) a value whose shape does not match its type
//   value_out_of_range  (encode) an integer outside its type's range, wrong bytesN length
//   data_too_short      a word, length or payload runs past the end of the data      (kOutOfRange)
//   offset_out_of_range an offset beyond the data, or pointing into its own head      (kOutOfRange)
//   length_out_of_range a length whose elements cannot fit in the remaining data      (kOutOfRange)
//   dirty_bits          non-zero bits above an integer's width / an address's 20 bytes
//   invalid_bool        a bool word other than 0 or 1
//   dirty_padding       non-zero padding after bytesN, bytes or string
//   trailing_bytes      data left after the last value
//   too_complex         the data would be decoded more than twice over (kResourceExhausted)
//   topic_mismatch      (logs) wrong topic 0 or wrong number of topics
//   selector_mismatch   (calls) call data for a different function
// Codes are kInvalidArgument unless noted.
//
// Thread safety: types and values are values; all functions are pure.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/uint256.hpp"

namespace pactum::eth {

using Selector = FixedBytes<4>;

enum class AbiKind : std::uint8_t {
  kUint,        // uint<M>, 8 ≤ M ≤ 256, M % 8 == 0
  kInt,         // int<M>
  kAddress,     // address (20 bytes)
  kBool,        // bool
  kFixedBytes,  // bytes<M>, 1 ≤ M ≤ 32
  kBytes,       // bytes
  kString,      // string
  kArray,       // T[]
  kFixedArray,  // T[k], k ≥ 1
  kTuple,       // (T1,...,Tn), n ≥ 1
};

// Deepest nesting of arrays and tuples a type may have.
inline constexpr std::size_t kAbiMaxTypeDepth = 32;

// An ABI type: a tree of kinds. Built by parse() or the factories.
class AbiType {
 public:
  // uint256.
  AbiType() = default;

  // Parses a canonical type string: "uint256", "int8", "address", "bool", "bytes32", "bytes",
  // "string", "uint256[]", "address[3]", "(uint256,bytes)[]", nested tuples and arrays. Also
  // accepts the aliases "uint"/"int" (= 256 bits), "tuple(...)" and spaces after commas.
  // Errors: invalid_type naming the offending position.
  [[nodiscard]] static Result<AbiType> parse(std::string_view text);

  // Factories. REQUIRES (not checked): the widths, sizes and counts the kinds above allow.
  [[nodiscard]] static AbiType uint(unsigned bits = 256);
  [[nodiscard]] static AbiType int_(unsigned bits = 256);
  [[nodiscard]] static AbiType address();
  [[nodiscard]] static AbiType boolean();
  [[nodiscard]] static AbiType fixed_bytes(unsigned size);
  [[nodiscard]] static AbiType bytes();
  [[nodiscard]] static AbiType string();
  [[nodiscard]] static AbiType array(AbiType element);
  [[nodiscard]] static AbiType fixed_array(AbiType element, std::size_t length);
  [[nodiscard]] static AbiType tuple(std::vector<AbiType> components);

  [[nodiscard]] AbiKind kind() const noexcept { return kind_; }
  // Bits of uint/int, bytes of bytesN, length of T[k]; 0 for the other kinds.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  // The element type of T[] and T[k]. REQUIRES: kind() is kArray or kFixedArray.
  [[nodiscard]] const AbiType& element() const noexcept { return children_.front(); }
  // The components of a tuple (or the single element of an array).
  [[nodiscard]] const std::vector<AbiType>& components() const noexcept { return children_; }
  // True for bytes, string, T[] and any T[k]/tuple containing one of those.
  [[nodiscard]] bool is_dynamic() const noexcept { return dynamic_; }
  // Bytes this type occupies in the head of its enclosing tuple: 32 if dynamic, else its
  // static size (32 per word-sized leaf).
  [[nodiscard]] std::size_t head_size() const noexcept { return dynamic_ ? 32 : static_size_; }
  // The canonical text ("(uint256,bytes)[]"), as used in signatures.
  [[nodiscard]] std::string canonical() const;

  friend bool operator==(const AbiType& a, const AbiType& b) {
    return a.kind_ == b.kind_ && a.size_ == b.size_ && a.children_ == b.children_;
  }

 private:
  AbiType(AbiKind kind, std::size_t size, std::vector<AbiType> children);

  AbiKind kind_ = AbiKind::kUint;
  std::size_t size_ = 256;
  std::vector<AbiType> children_;
  bool dynamic_ = false;
  std::size_t static_size_ = 32;
};

// Parses a comma-separated type list with or without surrounding parentheses:
// "uint256,bytes", "(uint256,bytes)", "" and "()" (the empty list).
// Errors: invalid_type.
[[nodiscard]] Result<std::vector<AbiType>> parse_abi_types(std::string_view text);

// A value to encode or a decoded value. Which alternative a type uses:
//   uint<M>, int<M>            U256 (int<M> as int256 two's complement, see uint256.hpp)
//   address                    FixedBytes<20>
//   bool                       bool
//   bytes<M>, bytes            Bytes (exactly M bytes for bytes<M>)
//   string                     std::string (raw bytes; not checked for UTF-8)
//   T[], T[k], tuples          std::vector<AbiValue>
class AbiValue {
 public:
  using List = std::vector<AbiValue>;
  using Storage = std::variant<U256, FixedBytes<20>, bool, Bytes, std::string, List>;

  AbiValue() = default;                              // the uint 0
  AbiValue(U256 v) : v_(v) {}                        // NOLINT: implicit, for readable literals
  AbiValue(FixedBytes<20> address) : v_(address) {}  // NOLINT
  AbiValue(const Address& address) : v_(address.bytes()) {}  // NOLINT
  // Only a real bool (not an int that would convert to one) makes a bool value.
  template <class B>
  requires std::same_as<B, bool> AbiValue(B b) : v_(b) {}  // NOLINT
  AbiValue(Bytes b) : v_(std::move(b)) {}                  // NOLINT
  AbiValue(std::string s) : v_(std::move(s)) {}            // NOLINT
  AbiValue(List items) : v_(std::move(items)) {}           // NOLINT
  AbiValue(const char*) = delete;                          // ambiguous: say std::string or Bytes

  [[nodiscard]] const Storage& storage() const noexcept { return v_; }
  [[nodiscard]] bool is_uint() const noexcept { return v_.index() == 0; }
  [[nodiscard]] bool is_address() const noexcept { return v_.index() == 1; }
  [[nodiscard]] bool is_bool() const noexcept { return v_.index() == 2; }
  [[nodiscard]] bool is_bytes() const noexcept { return v_.index() == 3; }
  [[nodiscard]] bool is_string() const noexcept { return v_.index() == 4; }
  [[nodiscard]] bool is_list() const noexcept { return v_.index() == 5; }
  // Accessors. REQUIRES: the matching is_*().
  [[nodiscard]] const U256& as_uint() const { return std::get<0>(v_); }
  [[nodiscard]] const FixedBytes<20>& as_address() const { return std::get<1>(v_); }
  [[nodiscard]] bool as_bool() const { return std::get<2>(v_); }
  [[nodiscard]] const Bytes& as_bytes() const { return std::get<3>(v_); }
  [[nodiscard]] const std::string& as_string() const { return std::get<4>(v_); }
  [[nodiscard]] const List& items() const { return std::get<5>(v_); }

  // Debug text: 123, 0xab.., true, "text", [a, b]. Integers print unsigned.
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const AbiValue&, const AbiValue&) = default;

 private:
  Storage v_;
};

// Encodes `values` as the tuple `types` (the layout of call arguments and return data).
// Errors: type_mismatch when the counts or a value's shape differ from the types,
// value_out_of_range when an integer exceeds its width or a bytesN value has the wrong length.
[[nodiscard]] Result<Bytes> abi_encode(std::span<const AbiType> types,
                                       std::span<const AbiValue> values);
// Encodes one value of one type as a one-element tuple (so abi_encode_single(uint256, 1) is 32
// bytes and a dynamic type gets its offset word first, as Solidity's abi.encode does).
[[nodiscard]] Result<Bytes> abi_encode_single(const AbiType& type, const AbiValue& value);

// Decodes `data` as the tuple `types`. Strict; see the file comment for each error.
[[nodiscard]] Result<std::vector<AbiValue>> abi_decode(std::span<const AbiType> types,
                                                       ByteView data);

// A parsed function or error signature: a name and its parameter types.
struct AbiSignature {
  std::string name;
  std::vector<AbiType> inputs;
  // "name(type1,type2)" with canonical types; what selectors and topics hash.
  [[nodiscard]] std::string canonical() const;
};

// Parses "transfer(address,uint256)" or "transfer(address to, uint256 amount)" (parameter names
// and the data-location words memory/calldata/storage are ignored).
// Errors: invalid_signature or invalid_type.
[[nodiscard]] Result<AbiSignature> parse_function_signature(std::string_view signature);

// The first 4 bytes of keccak256 of the canonical signature. Errors: those of
// parse_function_signature.
[[nodiscard]] Result<Selector> function_selector(std::string_view signature);
// The selector of an already canonical signature text (no parsing, no checks).
[[nodiscard]] Selector selector_of_canonical(std::string_view canonical_signature) noexcept;

// selector ‖ abi_encode(inputs, values). Errors: those of parse_function_signature and
// abi_encode.
[[nodiscard]] Result<Bytes> encode_call(std::string_view signature,
                                        std::span<const AbiValue> values);
// As above with an already parsed signature (no parsing per call). Errors: those of abi_encode.
[[nodiscard]] Result<Bytes> encode_call(const AbiSignature& function,
                                        std::span<const AbiValue> values);
// selector ‖ abi_encode(types, values) with a precomputed selector (no hashing per call; what
// generated bindings use). Errors: those of abi_encode.
[[nodiscard]] Result<Bytes> encode_call(const Selector& selector, std::span<const AbiType> types,
                                        std::span<const AbiValue> values);
// Splits call data into its selector and decoded arguments, checking the selector matches.
// Errors: data_too_short for fewer than 4 bytes, selector_mismatch when the selector differs;
// then those of abi_decode.
[[nodiscard]] Result<std::vector<AbiValue>> decode_call(const AbiSignature& function,
                                                        ByteView call_data);
// As above with a precomputed selector and the input types.
[[nodiscard]] Result<std::vector<AbiValue>> decode_call(const Selector& selector,
                                                        std::span<const AbiType> types,
                                                        ByteView call_data);

// One event parameter.
struct AbiEventParam {
  std::string name;  // may be empty
  AbiType type;
  bool indexed = false;
};

// An event: its name, parameters in declaration order, and whether it is anonymous (then it
// has no topic 0 and can carry four indexed parameters).
struct AbiEvent {
  std::string name;
  std::vector<AbiEventParam> params;
  bool anonymous = false;

  // "Transfer(address,address,uint256)".
  [[nodiscard]] std::string canonical() const;
  // keccak256(canonical()): the value of topic 0.
  [[nodiscard]] Hash32 topic() const;
};

// Parses "Transfer(address indexed from, address indexed to, uint256 value)"; a trailing
// " anonymous" marks an anonymous event.
// Errors: invalid_signature (also for more indexed parameters than topics allow) or
// invalid_type.
[[nodiscard]] Result<AbiEvent> parse_event_signature(std::string_view signature);

// keccak256 of the canonical event signature (topic 0). Errors: those of
// parse_event_signature.
[[nodiscard]] Result<Hash32> event_topic(std::string_view signature);

// Decodes a log into the event's parameters, in declaration order. Indexed parameters come from
// topics 1.. (static types decoded strictly from their word; dynamic types — bytes, string,
// arrays, tuples — are returned as the 32-byte topic, i.e. the keccak256 of their encoding, as
// Bytes); the rest are decoded from `data` as one tuple.
// Errors: topic_mismatch when topic 0 is not the event's topic (non-anonymous events) or the
// number of topics is wrong; then those of abi_decode.
[[nodiscard]] Result<std::vector<AbiValue>> decode_log(const AbiEvent& event,
                                                       std::span<const Hash32> topics,
                                                       ByteView data);

}  // namespace pactum::eth
