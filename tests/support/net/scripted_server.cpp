#include "support/net/scripted_server.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <utility>

#include "support/net/loopback_server.hpp"

namespace pactum::rpc::testing {

namespace net = pactum::testing::net;
namespace asio = net::asio;
using net::tcp;

struct ScriptedServer::Impl {
  explicit Impl(Handler h)
      : handler(std::move(h)), server([this](tcp::socket s) { return session(std::move(s)); }) {}

  asio::awaitable<void> session(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    std::string body;
    bool keep_alive = false;
    while (co_await net::read_request(socket, buffer, body, keep_alive)) {
      ++requests;
      Reply reply = handler(body);
      if (reply.hang) {
        co_await net::hang(server.io());
        co_return;
      }
      if (!reply.raw.empty()) {
        co_await asio::async_write(socket, asio::buffer(reply.raw),
                                   asio::as_tuple(asio::use_awaitable));
        net::close(socket);
        co_return;
      }
      const bool wrote = co_await net::write_response(socket, reply.status, reply.content_type,
                                                      std::move(reply.body), keep_alive);
      if (!wrote || reply.close_after || !keep_alive) {
        net::close(socket);
        co_return;
      }
    }
  }

  Handler handler;
  std::atomic<int> requests{0};
  net::LoopbackServer server;  // last: stops before the rest
};

ScriptedServer::ScriptedServer(Handler handler)
    : impl_(std::make_unique<Impl>(std::move(handler))) {}

ScriptedServer::~ScriptedServer() = default;

std::string ScriptedServer::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->server.port()) + "/";
}

int ScriptedServer::requests() const {
  return impl_->requests.load();
}

int ScriptedServer::connections() const {
  return impl_->server.connections();
}

}  // namespace pactum::rpc::testing
