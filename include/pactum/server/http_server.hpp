// An asynchronous HTTP/1.1 server (Boost.Beast on Asio, C++20 coroutines) that serves a Router.
//
// One io_context run by `threads` worker threads; one coroutine per connection on its own
// strand; keep-alive; request head and body limits; a read timeout against slow clients; graceful
// stop. Handlers run on the worker threads (a handler that blocks holds one worker).
//
// Limits and timeouts (HttpServerOptions):
//   - the request head (request line + fields) must fit in max_header_size (else 431) and arrive
//     within read_timeout of the first wait for it (this includes idle keep-alive time);
//   - a body larger than the route's limit is refused with 413 and the connection closed (the
//     server does not read the rest of it);
//   - each body piece must arrive within read_timeout of the previous one, and the body as a
//     whole must keep pace: from body_grace after its head on, it must have averaged at least
//     min_body_rate bytes per second, else the connection is closed (a client trickling a body
//     cannot hold a connection for longer than body_grace plus what it sent at that rate);
//   - at most max_connections connections are open at once (by default what the open-file limit
//     allows, less fd_reserve for the process's own files): past it the server stops accepting
//     until one closes, so accept() never fails for want of descriptors the server used itself;
//     one IP address may hold at most max_connections_per_address of them (a further one gets
//     503 with Retry-After and is closed);
//   - accept errors (EMFILE, ENFILE, ENOBUFS, ENOMEM) back off from 5 ms to 1 s, and are logged
//     at most once per 5 s with the count of those not logged.
//
// TLS: with tls_certificate_file and tls_key_file the server speaks HTTPS only (TLS 1.2 or later,
// OpenSSL 3's default ciphers): each connection's handshake must end within read_timeout, a
// failed one is logged at debug and the connection closed. Responses end without a TLS
// close_notify (the framing says where each ends; RFC 9110 §9.2 clients do not need one).
//
// HTTP/1.1 framing (RFC 9112): a Transfer-Encoding whose last coding is not `chunked` is
// answered 400 and the connection closed (§6.3: the body's length cannot be known); a coding
// other than `chunked` before it, 501; Content-Length beside Transfer-Encoding, 400; a 1.1
// request without exactly one Host field, 400 (§3.2); bad chunk framing, 400 and closed.
//
// Metrics (in the registry passed in): pactum_http_requests_total{method,route,status},
// pactum_http_request_duration_seconds{route}, pactum_http_request_bytes_total{route},
// pactum_http_response_bytes_total{route}, pactum_http_requests_in_flight,
// pactum_http_connections_open. `route` is the matched pattern ("/assets/{did}"), or
// "unmatched", so label cardinality is bounded by the router.
//
// Logs: an access event per request ("http request": method, target, route, status, bytes_in,
// bytes_out, duration_ms, remote) at info; handler exceptions and stream failures at error.
//
// Thread safety: start() and stop() from one controlling thread; port() from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "pactum/core/result.hpp"
#include "pactum/server/log.hpp"
#include "pactum/server/metrics.hpp"
#include "pactum/server/router.hpp"

namespace pactum::server {

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // loopback unless told otherwise
  std::uint16_t port = 0;             // 0: any free port; see HttpServer::port()
  unsigned threads = 0;               // 0: std::thread::hardware_concurrency()
  std::uint64_t max_header_size = 16 * 1024;
  std::uint64_t max_body_size = 1024 * 1024;  // default per-route cap for buffered bodies
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{60'000};  // per chunk written
  std::chrono::milliseconds drain_timeout{10'000};  // stop(): wait this long for in-flight work
  std::size_t body_piece_size = 64 * 1024;          // largest piece given to BodySink::write()
  // A body's pace (see above); min_body_rate 0 turns the check off.
  std::chrono::milliseconds body_grace{10'000};
  std::uint64_t min_body_rate = 16 * 1024;  // bytes per second, averaged since the head
  // Connections open at once; 0: the soft RLIMIT_NOFILE less fd_reserve (at least 16), capped
  // at 10,000.
  std::size_t max_connections = 0;
  std::size_t fd_reserve = 256;  // descriptors left for the store, databases and chain client
  // Connections one IP address may hold at once; 0: no cap.
  std::size_t max_connections_per_address = 256;
  // Threads for handlers' blocking work (Response::after_blocking); 0 runs it on the I/O thread.
  unsigned blocking_threads = 4;
  std::string server_header = "pactumd";
  // PEM files; both empty: plain HTTP. The certificate file may hold the chain (leaf first).
  std::string tls_certificate_file;
  std::string tls_key_file;
};

class HttpServer {
 public:
  // The router, logger and metrics must outlive the server. Creates no thread and binds nothing.
  HttpServer(HttpServerOptions options, const Router& router, Logger& logger,
             MetricsRegistry& metrics);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Stops the server if running (as stop()).
  ~HttpServer();

  // Binds, listens and starts the worker threads.
  // Errors: kInvalidArgument for an address that does not parse, or TLS files that cannot be
  // read, do not parse or do not match (the message names the file); kUnavailable when the
  // address cannot be bound (in use, not local); kFailedPrecondition when already started.
  [[nodiscard]] Status start();

  // The bound port (the actual one when options.port was 0). REQUIRES: start() succeeded.
  [[nodiscard]] std::uint16_t port() const noexcept;

  // The connection cap in force (options.max_connections, or the one derived from the
  // open-file limit). REQUIRES: start() succeeded.
  [[nodiscard]] std::size_t max_connections() const noexcept;

  // Graceful stop: closes the listener, closes idle connections, lets in-flight requests finish
  // (their responses carry "Connection: close") for up to drain_timeout, then closes what is
  // left and joins the workers. Idempotent; returns when every worker has exited.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pactum::server
