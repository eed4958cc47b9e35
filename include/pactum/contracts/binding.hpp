// What the generated contract bindings stand on: the mapping between typed C++ values and
// eth::AbiValue, directed by the eth::AbiType each value has in the ABI.
//
// The bindings (<build>/generated/pactum/contracts/*.hpp, written by tools/abigen from the forge
// artifacts) map the ABI types to C++ types as follows:
//   uint8/16/32/64, int8/16/32/64     std::uint8_t … std::int64_t
//   other uint<M>/int<M> up to 64     std::uint64_t / std::int64_t (range checked on encode)
//   uint<M>/int<M> above 64           eth::U256 (int<M> as two's complement)
//   enum E (uint8 + internalType)     a generated `enum class E : std::uint8_t`
//   address (and contract types)      eth::Address
//   bool                              bool
//   bytes32 / bytes<M>                Hash32 / FixedBytes<M>
//   bytes, string                     Bytes, std::string
//   T[], T[k]                         std::vector<T>, std::array<T, k>
//   tuples                            a generated struct named after the Solidity struct
// Because the conversion is directed by the AbiType, std::vector<std::uint8_t> serves both
// `bytes` and `uint8[]` without ambiguity.
//
// API boundary: generated code uses this header; callers of the bindings normally do not.
//
// Thread safety: pure functions over values.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/abi.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/uint256.hpp"

namespace pactum::contracts::binding {

// Parses the canonical parameter list the generator wrote ("bytes32,(address,uint256[])"),
// without surrounding parentheses ("" is the empty list).
// REQUIRES: `canonical` is valid (the generator checked it with the same parser); aborts
// otherwise, since a generated constant that does not parse is a build defect, not input.
[[nodiscard]] std::vector<eth::AbiType> parse_types(std::string_view canonical);
// The same for a single type.
[[nodiscard]] eth::AbiType parse_type(std::string_view canonical);

// selector ‖ abi_encode(types, values). Errors: those of eth::abi_encode (value_out_of_range for
// an integer too wide for its type).
[[nodiscard]] Result<Bytes> encode_call(const eth::Selector& selector,
                                        std::span<const eth::AbiType> types,
                                        std::span<const eth::AbiValue> values);

// creation_code ‖ abi_encode(types, values): the data of a contract-creation transaction.
// Errors: those of eth::abi_encode.
[[nodiscard]] Result<Bytes> encode_creation(ByteView creation_code,
                                            std::span<const eth::AbiType> types,
                                            std::span<const eth::AbiValue> values);

// "Name(a=1, b=0x…)" from decoded values and their parameter names (an empty name shows as
// its position). REQUIRES: names.size() == values.size().
[[nodiscard]] std::string describe_call(std::string_view name,
                                        std::span<const std::string_view> names,
                                        std::span<const eth::AbiValue> values);

// Specialized by the generated code for each generated enum: the number of its members, so
// that a decoded value past the last member is an error rather than an invalid enumerator.
template <class E>
struct EnumTraits;

// Codec<T>::to(value, type) -> AbiValue and Codec<T>::from(abi_value, type, out) -> Status.
// `from` reports kInvalidArgument with "abi type_mismatch:" when the decoded value does not have
// the shape `type` says (which eth::abi_decode already guarantees; checked anyway) and
// "abi value_out_of_range:" for an enum value past its last member.
template <class T, class Enable = void>
struct Codec;

namespace detail {
[[nodiscard]] Error mismatch(const eth::AbiType& type, const eth::AbiValue& value);
[[nodiscard]] Error enum_out_of_range(const eth::U256& value, std::uint64_t count);
[[nodiscard]] Error length_mismatch(std::size_t expected, std::size_t got);
}  // namespace detail

template <>
struct Codec<eth::U256> {
  static eth::AbiValue to(const eth::U256& v, const eth::AbiType&) { return v; }
  static Status from(const eth::AbiValue& v, const eth::AbiType& t, eth::U256& out) {
    if (!v.is_uint()) return detail::mismatch(t, v);
    out = v.as_uint();
    return ok_status();
  }
};

template <>
struct Codec<eth::Address> {
  static eth::AbiValue to(const eth::Address& v, const eth::AbiType&) { return v.bytes(); }
  static Status from(const eth::AbiValue& v, const eth::AbiType& t, eth::Address& out) {
    if (!v.is_address()) return detail::mismatch(t, v);
    out = eth::Address(v.as_address());
    return ok_status();
  }
};

template <>
struct Codec<bool> {
  static eth::AbiValue to(bool v, const eth::AbiType&) { return v; }
  static Status from(const eth::AbiValue& v, const eth::AbiType& t, bool& out) {
    if (!v.is_bool()) return detail::mismatch(t, v);
    out = v.as_bool();
    return ok_status();
  }
};

// Fixed-width integers; signed ones as int<M> two's complement.
template <class T>
struct Codec<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  static eth::AbiValue to(T v, const eth::AbiType&) {
    if constexpr (std::is_signed_v<T>) {
      return eth::from_i64(static_cast<std::int64_t>(v));
    } else {
      return eth::U256(static_cast<std::uint64_t>(v));
    }
  }
  static Status from(const eth::AbiValue& v, const eth::AbiType& t, T& out) {
    if (!v.is_uint()) return detail::mismatch(t, v);
    const eth::U256& u = v.as_uint();
    if constexpr (std::is_signed_v<T>) {
      if (!eth::fits_signed_bits(u, sizeof(T) * 8)) return detail::mismatch(t, v);
      out = static_cast<T>(static_cast<std::int64_t>(u.low64()));
    } else {
      if (!eth::fits_unsigned_bits(u, sizeof(T) * 8)) return detail::mismatch(t, v);
      out = static_cast<T>(u.low64());
    }
    return ok_status();
  }
};

