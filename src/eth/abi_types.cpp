// ABI type strings and signatures: parsing and canonical text.
#include <algorithm>
#include <limits>

#include "abi_internal.hpp"
#include "pactum/eth/abi.hpp"
#include "pactum/eth/keccak.hpp"

namespace pactum::eth {
namespace {

using abi_detail::abi_error;

// Largest static size a type may have; keeps head arithmetic far from overflow.
constexpr std::size_t kMaxStaticSize = std::size_t{1} << 32;

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool is_ident_char(char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9');
}

// Parses a decimal bit width / size / length with no leading zeros. Returns -1 when absent or
// malformed, -2 when too large.
long long parse_number(std::string_view digits) {
  if (digits.empty() || digits.size() > 12) return digits.empty() ? -1 : -2;
  if (digits.size() > 1 && digits[0] == '0') return -1;
  long long v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : text_(text) {}

  void skip_ws() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  std::size_t pos() const { return pos_; }
  void advance() { ++pos_; }

  std::string_view identifier() {
    const std::size_t start = pos_;
    if (at_end() || !is_ident_start(text_[pos_])) return {};
    while (pos_ < text_.size() && is_ident_char(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  Error fail(const std::string& what) const {
    std::string detail = "'";  // appends, for the same GCC 12 -Wrestrict false positive
    detail.append(text_);
    detail += "' at position ";
    detail += std::to_string(pos_);
    detail += ": ";
    detail += what;
    return abi_error("invalid_type", detail);
  }

  // Parses one type, with array suffixes. Inside tuples, component names are skipped.
  Result<AbiType> parse_type(std::size_t depth) {
    if (depth > kAbiMaxTypeDepth) {
      return fail("nested deeper than " + std::to_string(kAbiMaxTypeDepth));
    }
    PACTUM_TRY(AbiType base, parse_base(depth));
    while (peek() == '[') {
      if (depth + 1 > kAbiMaxTypeDepth) {
        return fail("nested deeper than " + std::to_string(kAbiMaxTypeDepth));
      }
      ++depth;
      advance();
      const std::size_t start = pos_;
      while (!at_end() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      const std::string_view digits = text_.substr(start, pos_ - start);
      if (peek() != ']') return fail("expected ']'");
      advance();
      if (digits.empty()) {
        base = AbiType::array(std::move(base));
        continue;
      }
      const long long n = parse_number(digits);
      if (n <= 0) return fail("array length must be a positive number without leading zeros");
      if (n == -2 || static_cast<unsigned long long>(n) > kMaxStaticSize / 32 ||
          (!base.is_dynamic() && base.head_size() > kMaxStaticSize / static_cast<std::size_t>(n))) {
        return fail("fixed array too large");
      }
      base = AbiType::fixed_array(std::move(base), static_cast<std::size_t>(n));
    }
    return base;
  }

 private:
  Result<AbiType> parse_tuple(std::size_t depth) {
    advance();  // '('
    std::vector<AbiType> components;
    skip_ws();
    if (peek() == ')') return fail("empty tuple");
    std::size_t total = 0;
    while (true) {
      skip_ws();
      PACTUM_TRY(AbiType component, parse_type(depth + 1));
      skip_ws();
      if (is_ident_start(peek())) {  // a component name ("(uint256 amount, ...)")
        (void)identifier();
        skip_ws();
      }
      total += component.head_size();
      if (total > kMaxStaticSize) return fail("tuple too large");
      components.push_back(std::move(component));
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() == ')') {
        advance();
        break;
      }
      return fail("expected ',' or ')'");
    }
    return AbiType::tuple(std::move(components));
  }

  Result<AbiType> parse_base(std::size_t depth) {
    if (peek() == '(') return parse_tuple(depth);
    const std::size_t start = pos_;
    while (!at_end() && ((text_[pos_] >= 'a' && text_[pos_] <= 'z') ||
                         (text_[pos_] >= '0' && text_[pos_] <= '9'))) {
      ++pos_;
    }
    const std::string_view word = text_.substr(start, pos_ - start);
    if (word == "tuple" && peek() == '(') return parse_tuple(depth);
    if (word == "address") return AbiType::address();
    if (word == "bool") return AbiType::boolean();
    if (word == "string") return AbiType::string();
    if (word == "bytes") return AbiType::bytes();
    if (word == "uint") return AbiType::uint(256);
    if (word == "int") return AbiType::int_(256);
    auto with_number = [&](std::string_view prefix, long long lo, long long hi, long long step,
                           AbiKind kind) -> Result<AbiType> {
      const long long n = parse_number(word.substr(prefix.size()));
      if (n < lo || n > hi || n % step != 0) {
        pos_ = start;
        return not_a_type(word);
      }
      const auto u = static_cast<unsigned>(n);
      if (kind == AbiKind::kUint) return AbiType::uint(u);
      if (kind == AbiKind::kInt) return AbiType::int_(u);
      return AbiType::fixed_bytes(u);
    };
    if (word.starts_with("uint")) return with_number("uint", 8, 256, 8, AbiKind::kUint);
    if (word.starts_with("int")) return with_number("int", 8, 256, 8, AbiKind::kInt);
    if (word.starts_with("bytes")) return with_number("bytes", 1, 32, 1, AbiKind::kFixedBytes);
    pos_ = start;
    if (word.empty()) return fail("expected a type");
    return not_a_type(word);
  }

  Error not_a_type(std::string_view word) const {
    std::string what = "'";
    what.append(word);
    what += "' is not an ABI type";
    return fail(what);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

void append_canonical(std::string& out, const AbiType& t) {
  switch (t.kind()) {
    case AbiKind::kUint:
      out += "uint" + std::to_string(t.size());
      return;
    case AbiKind::kInt:
      out += "int" + std::to_string(t.size());
      return;
    case AbiKind::kAddress:
      out += "address";
      return;
    case AbiKind::kBool:
      out += "bool";
      return;
    case AbiKind::kFixedBytes:
      out += "bytes" + std::to_string(t.size());
      return;
    case AbiKind::kBytes:
      out += "bytes";
      return;
    case AbiKind::kString:
      out += "string";
      return;
    case AbiKind::kArray:
      append_canonical(out, t.element());
      out += "[]";
      return;
    case AbiKind::kFixedArray:
      append_canonical(out, t.element());
      out += "[" + std::to_string(t.size()) + "]";
      return;
    case AbiKind::kTuple:
      out += '(';
      for (std::size_t i = 0; i < t.components().size(); ++i) {
        if (i != 0) out += ',';
        append_canonical(out, t.components()[i]);
      }
      out += ')';
      return;
  }
}

std::string canonical_list(std::string_view name, const std::vector<AbiType>& types) {
  std::string out(name);
  out += '(';
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (i != 0) out += ',';
    append_canonical(out, types[i]);
  }
  out += ')';
  return out;
}

Error signature_error(std::string_view text, const std::string& what) {
  // Built by appends: GCC 12's -Wrestrict misfires on "'" + std::string(...) at -O3.
  std::string detail = "'";
  detail.append(text);
  detail += "': ";
  detail += what;
  return abi_error("invalid_signature", detail);
}

// One parameter of a signature: its type and the words after it.
struct ParsedParam {
  AbiType type;
  std::string name;
  bool indexed = false;
};

// Parses "name(type [indexed] [location] [name], ...)" leaving the parser after ')'.
Result<std::vector<ParsedParam>> parse_params(TypeParser& p, std::string_view text,
                                              bool allow_indexed) {
  std::vector<ParsedParam> params;
  if (p.peek() != '(') return signature_error(text, "expected '(' after the name");
  p.advance();
  p.skip_ws();
  if (p.peek() == ')') {
    p.advance();
    return params;
  }
  while (true) {
    p.skip_ws();
    ParsedParam param;
    PACTUM_TRY(param.type, p.parse_type(1));
    while (true) {
      p.skip_ws();
      const std::string_view word = p.identifier();
      if (word.empty()) break;
      if (word == "indexed") {
        if (!allow_indexed) return signature_error(text, "'indexed' outside an event");
        param.indexed = true;
      } else if (word == "memory" || word == "calldata" || word == "storage") {
        continue;
      } else if (param.name.empty()) {
        param.name = std::string(word);
      } else {
        return signature_error(text, "unexpected word '" + std::string(word) + "'");
      }
    }
    params.push_back(std::move(param));
    if (p.peek() == ',') {
      p.advance();
      continue;
    }
    if (p.peek() == ')') {
      p.advance();
      return params;
    }
    return signature_error(text, "expected ',' or ')' at position " + std::to_string(p.pos()));
  }
}

// Strips an optional leading keyword ("function ", "event ").
std::string_view strip_keyword(std::string_view text, std::string_view keyword) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.starts_with(keyword) && text.size() > keyword.size() && text[keyword.size()] == ' ') {
    text.remove_prefix(keyword.size() + 1);
  }
  return text;
}

}  // namespace

AbiType::AbiType(AbiKind kind, std::size_t size, std::vector<AbiType> children)
    : kind_(kind), size_(size), children_(std::move(children)) {
  switch (kind_) {
    case AbiKind::kBytes:
    case AbiKind::kString:
    case AbiKind::kArray:
      dynamic_ = true;
      break;
    case AbiKind::kFixedArray:
      dynamic_ = children_.front().dynamic_;
      // Saturate: parse() keeps real types far below this.
      static_size_ =
          children_.front().head_size() > kMaxStaticSize / std::max<std::size_t>(size_, 1)
              ? kMaxStaticSize
              : children_.front().head_size() * size_;
      break;
    case AbiKind::kTuple:
      static_size_ = 0;
      for (const AbiType& c : children_) {
        dynamic_ = dynamic_ || c.dynamic_;
        static_size_ = std::min(kMaxStaticSize, static_size_ + c.head_size());
      }
      break;
    default:
      break;
  }
}

AbiType AbiType::uint(unsigned bits) {
  return AbiType(AbiKind::kUint, bits, {});
}
AbiType AbiType::int_(unsigned bits) {
  return AbiType(AbiKind::kInt, bits, {});
}
AbiType AbiType::address() {
  return AbiType(AbiKind::kAddress, 0, {});
}
AbiType AbiType::boolean() {
  return AbiType(AbiKind::kBool, 0, {});
}
AbiType AbiType::fixed_bytes(unsigned size) {
  return AbiType(AbiKind::kFixedBytes, size, {});
}
AbiType AbiType::bytes() {
  return AbiType(AbiKind::kBytes, 0, {});
}
AbiType AbiType::string() {
  return AbiType(AbiKind::kString, 0, {});
}
AbiType AbiType::array(AbiType element) {
  std::vector<AbiType> c;
  c.push_back(std::move(element));
  return AbiType(AbiKind::kArray, 0, std::move(c));
}
AbiType AbiType::fixed_array(AbiType element, std::size_t length) {
  std::vector<AbiType> c;
  c.push_back(std::move(element));
  return AbiType(AbiKind::kFixedArray, length, std::move(c));
}
AbiType AbiType::tuple(std::vector<AbiType> components) {
  return AbiType(AbiKind::kTuple, 0, std::move(components));
}

Result<AbiType> AbiType::parse(std::string_view text) {
  TypeParser p(text);
  p.skip_ws();
  PACTUM_TRY(AbiType t, p.parse_type(0));
  p.skip_ws();
  if (!p.at_end()) return p.fail("unexpected text after the type");
  return t;
}

std::string AbiType::canonical() const {
  std::string out;
  append_canonical(out, *this);
  return out;
}

Result<std::vector<AbiType>> parse_abi_types(std::string_view text) {
  TypeParser p(text);
  p.skip_ws();
  std::vector<AbiType> types;
  if (p.at_end()) return types;
  const bool parenthesized = p.peek() == '(';
  if (parenthesized) {
    // "(…)" may be a list or a list followed by "[]" (then it is one tuple-array type).
    PACTUM_TRY(AbiType t, p.parse_type(0));
    p.skip_ws();
    if (!p.at_end()) return p.fail("unexpected text after the type list");
    if (t.kind() == AbiKind::kTuple) return t.components();
    types.push_back(std::move(t));
    return types;
  }
  while (true) {
    p.skip_ws();
    PACTUM_TRY(AbiType t, p.parse_type(1));
    types.push_back(std::move(t));
    p.skip_ws();
    if (p.at_end()) return types;
    if (p.peek() != ',') return p.fail("expected ','");
    p.advance();
  }
}

std::string AbiSignature::canonical() const {
  return canonical_list(name, inputs);
}

Result<AbiSignature> parse_function_signature(std::string_view signature) {
  const std::string_view text = strip_keyword(signature, "function");
  TypeParser p(text);
  AbiSignature sig;
  sig.name = std::string(p.identifier());
  if (sig.name.empty()) return signature_error(signature, "expected a function name");
  PACTUM_TRY(std::vector<ParsedParam> params, parse_params(p, signature, false));
  p.skip_ws();
  if (!p.at_end()) return signature_error(signature, "unexpected text after ')'");
  for (ParsedParam& param : params) sig.inputs.push_back(std::move(param.type));
  return sig;
}

Selector selector_of_canonical(std::string_view canonical_signature) noexcept {
  const Hash32 h = keccak256(as_bytes(canonical_signature));
  return Selector{h[0], h[1], h[2], h[3]};
}

Result<Selector> function_selector(std::string_view signature) {
  PACTUM_TRY(AbiSignature sig, parse_function_signature(signature));
  return selector_of_canonical(sig.canonical());
}

std::string AbiEvent::canonical() const {
  std::vector<AbiType> types;
  types.reserve(params.size());
  for (const AbiEventParam& p : params) types.push_back(p.type);
  return canonical_list(name, types);
}

Hash32 AbiEvent::topic() const {
  return keccak256(as_bytes(canonical()));
}

Result<AbiEvent> parse_event_signature(std::string_view signature) {
  std::string_view text = strip_keyword(signature, "event");
  AbiEvent event;
  constexpr std::string_view kAnonymous = " anonymous";
  if (text.ends_with(kAnonymous)) {
    event.anonymous = true;
    text.remove_suffix(kAnonymous.size());
  }
  TypeParser p(text);
  event.name = std::string(p.identifier());
  if (event.name.empty()) return signature_error(signature, "expected an event name");
  PACTUM_TRY(std::vector<ParsedParam> params, parse_params(p, signature, true));
  p.skip_ws();
  if (!p.at_end()) return signature_error(signature, "unexpected text after ')'");
  std::size_t indexed = 0;
  for (ParsedParam& param : params) {
    indexed += param.indexed ? 1 : 0;
    event.params.push_back({std::move(param.name), std::move(param.type), param.indexed});
  }
  const std::size_t max_indexed = event.anonymous ? 4 : 3;
  if (indexed > max_indexed) {
    return signature_error(signature, std::to_string(indexed) + " indexed parameters, at most " +
                                          std::to_string(max_indexed) + " allowed");
  }
  return event;
}

Result<Hash32> event_topic(std::string_view signature) {
  PACTUM_TRY(AbiEvent event, parse_event_signature(signature));
  return event.topic();
}

}  // namespace pactum::eth
