#include "pactum/rpc/http_client.hpp"

#include "pactum/rpc/tls.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <mutex>
#include <optional>
#include <utility>

namespace pactum::rpc {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string shorten(std::string_view text, std::size_t limit = 200) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit)) + "…(" + std::to_string(text.size()) + " bytes)";
}

bool valid_port(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value > 0 && value <= 65535;
}

// Maps a socket or HTTP parser error. `phase` names what was being done ("connect to ...").
Error error_from_io(const beast::error_code& ec, const std::string& phase) {
  const std::string what = phase + ": " + ec.message();
  if (ec == beast::error::timeout) return deadline_exceeded(what);
  if (ec == http::error::body_limit || ec == http::error::buffer_overflow ||
      ec == http::error::header_limit) {
    return resource_exhausted(what);
  }
  if (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return data_loss("malformed HTTP answer: " + what);
  }
  return unavailable(what);
}

// A connection that broke before the first byte of the answer: the usual sign that the server
// closed a kept-alive connection while it was idle.
bool is_stale_connection(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted;
}

}  // namespace

Result<HttpEndpoint> parse_http_url(std::string_view url) {
  constexpr std::string_view kHttp = "http://";
  constexpr std::string_view kHttps = "https://";
  HttpEndpoint out;
  std::string_view rest;
  if (url.substr(0, kHttps.size()) == kHttps) {
    out.tls = true;
    rest = url.substr(kHttps.size());
  } else if (url.substr(0, kHttp.size()) == kHttp) {
    rest = url.substr(kHttp.size());
  } else {
    return invalid_argument("URL must start with http:// or https://, got \"" + shorten(url) +
                            "\"");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return invalid_argument("RPC URL contains a space or control character");
    }
  }
  const std::size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.target[0] != '/') out.target.insert(0, "/");
  if (const std::size_t hash = out.target.find('#'); hash != std::string::npos) {
    out.target.resize(hash);
  }
  if (authority.find('@') != std::string_view::npos) {
    return invalid_argument("RPC URL with user info is not supported");
  }
  if (!authority.empty() && authority.front() == '[') {  // [ipv6]:port
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid_argument("RPC URL: unclosed '[' in host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid_argument("RPC URL: junk after ']'");
      out.port = std::string(after.substr(1));
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) out.port = std::string(authority.substr(colon + 1));
  }
  if (out.host.empty()) return invalid_argument("RPC URL has no host: \"" + shorten(url) + "\"");
  if (out.port.empty()) out.port = out.tls ? "443" : "80";
  if (!valid_port(out.port)) {
    return invalid_argument("RPC URL has a bad port \"" + shorten(out.port, 16) + "\"");
  }
  return out;
}

Error error_from_http_status(int status, std::string_view body) {
  const std::string what =
      "HTTP " + std::to_string(status) + (body.empty() ? "" : ": " + shorten(body));
  switch (status) {
    case 401:
      return unauthenticated(what);
    case 403:
      return permission_denied(what);
    case 404:
      return not_found(what);
    case 408:  // the server gave up waiting for our request; sending it again may succeed
    case 429:  // rate limited: back off and retry
      return unavailable(what);
    case 413:
      return resource_exhausted(what);
    case 501:
      return unimplemented(what);
    default:
      break;
  }
  if (status >= 500 && status <= 599) return unavailable(what);
  if (status >= 400 && status <= 499) return invalid_argument(what);
  // 1xx past the parser, 3xx (we follow no redirects) or nonsense.
  return data_loss("unexpected " + what);
}

struct HttpTransport::Impl {
  HttpEndpoint endpoint;
  HttpOptions options;
  std::shared_ptr<ssl::context> tls;  // https:// only
  std::mutex mutex;
  // All below GUARDED_BY(mutex). One of the two streams is open at a time.
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream;
  beast::flat_buffer buffer;

  // Runs the queued asynchronous operation to completion (the stream's expiry bounds it).
  void run() {
    io.restart();
    io.run();
  }

  [[nodiscard]] bool open() const { return stream.has_value() || tls_stream.has_value(); }
  beast::tcp_stream& tcp() { return tls_stream ? beast::get_lowest_layer(*tls_stream) : *stream; }

  void close() {
    if (open()) {
      // No TLS close_notify: the connection is dropped, and nothing more is sent on it.
      beast::error_code ignored;
      tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
      tcp().socket().close(ignored);
      stream.reset();
      tls_stream.reset();
    }
    buffer.clear();
  }

