// A tiny HTTP/1.1 client for the server tests: one connection, every operation bounded by a
// deadline (the tests wait on sockets, never on the clock).
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace pactum::server::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

using StringResponse = http::response<http::string_body>;

class TestClient {
 public:
  explicit TestClient(std::uint16_t port,
                      std::chrono::milliseconds deadline = std::chrono::seconds(20))
      : deadline_(deadline) {
    run([&](auto done) {
      stream_.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                            [done](beast::error_code ec) { done(ec, 0); });
    });
  }

  [[nodiscard]] bool connected() const { return !last_error_; }
  [[nodiscard]] beast::error_code last_error() const { return last_error_; }

  // Writes raw bytes. Returns false on error.
  bool write_raw(std::string_view bytes) {
    return !run([&](auto done) {
      asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                        [done](beast::error_code ec, std::size_t n) { done(ec, n); });
    });
  }

  // Reads one response (body as a string). nullopt on error (see last_error()).
  std::optional<StringResponse> read_response(bool head_request = false) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{1} << 32);
    parser.skip(head_request);
    auto ec = run([&](auto done) {
      http::async_read(stream_, buffer_, parser,
                       [done](beast::error_code ec, std::size_t n) { done(ec, n); });
    });
    if (ec) return std::nullopt;
    return parser.release();
  }

  // Sends a request and reads its response.
  std::optional<StringResponse> request(
      http::verb method, std::string target, std::string body = {},
      std::initializer_list<std::pair<std::string, std::string>> headers = {}) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = std::move(body);
    req.prepare_payload();
    auto ec = run([&](auto done) {
      http::async_write(stream_, req, [done](beast::error_code ec, std::size_t n) { done(ec, n); });
    });
    if (ec) return std::nullopt;
    return read_response(method == http::verb::head);
  }

  std::optional<StringResponse> get(std::string target) {
    return request(http::verb::get, std::move(target));
  }

  // Waits until the server closes the connection; true if it did before the deadline.
  bool wait_closed() {
    char buf[4096];
    for (;;) {
      std::size_t got = 0;
      auto ec = run(
          [&](auto done) {
            stream_.async_read_some(asio::buffer(buf),
                                    [done](beast::error_code ec, std::size_t n) { done(ec, n); });
          },
          &got);
      if (ec == asio::error::eof || ec == asio::error::connection_reset) return true;
      if (ec) return false;  // timeout or other
    }
  }

  beast::flat_buffer& buffer() { return buffer_; }
  beast::tcp_stream& stream() { return stream_; }

 private:
  template <class Start>
  beast::error_code run(Start start, std::size_t* transferred = nullptr) {
    beast::error_code result = asio::error::timed_out;
    std::size_t n = 0;
    bool finished = false;
    stream_.expires_after(deadline_);
    start([&](beast::error_code ec, std::size_t count) {
      result = ec;
      n = count;
      finished = true;
    });
    ioc_.restart();
    ioc_.run();
    if (!finished) result = asio::error::timed_out;
    if (transferred) *transferred = n;
    last_error_ = result;
    return result;
  }

  std::chrono::milliseconds deadline_;
  asio::io_context ioc_;
  beast::tcp_stream stream_{ioc_};
  beast::flat_buffer buffer_;
  beast::error_code last_error_;
};

}  // namespace pactum::server::testing
