// HTTP range requests (RFC 9110 §14) for downloads: one byte range per request.
//
// Policy, chosen for downloads that clients verify chunk by chunk:
//   - no Range header, or a unit other than "bytes": the whole representation (200);
//   - "bytes=a-b", "bytes=a-", "bytes=-n" inside the representation: 206 with Content-Range;
//   - a syntactically valid range that starts at or past the end (or "-0"): 416 with
//     Content-Range "bytes */<size>";
//   - a malformed bytes range ("bytes=x-1", "bytes=5-2", "bytes=", overflowing numbers) or
//     several ranges ("bytes=0-1,5-6"; multipart/byteranges is not supported): 400.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "pactum/core/result.hpp"
#include "pactum/server/http.hpp"

namespace pactum::server {

// Bytes [first, last] of a representation, both inclusive as in Content-Range.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  [[nodiscard]] std::uint64_t length() const noexcept { return last - first + 1; }
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

// Parses a Range header value against a representation of `size` bytes. Returns nullopt when
// the whole representation is to be sent (no header, other unit), else the satisfiable range,
// clamped to the representation ("bytes=5-999" on 10 bytes is 5-9).
// Errors: kInvalidArgument when malformed or multi-range; kOutOfRange when unsatisfiable.
[[nodiscard]] Result<std::optional<ByteRange>> parse_range(std::optional<std::string_view> header,
                                                           std::uint64_t size);

// Opens a producer of exactly `range.length()` bytes starting at `range.first`.
using RangeOpener = std::function<Result<StreamBody>(ByteRange range)>;

// Answers a download of `size` bytes honouring the request's Range header: 200 with the whole
// body, 206 with Content-Range, or the error response (416 carries Content-Range "bytes */size").
// Every answer carries Accept-Ranges: bytes. `open` is called once, with the range to send
// (0..size-1 for a whole body; not called for an empty representation).
[[nodiscard]] Response ranged_response(const Request& request, std::uint64_t size,
                                       const RangeOpener& open,
                                       std::string_view content_type = "application/octet-stream");

}  // namespace pactum::server