  Status connect() {
    close();
    const std::string phase = "connect to " + endpoint.host + ":" + endpoint.port;
    // Name resolution is not bounded by connect_timeout (getaddrinfo cannot be cancelled);
    // RPC URLs are normally numeric or local.
    tcp::resolver resolver(io);
    beast::error_code ec;
    tcp::resolver::results_type addresses;
    resolver.async_resolve(endpoint.host, endpoint.port,
                           [&](beast::error_code e, tcp::resolver::results_type r) {
                             ec = e;
                             addresses = std::move(r);
                           });
    run();
    if (ec) return unavailable(phase + ": " + ec.message());
    if (tls) {
      tls_stream.emplace(io, *tls);
    } else {
      stream.emplace(io);
    }
    tcp().expires_after(options.connect_timeout);
    tcp().async_connect(addresses, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    run();
    if (ec) {
      close();
      return error_from_io(ec, phase);
    }
    tcp().socket().set_option(tcp::no_delay(true), ec);
    if (tls) return handshake();
    return ok_status();
  }

  // The TLS handshake, the server's certificate checked for endpoint.host (DNS name or IP).
  Status handshake() {
    SSL* ssl = tls_stream->native_handle();
    if (auto prepared = prepare_tls_client(ssl, endpoint.host); !prepared.ok()) {
      close();
      return prepared;
    }
    beast::error_code ec;
    tcp().expires_after(options.connect_timeout);
    tls_stream->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    run();
    if (!ec) return ok_status();
    Error error =
        tls_handshake_error(ssl, ec, ec == beast::error::timeout, endpoint.host, endpoint.port);
    close();
    return error;
  }

  // One request/answer exchange on the open connection. `stale` is set when the connection
  // broke before any of the answer arrived.
  Result<std::string> exchange(std::string_view body, bool& stale) {
    if (tls_stream) return exchange_on(*tls_stream, body, stale);
    return exchange_on(*stream, body, stale);
  }

  template <class Stream>
  Result<std::string> exchange_on(Stream& s, std::string_view body, bool& stale) {
    stale = false;
    http::request<http::string_body> request{http::verb::post, endpoint.target, 11};
    request.set(http::field::host, endpoint.host);
    request.set(http::field::user_agent, "pactum-rpc/0.1");
    request.set(http::field::content_type, "application/json");
    request.set(http::field::accept, "application/json");
    request.keep_alive(true);
    request.body() = std::string(body);
    request.prepare_payload();

    beast::error_code ec;
    tcp().expires_after(options.request_timeout);
    http::async_write(s, request, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    if (ec) {
      stale = is_stale_connection(ec);
      close();
      return error_from_io(ec, "send request");
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    std::size_t received = 0;
    http::async_read(s, buffer, parser, [&](beast::error_code e, std::size_t n) {
      ec = e;
      received = n;
    });
    run();
    if (ec) {
      // A TLS server that closes an idle connection without close_notify: stale too.
      stale = received == 0 && (is_stale_connection(ec) || ec == ssl::error::stream_truncated);
      close();
      return error_from_io(ec, "read answer");
    }
    http::response<http::string_body> response = parser.release();
    if (!response.keep_alive()) close();
    const int status = static_cast<int>(response.result_int());
    if (status < 200 || status > 299) return error_from_http_status(status, response.body());
    return std::move(response.body());
  }
};

HttpTransport::HttpTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpTransport::~HttpTransport() {
  if (impl_) impl_->close();
}

Result<std::unique_ptr<HttpTransport>> HttpTransport::create(std::string_view url,
                                                             HttpOptions options) {
  PACTUM_TRY(HttpEndpoint endpoint, parse_http_url(url));
  if (options.max_body_bytes == 0) return invalid_argument("HttpOptions.max_body_bytes is 0");
  auto impl = std::make_unique<Impl>();
  if (endpoint.tls) {
    PACTUM_TRY(impl->tls, make_tls_client_context(options.ca_file));
  }
  impl->endpoint = std::move(endpoint);
  impl->options = options;
  return std::unique_ptr<HttpTransport>(new HttpTransport(std::move(impl)));
}

Result<std::string> HttpTransport::round_trip(std::string_view request) {
  std::lock_guard lock(impl_->mutex);
  try {
    const bool reused = impl_->open();
    if (!reused) PACTUM_TRY_STATUS(impl_->connect());
    bool stale = false;
    auto answer = impl_->exchange(request, stale);
    if (answer.ok() || !(reused && stale)) return answer;
    // The server closed the idle kept-alive connection; nothing of the answer arrived, so the
    // request is sent once more on a fresh connection.
    PACTUM_TRY_STATUS(impl_->connect());
    return impl_->exchange(request, stale);
  } catch (const std::exception& e) {  // allocation failure or a Boost precondition
    impl_->close();
    return internal_error(std::string("HTTP transport: ") + e.what());
  }
}

}  // namespace pactum::rpc
