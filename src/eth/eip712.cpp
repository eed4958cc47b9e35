#include "pactum/eth/eip712.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "pactum/eth/keccak.hpp"

namespace pactum::eth {
namespace {

using Json = nlohmann::json;

// Values nest at most this deep (structs and arrays together). Recursive types such as
// Node { Node[] children } could otherwise recurse as deep as the JSON does.
constexpr int kMaxDepth = 64;
constexpr std::string_view kDomainType = "EIP712Domain";

struct Member {
  std::string name;
  std::string type;
};
using TypeMap = std::map<std::string, std::vector<Member>, std::less<>>;

enum class Atomic { kNone, kUint, kInt, kBool, kAddress, kFixedBytes, kBytes, kString };

struct AtomicType {
  Atomic kind = Atomic::kNone;
  unsigned size = 0;  // bits for kUint/kInt, bytes for kFixedBytes
};

// Parses the decimal digits of `text` as a size without sign or leading zeros.
std::optional<unsigned> parse_size(std::string_view text) {
  if (text.empty() || text.size() > 4 || (text[0] == '0' && text.size() > 1)) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

AtomicType atomic_type(std::string_view type) {
  if (type == "bool") return {Atomic::kBool, 0};
  if (type == "address") return {Atomic::kAddress, 0};
  if (type == "bytes") return {Atomic::kBytes, 0};
  if (type == "string") return {Atomic::kString, 0};
  auto sized = [&](std::string_view prefix, Atomic kind, unsigned lo, unsigned hi,
                   unsigned step) -> AtomicType {
    if (!type.starts_with(prefix)) return {};
    const auto n = parse_size(type.substr(prefix.size()));
    if (!n || *n < lo || *n > hi || *n % step != 0) return {};
    return {kind, *n};
  };
  if (auto t = sized("uint", Atomic::kUint, 8, 256, 8); t.kind != Atomic::kNone) return t;
  if (auto t = sized("int", Atomic::kInt, 8, 256, 8); t.kind != Atomic::kNone) return t;
  return sized("bytes", Atomic::kFixedBytes, 1, 32, 1);
}

struct ArrayType {
  std::string_view element;
  std::optional<std::size_t> length;  // nullopt for T[]
};

// Splits "T[k]" / "T[]" at the last bracket pair. Returns nullopt when `type` is not an array;
// an error when the brackets are malformed.
Result<std::optional<ArrayType>> split_array(std::string_view type) {
  if (type.empty() || type.back() != ']') return std::optional<ArrayType>{};
  const auto open = type.rfind('[');
  if (open == std::string_view::npos || open == 0) {
    return invalid_argument("malformed array type '" + std::string(type) + "'");
  }
  const std::string_view inside = type.substr(open + 1, type.size() - open - 2);
  ArrayType out{type.substr(0, open), std::nullopt};
  if (!inside.empty()) {
    const auto n = parse_size(inside);
    if (!n) return invalid_argument("malformed array length in '" + std::string(type) + "'");
    out.length = *n;
  }
  return std::optional<ArrayType>{out};
}

bool is_identifier(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  auto head = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
  };
  if (!head(s[0])) return false;
  return std::all_of(s.begin() + 1, s.end(),
                     [&](char c) { return head(c) || (c >= '0' && c <= '9'); });
}

// Checks that every member type resolves to an atomic type, a struct of `types`, or arrays
// thereof.
Status check_member_type(const TypeMap& types, std::string_view type, const std::string& where) {
  std::string_view base = type;
  for (;;) {
    PACTUM_TRY(auto array, split_array(base));
    if (!array) break;
    base = array->element;
  }
  if (atomic_type(base).kind != Atomic::kNone) return ok_status();
  if (types.find(base) != types.end()) return ok_status();
  return invalid_argument("unknown type '" + std::string(type) + "' in " + where);
}

Result<TypeMap> parse_types(const Json& json) {
  if (!json.is_object()) return invalid_argument("'types' must be an object");
  TypeMap types;
  for (const auto& [name, members] : json.items()) {
    if (!is_identifier(name) || atomic_type(name).kind != Atomic::kNone) {
      return invalid_argument("invalid struct type name '" + name + "'");
    }
    if (!members.is_array()) {
      return invalid_argument("types." + name + " must be an array of {name, type}");
    }
    std::vector<Member> list;
    std::set<std::string, std::less<>> seen;
    for (const auto& m : members) {
      if (!m.is_object() || !m.contains("name") || !m.contains("type") || !m["name"].is_string() ||
          !m["type"].is_string()) {
        return invalid_argument("types." + name + ": each member must be {name, type} strings");
      }
      Member member{m["name"].get<std::string>(), m["type"].get<std::string>()};
      if (!is_identifier(member.name)) {
        return invalid_argument("types." + name + ": invalid member name '" + member.name + "'");
      }
      if (!seen.insert(member.name).second) {
        return invalid_argument("types." + name + ": duplicate member '" + member.name + "'");
      }
      list.push_back(std::move(member));
    }
    types.emplace(name, std::move(list));
  }
  for (const auto& [name, members] : types) {
    for (const auto& m : members) {
      PACTUM_TRY_STATUS(check_member_type(types, m.type, name + "." + m.name));
    }
  }
  return types;
}

std::string_view strip_arrays(std::string_view type) {
  const auto bracket = type.find('[');
  return bracket == std::string_view::npos ? type : type.substr(0, bracket);
}

void collect_dependencies(const TypeMap& types, std::string_view type,
                          std::set<std::string, std::less<>>& found) {
  // Iterative, so that wide or deep type graphs cannot exhaust the stack.
  std::vector<std::string_view> pending{type};
  while (!pending.empty()) {
    const std::string_view current = pending.back();
    pending.pop_back();
    const auto it = types.find(current);
    if (it == types.end() || !found.insert(it->first).second) continue;
    for (const auto& m : it->second) pending.push_back(strip_arrays(m.type));
  }
}

std::string encode_type_of(const TypeMap& types, std::string_view primary) {
  std::set<std::string, std::less<>> deps;
  collect_dependencies(types, primary, deps);
  std::vector<std::string_view> order{primary};
  for (const auto& d : deps) {
    if (d != primary) order.push_back(d);  // std::set iterates sorted by name
  }
  std::string out;
  for (std::string_view name : order) {
    out += name;
    out += '(';
    const auto& members = types.find(name)->second;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i != 0) out += ',';
      out += members[i].type;
      out += ' ';
      out += members[i].name;
    }
    out += ')';
  }
  return out;
}

