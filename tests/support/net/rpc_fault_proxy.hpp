// A JSON-RPC proxy that injects faults between a client and a real node (anvil): it forwards
// each request through a real rpc::HttpTransport, and a policy chosen by the test decides, call
// by call, whether the request reaches the node, whether its answer reaches the client, or
// whether the client waits for an answer that never comes. This is how a connection that drops
// just after eth_sendRawTransaction was written looks to the client: the node has the
// transaction, the client has nothing.
//
// Beast stays in rpc_fault_proxy.cpp (see test_client.hpp for why).
//
// Thread safety: the proxy serves on its own thread (one request at a time, so the order of
// calls is the order the node sees); set_policy, calls and wait_for may be used from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

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
  explicit RpcFaultProxy(const std::string& upstream);
  RpcFaultProxy(const RpcFaultProxy&) = delete;
  RpcFaultProxy& operator=(const RpcFaultProxy&) = delete;
  ~RpcFaultProxy();

  [[nodiscard]] std::string url() const;

  // Replaces the policy (null: forward everything); takes effect from the next call.
  void set_policy(RpcFaultPolicy policy);

  // Drops every request from now on without forwarding it (the node is unreachable), until
  // set_policy is called again.
  void cut_all() {
    set_policy([](const RpcCall&) { return RpcFault::kDropRequest; });
  }

  // How many calls of `method` arrived (faulted or not).
  [[nodiscard]] int calls(const std::string& method) const;

  // Every call that arrived, in order, with what was done and what the node answered.
  [[nodiscard]] std::vector<ForwardedCall> log() const;

  // Waits until `method` has arrived `n` times in all; false when `timeout` passed first.
  [[nodiscard]] bool wait_for(const std::string& method, int n, std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pactum::testing
