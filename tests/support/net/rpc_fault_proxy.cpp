#include "support/net/rpc_fault_proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "pactum/rpc/http_client.hpp"

namespace pactum::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct RpcFaultProxy::Impl {
  explicit Impl(const std::string& upstream_url)
      : upstream(rpc::HttpTransport::create(upstream_url).value()),
        acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    port = acceptor.local_endpoint().port();
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(io, session(std::move(socket)), asio::detached);
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
    std::lock_guard lock(mutex);
    call.nth = ++counts[call.method];
    const RpcFault fault = policy ? policy(call) : RpcFault::kForward;
    log.push_back({call, fault, {}});
    changed.notify_all();
    return {fault, log.size() - 1};
  }

  asio::awaitable<void> session(tcp::socket socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      auto [rec, n] =
          co_await http::async_read(socket, buffer, request, asio::as_tuple(asio::use_awaitable));
      if (rec) co_return;
      RpcCall call = describe(request.body());
      const auto [fault, slot] = decide(call);
      boost::system::error_code ignored;
      if (fault == RpcFault::kDropRequest) {
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
      }
      // Forwarded synchronously on the proxy's thread: the node sees calls one at a time, in
      // the order they arrived.
      auto answer = upstream->round_trip(request.body());
      {
        std::lock_guard lock(mutex);
        if (answer.ok()) log[slot].answer = *answer;
      }
      if (fault == RpcFault::kDropAnswer || !answer.ok()) {
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
      }
      if (fault == RpcFault::kHang) {
        asio::steady_timer forever(io, std::chrono::hours(24));
        co_await forever.async_wait(asio::as_tuple(asio::use_awaitable));
        co_return;
      }
      http::response<http::string_body> response{http::status::ok, 11};
      response.set(http::field::content_type, "application/json");
      response.keep_alive(request.keep_alive());
      response.body() = std::move(answer).value();
      response.prepare_payload();
      auto [wec, m] =
          co_await http::async_write(socket, response, asio::as_tuple(asio::use_awaitable));
      if (wec || !request.keep_alive()) {
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
      }
    }
  }

  std::unique_ptr<rpc::HttpTransport> upstream;
  asio::io_context io;
  tcp::acceptor acceptor;
  unsigned short port = 0;
  std::thread thread;
  mutable std::mutex mutex;
  std::condition_variable changed;
  RpcFaultPolicy policy;              // GUARDED_BY(mutex)
  std::map<std::string, int> counts;  // GUARDED_BY(mutex)
  std::vector<ForwardedCall> log;     // GUARDED_BY(mutex)
};

RpcFaultProxy::RpcFaultProxy(const std::string& upstream)
    : impl_(std::make_unique<Impl>(upstream)) {
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

RpcFaultProxy::~RpcFaultProxy() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string RpcFaultProxy::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

void RpcFaultProxy::set_policy(RpcFaultPolicy policy) {
  std::lock_guard lock(impl_->mutex);
  impl_->policy = std::move(policy);
}

int RpcFaultProxy::calls(const std::string& method) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->counts.find(method);
  return it == impl_->counts.end() ? 0 : it->second;
}

std::vector<ForwardedCall> RpcFaultProxy::log() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->log;
}

bool RpcFaultProxy::wait_for(const std::string& method, int n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, timeout, [&] {
    auto it = impl_->counts.find(method);
    return it != impl_->counts.end() && it->second >= n;
  });
}

}  // namespace pactum::testing
