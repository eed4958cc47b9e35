// HTTP requests and responses as the node's handlers see them, and the one mapping of Pactum
// error codes to HTTP statuses.
//
// A handler gets a Request (method, path, path parameters, query, headers and, on ordinary
// routes, the whole body as a string) and returns Result<Response>. An error result becomes a
// JSON error response through error_response(): that function is the only place where an
// ErrorCode turns into an HTTP status.
//
// Large transfers never sit in memory:
//   - upload: a route added with Router::add_upload() gets the request head first and returns a
//     BodySink; the server then feeds the body to BodySink::write() piece by piece (each piece at
//     most HttpServerOptions::body_piece_size bytes) and calls BodySink::finish() at the end.
//   - download: a Response may carry a StreamBody instead of `body`: a Content-Length and a
//     next_chunk() callback the server calls until it has sent exactly that many bytes.
//
// Thread safety: these are values; distinct objects may be used from distinct threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"

namespace pactum::server {

// Header fields in arrival order. Names compare case-insensitively (RFC 9110 §5.1).
class Headers {
 public:
  // Returns the value of the first field named `name`, or nullopt. The view lives as long as
  // this object is not modified.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  // Appends a field (a response may carry several fields of one name, e.g. Set-Cookie).
  void add(std::string name, std::string value);
  // Replaces every field named `name` by one field.
  void set(std::string name, std::string value);
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& fields() const {
    return fields_;
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Compares two ASCII strings ignoring case (header names, methods are case-sensitive though).
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

struct Request {
  std::string method;  // "GET", as received (methods are case-sensitive)
  std::string target;  // the raw request-target, "/assets/did%3Ax?limit=5"
  std::string path;    // target up to '?', still percent-encoded
  std::string route;   // the matched route's pattern, "/assets/{did}"; "" when none matched
  std::map<std::string, std::string, std::less<>> params;  // path parameters, percent-decoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order; '+' is a space
  Headers headers;
  std::string body;                  // the whole body on ordinary routes; empty on upload routes
  std::string remote;                // "127.0.0.1:53412"
  std::uint64_t content_length = 0;  // declared length; 0 when absent or chunked
  bool chunked = false;

  // Returns the path parameter `name` ("" when the route has no such parameter).
  [[nodiscard]] std::string_view param(std::string_view name) const;
  // Returns the first query parameter named `name`, or nullopt.
  [[nodiscard]] std::optional<std::string_view> query_param(std::string_view name) const;
};

// A body produced chunk by chunk. next_chunk() returns the next piece, nullopt at the end, or an
// error. The server calls it from one thread at a time, only while the client keeps reading, and
// stops once it has `length` bytes; producing fewer or more bytes than `length`, or an error after
// the head was sent, makes the server log the error and close the connection (the client sees a
// truncated body, never a wrong one). The callback owns whatever it reads from (files, keys) and
// is destroyed when the response is done or the connection drops.
struct StreamBody {
  std::uint64_t length = 0;
  std::function<Result<std::optional<Bytes>>()> next_chunk;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;                  // used when `stream` is empty
  std::optional<StreamBody> stream;  // a body sent chunk by chunk with Content-Length
  // When set, the rest of the answer needs work that may block (chain calls, waiting for a
  // receipt): the server runs it on its blocking pool, never on an I/O thread, and sends what it
  // returns instead of this response. See Response::after_blocking().
  std::function<Result<Response>()> blocking_work;

  // A response with `body` and Content-Type `content_type`.
  [[nodiscard]] static Response text(std::string body, int status = 200,
                                     std::string content_type = "text/plain; charset=utf-8");
  // A response whose body is already serialized JSON.
  [[nodiscard]] static Response json(std::string serialized, int status = 200);
  // A streamed response (Content-Type application/octet-stream unless set later).
  [[nodiscard]] static Response streamed(StreamBody body, int status = 200);
  // The answer is whatever `work` returns, run on the server's blocking pool: for a handler
  // whose fast path answers at once and whose slow path blocks. `work` must not refer to the
  // Request (copy what it needs) and may run after the handler returned, on another thread.
  [[nodiscard]] static Response after_blocking(std::function<Result<Response>()> work);
};

// Receives a request body piece by piece (upload routes). The server calls write() for each piece
// in order, then finish() once after the last piece; abort() instead when the body cannot be
// completed (client gone, timeout, body over the route's limit, server stopping). After an error
// from write() the server calls abort() with that error and answers with it. A sink is used by one
// thread at a time and is destroyed after finish() or abort().
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Consumes the next piece; `piece` is valid only during the call.
  [[nodiscard]] virtual Status write(ByteView piece) = 0;
  // Optional, to save a copy: where the server may read the next body bytes straight from the
  // socket. After filling the first k >= 1 bytes of it the server calls wrote(k) in place of
  // write(). An empty span (the default) means the sink takes pieces through write() only; the
  // server asks before the first piece and keeps to one way for the whole body.
  // Errors: as write().
  [[nodiscard]] virtual Result<std::span<std::uint8_t>> direct_buffer() {
    return std::span<std::uint8_t>{};
  }
  // Consumes the first `n` bytes of the span direct_buffer() returned last.
  // Errors: as write().
  [[nodiscard]] virtual Status wrote(std::size_t n) {
    (void)n;
    return internal_error("this body sink has no direct buffer");
  }
  // The body is complete; returns the response to send.
  [[nodiscard]] virtual Result<Response> finish() = 0;
  // The body will not be completed; release or roll back what write() built.
  virtual void abort(const Error& why) noexcept { (void)why; }
};

// The HTTP status for an error code (documented in docs/http.md):
//   invalid_argument 400, unauthenticated 401, permission_denied 403, not_found 404,
//   already_exists 409, failed_precondition 409, aborted 409, out_of_range 416,
//   resource_exhausted 413, unimplemented 501, unavailable 503, deadline_exceeded 504,
//   data_loss 500, internal 500.
[[nodiscard]] int http_status_for(ErrorCode code) noexcept;

// The response for an error: status from http_status_for(), Content-Type application/json and
// body {"error":{"code":"<error_code_name>","message":"..."}}. For kInternal the message is
// replaced by "internal error" (the real one belongs in the log, not on the wire).
[[nodiscard]] Response error_response(const Error& error);

// The standard reason phrase for a status ("Not Found"), or "Unknown".
[[nodiscard]] std::string_view reason_phrase(int status) noexcept;

// Decodes %XX escapes (and '+' as a space when `plus_is_space`).
// Errors: kInvalidArgument for a truncated or non-hex escape, or a decoded NUL byte.
[[nodiscard]] Result<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace pactum::server
