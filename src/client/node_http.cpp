// NodeHttpClient over Boost.Beast, synchronous: one connection per call, bodies in pieces
// (http::buffer_body) so that neither direction ever holds a whole file.
#include "pactum/client/node_http.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <nlohmann/json.hpp>
#include <optional>

#include "pactum/rpc/http_client.hpp"
#include "pactum/rpc/tls.hpp"

namespace pactum::client {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

// Retry-After as delta-seconds (RFC 9110 §10.2.3); an HTTP-date or a value over an hour is
// ignored (the caller then uses its own pause).
template <class Fields>
std::optional<std::chrono::seconds> retry_after_of(const Fields& fields) {
  auto it = fields.find(http::field::retry_after);
  if (it == fields.end()) return std::nullopt;
  const std::string_view v = it->value();
  if (v.empty() || v.size() > 4) return std::nullopt;
  unsigned n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (n > 3600) return std::nullopt;
  return std::chrono::seconds(n);
}

// One connection to the node, open for one exchange. Every operation is asynchronous on the
// exchange's own io_context, run to completion: a basic_stream's expiry bounds only
// asynchronous operations, so this is what makes connect_timeout and idle_timeout hold.
class Exchange {
 public:
  Exchange(const NodeHttpOptions& options, std::string base_url,
           const std::shared_ptr<ssl::context>& tls)
      : options_(options), base_url_(std::move(base_url)) {
    if (tls) {
      tls_stream_.emplace(io_, *tls);
    } else {
      plain_.emplace(io_);
    }
  }

  Status connect(const std::string& host, const std::string& port) {
    tcp::resolver resolver(io_);
    beast::error_code ec;
    auto found = resolver.resolve(host, port, ec);
    if (ec) return unavailable("cannot resolve " + host + ": " + ec.message());
    tcp().expires_after(options_.connect_timeout);
    tcp().async_connect(found, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    run();
    if (ec == beast::error::timeout) return deadline_exceeded("connecting to " + base_url_);
    if (ec) return unavailable("cannot connect to the node at " + base_url_ + ": " + ec.message());
    if (!tls_stream_) return ok_status();
    SSL* ssl = tls_stream_->native_handle();
    PACTUM_TRY_STATUS(rpc::prepare_tls_client(ssl, host));
    tcp().expires_after(options_.connect_timeout);
    tls_stream_->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    run();
    if (ec) return rpc::tls_handshake_error(ssl, ec, ec == beast::error::timeout, host, port);
    return ok_status();
  }

  beast::flat_buffer& buffer() { return buffer_; }

  // The Beast operations this client uses, each bounded by idle_timeout.
  template <class Message>
  beast::error_code write(Message& message) {
    return await([&](auto& stream, auto handler) { http::async_write(stream, message, handler); });
  }
  template <class Serializer>
  beast::error_code write_header(Serializer& serializer) {
    return await(
        [&](auto& stream, auto handler) { http::async_write_header(stream, serializer, handler); });
  }
  template <class Parser>
  beast::error_code read(Parser& parser) {
    return await(
        [&](auto& stream, auto handler) { http::async_read(stream, buffer_, parser, handler); });
  }
  template <class Parser>
  beast::error_code read_header(Parser& parser) {
    return await([&](auto& stream, auto handler) {
      http::async_read_header(stream, buffer_, parser, handler);
    });
  }

  Error failure(const beast::error_code& ec, std::string_view doing) const {
    if (ec == beast::error::timeout) {
      return deadline_exceeded("node " + base_url_ + " stalled while " + std::string(doing));
    }
    if (ec == http::error::partial_message || ec == http::error::end_of_stream ||
        ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
        ec == ssl::error::stream_truncated) {
      return unavailable("node " + base_url_ + " closed the connection while " +
                         std::string(doing));
    }
    return unavailable("node " + base_url_ + " while " + std::string(doing) + ": " + ec.message());
  }

  // Reads a whole answer (status, Content-Range, body up to the limit).
  Result<NodeReply> read_answer() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_answer_bytes);
    beast::error_code ec = read(parser);
    if (ec == http::error::body_limit) {
      return resource_exhausted("node " + base_url_ + ": answer over " +
                                std::to_string(options_.max_answer_bytes) + " bytes");
    }
    if (ec) return failure(ec, "reading the answer");
    NodeReply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    if (auto it = parser.get().find(http::field::content_range); it != parser.get().end()) {
      reply.content_range = std::string(it->value());
    }
    reply.retry_after = retry_after_of(parser.get());
    reply.body = std::move(parser.get().body());
    return reply;
  }

