// The guarded parser for untrusted JSON: every JSON text that comes from outside the process
// (HTTP bodies and headers, DDOs, files a user hands us, answers of other nodes) is parsed here.
//
// Why: a JSON library's DOM is recursive. nlohmann parses iteratively, but serializing, comparing
// or walking a parsed value recurses once per nesting level, so a 200 KB body of nested arrays
// crashes the process (issue #18). This parser refuses nesting beyond a small limit while it
// parses, so nothing downstream can recurse deeply; it also refuses texts over a size limit
// before reading them, and duplicate object keys (RFC 8259 §4 leaves their meaning open, and
// two parsers that pick different duplicates disagree about what was signed or priced; RFC 7493
// I-JSON forbids them).
//
// Private to the libraries (src/json, not include/): no public header includes a JSON library.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "pactum/core/result.hpp"

namespace pactum::json {

struct Limits {
  // The longest text accepted, in bytes.
  std::size_t max_bytes = std::size_t{1} << 20;
  // Nesting levels of arrays and objects: 1 for `{}` or `[1,2]`, 2 for `{"a":[]}`.
  std::size_t max_depth = 32;
  // Refuse an object that names a key twice.
  bool reject_duplicate_keys = true;
};

// Parses `text` as one JSON value. `what` names the input in error messages ("DDO", "request
// body"). The result's nesting is at most limits.max_depth, so it may be serialized, compared
// and walked recursively.
// Errors: kResourceExhausted when text is longer than limits.max_bytes (nothing is parsed);
// kInvalidArgument when it is not JSON (with the byte offset), nests deeper than max_depth, or
// (with reject_duplicate_keys) repeats a key within one object (the key is named, cut to 64
// bytes).
[[nodiscard]] Result<nlohmann::json> parse(std::string_view text, const Limits& limits,
                                           std::string_view what);

}  // namespace pactum::json
