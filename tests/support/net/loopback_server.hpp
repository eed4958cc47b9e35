// What the network fixtures share (private to tests/support/net/*.cpp, which include Beast): a
// server on 127.0.0.1 at a free port that runs a session coroutine per connection on its own
// thread, and the pieces of an HTTP/1.1 exchange.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <functional>
#include <string>
#include <thread>

namespace pactum::testing::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class LoopbackServer {
 public:
  using Session = std::function<asio::awaitable<void>(tcp::socket)>;

  // Listens at once and runs `session` for each accepted connection on the server's thread
  // until destroyed. Declare it after everything `session` uses: it stops first.
  explicit LoopbackServer(Session session);
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;
  ~LoopbackServer();

  [[nodiscard]] unsigned short port() const { return port_; }
  [[nodiscard]] int connections() const { return connections_.load(); }
  [[nodiscard]] asio::io_context& io() { return io_; }

 private:
  asio::awaitable<void> accept_loop();

  Session session_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// Reads one request into `body` (`buffer` keeps what follows it on the connection); false when
// the connection ended or the bytes were not HTTP. `keep_alive`: whether the client keeps the
// connection.
asio::awaitable<bool> read_request(tcp::socket& socket, boost::beast::flat_buffer& buffer,
                                   std::string& body, bool& keep_alive);

// Writes a response; false when it could not be written.
asio::awaitable<bool> write_response(tcp::socket& socket, int status,
                                     const std::string& content_type, std::string body,
                                     bool keep_alive);

// Waits until the server stops: a client that gets no answer at all.
asio::awaitable<void> hang(asio::io_context& io);

// Closes both directions of the connection.
void close(tcp::socket& socket);

}  // namespace pactum::testing::net