// Encodes values against the types of one document; caches type hashes.
class Encoder {
 public:
  explicit Encoder(const TypeMap& types) : types_(types) {}

  Result<Hash32> hash_struct(std::string_view type, const Json& value, const std::string& path,
                             int depth) {
    if (depth > kMaxDepth) {
      return invalid_argument(path + ": nesting deeper than " + std::to_string(kMaxDepth));
    }
    if (!value.is_object())
      return invalid_argument(path + ": expected an object for " + std::string(type));
    const auto& members = types_.find(type)->second;
    Keccak256 h;
    h.update(type_hash(type));
    Hash32 word;
    for (const auto& m : members) {
      const auto it = value.find(m.name);
      const std::string member_path = path + "." + m.name;
      if (it == value.end()) return invalid_argument(member_path + ": missing value");
      PACTUM_TRY_STATUS(encode_value(m.type, *it, member_path, depth + 1, word));
      h.update(word);
    }
    return h.finish();
  }

  const Hash32& type_hash(std::string_view type) {
    auto it = type_hashes_.find(type);
    if (it == type_hashes_.end()) {
      it =
          type_hashes_.emplace(std::string(type), keccak256(as_bytes(encode_type_of(types_, type))))
              .first;
    }
    return it->second;
  }

 private:
  Status encode_value(std::string_view type, const Json& value, const std::string& path, int depth,
                      Hash32& out) {
    if (depth > kMaxDepth) {
      return invalid_argument(path + ": nesting deeper than " + std::to_string(kMaxDepth));
    }
    PACTUM_TRY(auto array, split_array(type));
    if (array) {
      if (!value.is_array()) {
        return invalid_argument(path + ": expected an array for " + std::string(type));
      }
      if (array->length && value.size() != *array->length) {
        return invalid_argument(path + ": expected " + std::to_string(*array->length) +
                                " elements for " + std::string(type) + ", got " +
                                std::to_string(value.size()));
      }
      Keccak256 h;
      Hash32 word;
      for (std::size_t i = 0; i < value.size(); ++i) {
        PACTUM_TRY_STATUS(encode_value(array->element, value[i],
                                       path + "[" + std::to_string(i) + "]", depth + 1, word));
        h.update(word);
      }
      out = h.finish();
      return ok_status();
    }
    if (types_.find(type) != types_.end()) {
      PACTUM_TRY(out, hash_struct(type, value, path, depth));
      return ok_status();
    }
    return encode_atomic(atomic_type(type), type, value, path, out);
  }

