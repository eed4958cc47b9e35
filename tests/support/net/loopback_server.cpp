#include "support/net/loopback_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <utility>

namespace pactum::testing::net {

namespace http = boost::beast::http;

LoopbackServer::LoopbackServer(Session session)
    : session_(std::move(session)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

LoopbackServer::~LoopbackServer() {
  io_.stop();
  thread_.join();
}

asio::awaitable<void> LoopbackServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    ++connections_;
    asio::co_spawn(io_, session_(std::move(socket)), asio::detached);
  }
}

asio::awaitable<bool> read_request(tcp::socket& socket, boost::beast::flat_buffer& buffer,
                                   std::string& body, bool& keep_alive) {
  http::request<http::string_body> request;
  auto [ec, n] =
      co_await http::async_read(socket, buffer, request, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return false;
  keep_alive = request.keep_alive();
  body = std::move(request.body());
  co_return true;
}

asio::awaitable<bool> write_response(tcp::socket& socket, int status,
                                     const std::string& content_type, std::string body,
                                     bool keep_alive) {
  http::response<http::string_body> response{static_cast<http::status>(status), 11};
  response.set(http::field::content_type, content_type);
  response.keep_alive(keep_alive);
  response.body() = std::move(body);
  response.prepare_payload();
  auto [ec, n] = co_await http::async_write(socket, response, asio::as_tuple(asio::use_awaitable));
  co_return !ec;
}

asio::awaitable<void> hang(asio::io_context& io) {
  asio::steady_timer forever(io, std::chrono::hours(24));
  co_await forever.async_wait(asio::as_tuple(asio::use_awaitable));
}

void close(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace pactum::testing::net
