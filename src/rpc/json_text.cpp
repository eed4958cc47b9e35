#include "json_text.hpp"

namespace pactum::rpc::internal {
namespace {

// Maximum nesting of arrays and objects in `text`, counting brackets outside strings. Stops
// early once `limit` is passed.
int nesting_depth(std::string_view text, int limit) {
  int depth = 0;
  int max_depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) max_depth = depth;
      if (max_depth > limit) return max_depth;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

}  // namespace

Result<Json> parse_json(std::string_view text, std::string_view what) {
  if (nesting_depth(text, kMaxJsonDepth) > kMaxJsonDepth) {
    return data_loss(std::string(what) + " nests deeper than " + std::to_string(kMaxJsonDepth) +
                     " levels");
  }
  try {
    Json value = Json::parse(text, nullptr, /*allow_exceptions=*/true);
    return value;
  } catch (const Json::exception& e) {
    return data_loss(std::string(what) + " is not JSON (" + e.what() + "): " + quote(text));
  }
}

std::string dump_json(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string quote(std::string_view text, std::size_t limit) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += text.size() > limit ? "\"…" : "\"";
  return out;
}

}  // namespace pactum::rpc::internal
