#include "pactum/server/http_server.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <sys/resource.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

namespace pactum::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// A connection's byte stream: plain TCP, or TLS over it. Beast's HTTP operations and the
// server's own reads take it as any AsyncStream; timeouts and the socket are the TCP layer's.
// Both branches of each operation return the same type (void for a handler, an awaitable for
// kNoThrow), so one function serves either.
class ServerStream {
 public:
  using executor_type = beast::tcp_stream::executor_type;

  ServerStream(tcp::socket socket, asio::ssl::context* tls) {
    if (tls != nullptr) {
      tls_.emplace(std::move(socket), *tls);
    } else {
      plain_.emplace(std::move(socket));
    }
  }

  [[nodiscard]] bool tls() const { return tls_.has_value(); }
  beast::tcp_stream& transport() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }
  executor_type get_executor() { return transport().get_executor(); }
  tcp::socket& socket() { return transport().socket(); }
  template <class Duration>
  void expires_after(Duration d) {
    transport().expires_after(d);
  }
  void expires_at(Clock::time_point t) { transport().expires_at(t); }
  void cancel() { transport().cancel(); }

  // REQUIRES: tls().
  template <class Token>
  auto async_handshake(Token&& token) {
    return tls_->async_handshake(asio::ssl::stream_base::server, std::forward<Token>(token));
  }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Token>(token));
    return plain_->async_read_some(buffers, std::forward<Token>(token));
  }
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_write_some(buffers, std::forward<Token>(token));
    return plain_->async_write_some(buffers, std::forward<Token>(token));
  }

 private:
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
};

// One accepted connection. `stream` and `busy` are touched only on the connection's strand.
struct Connection {
  Connection(tcp::socket socket, asio::ssl::context* tls) : stream(std::move(socket), tls) {}
  ServerStream stream;
  bool busy = false;  // a request is being handled (its head has arrived)
};

// What a request ended with, for the access log and metrics.
struct Outcome {
  int status = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  bool close = false;        // close the connection after this response
  bool unread_body = false;  // the client may still be sending a body we did not read
};

std::string method_label(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",    "HEAD",  "POST",   "PUT",
                                                "DELETE", "PATCH", "OPTIONS"};
  for (auto m : kKnown) {
    if (m == method) return std::string(m);
  }
  return "other";  // bounded label cardinality whatever clients send
}