// Generated enums (a uint8 in the ABI).
template <class E>
struct Codec<E, std::enable_if_t<std::is_enum_v<E>>> {
  static eth::AbiValue to(E v, const eth::AbiType&) {
    return eth::U256(static_cast<std::uint64_t>(static_cast<std::underlying_type_t<E>>(v)));
  }
  static Status from(const eth::AbiValue& v, const eth::AbiType& t, E& out) {
    if (!v.is_uint()) return detail::mismatch(t, v);
    const eth::U256& u = v.as_uint();
    if (!u.fits_u64() || u.low64() >= EnumTraits<E>::kCount) {
      return detail::enum_out_of_range(u, EnumTraits<E>::kCount);
    }
    out = static_cast<E>(u.low64());
    return ok_status();
  }
};

// bytes<M> (and bytes32 = Hash32).
template <std::size_t N>
struct Codec<FixedBytes<N>> {
  static eth::AbiValue to(const FixedBytes<N>& v, const eth::AbiType& t) {
    if (t.kind() == eth::AbiKind::kFixedArray) {  // uint8[N]
      eth::AbiValue::List items;
      for (std::uint8_t b : v) items.push_back(eth::U256(std::uint64_t{b}));
      return items;
    }
    return Bytes(v.begin(), v.end());
  }
  static Status from(const eth::AbiValue& v, const eth::AbiType& t, FixedBytes<N>& out) {
    if (t.kind() == eth::AbiKind::kFixedArray) {
      if (!v.is_list()) return detail::mismatch(t, v);
      if (v.items().size() != N) return detail::length_mismatch(N, v.items().size());
      for (std::size_t i = 0; i < N; ++i) {
        PACTUM_TRY_STATUS(Codec<std::uint8_t>::from(v.items()[i], t.element(), out[i]));
      }
      return ok_status();
    }
    if (!v.is_bytes() || v.as_bytes().size() != N) return detail::mismatch(t, v);
    for (std::size_t i = 0; i < N; ++i) out[i] = v.as_bytes()[i];
    return ok_status();
  }
};

