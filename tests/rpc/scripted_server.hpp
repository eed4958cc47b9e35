// A real HTTP/1.1 server on 127.0.0.1 port 0 for the RPC tests, answering each request with
// whatever the test's handler scripts: a status and body, raw bytes, a closed connection, or no
// answer at all (to trip the client's timeout without anyone sleeping).
//
// Thread safety: the handler runs on the server's own thread, one request at a time; counters
// may be read from any thread.
#pragma once

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "pactum/rpc/clock.hpp"

namespace pactum::rpc::testing {

struct Reply {
  int status = 200;
  std::string body;
  // When set, these bytes are written as they are (no HTTP framing added) and the connection is
  // closed: for answers that are not HTTP at all.
  std::string raw;
  // Never answer; the connection stays open until the server stops.
  bool hang = false;
  // Close the connection after this answer (without telling the client in a header).
  bool close_after = false;
  std::string content_type = "application/json";
};

class ScriptedServer {
 public:
  using Handler = std::function<Reply(const std::string& request_body)>;

  explicit ScriptedServer(Handler handler)
      : handler_(std::move(handler)),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    boost::asio::co_spawn(io_, accept_loop(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;
  ~ScriptedServer() {
    io_.stop();
    thread_.join();
  }

  [[nodiscard]] std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/";
  }
  [[nodiscard]] int requests() const { return requests_.load(); }
  [[nodiscard]] int connections() const { return connections_.load(); }

 private:
  using tcp = boost::asio::ip::tcp;

  boost::asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] =
          co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return;
      ++connections_;
      boost::asio::co_spawn(io_, session(std::move(socket)), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> session(tcp::socket socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      auto [rec, n] = co_await http::async_read(socket, buffer, request,
                                                boost::asio::as_tuple(boost::asio::use_awaitable));
      if (rec) co_return;
      ++requests_;
      Reply reply = handler_(request.body());
      if (reply.hang) {
        boost::asio::steady_timer forever(io_, std::chrono::hours(24));
        co_await forever.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        co_return;
      }
      if (!reply.raw.empty()) {
        co_await boost::asio::async_write(socket, boost::asio::buffer(reply.raw),
                                          boost::asio::as_tuple(boost::asio::use_awaitable));
        boost::beast::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
      }
      http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
      response.set(http::field::content_type, reply.content_type);
      response.keep_alive(request.keep_alive());
      response.body() = std::move(reply.body);
      response.prepare_payload();
      auto [wec, m] = co_await http::async_write(socket, response,
                                                 boost::asio::as_tuple(boost::asio::use_awaitable));
      if (wec || reply.close_after || !request.keep_alive()) {
        boost::beast::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
      }
    }
  }

  Handler handler_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// A Clock whose sleeps only record the delay and advance its time.
class FakeClock final : public Clock {
 public:
  [[nodiscard]] TimePoint now() override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void sleep_for(std::chrono::milliseconds duration) override {
    std::lock_guard lock(mutex_);
    sleeps_.push_back(duration);
    now_ += duration;
  }
  [[nodiscard]] std::vector<std::chrono::milliseconds> sleeps() {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }

 private:
  std::mutex mutex_;
  TimePoint now_{};
  std::vector<std::chrono::milliseconds> sleeps_;
};

}  // namespace pactum::rpc::testing