bool header_value_safe(std::string_view v) {
  return v.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

Response status_error(int status, Error error) {
  Response r = error_response(error);
  r.status = status;
  return r;
}

// The connection cap when none is configured: what the open-file limit leaves after the
// process's own descriptors (store, databases, chain client, logs).
std::size_t derived_connection_cap(std::size_t fd_reserve) {
  constexpr std::size_t kMax = 10'000;
  constexpr std::size_t kMin = 16;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return kMax;
  const auto soft = static_cast<std::size_t>(limit.rlim_cur);
  if (soft <= fd_reserve + kMin) return kMin;
  return std::min(kMax, soft - fd_reserve);
}

// The codings of every Transfer-Encoding field, in order, lower-cased ("gzip, chunked").
std::vector<std::string> transfer_codings(const http::request_header<>& head) {
  std::vector<std::string> codings;
  for (const auto& field : head) {
    if (field.name() != http::field::transfer_encoding) continue;
    std::string_view list = field.value();
    while (!list.empty()) {
      std::size_t comma = list.find(',');
      std::string_view item = list.substr(0, comma);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (item.empty()) continue;
      std::string coding(item.substr(0, 64));
      for (char& c : coding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      codings.push_back(std::move(coding));
    }
  }
  return codings;
}

// RFC 9112 framing checks on a request head that Beast accepted. Returns the status and error
// to answer with (the connection is then closed), or nullopt when the head is well framed.
std::optional<std::pair<int, Error>> framing_error(const http::request_header<>& head) {
  const auto hosts = head.count(http::field::host);
  if (head.version() >= 11 && hosts != 1) {
    return std::pair{400, invalid_argument(hosts == 0 ? "an HTTP/1.1 request needs a Host field"
                                                      : "more than one Host field")};
  }
  if (hosts > 1) return std::pair{400, invalid_argument("more than one Host field")};
  if (head.count(http::field::transfer_encoding) == 0) return std::nullopt;
  if (head.count(http::field::content_length) != 0) {
    return std::pair{400, invalid_argument("Content-Length beside Transfer-Encoding")};
  }
  std::vector<std::string> codings = transfer_codings(head);
  if (codings.empty() || codings.back() != "chunked") {
    return std::pair{400, invalid_argument("Transfer-Encoding must end with chunked (RFC 9112 "
                                           "§6.3): the body's length cannot be known")};
  }
  for (std::size_t i = 0; i + 1 < codings.size(); ++i) {
    if (codings[i] == "chunked") {
      return std::pair{400, invalid_argument("chunked applied more than once")};
    }
    return std::pair{501, unimplemented("transfer coding " + codings[i] + " is not supported")};
  }
  return std::nullopt;
}

struct ScopeExit {
  std::function<void()> fn;
  ~ScopeExit() {
    if (fn) fn();
  }
};

// The server's TLS context from its PEM files: TLS >= 1.2, the key checked against the
// certificate. Errors: kInvalidArgument naming the file that is missing, unreadable or wrong.
Status load_server_tls(const HttpServerOptions& options, std::optional<asio::ssl::context>& out) {
  if (options.tls_certificate_file.empty() || options.tls_key_file.empty()) {
    return invalid_argument("TLS needs both a certificate file and a key file");
  }
  namespace ssl = asio::ssl;
  out.emplace(ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(out->native_handle(), TLS1_2_VERSION);
  out->set_options(ssl::context::default_workarounds | ssl::context::single_dh_use);
  boost::system::error_code ec;
  if (out->use_certificate_chain_file(options.tls_certificate_file, ec); ec) {
    out.reset();
    return invalid_argument("the TLS certificate " + options.tls_certificate_file +
                            " cannot be read as a PEM certificate chain: " + ec.message());
  }
  if (out->use_private_key_file(options.tls_key_file, ssl::context::pem, ec); ec) {
    out.reset();
    const auto code = static_cast<unsigned long>(ec.value());
    if (ec.category() == asio::error::get_ssl_category() && ERR_GET_LIB(code) == ERR_LIB_X509 &&
        ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH) {
      return invalid_argument("the TLS key " + options.tls_key_file +
                              " is not the key of the certificate " + options.tls_certificate_file);
    }
    return invalid_argument("the TLS key " + options.tls_key_file +
                            " cannot be read as a PEM private key: " + ec.message());
  }
  if (SSL_CTX_check_private_key(out->native_handle()) != 1) {
    out.reset();
    return invalid_argument("the TLS key " + options.tls_key_file +
                            " is not the key of the certificate " + options.tls_certificate_file);
  }
  return ok_status();
}

}  // namespace

struct HttpServer::Impl {
  Impl(HttpServerOptions opts, const Router& r, Logger& l, MetricsRegistry& m)
      : options(std::move(opts)),
        router(r),
        logger(l),
        requests(m.counter("pactum_http_requests_total", "HTTP requests answered.",
                           {"method", "route", "status"})),
        duration(m.histogram("pactum_http_request_duration_seconds",
                             "Time from a request's head to the end of its response.", {"route"},
                             default_latency_buckets())),
        bytes_in(m.counter("pactum_http_request_bytes_total",
                           "Bytes received in request heads and bodies.", {"route"})),
        bytes_out(m.counter("pactum_http_response_bytes_total",
                            "Bytes sent in response heads and bodies.", {"route"})),
        in_flight(m.gauge("pactum_http_requests_in_flight", "Requests being handled.").with({})),
        connections_open(
            m.gauge("pactum_http_connections_open", "Open client connections.").with({})) {}

  HttpServerOptions options;
  const Router& router;
  Logger& logger;
  Family<Counter>& requests;
  Family<Histogram>& duration;
  Family<Counter>& bytes_in;
  Family<Counter>& bytes_out;
  Gauge& in_flight;
  Gauge& connections_open;

  asio::io_context ioc;
  std::optional<asio::ssl::context> tls;  // HTTPS: set by start() from the options' files
  // The acceptor is used only on this strand: by the accept loop and by stop()'s close.
  asio::strand<asio::io_context::executor_type> accept_strand{asio::make_strand(ioc)};
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  // Runs Response::blocking_work; joined by stop() after the I/O threads, while the coroutine
  // frames that wait for it still exist.
  std::optional<asio::thread_pool> blocking_pool;
  std::uint16_t bound_port = 0;
  bool started = false;
  bool stopped = false;
  std::atomic<bool> stopping{false};

  std::mutex conn_mutex;
  std::condition_variable conn_cv;
  std::map<std::uint64_t, std::shared_ptr<Connection>> connections;  // GUARDED_BY(conn_mutex)
  std::map<std::string, std::size_t> per_address;                    // GUARDED_BY(conn_mutex)
  std::uint64_t next_connection_id = 0;                              // GUARDED_BY(conn_mutex)
  std::size_t connection_cap = 0;                                    // set by start()
  // Woken (cancelled) when a connection closes, so a full accept loop resumes at once. Used
  // only on accept_strand.
  asio::steady_timer room{accept_strand};

  asio::awaitable<void> accept_loop();
  // `address` is the peer's IP address ("" when unknown); `over_address_cap`: answer 503 and
  // close, the peer holds its share of connections already.
  asio::awaitable<void> session(std::uint64_t id, std::shared_ptr<Connection> conn,
                                std::string address, bool over_address_cap);
  asio::awaitable<void> refuse_connection(Connection& conn);
  asio::awaitable<Outcome> serve_one(Connection& conn, beast::flat_buffer& buffer,
                                     http::request_parser<http::buffer_body>& parser,
                                     std::uint64_t head_bytes, Request& request,
                                     std::vector<char>& piece);
  asio::awaitable<std::uint64_t> write_response(Connection& conn, Response response, bool head_only,
                                                bool keep_alive, Outcome& out);
  asio::awaitable<void> send_continue(Connection& conn,
                                      const http::request_parser<http::buffer_body>& parser);
  asio::awaitable<void> linger_close(Connection& conn, beast::flat_buffer& buffer);
  // Calls `handler` for `route`; an escaping exception is logged and becomes kInternal.
  Result<Response> call_handler(const Router::Route& route, const Handler& handler,
                                Request& request);
  // Runs `result`'s blocking work, if any (again while the answer asks for more), off the I/O
  // threads; returns the final answer.
  asio::awaitable<Result<Response>> finish_blocking(const Router::Route& route,
                                                    Result<Response> result);
  void record(const Request& request, const Outcome& out, Clock::time_point start);
};

HttpServer::HttpServer(HttpServerOptions options, const Router& router, Logger& logger,
                       MetricsRegistry& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, logger, metrics)) {}

HttpServer::~HttpServer() {
  stop();
}

std::uint16_t HttpServer::port() const noexcept {
  return impl_->bound_port;
}

std::size_t HttpServer::max_connections() const noexcept {
  return impl_->connection_cap;
}

Status HttpServer::start() {
  Impl& s = *impl_;
  if (s.started) return failed_precondition("HTTP server already started");
  if (!s.options.tls_certificate_file.empty() || !s.options.tls_key_file.empty()) {
    PACTUM_TRY_STATUS(load_server_tls(s.options, s.tls));
  }
  boost::system::error_code ec;
  auto address = asio::ip::make_address(s.options.address, ec);
  if (ec) {
    return invalid_argument("listen address '" + s.options.address +
                            "' is not an IP address: " + ec.message());
  }
  tcp::endpoint endpoint(address, s.options.port);
  tcp::acceptor acceptor(s.ioc);
  auto fail = [&](const char* what) {
    return unavailable(std::string("cannot ") + what + " " + s.options.address + ":" +
                       std::to_string(s.options.port) + ": " + ec.message());
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) return fail("open a socket for");
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) return fail("set up");
  if (acceptor.bind(endpoint, ec); ec) return fail("bind");
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) return fail("listen on");
  s.bound_port = acceptor.local_endpoint(ec).port();
  s.connection_cap = s.options.max_connections != 0 ? s.options.max_connections
                                                    : derived_connection_cap(s.options.fd_reserve);
  s.acceptor.emplace(std::move(acceptor));
  s.started = true;
  s.work.emplace(s.ioc.get_executor());
  if (s.options.blocking_threads > 0) s.blocking_pool.emplace(s.options.blocking_threads);
  asio::co_spawn(s.accept_strand, s.accept_loop(), asio::detached);
  unsigned n = s.options.threads != 0 ? s.options.threads : std::thread::hardware_concurrency();
  if (n == 0) n = 1;
  for (unsigned i = 0; i < n; ++i) {
    s.threads.emplace_back([&s] {
      // Named so that `top -H`, perf and gdb tell the server's threads from the caller's.
      ::pthread_setname_np(::pthread_self(), "pactum-http");
      s.ioc.run();
    });
  }
  s.logger.info("http listening", {{"address", s.options.address},
                                   {"port", s.bound_port},
                                   {"threads", n},
                                   {"tls", s.tls.has_value()},
                                   {"max_connections", s.connection_cap}});
  return ok_status();
}