 private:
  beast::tcp_stream& tcp() { return tls_stream_ ? beast::get_lowest_layer(*tls_stream_) : *plain_; }

  void run() {
    io_.restart();
    io_.run();
  }

  // Starts `start(stream, handler)` on whichever stream is open, with the idle timeout armed,
  // and runs it to completion.
  template <class Start>
  beast::error_code await(Start start) {
    beast::error_code ec;
    auto handler = [&ec](beast::error_code e, std::size_t) { ec = e; };
    tcp().expires_after(options_.idle_timeout);
    if (tls_stream_) {
      start(*tls_stream_, handler);
    } else {
      start(*plain_, handler);
    }
    run();
    return ec;
  }

  const NodeHttpOptions& options_;
  std::string base_url_;
  boost::asio::io_context io_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
  beast::flat_buffer buffer_;
};

template <class Body>
void set_common(http::request<Body>& req, const std::string& host, const std::string& port,
                const HeaderList& headers) {
  req.set(http::field::host, host + ":" + port);
  req.set(http::field::connection, "close");
  req.set(http::field::user_agent, "pactum-client");
  for (const auto& [name, value] : headers) req.set(name, value);
}

Result<http::verb> verb_of(std::string_view method) {
  const http::verb v = http::string_to_verb(method);
  if (v == http::verb::unknown)
    return invalid_argument("unknown HTTP method " + std::string(method));
  return v;
}

}  // namespace

Result<NodeHttpClient> NodeHttpClient::create(std::string_view base_url, NodeHttpOptions options) {
  PACTUM_TRY(rpc::HttpEndpoint endpoint, rpc::parse_http_url(base_url));
  std::shared_ptr<ssl::context> tls;
  if (endpoint.tls) {
    PACTUM_TRY(tls, rpc::make_tls_client_context(options.ca_file));
  }
  std::string prefix = endpoint.target == "/" ? "" : endpoint.target;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (options.piece_size == 0) options.piece_size = std::size_t{256} << 10;
  return NodeHttpClient(std::string(base_url), endpoint.host, endpoint.port, std::move(prefix),
                        std::move(options), std::move(tls));
}

Result<NodeReply> NodeHttpClient::request(std::string_view method, std::string_view path,
                                          const HeaderList& headers, std::string_view body,
                                          std::string_view content_type) const {
  PACTUM_TRY(http::verb verb, verb_of(method));
  try {
    Exchange ex(options_, base_url_, tls_);
    PACTUM_TRY_STATUS(ex.connect(host_, port_));
    http::request<http::string_body> req(verb, prefix_ + std::string(path), 11);
    set_common(req, host_, port_, headers);
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    req.body() = std::string(body);
    req.prepare_payload();
    if (auto ec = ex.write(req)) return ex.failure(ec, "sending the request");
    return ex.read_answer();
  } catch (const std::exception& e) {
    return unavailable("node " + base_url_ + ": " + e.what());
  }
}

Result<NodeReply> NodeHttpClient::upload(std::string_view method, std::string_view path,
                                         const HeaderList& headers, std::uint64_t length,
                                         const BodyReader& read) const {
  PACTUM_TRY(http::verb verb, verb_of(method));
  try {
    Exchange ex(options_, base_url_, tls_);
    PACTUM_TRY_STATUS(ex.connect(host_, port_));
    http::request<http::buffer_body> req(verb, prefix_ + std::string(path), 11);
    set_common(req, host_, port_, headers);
    req.set(http::field::content_type, "application/octet-stream");
    req.content_length(length);
    req.body().data = nullptr;
    req.body().more = true;
    http::request_serializer<http::buffer_body> serializer(req);
    beast::error_code ec = ex.write_header(serializer);
    if (ec) return ex.failure(ec, "sending the request head");

    std::vector<std::uint8_t> piece(options_.piece_size);
    std::uint64_t sent = 0;
    while (sent < length) {
      const std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(piece.size(), length - sent));
      PACTUM_TRY(std::size_t got, read(std::span<std::uint8_t>(piece.data(), want)));
      if (got == 0 || got > want) {
        return aborted("the body ended after " + std::to_string(sent) + " of " +
                       std::to_string(length) + " bytes (did the file change?)");
      }
      req.body().data = piece.data();
      req.body().size = got;
      req.body().more = true;
      ec = ex.write(serializer);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        // A node that refuses an upload answers at once and closes; its answer says why.
        auto early = ex.read_answer();
        if (early.ok()) return early;
        return ex.failure(ec, "sending the body");
      }
      sent += got;
    }
    req.body().data = nullptr;
    req.body().size = 0;
    req.body().more = false;
    ec = ex.write(serializer);
    if (ec && ec != http::error::need_buffer) {
      auto early = ex.read_answer();
      if (early.ok()) return early;
      return ex.failure(ec, "ending the body");
    }
    return ex.read_answer();
  } catch (const std::exception& e) {
    return unavailable("node " + base_url_ + ": " + e.what());
  }
}

