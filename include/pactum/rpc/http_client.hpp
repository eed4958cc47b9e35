// HTTP/1.1 transport for JSON-RPC: one POST of a JSON text, one answer body back.
//
// `Transport` is the seam: RpcClient talks to a node only through it, so tests and other
// carriers (IPC, a recorded session, a load balancer over several URLs) can stand in.
// `HttpTransport` is the real one: `http://` over TCP, or `https://` over TLS 1.2+ (OpenSSL 3
// through Boost.Asio), with a kept-alive connection. TLS verifies the server's certificate
// chain against the system trust store (Debian's ca-certificates) or HttpOptions::ca_file, and
// its name against the URL's host (DNS name or IP address, RFC 6125, no partial wildcards); SNI
// names the host. A certificate that fails is refused with kUnauthenticated, its reason named:
// "has expired", "is not valid for host H", "is issued by a CA this client does not trust".
//
// Thread safety: HttpTransport serializes round trips on its single connection with a mutex, so
// one object may be shared by threads (their requests then queue). Transport implementations
// must be safe to call from several threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "pactum/core/result.hpp"

namespace pactum::rpc {

// Carries one JSON-RPC payload to a node and brings back its answer.
class Transport {
 public:
  Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  virtual ~Transport() = default;

  // Sends `request` (a JSON text, a single call or a batch) and returns the answer body
  // unparsed. A JSON-RPC error inside a successful answer is NOT an error here.
  // Errors (what the caller should do is in result.hpp):
  //   kUnavailable        could not connect, connection dropped, HTTP 429/5xx
  //   kDeadlineExceeded   connect or exchange timed out (the request may have taken effect)
  //   kResourceExhausted  the answer body is larger than the configured limit, HTTP 413
  //   kInvalidArgument    other HTTP 4xx (the request is wrong for this endpoint)
  //   kUnauthenticated / kPermissionDenied / kNotFound   HTTP 401 / 403 / 404
  //   kDataLoss           the answer is not valid HTTP
  [[nodiscard]] virtual Result<std::string> round_trip(std::string_view request) = 0;
};

struct HttpOptions {
  // Time allowed to resolve and connect.
  std::chrono::milliseconds connect_timeout{5'000};
  // Time allowed for writing the request and reading the whole answer.
  std::chrono::milliseconds request_timeout{30'000};
  // Answers with a larger body fail with kResourceExhausted (and the connection is dropped).
  std::size_t max_body_bytes = std::size_t{64} << 20;
  // https://: a PEM file of the CAs to trust instead of the system's (a private CA); empty: the
  // system trust store.
  std::string ca_file;
};

// The parts of an `http[s]://host[:port][/path]` URL.
struct HttpEndpoint {
  bool tls = false;    // https://
  std::string host;    // an IPv6 address without its brackets
  std::string port;    // "80" (http) or "443" (https) when the URL names none
  std::string target;  // "/" when the URL names none
};

// Parses an RPC URL. Errors: kInvalidArgument for a scheme other than http:// and https://, an
// empty host, a bad port or characters a request line cannot carry.
[[nodiscard]] Result<HttpEndpoint> parse_http_url(std::string_view url);

// The one mapping of HTTP statuses to errors (REQUIRES: status is not 2xx). `body` is quoted,
// shortened, in the message.
[[nodiscard]] Error error_from_http_status(int status, std::string_view body);

// A Transport over HTTP/1.1 with one kept-alive TCP connection, reconnecting when the server
// closes it. Requests are `POST <target>` with `Content-Type: application/json`.
class HttpTransport final : public Transport {
 public:
  // Parses `url` (see parse_http_url); does not connect yet. Errors: those of parse_http_url;
  // kInvalidArgument for an options.ca_file that cannot be read as PEM certificates.
  [[nodiscard]] static Result<std::unique_ptr<HttpTransport>> create(std::string_view url,
                                                                     HttpOptions options = {});
  ~HttpTransport() override;

  // See Transport. A kept-alive connection that the server has closed meanwhile is detected
  // (nothing of the answer arrived) and the request is sent once more on a fresh connection.
  [[nodiscard]] Result<std::string> round_trip(std::string_view request) override;

 private:
  struct Impl;
  explicit HttpTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pactum::rpc