void HttpServer::stop() {
  Impl& s = *impl_;
  if (!s.started || s.stopped) return;
  s.stopped = true;
  s.stopping = true;
  // Close the listener on its strand (the accept loop runs there).
  asio::post(s.accept_strand, [&s] {
    boost::system::error_code ec;
    if (s.acceptor) s.acceptor->close(ec);
    s.room.cancel();
  });
  // Idle connections (waiting for a request head) are closed now; busy ones close after their
  // response, which carries Connection: close.
  {
    std::lock_guard lock(s.conn_mutex);
    for (auto& [id, conn] : s.connections) {
      asio::post(conn->stream.get_executor(), [conn] {
        if (!conn->busy) conn->stream.cancel();
      });
    }
  }
  {
    std::unique_lock lock(s.conn_mutex);
    s.conn_cv.wait_for(lock, s.options.drain_timeout, [&s] { return s.connections.empty(); });
    if (!s.connections.empty()) {
      s.logger.warn("http stop: closing connections still busy after the drain timeout",
                    {{"connections", s.connections.size()}});
      for (auto& [id, conn] : s.connections) {
        asio::post(conn->stream.get_executor(), [conn] {
          boost::system::error_code ec;
          conn->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
          conn->stream.cancel();
        });
      }
      s.conn_cv.wait_for(lock, std::chrono::seconds(1), [&s] { return s.connections.empty(); });
    }
  }
  s.work.reset();
  s.ioc.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  if (s.blocking_pool) s.blocking_pool->join();
  s.logger.info("http stopped");
}

