#include "pactum/server/range.hpp"

#include <charconv>
#include <string>

namespace pactum::server {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses a non-empty run of decimal digits; nullopt when empty, non-digit or overflowing.
std::optional<std::uint64_t> parse_u64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Result<std::optional<ByteRange>> parse_range(std::optional<std::string_view> header,
                                             std::uint64_t size) {
  if (!header) return std::optional<ByteRange>();
  std::string_view h = trim(*header);
  std::size_t eq = h.find('=');
  if (eq == std::string_view::npos) {
    return invalid_argument("Range header has no '=': expected bytes=first-last");
  }
  std::string_view unit = trim(h.substr(0, eq));
  if (unit != "bytes") return std::optional<ByteRange>();  // RFC 9110 §14.2: ignore other units
  std::string_view spec = trim(h.substr(eq + 1));
  if (spec.find(',') != std::string_view::npos) {
    return invalid_argument("Range header asks for several ranges; only one is supported");
  }
  std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) {
    return invalid_argument("Range header '" + std::string(spec) + "' has no '-'");
  }
  std::string_view first_text = trim(spec.substr(0, dash));
  std::string_view last_text = trim(spec.substr(dash + 1));
  if (first_text.empty()) {
    // Suffix range: the last n bytes.
    auto n = parse_u64(last_text);
    if (!n)
      return invalid_argument("Range suffix length '" + std::string(last_text) +
                              "' is not a number");
    if (*n == 0 || size == 0) {
      return out_of_range("Range bytes=-" + std::to_string(*n) + " is empty for a " +
                          std::to_string(size) + "-byte body");
    }
    std::uint64_t len = std::min(*n, size);
    return std::optional<ByteRange>(ByteRange{size - len, size - 1});
  }
  auto first = parse_u64(first_text);
  if (!first)
    return invalid_argument("Range start '" + std::string(first_text) + "' is not a number");
  std::uint64_t last = 0;
  if (last_text.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else {
    auto l = parse_u64(last_text);
    if (!l) return invalid_argument("Range end '" + std::string(last_text) + "' is not a number");
    if (*l < *first) {
      return invalid_argument("Range end " + std::to_string(*l) + " is before its start " +
                              std::to_string(*first));
    }
    last = std::min(*l, size == 0 ? 0 : size - 1);
  }
  if (*first >= size) {
    return out_of_range("Range start " + std::to_string(*first) + " is past the end of a " +
                        std::to_string(size) + "-byte body");
  }
  return std::optional<ByteRange>(ByteRange{*first, last});
}

Response ranged_response(const Request& request, std::uint64_t size, const RangeOpener& open,
                         std::string_view content_type) {
  auto range = parse_range(request.headers.get("Range"), size);
  if (!range.ok()) {
    Response r = error_response(range.error());
    if (range.error().code() == ErrorCode::kOutOfRange) {
      r.headers.set("Content-Range", "bytes */" + std::to_string(size));
    }
    r.headers.set("Accept-Ranges", "bytes");
    return r;
  }
  Response r;
  if (size == 0) {
    r = Response::text("", 200, std::string(content_type));
  } else {
    ByteRange want = range->value_or(ByteRange{0, size - 1});
    auto body = open(want);
    if (!body.ok()) return error_response(body.error());
    r = Response::streamed(std::move(body).value(), range->has_value() ? 206 : 200);
    r.headers.set("Content-Type", std::string(content_type));
    if (range->has_value()) {
      r.headers.set("Content-Range", "bytes " + std::to_string(want.first) + "-" +
                                         std::to_string(want.last) + "/" + std::to_string(size));
    }
  }
  r.headers.set("Accept-Ranges", "bytes");
  return r;
}

}  // namespace pactum::server
