#include "pactum/contracts/binding.hpp"

#include <cstdio>
#include <cstdlib>

namespace pactum::contracts::binding {

std::vector<eth::AbiType> parse_types(std::string_view canonical) {
  if (canonical.empty()) return {};
  // Always parenthesized: a bare list that starts with a tuple would read as the whole list.
  auto types = eth::parse_abi_types("(" + std::string(canonical) + ")");
  if (!types.ok()) {
    std::fprintf(stderr, "pactum bindings: generated type list \"%.*s\" does not parse: %s\n",
                 static_cast<int>(canonical.size()), canonical.data(),
                 types.error().message().c_str());
    std::abort();
  }
  return std::move(types).value();
}

eth::AbiType parse_type(std::string_view canonical) {
  auto type = eth::AbiType::parse(canonical);
  if (!type.ok()) {
    std::fprintf(stderr, "pactum bindings: generated type \"%.*s\" does not parse: %s\n",
                 static_cast<int>(canonical.size()), canonical.data(),
                 type.error().message().c_str());
    std::abort();
  }
  return std::move(type).value();
}

Result<Bytes> encode_call(const eth::Selector& selector, std::span<const eth::AbiType> types,
                          std::span<const eth::AbiValue> values) {
  PACTUM_TRY(Bytes args, eth::abi_encode(types, values));
  Bytes out;
  out.reserve(selector.size() + args.size());
  out.insert(out.end(), selector.begin(), selector.end());
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

Result<Bytes> encode_creation(ByteView creation_code, std::span<const eth::AbiType> types,
                              std::span<const eth::AbiValue> values) {
  PACTUM_TRY(Bytes args, eth::abi_encode(types, values));
  Bytes out;
  out.reserve(creation_code.size() + args.size());
  out.insert(out.end(), creation_code.begin(), creation_code.end());
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

std::string describe_call(std::string_view name, std::span<const std::string_view> names,
                          std::span<const eth::AbiValue> values) {
  std::string out(name);
  out += '(';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    if (i < names.size() && !names[i].empty()) {
      out += names[i];
    } else {
      out += std::to_string(i);
    }
    out += '=';
    out += values[i].to_string();
  }
  out += ')';
  return out;
}

Result<std::span<const eth::AbiValue>> tuple_items(const eth::AbiValue& value,
                                                   const eth::AbiType& type, std::size_t count) {
  if (!value.is_list() || type.kind() != eth::AbiKind::kTuple || value.items().size() != count ||
      type.components().size() != count) {
    return detail::mismatch(type, value);
  }
  return std::span<const eth::AbiValue>(value.items());
}

namespace detail {

Error mismatch(const eth::AbiType& type, const eth::AbiValue& value) {
  return invalid_argument("abi type_mismatch: decoded value " + value.to_string() +
                          " does not have the shape of " + type.canonical());
}

Error enum_out_of_range(const eth::U256& value, std::uint64_t count) {
  return invalid_argument("abi value_out_of_range: enum value " + value.to_dec() +
                          " is past the last of its " + std::to_string(count) + " members");
}

Error length_mismatch(std::size_t expected, std::size_t got) {
  return invalid_argument("abi type_mismatch: " + std::to_string(got) +
                          " elements decoded for a fixed array of " + std::to_string(expected));
}

}  // namespace detail
}  // namespace pactum::contracts::binding