asio::awaitable<void> HttpServer::Impl::accept_loop() {
  // Accept errors that mean "out of resources" back off (5 ms doubling to 1 s) instead of
  // spinning, and are logged at most once per kLogEvery with how many were not.
  constexpr auto kLogEvery = std::chrono::seconds(5);
  auto backoff = std::chrono::milliseconds(0);
  Clock::time_point last_logged{};
  std::uint64_t not_logged = 0;
  while (!stopping) {
    std::size_t open = 0;
    {
      std::lock_guard lock(conn_mutex);
      open = connections.size();
    }
    if (open >= connection_cap) {
      // Full: leave new connections in the kernel's queue until one of ours closes (a session's
      // end cancels `room`; the timeout is a safety net).
      room.expires_after(std::chrono::milliseconds(250));
      co_await room.async_wait(kNoThrow);
      continue;
    }
    auto [ec, socket] = co_await acceptor->async_accept(asio::make_strand(ioc), kNoThrow);
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) co_return;
      const bool exhausted = ec == asio::error::no_descriptors ||
                             ec == asio::error::no_buffer_space || ec == asio::error::no_memory ||
                             ec.value() == ENFILE;
      if (Clock::now() - last_logged >= kLogEvery) {
        logger.warn("http accept failed", {{"error", ec.message()},
                                           {"not_logged_since_last", not_logged},
                                           {"open_connections", open}});
        last_logged = Clock::now();
        not_logged = 0;
      } else {
        ++not_logged;
      }
      if (exhausted) {
        backoff =
            std::clamp(backoff * 2, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
        asio::steady_timer timer(co_await asio::this_coro::executor, backoff);
        co_await timer.async_wait(kNoThrow);
      }
      continue;
    }
    backoff = std::chrono::milliseconds(0);
    socket.set_option(tcp::no_delay(true), ec);
    std::string address;
    {
      auto ep = socket.remote_endpoint(ec);
      if (!ec) address = ep.address().to_string();
    }
    auto conn = std::make_shared<Connection>(std::move(socket), tls ? &*tls : nullptr);
    std::uint64_t id = 0;
    bool over_address_cap = false;
    {
      std::lock_guard lock(conn_mutex);
      id = next_connection_id++;
      connections.emplace(id, conn);
      if (!address.empty()) {
        std::size_t& held = per_address[address];
        over_address_cap =
            options.max_connections_per_address != 0 && held >= options.max_connections_per_address;
        if (!over_address_cap) ++held;
      }
    }
    connections_open.add(1);
    auto executor = conn->stream.get_executor();
    asio::co_spawn(executor, session(id, std::move(conn), std::move(address), over_address_cap),
                   asio::detached);
  }
}

asio::awaitable<void> HttpServer::Impl::refuse_connection(Connection& conn) {
  Response r =
      status_error(503, unavailable("too many connections from this address (at most " +
                                    std::to_string(options.max_connections_per_address) + ")"));
  r.headers.set("Retry-After", "1");
  Outcome out;
  out.close = true;
  Request request;
  auto start = Clock::now();
  out.status = r.status;
  out.bytes_out = co_await write_response(conn, std::move(r), false, false, out);
  record(request, out, start);
  beast::flat_buffer buffer;
  co_await linger_close(conn, buffer);
}

asio::awaitable<void> HttpServer::Impl::session(std::uint64_t id, std::shared_ptr<Connection> conn,
                                                std::string address, bool over_address_cap) {
  ScopeExit unregister{[this, id, &address, over_address_cap] {
    connections_open.add(-1);
    {
      std::lock_guard lock(conn_mutex);
      connections.erase(id);
      if (!address.empty() && !over_address_cap) {
        auto it = per_address.find(address);
        if (it != per_address.end() && --it->second == 0) per_address.erase(it);
      }
      conn_cv.notify_all();
    }
    if (!stopping) asio::post(accept_strand, [this] { room.cancel(); });
  }};
  beast::flat_buffer buffer;
  std::vector<char> piece;  // body pieces; allocated on the first request with a body
  boost::system::error_code ec;
  std::string remote;
  {
    auto ep = conn->stream.socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  try {
    if (conn->stream.tls()) {
      conn->stream.expires_after(options.read_timeout);
      auto [handshake_ec] = co_await conn->stream.async_handshake(kNoThrow);
      if (handshake_ec) {
        logger.debug("tls handshake failed",
                     {{"error", handshake_ec.message()}, {"remote", remote}});
        conn->stream.socket().close(ec);
        co_return;
      }
    }
    if (over_address_cap) {
      co_await refuse_connection(*conn);
      co_return;
    }
    while (!stopping) {
      http::request_parser<http::buffer_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_size));
      parser.body_limit(boost::none);  // enforced per route in serve_one()
      conn->busy = false;
      conn->stream.expires_after(options.read_timeout);
      auto [read_ec, head_bytes] =
          co_await http::async_read_header(conn->stream, buffer, parser, kNoThrow);
      if (read_ec) {
        if (read_ec == http::error::header_limit ||
            read_ec.category() == http::make_error_code(http::error::bad_method).category()) {
          if (read_ec == http::error::end_of_stream || read_ec == http::error::partial_message)
            break;
          // A head too large or malformed: answer once, then close.
          Request request;
          request.remote = remote;
          Outcome out;
          out.close = true;
          auto start = Clock::now();
          Response r;
          if (read_ec == http::error::header_limit) {
            r = status_error(
                431, resource_exhausted("request head exceeds " +
                                        std::to_string(options.max_header_size) + " bytes"));
          } else {
            r = status_error(400, invalid_argument("malformed request: " + read_ec.message()));
          }
          out.status = r.status;
          out.bytes_out = co_await write_response(*conn, std::move(r), false, false, out);
          record(request, out, start);
          co_await linger_close(*conn, buffer);
        }
        break;  // end of stream, timeout, reset or cancelled by stop()
      }
      conn->busy = true;
      auto start = Clock::now();
      Request request;
      request.remote = remote;
      if (piece.empty()) piece.resize(options.body_piece_size);
      Outcome out;
      {
        in_flight.add(1);
        ScopeExit done{[this] { in_flight.add(-1); }};
        out = co_await serve_one(*conn, buffer, parser, head_bytes, request, piece);
      }
      // Metrics first, access log last: a test that saw the access event sees the metrics.
      record(request, out, start);
      if (out.close || stopping) {
        if (out.unread_body) {
          co_await linger_close(*conn, buffer);
        } else {
          conn->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        }
        break;
      }
    }
  } catch (const std::exception& e) {
    logger.error("http connection failed", {{"error", e.what()}, {"remote", remote}});
  } catch (...) {
    logger.error("http connection failed", {{"error", "unknown exception"}, {"remote", remote}});
  }
  conn->stream.socket().close(ec);
}

