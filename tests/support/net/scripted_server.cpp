#include "support/net/scripted_server.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <thread>
#include <utility>

namespace pactum::rpc::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct ScriptedServer::Impl {
  explicit Impl(Handler h) : handler(std::move(h)), acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    port = acceptor.local_endpoint().port();
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      ++connections;
      asio::co_spawn(io, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      auto [rec, n] =
          co_await http::async_read(socket, buffer, request, asio::as_tuple(asio::use_awaitable));
      if (rec) co_return;
      ++requests;
      Reply reply = handler(request.body());
      if (reply.hang) {
        asio::steady_timer forever(io, std::chrono::hours(24));
        co_await forever.async_wait(asio::as_tuple(asio::use_awaitable));
        co_return;
      }
      if (!reply.raw.empty()) {
        co_await asio::async_write(socket, asio::buffer(reply.raw),
                                   asio::as_tuple(asio::use_awaitable));
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
      }
      http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
      response.set(http::field::content_type, reply.content_type);
      response.keep_alive(request.keep_alive());
      response.body() = std::move(reply.body);
      response.prepare_payload();
      auto [wec, m] =
          co_await http::async_write(socket, response, asio::as_tuple(asio::use_awaitable));
      if (wec || reply.close_after || !request.keep_alive()) {
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
      }
    }
  }

  Handler handler;
  asio::io_context io;
  tcp::acceptor acceptor;
  unsigned short port = 0;
  std::atomic<int> requests{0};
  std::atomic<int> connections{0};
  std::thread thread;
};

ScriptedServer::ScriptedServer(Handler handler) : impl_(std::make_unique<Impl>(std::move(handler))) {
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

ScriptedServer::~ScriptedServer() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string ScriptedServer::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + "/";
}

int ScriptedServer::requests() const { return impl_->requests.load(); }

int ScriptedServer::connections() const { return impl_->connections.load(); }

}  // namespace pactum::rpc::testing
