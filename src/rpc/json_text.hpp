// Private to pactum_rpc: the only place nlohmann::json is parsed and printed, with the guards
// untrusted node answers need (depth limit, no exceptions escaping, invalid UTF-8 tolerated).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "pactum/core/result.hpp"

namespace pactum::rpc::internal {

using Json = nlohmann::json;

// Deeper answers are refused before parsing: nothing in Ethereum JSON-RPC nests past ~6 levels,
// and printing or walking a deep document recurses.
inline constexpr int kMaxJsonDepth = 128;

// Parses untrusted JSON text. Errors: kDataLoss naming `what` when it is not JSON or too deep.
[[nodiscard]] Result<Json> parse_json(std::string_view text, std::string_view what);

// Compact text of `value`; invalid UTF-8 in strings is replaced, never thrown on.
[[nodiscard]] std::string dump_json(const Json& value);

// A short quote of `text` for error messages.
[[nodiscard]] std::string quote(std::string_view text, std::size_t limit = 120);

}  // namespace pactum::rpc::internal