asio::awaitable<Result<Response>> HttpServer::Impl::finish_blocking(const Router::Route& route,
                                                                    Result<Response> result) {
  while (result.ok() && result->blocking_work) {
    std::function<Result<Response>()> work = std::move(result->blocking_work);
    std::optional<Result<Response>> out;
    auto run = [&] {
      try {
        out.emplace(work());
      } catch (const std::exception& e) {
        logger.error("http handler threw", {{"route", route.info.pattern}, {"error", e.what()}});
        out.emplace(internal_error("handler threw"));
      } catch (...) {
        logger.error("http handler threw",
                     {{"route", route.info.pattern}, {"error", "unknown exception"}});
        out.emplace(internal_error("handler threw"));
      }
    };
    if (blocking_pool) {
      // Runs on the pool; this coroutine resumes on its own executor once it is done.
      co_await asio::co_spawn(
          blocking_pool->get_executor(),
          [&]() -> asio::awaitable<void> {
            run();
            co_return;
          },
          asio::use_awaitable);
    } else {
      run();
    }
    result = std::move(*out);
  }
  co_return result;
}

Result<Response> HttpServer::Impl::call_handler(const Router::Route& route, const Handler& handler,
                                                Request& request) {
  try {
    return handler(request);
  } catch (const std::exception& e) {
    logger.error("http handler threw", {{"route", route.info.pattern}, {"error", e.what()}});
  } catch (...) {
    logger.error("http handler threw",
                 {{"route", route.info.pattern}, {"error", "unknown exception"}});
  }
  return internal_error("handler threw");
}

asio::awaitable<void> HttpServer::Impl::send_continue(
    Connection& conn, const http::request_parser<http::buffer_body>& parser) {
  auto expect = parser.get()[http::field::expect];
  if (!iequals(expect, "100-continue")) co_return;
  http::response<http::empty_body> cont{http::status::continue_, 11};
  conn.stream.expires_after(options.write_timeout);
  co_await http::async_write(conn.stream, cont, kNoThrow);
}

namespace {

// Calls into a body sink; an exception becomes kInternal and is logged (a sink is user code).
template <typename Call>
auto call_sink(Logger& logger, const Router::Route& route, Call&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const std::exception& e) {
    logger.error("http body sink threw", {{"route", route.info.pattern}, {"error", e.what()}});
  } catch (...) {
    logger.error("http body sink threw", {{"route", route.info.pattern}});
  }
  return internal_error("body sink threw");
}

}  // namespace

