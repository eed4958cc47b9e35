// JSON-RPC 2.0 client: single and batch calls over a Transport, typed errors, retries.
//
// API boundary: parameters go in and results come out as JSON *text*; no JSON library type
// crosses this header. eth_api.hpp turns that text into typed values.
//
// Error mapping: every JSON-RPC error object a node sends becomes an Error in exactly one place,
// error_from_rpc() (table below); HTTP failures are mapped in http_client.hpp. Retries look only
// at the resulting ErrorCode.
//
// Retries: a call is retried only when it failed with kUnavailable or kDeadlineExceeded AND its
// method is a read (is_idempotent_method); eth_sendRawTransaction and other writes are never
// retried here (the sender decides, knowing the transaction hash). Delays grow exponentially with
// jitter and pass through the injectable Clock, so tests do not sleep.
//
// Thread safety: RpcClient is safe to use from several threads at once; calls share the
// transport (HttpTransport serializes them on its connection).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/rpc/clock.hpp"
#include "pactum/rpc/http_client.hpp"

namespace pactum::rpc {

// One call of a batch.
struct RpcRequest {
  std::string method;
  // The "params" member as JSON text: an array (usual) or an object.
  std::string params_json = "[]";
};

// The "error" member of a JSON-RPC answer, as the node sent it.
struct RpcErrorObject {
  std::int64_t code = 0;
  std::string message;
  // The "data" member as JSON text ("\"0x08c3…\"" for revert data); empty when absent.
  std::string data_json;
};

// The one mapping of JSON-RPC errors to Errors, by code first, then by message for the codes
// nodes overload (-32000, 3). What the chain says is never a usage error (kInvalidArgument,
// exit 2 "fix your arguments"): the user's arguments were checked before anything was sent, so
// a node that finds the request malformed refused what we built (a strict node refusing a call
// object with both "input" and "data", #19):
//   -32700 parse error, -32600 invalid request, -32602 invalid params      kFailedPrecondition
//     ("refused by the chain as malformed")
//   -32601 method not found, -32004 not supported, -32006 version          kUnimplemented
//   -32603 internal error, -32002 resource unavailable                      kUnavailable
//   -32001 resource not found, "header not found", "unknown block"          kNotFound
//   -32005 limit exceeded, "query returned more than", "rate limit",
//     "response size", "block range", "too many", "exceed"                  kResourceExhausted
//   "nonce too low", "replacement transaction underpriced"                  kAborted
//   "already known", "known transaction"                                    kAlreadyExists
//   3 / "execution reverted" (reason decoded, revert data in the message)   kFailedPrecondition
//   anything else (-32000 "insufficient funds", "nonce too high", ...)      kFailedPrecondition
// The message is "<node message> (JSON-RPC <code>)" plus a decoded revert reason and data.
[[nodiscard]] Error error_from_rpc(const RpcErrorObject& error);

// Returns the revert data a node attached to an error: `data` as a 0x-hex string, or an object
// whose "data" member is one (Hardhat). nullopt when there is none or it is not hex.
[[nodiscard]] std::optional<Bytes> revert_data(const RpcErrorObject& error);

// Decodes revert data: Error(string) → the reason text, Panic(uint256) → "panic 0x11 (arithmetic
// overflow)", empty data → "" . nullopt for custom errors or malformed data (never over-reads).
[[nodiscard]] std::optional<std::string> decode_revert_reason(ByteView data);

// Builds the text of one request object. Errors: kInvalidArgument when `method` is empty or has
// characters outside [A-Za-z0-9_], or `params_json` is not a JSON array or object.
[[nodiscard]] Result<std::string> build_request(std::uint64_t id, std::string_view method,
                                                std::string_view params_json);

// Parses the answer to a single request with id `expected_id`. Returns the "result" member as
// JSON text (compact; "null" when the node answered null).
// Errors: kDataLoss when `body` is not JSON, nests deeper than 128 levels, is not an object, has
//   a wrong "jsonrpc" or id, has neither or both of result and error, or a malformed error
//   object; the node's error mapped by error_from_rpc otherwise (then `*rpc_error`, when not
//   null, receives the error object).
[[nodiscard]] Result<std::string> parse_response(std::string_view body, std::uint64_t expected_id,
                                                 RpcErrorObject* rpc_error = nullptr);

// Parses the answer to a batch whose requests carried `ids` (distinct). Returns one outcome per
// id, in the order of `ids`, whatever the order of the answers; an id without an answer gets
// kDataLoss. The whole call fails with: the mapped error when the node answered the batch with a
// single error object (e.g. batch too large); kDataLoss when the body is not a JSON array, an
// element is malformed, or an answer carries an id that was not asked or was answered twice.
[[nodiscard]] Result<std::vector<Result<std::string>>> parse_batch_response(
    std::string_view body, std::span<const std::uint64_t> ids);

// True for the read-only methods this library may retry (eth_call, eth_getLogs, ...). False for
// eth_sendRawTransaction, eth_sendTransaction and any method it does not know.
[[nodiscard]] bool is_idempotent_method(std::string_view method) noexcept;

struct RetryPolicy {
  // Attempts in total, the first included; 1 disables retries. REQUIRES: >= 1.
  int max_attempts = 4;
  // The delay before retry n (n = 1, 2, ...) is min(max_backoff, initial_backoff × 2^(n-1)),
  // of which the last `jitter` fraction is drawn uniformly at random (0 = no jitter).
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5'000};
  double jitter = 0.5;
};

struct RpcClientOptions {
  RetryPolicy retry;
  // Where backoff waits happen; null → SystemClock.
  std::shared_ptr<Clock> clock;
  // Seed of the jitter generator; 0 → drawn from std::random_device.
  std::uint64_t jitter_seed = 0;
};

// A JSON-RPC client over one Transport.
class RpcClient {
 public:
  explicit RpcClient(std::unique_ptr<Transport> transport, RpcClientOptions options = {});
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // A client over HttpTransport::create(url, http). Errors: those of parse_http_url.
  [[nodiscard]] static Result<std::unique_ptr<RpcClient>> connect_http(
      std::string_view url, HttpOptions http = {}, RpcClientOptions options = {});

  // Calls `method` with `params_json` (a JSON array or object text) and returns the result as
  // JSON text. Retried per RetryPolicy when the method is idempotent.
  // Errors: kInvalidArgument for a bad method name or params (nothing is sent); the transport's
  //   errors; those of parse_response. When the node answered with an error object and
  //   `rpc_error` is not null, it receives that object (for revert data).
  [[nodiscard]] Result<std::string> call(std::string_view method,
                                         std::string_view params_json = "[]",
                                         RpcErrorObject* rpc_error = nullptr);

  // Sends `requests` as one batch and returns one outcome per request, in order. An empty batch
  // returns an empty vector without sending. The whole batch is retried (transport failures
  // only) when every method in it is idempotent.
  // Errors (whole batch): kInvalidArgument for a bad request; the transport's errors; those of
  //   parse_batch_response.
  [[nodiscard]] Result<std::vector<Result<std::string>>> batch(
      std::span<const RpcRequest> requests);

 private:
  std::chrono::milliseconds backoff_delay(int retry);

  std::unique_ptr<Transport> transport_;
  RetryPolicy retry_;
  std::shared_ptr<Clock> clock_;
  std::atomic<std::uint64_t> next_id_{1};
  std::mutex rng_mutex_;
  std::mt19937_64 rng_;  // GUARDED_BY(rng_mutex_)
};

}  // namespace pactum::rpc