  static Status encode_atomic(AtomicType t, std::string_view type, const Json& value,
                              const std::string& path, Hash32& out) {
    out.fill(0);
    const std::string type_name(type);
    switch (t.kind) {
      case Atomic::kBool:
        if (!value.is_boolean())
          return invalid_argument(path + ": expected true or false for bool");
        out[31] = value.get<bool>() ? 1 : 0;
        return ok_status();
      case Atomic::kString:
        if (!value.is_string()) return invalid_argument(path + ": expected a string");
        out = keccak256(as_bytes(value.get_ref<const std::string&>()));
        return ok_status();
      case Atomic::kAddress: {
        if (!value.is_string()) return invalid_argument(path + ": expected an address string");
        auto a = Address::parse(value.get_ref<const std::string&>());
        if (!a.ok()) return a.error().with_context(path);
        std::copy(a->bytes().begin(), a->bytes().end(), out.begin() + 12);
        return ok_status();
      }
      case Atomic::kBytes:
      case Atomic::kFixedBytes: {
        if (!value.is_string()) return invalid_argument(path + ": expected hex for " + type_name);
        auto bytes = from_hex(value.get_ref<const std::string&>());
        if (!bytes.ok()) return bytes.error().with_context(path);
        if (t.kind == Atomic::kBytes) {
          out = keccak256(*bytes);
          return ok_status();
        }
        if (bytes->size() != t.size) {
          return invalid_argument(path + ": expected " + std::to_string(t.size) + " bytes for " +
                                  type_name + ", got " + std::to_string(bytes->size()));
        }
        std::copy(bytes->begin(), bytes->end(), out.begin());  // bytesN is left-aligned
        return ok_status();
      }
      case Atomic::kUint:
      case Atomic::kInt: {
        PACTUM_TRY(U256 v, parse_integer(value, t.kind == Atomic::kInt, path));
        const bool fits =
            t.kind == Atomic::kInt ? fits_signed_bits(v, t.size) : fits_unsigned_bits(v, t.size);
        if (!fits) return out_of_range(path + ": value out of range for " + type_name);
        v.store_word(out.data());
        return ok_status();
      }
      case Atomic::kNone:
        break;
    }
    return internal_error(path + ": unchecked type '" + type_name + "'");
  }