asio::awaitable<Outcome> HttpServer::Impl::serve_one(
    Connection& conn, beast::flat_buffer& buffer, http::request_parser<http::buffer_body>& parser,
    std::uint64_t head_bytes, Request& request, std::vector<char>& piece) {
  Outcome out;
  out.bytes_in = head_bytes;
  auto& head = parser.get();
  request.method = std::string(head.method_string());
  request.target = std::string(head.target());
  for (const auto& f : head)
    request.headers.add(std::string(f.name_string()), std::string(f.value()));
  request.chunked = parser.chunked();
  request.content_length = parser.content_length().value_or(0);
  bool has_body = request.chunked || request.content_length > 0;
  bool head_only = request.method == "HEAD";
  bool keep_alive = head.keep_alive();
  bool body_read_directly = false;  // the whole body went to BodySink::direct_buffer()
  auto finish = [&](Response& r) -> asio::awaitable<Outcome> {
    if (has_body && !body_read_directly && !parser.is_done()) {
      out.close = true;
      out.unread_body = true;
    }
    if (!keep_alive) out.close = true;
    out.status = r.status;
    out.bytes_out =
        co_await write_response(conn, std::move(r), head_only, !out.close && !stopping, out);
    co_return out;
  };

  // A framing fault is answered and the connection closed: whatever follows cannot be told
  // apart from a body (request smuggling).
  if (auto fault = framing_error(head)) {
    keep_alive = false;
    out.unread_body = true;
    Response reply = status_error(fault->first, std::move(fault->second));
    co_return co_await finish(reply);
  }

  // Split the target; only origin-form ("/path?query") is served.
  if (request.target.empty() || request.target.front() != '/') {
    {
      Response reply = error_response(
          invalid_argument("request target must start with '/': " + request.target.substr(0, 64)));
      co_return co_await finish(reply);
    }
  }
  std::string_view target = request.target;
  std::size_t qpos = target.find('?');
  request.path = std::string(target.substr(0, qpos));
  if (qpos != std::string_view::npos) {
    std::string_view q = target.substr(qpos + 1);
    while (!q.empty()) {
      std::size_t amp = q.find('&');
      std::string_view pair = q.substr(0, amp);
      q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
      if (pair.empty()) continue;
      std::size_t eq = pair.find('=');
      auto key = percent_decode(pair.substr(0, eq), true);
      auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
      if (!key.ok() || !value.ok()) {
        {
          Error bad = key.ok() ? value.error() : key.error();
          Response reply = error_response(bad.with_context("query string"));
          co_return co_await finish(reply);
        }
      }
      request.query.emplace_back(std::move(key).value(), std::move(value).value());
    }
  }

  auto match = router.match(request.method, request.path, request.params);
  if (match.route == nullptr) {
    if (match.path_known) {
      Response r = status_error(
          405, invalid_argument("method " + request.method + " is not allowed on " + request.path));
      r.headers.set("Allow", match.allow);
      co_return co_await finish(r);
    }
    {
      Response reply = error_response(not_found("no route for " + request.path));
      co_return co_await finish(reply);
    }
  }
  const Router::Route& route = *match.route;
  request.route = route.info.pattern;

  std::uint64_t limit = route.options.max_body_size.value_or(options.max_body_size);
  if (!route.info.upload) limit = std::min(limit, options.max_body_size);
  auto too_large = [&] {
    return error_response(resource_exhausted("request body exceeds the limit of " +
                                             std::to_string(limit) + " bytes for " +
                                             route.info.pattern));
  };
  if (request.content_length > limit) {
    Response reply = too_large();
    co_return co_await finish(reply);
  }

  // When the next body read must end: read_timeout from now, or earlier when the body falls
  // behind min_body_rate (averaged since the head, after body_grace). `paced` says which.
  const Clock::time_point body_start = Clock::now();
  std::uint64_t body_bytes = 0;
  bool paced = false;
  auto body_expiry = [&] {
    Clock::time_point piece_deadline = Clock::now() + options.read_timeout;
    paced = false;
    if (options.min_body_rate == 0) return piece_deadline;
    const std::uint64_t rate = options.min_body_rate;
    const auto earned = std::chrono::microseconds(body_bytes / rate * 1'000'000 +
                                                  body_bytes % rate * 1'000'000 / rate);
    Clock::time_point pace_deadline = body_start + options.body_grace + earned;
    if (pace_deadline < piece_deadline) {
      paced = true;
      return pace_deadline;
    }
    return piece_deadline;
  };
  auto read_failed = [&](const boost::system::error_code& ec) -> Error {
    if (ec == beast::error::timeout) {
      if (paced) {
        return deadline_exceeded("request body slower than " +
                                 std::to_string(options.min_body_rate) + " bytes/s");
      }
      return deadline_exceeded("request body not received within the read timeout");
    }
    if (ec.category() == http::make_error_code(http::error::bad_chunk).category() &&
        ec != http::error::partial_message && ec != http::error::end_of_stream) {
      return invalid_argument("malformed request body: " + ec.message());
    }
    return unavailable("reading the request body failed: " + ec.message());
  };

  // Reads the next body piece into `piece`; returns its size, 0 at the end.
  auto read_piece = [&]() -> asio::awaitable<Result<std::size_t>> {
    if (parser.is_done()) co_return std::size_t{0};
    // Beast reads at most the buffer's spare capacity per call (512 bytes minimum); the buffer
    // was sized by the request head, so without this a body arrives in ~1 KiB reads, each a
    // syscall, a timer reset and a coroutine resume (docs/bench/node.md: 17 CPU s per GiB).
    if (buffer.capacity() < options.body_piece_size) buffer.reserve(options.body_piece_size);
    auto& body = parser.get().body();
    body.data = piece.data();
    body.size = piece.size();
    conn.stream.expires_at(body_expiry());
    auto [ec, n] = co_await http::async_read_some(conn.stream, buffer, parser, kNoThrow);
    if (ec == http::error::need_buffer) ec = {};
    std::size_t got = piece.size() - parser.get().body().size;
    if (ec) co_return read_failed(ec);
    out.bytes_in += got;
    body_bytes += got;
    co_return got;
  };
  // A body that did not parse is answered 400 and the connection closed. Any other failed
  // body read leaves nothing to answer on: a timed-out tcp_stream has closed its socket, a
  // broken one is gone; the status is for the access log and metrics only (408 for a timeout).
  auto body_failed = [&](const Error& e) -> asio::awaitable<Outcome> {
    if (e.code() == ErrorCode::kInvalidArgument) {
      keep_alive = false;
      out.unread_body = true;
      Response reply = error_response(e);
      co_return co_await finish(reply);
    }
    out.status = e.code() == ErrorCode::kDeadlineExceeded ? 408 : 400;
    out.close = true;
    co_return out;
  };

  if (!route.info.upload) {
    // A checked route's head is checked before a byte of its body is read.
    Handler checked;
    if (route.checked_handler) {
      Result<Handler> after_head = internal_error("handler threw");
      try {
        after_head = route.checked_handler(request);
      } catch (const std::exception& e) {
        logger.error("http handler threw", {{"route", route.info.pattern}, {"error", e.what()}});
      } catch (...) {
        logger.error("http handler threw",
                     {{"route", route.info.pattern}, {"error", "unknown exception"}});
      }
      if (after_head.ok() && !*after_head) after_head = internal_error("null handler");
      if (!after_head.ok()) {
        Response reply = error_response(after_head.error());
        co_return co_await finish(reply);
      }
      checked = std::move(after_head).value();
    }
    if (has_body) co_await send_continue(conn, parser);
    std::uint64_t total = 0;
    for (;;) {
      auto got = co_await read_piece();
      if (!got.ok()) co_return co_await body_failed(got.error());
      if (*got == 0 && parser.is_done()) break;
      total += *got;
      if (total > limit) {
        Response reply = too_large();
        co_return co_await finish(reply);
      }
      request.body.append(piece.data(), *got);
    }
    auto result = call_handler(route, checked ? checked : route.handler, request);
    // No coroutine frame for the common answer that needs no blocking work.
    if (result.ok() && result->blocking_work) {
      if (result.ok() && result->blocking_work) {
        result = co_await finish_blocking(route, std::move(result));
      }
    }
    {
      Response reply;
      if (result.ok()) {
        reply = std::move(result).value();
      } else {
        reply = error_response(result.error());
      }
      co_return co_await finish(reply);
    }
  }

  // Upload route: the handler sees the head, then its sink gets the body piece by piece.
  Result<std::unique_ptr<BodySink>> sink_result = internal_error("handler threw");
  try {
    sink_result = route.upload_handler(request);
  } catch (const std::exception& e) {
    logger.error("http handler threw", {{"route", route.info.pattern}, {"error", e.what()}});
  } catch (...) {
    logger.error("http handler threw",
                 {{"route", route.info.pattern}, {"error", "unknown exception"}});
  }
  if (!sink_result.ok()) {
    Response reply = error_response(sink_result.error());
    co_return co_await finish(reply);
  }
  std::unique_ptr<BodySink> sink = std::move(sink_result).value();
  if (sink == nullptr) {
    Response reply = error_response(internal_error("null sink"));
    co_return co_await finish(reply);
  }
  auto abort = [&](const Error& e) {
    try {
      sink->abort(e);
    } catch (...) {
    }
  };
  if (has_body) co_await send_continue(conn, parser);
  // A body of known length goes straight from the socket into the sink's own buffer when the
  // sink offers one: no copy through Beast's buffer and the piece (two memcpy per byte of an
  // upload, docs/bench/node.md). Chunked bodies go through the parser.
  bool direct = false;
  if (!request.chunked && request.content_length > 0) {
    auto offered = call_sink(logger, route, [&] { return sink->direct_buffer(); });
    if (!offered.ok()) {
      abort(offered.error());
      Response reply = error_response(offered.error());
      co_return co_await finish(reply);
    }
    direct = !offered->empty();
  }
  for (std::uint64_t remaining = direct ? request.content_length : 0; remaining > 0;) {
    auto offered = call_sink(logger, route, [&] { return sink->direct_buffer(); });
    Status usable = !offered.ok()      ? Status(offered.error())
                    : offered->empty() ? internal_error("body sink's direct buffer is empty")
                                       : ok_status();
    if (!usable.ok()) {
      abort(usable.error());
      Response reply = error_response(usable.error());
      co_return co_await finish(reply);
    }
    const std::span<std::uint8_t> into = *offered;
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(into.size(), remaining));
    std::size_t got = 0;
    if (buffer.size() > 0) {
      // Body bytes that arrived with the head.
      got = std::min(buffer.size(), want);
      std::memcpy(into.data(), buffer.data().data(), got);
      buffer.consume(got);
    } else {
      conn.stream.expires_at(body_expiry());
      auto [ec, n] =
          co_await conn.stream.async_read_some(asio::buffer(into.data(), want), kNoThrow);
      if (ec) {
        Error e = read_failed(ec);
        abort(e);
        co_return co_await body_failed(e);
      }
      got = n;
    }
    remaining -= got;
    out.bytes_in += got;
    body_bytes += got;
    Status written = call_sink(logger, route, [&] { return sink->wrote(got); });
    if (!written.ok()) {
      abort(written.error());
      Response reply = error_response(written.error());
      co_return co_await finish(reply);
    }
  }
  body_read_directly = direct;
  std::uint64_t total = 0;
  for (; !direct;) {
    auto got = co_await read_piece();
    if (!got.ok()) {
      abort(got.error());
      co_return co_await body_failed(got.error());
    }
    if (*got == 0 && parser.is_done()) break;
    total += *got;
    if (total > limit) {
      Response r = too_large();
      abort(resource_exhausted("request body over the limit"));
      co_return co_await finish(r);
    }
    if (*got == 0) continue;
    Status written = internal_error("body sink threw");
    try {
      written = sink->write(ByteView(reinterpret_cast<const std::uint8_t*>(piece.data()), *got));
    } catch (const std::exception& e) {
      logger.error("http body sink threw", {{"route", route.info.pattern}, {"error", e.what()}});
    } catch (...) {
      logger.error("http body sink threw", {{"route", route.info.pattern}});
    }
    if (!written.ok()) {
      abort(written.error());
      {
        Response reply = error_response(written.error());
        co_return co_await finish(reply);
      }
    }
  }
  Result<Response> result = internal_error("body sink threw");
  try {
    result = sink->finish();
  } catch (const std::exception& e) {
    logger.error("http body sink threw", {{"route", route.info.pattern}, {"error", e.what()}});
  } catch (...) {
    logger.error("http body sink threw", {{"route", route.info.pattern}});
  }
  if (result.ok() && result->blocking_work) {
    result = co_await finish_blocking(route, std::move(result));
  }
  {
    Response reply;
    if (result.ok()) {
      reply = std::move(result).value();
    } else {
      reply = error_response(result.error());
    }
    co_return co_await finish(reply);
  }
}

