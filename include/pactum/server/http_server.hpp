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
//   - each body piece must arrive within read_timeout of the previous one.
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
  // Threads for handlers' blocking work (Response::after_blocking); 0 runs it on the I/O thread.
  unsigned blocking_threads = 4;
  std::string server_header = "pactumd";
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
  // Errors: kInvalidArgument for an address that does not parse; kUnavailable when the address
  // cannot be bound (in use, not local); kFailedPrecondition when already started.
  [[nodiscard]] Status start();

  // The bound port (the actual one when options.port was 0). REQUIRES: start() succeeded.
  [[nodiscard]] std::uint16_t port() const noexcept;

  // Graceful stop: closes the listener, closes idle connections, lets in-flight requests finish
  // (their responses carry "Connection: close") for up to drain_timeout, then closes what is
  // left and joins the workers. Idempotent; returns when every worker has exited.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pactum::server
