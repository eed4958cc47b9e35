// libFuzzer target: the pieces of a request the HTTP server decodes itself — the Range header
// (parse_range), percent-encoded query and path parts (percent_decode) and route matching with
// path parameters (Router::match).
//
// The input's first 8 bytes are a representation size (little-endian), the rest the text fed to
// every decoder. Invariants: no crash, no sanitizer report, never kInternal; a parsed range lies
// inside the representation with first <= last; a decoded text never holds a NUL and is never
// longer than its input; a route that matches binds every parameter to a non-empty value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

#include "pactum/server/range.hpp"
#include "pactum/server/router.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

const pactum::server::Router& router() {
  static const pactum::server::Router r = [] {
    pactum::server::Router out;
    auto ok = [](pactum::server::Request&) -> pactum::Result<pactum::server::Response> {
      return pactum::server::Response::text("ok");
    };
    out.add("GET", "/api/v1/assets/{did}", ok);
    out.add("GET", "/api/v1/assets", ok);
    out.add("GET", "/api/v1/access/{agreement_id}/content", ok);
    out.add("GET", "/api/v1/access/{agreement_id}/proofs", ok);
    out.add("PUT", "/api/v1/assets/{did}", ok);
    out.add("GET", "/a/{x}/b/{y}", ok);
    out.add("GET", "/a/count/b/{y}", ok);
    return out;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint64_t representation = 0;
  if (size >= 8) {
    std::memcpy(&representation, data, 8);
    data += 8;
    size -= 8;
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto range = pactum::server::parse_range(text, representation);
  if (!range.ok()) {
    check(range.error().code() == pactum::ErrorCode::kInvalidArgument ||
          range.error().code() == pactum::ErrorCode::kOutOfRange);
  } else if (range->has_value()) {
    const auto& r = **range;
    check(r.first <= r.last && r.last < representation);
  }

  for (bool plus : {false, true}) {
    auto decoded = pactum::server::percent_decode(text, plus);
    if (!decoded.ok()) {
      check(decoded.error().code() == pactum::ErrorCode::kInvalidArgument);
    } else {
      check(decoded->size() <= text.size());
      // An escape never decodes to NUL; a literal NUL passes (the HTTP parser refuses it in a
      // request target before this decoder sees it).
      if (text.find('\0') == std::string_view::npos) check(decoded->find('\0') == std::string::npos);
    }
  }

  std::map<std::string, std::string, std::less<>> params;
  const std::string_view method = size > 0 && (data[0] & 1) ? "PUT" : "GET";
  auto match = router().match(method, text, params);
  if (match.route != nullptr) {
    for (const auto& [name, value] : params) check(!name.empty() && !value.empty());
  }
  return 0;
}