template <>
struct Codec<std::string> {
  static eth::AbiValue to(const std::string& v, const eth::AbiType&) { return v; }
  static Status from(const eth::AbiValue& v, const eth::AbiType& t, std::string& out) {
    if (!v.is_string()) return detail::mismatch(t, v);
    out = v.as_string();
    return ok_status();
  }
};

// T[] — and `bytes` when T is std::uint8_t and the type says kBytes.
template <class T>
struct Codec<std::vector<T>> {
  static eth::AbiValue to(const std::vector<T>& v, const eth::AbiType& t) {
    if constexpr (std::is_same_v<T, std::uint8_t>) {
      if (t.kind() == eth::AbiKind::kBytes) return Bytes(v);
    }
    eth::AbiValue::List items;
    items.reserve(v.size());
    for (const T& item : v) items.push_back(Codec<T>::to(item, t.element()));
    return items;
  }
  static Status from(const eth::AbiValue& v, const eth::AbiType& t, std::vector<T>& out) {
    if constexpr (std::is_same_v<T, std::uint8_t>) {
      if (t.kind() == eth::AbiKind::kBytes) {
        if (!v.is_bytes()) return detail::mismatch(t, v);
        out = v.as_bytes();
        return ok_status();
      }
    }
    if (!v.is_list() || t.kind() != eth::AbiKind::kArray) return detail::mismatch(t, v);
    out.clear();
    out.resize(v.items().size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      PACTUM_TRY_STATUS(Codec<T>::from(v.items()[i], t.element(), out[i]));
    }
    return ok_status();
  }
};

// T[k]. (std::array<std::uint8_t, N> is FixedBytes<N>: bytes<N> when the type is kFixedBytes.)
template <class T, std::size_t N>
struct Codec<std::array<T, N>, std::enable_if_t<!std::is_same_v<T, std::uint8_t>>> {
  static eth::AbiValue to(const std::array<T, N>& v, const eth::AbiType& t) {
    eth::AbiValue::List items;
    items.reserve(N);
    for (const T& item : v) items.push_back(Codec<T>::to(item, t.element()));
    return items;
  }
  static Status from(const eth::AbiValue& v, const eth::AbiType& t, std::array<T, N>& out) {
    if (!v.is_list() || t.kind() != eth::AbiKind::kFixedArray) return detail::mismatch(t, v);
    if (v.items().size() != N) return detail::length_mismatch(N, v.items().size());
    for (std::size_t i = 0; i < N; ++i) {
      PACTUM_TRY_STATUS(Codec<T>::from(v.items()[i], t.element(), out[i]));
    }
    return ok_status();
  }
};

// Generated structs: they carry `to_abi(type)` and `static from_abi(value, type)`.
template <class S>
    struct Codec < S,
    std::enable_if_t < std::is_class_v<S>&& requires(const S& s, const eth::AbiType& t) {
  s.to_abi(t);
} >> {static eth::AbiValue to(const S& v, const eth::AbiType& t){return v.to_abi(t);
}  // namespace pactum::contracts::binding
static Status from(const eth::AbiValue& v, const eth::AbiType& t, S& out) {
  PACTUM_TRY(out, S::from_abi(v, t));
  return ok_status();
}
}
;

// Conveniences for generated code.
template <class T>
[[nodiscard]] eth::AbiValue to_abi(const T& value, const eth::AbiType& type) {
  return Codec<T>::to(value, type);
}
template <class T>
[[nodiscard]] Status from_abi(const eth::AbiValue& value, const eth::AbiType& type, T& out) {
  return Codec<T>::from(value, type, out);
}

// The fields of a decoded tuple value. Errors: type_mismatch when `value` is not a list of
// `count` items.
[[nodiscard]] Result<std::span<const eth::AbiValue>> tuple_items(const eth::AbiValue& value,
                                                                 const eth::AbiType& type,
                                                                 std::size_t count);

}  // namespace pactum::contracts::binding