asio::awaitable<std::uint64_t> HttpServer::Impl::write_response(Connection& conn, Response response,
                                                                bool head_only, bool keep_alive,
                                                                Outcome& out) {
  if (response.status < 200 || response.status > 999) {
    logger.error("http handler returned an invalid status", {{"status", response.status}});
    response = error_response(internal_error("invalid status"));
  }
  auto fill = [&](auto& res, std::uint64_t length) {
    res.result(static_cast<unsigned>(response.status));
    res.set(http::field::server, options.server_header);
    for (const auto& [name, value] : response.headers.fields()) {
      if (!header_value_safe(name) || !header_value_safe(value) || name.empty()) {
        logger.error("http handler set an unsafe header; dropped", {{"name", name}});
        continue;
      }
      res.insert(name, value);
    }
    if (response.status != 204 && response.status != 304) res.content_length(length);
    res.keep_alive(keep_alive);
    if (!keep_alive) out.close = true;
  };
  std::uint64_t written = 0;
  conn.stream.expires_after(options.write_timeout);
  if (!response.stream) {
    http::response<http::string_body> res;
    fill(res, response.body.size());
    if (!head_only) res.body() = std::move(response.body);
    auto [ec, n] = co_await http::async_write(conn.stream, res, kNoThrow);
    if (ec) out.close = true;
    co_return n;
  }

  StreamBody& stream = *response.stream;
  http::response<http::buffer_body> res;
  fill(res, stream.length);
  res.body().data = nullptr;
  res.body().more = !head_only && stream.length > 0;
  http::response_serializer<http::buffer_body> sr{res};
  auto [hec, hn] = co_await http::async_write_header(conn.stream, sr, kNoThrow);
  written += hn;
  if (hec) {
    out.close = true;
    co_return written;
  }
  if (head_only || stream.length == 0) co_return written;
  std::uint64_t sent = 0;
  auto fail = [&](std::string why) {
    logger.error("http stream failed; closing the connection",
                 {{"error", std::move(why)}, {"sent", sent}, {"length", stream.length}});
    out.close = true;
  };
  while (sent < stream.length) {
    Result<std::optional<Bytes>> chunk = internal_error("chunk producer threw");
    try {
      chunk = stream.next_chunk();
    } catch (const std::exception& e) {
      chunk = internal_error(std::string("chunk producer threw: ") + e.what());
    } catch (...) {
    }
    if (!chunk.ok()) {
      fail(chunk.error().to_string());
      co_return written;
    }
    if (!chunk->has_value()) {
      fail("the body ended before its Content-Length");
      co_return written;
    }
    const Bytes& bytes = **chunk;
    if (bytes.empty()) continue;
    if (bytes.size() > stream.length - sent) {
      fail("the body is longer than its Content-Length");
      co_return written;
    }
    res.body().data = const_cast<std::uint8_t*>(bytes.data());
    res.body().size = bytes.size();
    res.body().more = true;
    conn.stream.expires_after(options.write_timeout);
    auto [ec, n] = co_await http::async_write(conn.stream, sr, kNoThrow);
    if (ec == http::error::need_buffer) ec = {};
    written += bytes.size() - res.body().size;
    if (ec) {
      out.close = true;  // the client went away or stopped reading
      co_return written;
    }
    sent += bytes.size();
  }
  res.body().data = nullptr;
  res.body().size = 0;
  res.body().more = false;
  auto [ec, n] = co_await http::async_write(conn.stream, sr, kNoThrow);
  if (ec) out.close = true;
  co_return written;
}

