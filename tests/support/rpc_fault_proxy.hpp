// A JSON-RPC proxy that injects faults between a client and a real node (anvil): it forwards
// each request through a real rpc::HttpTransport, and a policy chosen by the test decides, call
// by call, whether the request reaches the node, whether its answer reaches the client, or
// whether the client waits for an answer that never comes. This is how a connection that drops
// just after eth_sendRawTransaction was written looks to the client: the node has the
// transaction, the client has nothing.
//
// Header-only on purpose (as live_node.hpp): tests/support/*.cpp go into every test binary and
// the sanitized tree; only the test executables that include this header need Beast and
// pactum::rpc.
//
// Thread safety: the proxy serves on its own thread (one request at a time, so the order of
// calls is the order the node sees); set_policy, calls and wait_for may be used from any thread.
#pragma once

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "pactum/rpc/http_client.hpp"

namespace pactum::testing {

// What the proxy does with one call.
enum class RpcFault {
  kForward,      // pass it on and answer
  kDropRequest,  // close the client's connection without forwarding: the node never sees it
  kDropAnswer,   // forward, then close the client's connection unanswered: the node acted
  kHang,         // forward, then never answer (the connection stays open until the proxy stops)
};

// One call as the policy sees it.
struct RpcCall {
  std::string method;       // the first method of a batch
  int nth = 0;              // 1 for the first call of this method, 2 for the second, ...
  std::string params_json;  // its "params"
};

using RpcFaultPolicy = std::function<RpcFault(const RpcCall&)>;

// What the node answered to a forwarded call (for tests that look at what the client missed).
struct ForwardedCall {
  RpcCall call;
  RpcFault fault = RpcFault::kForward;
  std::string answer;  // the node's answer body; empty when it was not forwarded or failed
};

class RpcFaultProxy {
 public:
  // Listens on 127.0.0.1 at a free port and forwards to `upstream` ("http://127.0.0.1:8545").
  explicit RpcFaultProxy(const std::string& upstream)
      : upstream_(rpc::HttpTransport::create(upstream).value()),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    boost::asio::co_spawn(io_, accept_loop(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  RpcFaultProxy(const RpcFaultProxy&) = delete;
  RpcFaultProxy& operator=(const RpcFaultProxy&) = delete;
  ~RpcFaultProxy() {
    io_.stop();
    thread_.join();
  }

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Replaces the policy (null: forward everything); takes effect from the next call.
  void set_policy(RpcFaultPolicy policy) {
    std::lock_guard lock(mutex_);
    policy_ = std::move(policy);
  }

  // Drops every request from now on without forwarding it (the node is unreachable), until
  // set_policy is called again.
  void cut_all() {
    set_policy([](const RpcCall&) { return RpcFault::kDropRequest; });
  }

  // How many calls of `method` arrived (faulted or not).
  [[nodiscard]] int calls(const std::string& method) const {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(method);
    return it == counts_.end() ? 0 : it->second;
  }

  // Every call that arrived, in order, with what was done and what the node answered.
  [[nodiscard]] std::vector<ForwardedCall> log() const {
    std::lock_guard lock(mutex_);
    return log_;
  }

  // Waits until `method` has arrived `n` times in all; false when `timeout` passed first.
  [[nodiscard]] bool wait_for(const std::string& method, int n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      auto it = counts_.find(method);
      return it != counts_.end() && it->second >= n;
    });
  }

 private:
  using tcp = boost::asio::ip::tcp;

  boost::asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] =
          co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return;
      boost::asio::co_spawn(io_, session(std::move(socket)), boost::asio::detached);
    }
  }

  // The call's method and params; a batch is named by its first call.
  static RpcCall describe(const std::string& body) {
    RpcCall call;
    auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_array() && !doc.empty()) doc = doc[0];
    if (doc.is_object()) {
      if (auto m = doc.find("method"); m != doc.end() && m->is_string()) call.method = *m;
      if (auto p = doc.find("params"); p != doc.end()) call.params_json = p->dump();
    }
    return call;
  }

  // Counts the call, asks the policy, and logs it; returns the fault and the log slot.
  std::pair<RpcFault, std::size_t> decide(RpcCall& call) {
    std::lock_guard lock(mutex_);
    call.nth = ++counts_[call.method];
    const RpcFault fault = policy_ ? policy_(call) : RpcFault::kForward;
    log_.push_back({call, fault, {}});
    changed_.notify_all();
    return {fault, log_.size() - 1};
  }

  boost::asio::awaitable<void> session(tcp::socket socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      auto [rec, n] = co_await http::async_read(socket, buffer, request,
                                                boost::asio::as_tuple(boost::asio::use_awaitable));
      if (rec) co_return;
      RpcCall call = describe(request.body());
      const auto [fault, slot] = decide(call);
      boost::beast::error_code ignored;
      if (fault == RpcFault::kDropRequest) {
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
      }
      // Forwarded synchronously on the proxy's thread: the node sees calls one at a time, in
      // the order they arrived.
      auto answer = upstream_->round_trip(request.body());
      {
        std::lock_guard lock(mutex_);
        if (answer.ok()) log_[slot].answer = *answer;
      }
      if (fault == RpcFault::kDropAnswer || !answer.ok()) {
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
      }
      if (fault == RpcFault::kHang) {
        boost::asio::steady_timer forever(io_, std::chrono::hours(24));
        co_await forever.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        co_return;
      }
      http::response<http::string_body> response{http::status::ok, 11};
      response.set(http::field::content_type, "application/json");
      response.keep_alive(request.keep_alive());
      response.body() = std::move(answer).value();
      response.prepare_payload();
      auto [wec, m] = co_await http::async_write(socket, response,
                                                 boost::asio::as_tuple(boost::asio::use_awaitable));
      if (wec || !request.keep_alive()) {
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
      }
    }
  }

  std::unique_ptr<rpc::HttpTransport> upstream_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  RpcFaultPolicy policy_;              // GUARDED_BY(mutex_)
  std::map<std::string, int> counts_;  // GUARDED_BY(mutex_)
  std::vector<ForwardedCall> log_;     // GUARDED_BY(mutex_)
};

}  // namespace pactum::testing
