#include "support/net/test_client.hpp"

#include <strings.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace pactum::server::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string StringResponse::operator[](std::string_view name) const {
  for (const auto& [key, value] : headers_) {
    if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return {};
}

struct TestClient::Impl {
  explicit Impl(std::chrono::milliseconds d) : deadline(d) {}

  // Runs one asynchronous operation to its end or the deadline.
  template <class Start>
  beast::error_code run(Start start, std::size_t* transferred = nullptr) {
    beast::error_code result = asio::error::timed_out;
    std::size_t n = 0;
    bool finished = false;
    stream.expires_after(deadline);
    start([&](beast::error_code ec, std::size_t count) {
      result = ec;
      n = count;
      finished = true;
    });
    ioc.restart();
    ioc.run();
    if (!finished) result = asio::error::timed_out;
    if (transferred) *transferred = n;
    last_error = result;
    return result;
  }

  std::chrono::milliseconds deadline;
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  beast::error_code last_error;
};

namespace {

http::verb verb_of(Method method) {
  switch (method) {
    case Method::kGet:
      return http::verb::get;
    case Method::kHead:
      return http::verb::head;
    case Method::kPost:
      return http::verb::post;
    case Method::kPut:
      return http::verb::put;
    case Method::kDelete:
      return http::verb::delete_;
    case Method::kOptions:
      return http::verb::options;
    case Method::kPatch:
      return http::verb::patch;
  }
  return http::verb::unknown;
}

}  // namespace

TestClient::TestClient(std::uint16_t port, std::chrono::milliseconds deadline)
    : impl_(std::make_unique<Impl>(deadline)) {
  impl_->run([&](auto done) {
    impl_->stream.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                [done](beast::error_code ec) { done(ec, 0); });
  });
}

TestClient::~TestClient() = default;

bool TestClient::connected() const {
  return !impl_->last_error;
}

std::string TestClient::last_error() const {
  return impl_->last_error.message();
}

bool TestClient::last_read_was_partial() const {
  return impl_->last_error == http::error::partial_message;
}

int TestClient::native_handle() {
  return impl_->stream.socket().native_handle();
}

bool TestClient::write_raw(std::string_view bytes) {
  return !impl_->run([&](auto done) {
    asio::async_write(impl_->stream, asio::buffer(bytes.data(), bytes.size()),
                      [done](beast::error_code ec, std::size_t n) { done(ec, n); });
  });
}

std::optional<StringResponse> TestClient::read_response(bool head_request) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{1} << 32);
  parser.skip(head_request);
  auto ec = impl_->run([&](auto done) {
    http::async_read(impl_->stream, impl_->buffer, parser,
                     [done](beast::error_code ec, std::size_t n) { done(ec, n); });
  });
  if (ec) return std::nullopt;
  auto message = parser.release();
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& field : message) {
    headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  const bool keep_alive = message.keep_alive();
  return StringResponse(message.result_int(), std::move(headers), std::move(message.body()),
                        keep_alive);
}

std::optional<StringResponse> TestClient::request(
    Method method, std::string target, std::string body,
    std::initializer_list<std::pair<std::string, std::string>> headers) {
  http::request<http::string_body> req{verb_of(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::move(body);
  req.prepare_payload();
  auto ec = impl_->run([&](auto done) {
    http::async_write(impl_->stream, req,
                      [done](beast::error_code ec, std::size_t n) { done(ec, n); });
  });
  if (ec) return std::nullopt;
  return read_response(method == Method::kHead);
}

bool TestClient::wait_closed() {
  char buf[4096];
  for (;;) {
    std::size_t got = 0;
    auto ec = impl_->run(
        [&](auto done) {
          impl_->stream.async_read_some(
              asio::buffer(buf), [done](beast::error_code ec, std::size_t n) { done(ec, n); });
        },
        &got);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) return true;
    if (ec) return false;  // timeout or other
  }
}

}  // namespace pactum::server::testing