// Closes a connection whose client may still be sending a body we refused: stop sending, then
// read and drop what arrives for a short while, so that the client gets our response rather than
// a reset (the lingering close of RFC 9112 §9.6).
asio::awaitable<void> HttpServer::Impl::linger_close(Connection& conn, beast::flat_buffer& buffer) {
  boost::system::error_code ec;
  conn.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  buffer.consume(buffer.size());
  auto deadline =
      Clock::now() + std::min<Clock::duration>(options.read_timeout, std::chrono::seconds(2));
  std::uint64_t dropped = 0;
  std::array<char, 16 * 1024> sink{};
  while (Clock::now() < deadline && dropped < 64 * 1024 * 1024) {
    conn.stream.expires_at(deadline);
    auto [rec, n] = co_await conn.stream.async_read_some(asio::buffer(sink), kNoThrow);
    if (rec) break;
    dropped += n;
  }
  conn.stream.socket().close(ec);
}

void HttpServer::Impl::record(const Request& request, const Outcome& out, Clock::time_point start) {
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::string route = request.route.empty() ? "unmatched" : request.route;
  requests.with({method_label(request.method), route, std::to_string(out.status)}).inc();
  duration.with({route}).observe(seconds);
  bytes_in.with({route}).inc(out.bytes_in);
  bytes_out.with({route}).inc(out.bytes_out);
  if (logger.enabled(LogLevel::kInfo)) {
    // A method is a token of a few letters; whatever a client sent, 32 bytes of it are enough.
    logger.log(LogLevel::kInfo, "http request",
               {{"method", request.method.substr(0, 32)},
                {"target", request.target.substr(0, 512)},
                {"route", route},
                {"status", out.status},
                {"bytes_in", out.bytes_in},
                {"bytes_out", out.bytes_out},
                {"duration_ms", seconds * 1000.0},
                {"remote", request.remote}});
  }
}

}  // namespace pactum::server
