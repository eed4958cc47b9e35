#include "support/net/rpc_fault_proxy.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

#include "pactum/rpc/http_client.hpp"
#include "support/net/loopback_server.hpp"

namespace pactum::testing {

using net::tcp;
namespace asio = net::asio;

struct RpcFaultProxy::Impl {
  explicit Impl(const std::string& upstream_url)
      : upstream(rpc::HttpTransport::create(upstream_url).value()),
        server([this](tcp::socket s) { return session(std::move(s)); }) {}

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
    boost::beast::flat_buffer buffer;
    std::string body;
    bool keep_alive = false;
    while (co_await net::read_request(socket, buffer, body, keep_alive)) {
      RpcCall call = describe(body);
      const auto [fault, slot] = decide(call);
      if (fault == RpcFault::kDropRequest) {
        net::close(socket);
        co_return;
      }
      // Forwarded synchronously on the proxy's thread: the node sees calls one at a time, in
      // the order they arrived.
      auto answer = upstream->round_trip(body);
      {
        std::lock_guard lock(mutex);
        if (answer.ok()) log[slot].answer = *answer;
      }
      if (fault == RpcFault::kDropAnswer || !answer.ok()) {
        net::close(socket);
        co_return;
      }
      if (fault == RpcFault::kHang) {
        co_await net::hang(server.io());
        co_return;
      }
      const bool wrote = co_await net::write_response(socket, 200, "application/json",
                                                      std::move(answer).value(), keep_alive);
      if (!wrote || !keep_alive) {
        net::close(socket);
        co_return;
      }
    }
  }

  std::unique_ptr<rpc::HttpTransport> upstream;
  mutable std::mutex mutex;
  std::condition_variable changed;
  RpcFaultPolicy policy;              // GUARDED_BY(mutex)
  std::map<std::string, int> counts;  // GUARDED_BY(mutex)
  std::vector<ForwardedCall> log;     // GUARDED_BY(mutex)
  net::LoopbackServer server;         // last: stops before the rest
};

RpcFaultProxy::RpcFaultProxy(const std::string& upstream)
    : impl_(std::make_unique<Impl>(upstream)) {}

RpcFaultProxy::~RpcFaultProxy() = default;

std::string RpcFaultProxy::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->server.port());
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