  static Result<U256> parse_integer(const Json& value, bool is_signed, const std::string& path) {
    if (value.is_number_unsigned()) return U256(value.get<std::uint64_t>());
    if (value.is_number_integer()) {
      const std::int64_t v = value.get<std::int64_t>();
      if (v < 0 && !is_signed) return out_of_range(path + ": negative value for an unsigned type");
      return from_i64(v);
    }
    if (value.is_number_float()) {
      // JSON numbers beyond 2^53 lose precision in most producers; insist on strings there.
      const double d = value.get<double>();
      if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9007199254740992.0) {
        return invalid_argument(path + ": not an exact integer (pass large values as strings)");
      }
      if (d < 0 && !is_signed) return out_of_range(path + ": negative value for an unsigned type");
      return from_i64(static_cast<std::int64_t>(d));
    }
    if (!value.is_string()) return invalid_argument(path + ": expected an integer");
    const auto& text = value.get_ref<const std::string&>();
    auto parsed = is_signed ? parse_i256(text) : U256::from_string(text);
    if (!parsed.ok()) return parsed.error().with_context(path);
    return parsed;
  }

  const TypeMap& types_;
  std::map<std::string, Hash32, std::less<>> type_hashes_;
};

// The domain type ethers derives when the document does not declare EIP712Domain.
Result<std::vector<Member>> derive_domain_type(const Json& domain) {
  static const Member kStandard[] = {{"name", "string"},
                                     {"version", "string"},
                                     {"chainId", "uint256"},
                                     {"verifyingContract", "address"},
                                     {"salt", "bytes32"}};
  for (const auto& item : domain.items()) {
    const std::string& key = item.key();  // a named reference: lambdas cannot capture bindings
    const bool known = std::any_of(std::begin(kStandard), std::end(kStandard),
                                   [&](const Member& m) { return m.name == key; });
    if (!known) {
      return invalid_argument("domain: unknown key '" + key +
                              "' (declare types.EIP712Domain to use custom domain members)");
    }
  }
  std::vector<Member> members;
  for (const auto& m : kStandard) {
    if (domain.contains(m.name)) members.push_back(m);
  }
  return members;
}

Hash32 signing_hash_of(const Hash32& domain, const Hash32& message) noexcept {
  std::uint8_t buf[66];
  buf[0] = 0x19;
  buf[1] = 0x01;
  std::copy(domain.begin(), domain.end(), buf + 2);
  std::copy(message.begin(), message.end(), buf + 34);
  return keccak256(ByteView(buf, sizeof buf));
}

// keccak256(0x19 0x01 ‖ domain): the hash to sign when the primary type is the domain itself.
Hash32 signing_hash_of_domain(const Hash32& domain) noexcept {
  std::uint8_t buf[34];
  buf[0] = 0x19;
  buf[1] = 0x01;
  std::copy(domain.begin(), domain.end(), buf + 2);
  return keccak256(ByteView(buf, sizeof buf));
}

}  // namespace

struct TypedData::Impl {
  TypeMap types;
  std::string primary_type;
  Hash32 domain_separator{};
  Hash32 struct_hash{};
  Hash32 signing_hash{};
};