Result<NodeReply> NodeHttpClient::download(std::string_view path, const HeaderList& headers,
                                           const BodyWriter& write) const {
  try {
    Exchange ex(options_, base_url_, tls_);
    PACTUM_TRY_STATUS(ex.connect(host_, port_));
    http::request<http::empty_body> req(http::verb::get, prefix_ + std::string(path), 11);
    set_common(req, host_, port_, headers);
    beast::error_code ec = ex.write(req);
    if (ec) return ex.failure(ec, "sending the request");

    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);  // streamed: the pieces, not the whole, are bounded
    ec = ex.read_header(parser);
    if (ec) return ex.failure(ec, "reading the answer's head");
    NodeReply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    if (auto it = parser.get().find(http::field::content_range); it != parser.get().end()) {
      reply.content_range = std::string(it->value());
    }
    reply.retry_after = retry_after_of(parser.get());
    const bool success = reply.status >= 200 && reply.status < 300;
    std::vector<std::uint8_t> piece(options_.piece_size);
    // Beast reads at most the buffer's spare capacity (512 B when empty): without room for a
    // whole piece a body arrives in tiny reads (~10 CPU s per GiB).
    if (ex.buffer().capacity() < piece.size()) ex.buffer().reserve(piece.size());
    while (!parser.is_done()) {
      parser.get().body().data = piece.data();
      parser.get().body().size = piece.size();
      ec = ex.read(parser);
      if (ec == http::error::need_buffer) ec = {};
      // What arrived before an error is handed on first: the writer sees every byte received,
      // and the error says how far the transfer got.
      const std::size_t n = piece.size() - parser.get().body().size;
      if (ec && (n == 0 || !success)) {
        return ex.failure(
            ec, "receiving the body (after " + std::to_string(reply.streamed_bytes) + " bytes)");
      }
      if (n == 0) continue;
      if (success) {
        PACTUM_TRY_STATUS(write(ByteView(piece.data(), n)));
        reply.streamed_bytes += n;
      } else {
        if (reply.body.size() + n > options_.max_answer_bytes) {
          return resource_exhausted("node " + base_url_ + ": error answer too large");
        }
        reply.body.append(reinterpret_cast<const char*>(piece.data()), n);
      }
      if (ec) {
        return ex.failure(
            ec, "receiving the body (after " + std::to_string(reply.streamed_bytes) + " bytes)");
      }
    }
    return reply;
  } catch (const std::exception& e) {
    return unavailable("node " + base_url_ + ": " + e.what());
  }
}

Error node_error(const NodeReply& reply, std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  auto doc = nlohmann::json::parse(reply.body, nullptr, false);
  if (!doc.is_discarded() && doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
    const auto& e = doc["error"];
    const std::string code =
        e.contains("code") && e["code"].is_string() ? e["code"].get<std::string>() : "";
    std::string message =
        e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
    if (message.size() > 1024) message = message.substr(0, 1024) + "…";
    for (int c = 0; c <= static_cast<int>(ErrorCode::kInternal); ++c) {
      const auto ec = static_cast<ErrorCode>(c);
      if (error_code_name(ec) != code) continue;
      if (ec == ErrorCode::kInternal) {
        return unavailable(prefix + "the node failed (" + message + ")");
      }
      return Error(ec, prefix + message);
    }
  }
  return rpc::error_from_http_status(reply.status, reply.body).with_context(std::string(what));
}

}  // namespace pactum::client