TypedData::TypedData(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
TypedData::TypedData(TypedData&&) noexcept = default;
TypedData& TypedData::operator=(TypedData&&) noexcept = default;
TypedData::~TypedData() = default;

Result<TypedData> TypedData::parse_json(std::string_view json) try {
  const Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return invalid_argument("typed data: malformed JSON");
  if (!doc.is_object()) return invalid_argument("typed data: expected a JSON object");
  for (const char* key : {"types", "primaryType", "domain", "message"}) {
    if (!doc.contains(key))
      return invalid_argument(std::string("typed data: missing '") + key + "'");
  }
  auto impl = std::make_unique<Impl>();
  auto types = parse_types(doc["types"]);
  if (!types.ok()) return types.error().with_context("typed data");
  impl->types = std::move(*types);
  if (!doc["primaryType"].is_string()) {
    return invalid_argument("typed data: 'primaryType' must be a string");
  }
  impl->primary_type = doc["primaryType"].get<std::string>();
  const Json& domain = doc["domain"];
  if (!domain.is_object()) return invalid_argument("typed data: 'domain' must be an object");
  // Derived before primaryType is looked up: a document may sign its domain alone
  // (primaryType "EIP712Domain") without declaring the domain's type.
  if (impl->types.find(kDomainType) == impl->types.end()) {
    auto members = derive_domain_type(domain);
    if (!members.ok()) return members.error().with_context("typed data");
    impl->types.emplace(std::string(kDomainType), std::move(*members));
  }
  if (impl->types.find(impl->primary_type) == impl->types.end()) {
    return invalid_argument("typed data: primaryType '" + impl->primary_type +
                            "' is not defined in types");
  }
  Encoder encoder(impl->types);
  auto domain_hash = encoder.hash_struct(kDomainType, domain, "domain", 0);
  if (!domain_hash.ok()) return domain_hash.error().with_context("typed data");
  impl->domain_separator = *domain_hash;
  if (impl->primary_type == kDomainType) {
    // MetaMask's eth_signTypedData_v4 (eth-sig-util's eip712Hash) signs keccak256(0x19 0x01 ‖
    // domainSeparator) for such a document and never reads its message; a wallet shows the same.
    impl->struct_hash = impl->domain_separator;
    impl->signing_hash = signing_hash_of_domain(impl->domain_separator);
    return TypedData(std::move(impl));
  }
  auto message_hash = encoder.hash_struct(impl->primary_type, doc["message"], "message", 0);
  if (!message_hash.ok()) return message_hash.error().with_context("typed data");
  impl->struct_hash = *message_hash;
  impl->signing_hash = signing_hash_of(impl->domain_separator, impl->struct_hash);
  return TypedData(std::move(impl));
} catch (const std::exception& e) {
  // nlohmann accessors are guarded above; this only catches allocation failure and the like.
  return internal_error(std::string("typed data: ") + e.what());
}

const std::string& TypedData::primary_type() const noexcept {
  return impl_->primary_type;
}
const Hash32& TypedData::domain_separator() const noexcept {
  return impl_->domain_separator;
}
const Hash32& TypedData::struct_hash() const noexcept {
  return impl_->struct_hash;
}
const Hash32& TypedData::signing_hash() const noexcept {
  return impl_->signing_hash;
}

Result<std::string> TypedData::encode_type(std::string_view type_name) const {
  if (impl_->types.find(type_name) == impl_->types.end()) {
    return not_found("typed data: no struct type '" + std::string(type_name) + "'");
  }
  return encode_type_of(impl_->types, type_name);
}

Result<Hash32> TypedData::type_hash(std::string_view type_name) const {
  PACTUM_TRY(std::string encoded, encode_type(type_name));
  return keccak256(as_bytes(encoded));
}

Signature sign_typed_data(const PrivateKey& key, const TypedData& data) noexcept {
  return sign_hash(key, data.signing_hash());
}

Result<Address> recover_typed_data_signer(const TypedData& data, const Signature& signature) {
  return recover_address(data.signing_hash(), signature);
}

Hash32 domain_separator(const Eip712Domain& domain) {
  std::string type = "EIP712Domain(";
  std::vector<Hash32> words;
  auto add = [&](const char* decl, const Hash32& word) {
    if (!words.empty()) type += ',';
    type += decl;
    words.push_back(word);
  };
  if (domain.name) add("string name", keccak256(as_bytes(*domain.name)));
  if (domain.version) add("string version", keccak256(as_bytes(*domain.version)));
  if (domain.chain_id) add("uint256 chainId", domain.chain_id->to_word());
  if (domain.verifying_contract) {
    Hash32 word{};
    std::copy(domain.verifying_contract->bytes().begin(), domain.verifying_contract->bytes().end(),
              word.begin() + 12);
    add("address verifyingContract", word);
  }
  if (domain.salt) add("bytes32 salt", *domain.salt);
  type += ')';
  Keccak256 h;
  h.update(keccak256(as_bytes(type)));
  for (const auto& w : words) h.update(w);
  return h.finish();
}

Hash32 typed_data_signing_hash(const Hash32& domain_separator, const Hash32& struct_hash) noexcept {
  return signing_hash_of(domain_separator, struct_hash);
}

}  // namespace pactum::eth
