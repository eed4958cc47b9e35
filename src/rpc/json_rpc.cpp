#include "pactum/rpc/json_rpc.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <thread>
#include <unordered_map>
#include <utility>

#include "json_text.hpp"

namespace pactum::rpc {

using internal::dump_json;
using internal::Json;
using internal::parse_json;
using internal::quote;

Clock::TimePoint SystemClock::now() {
  return std::chrono::steady_clock::now();
}

void SystemClock::sleep_for(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
}

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_any(const std::string& haystack, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return haystack.find(n) != std::string::npos; });
}

std::uint64_t read_word_u64(ByteView word) {  // low 8 bytes of a 32-byte big-endian word
  std::uint64_t v = 0;
  for (std::size_t i = 24; i < 32; ++i) v = (v << 8) | word[i];
  return v;
}

bool word_fits_u64(ByteView word) {
  return std::all_of(word.begin(), word.begin() + 24, [](std::uint8_t b) { return b == 0; });
}

std::string_view panic_meaning(std::uint64_t code) {
  switch (code) {
    case 0x00:
      return "generic compiler panic";
    case 0x01:
      return "assertion failed";
    case 0x11:
      return "arithmetic overflow";
    case 0x12:
      return "division by zero";
    case 0x21:
      return "invalid enum value";
    case 0x22:
      return "invalid storage byte array";
    case 0x31:
      return "pop on empty array";
    case 0x32:
      return "array index out of bounds";
    case 0x41:
      return "out of memory";
    case 0x51:
      return "call to zero-initialized function";
    default:
      return "unknown panic code";
  }
}

// Checks the members every answer object shares: an object, jsonrpc "2.0", result xor error.
Status check_envelope(const Json& answer) {
  if (!answer.is_object()) {
    return data_loss("JSON-RPC answer is not an object: " + quote(dump_json(answer)));
  }
  if (auto it = answer.find("jsonrpc"); it != answer.end() && *it != "2.0") {
    return data_loss("JSON-RPC answer has jsonrpc " + quote(dump_json(*it)) + ", want \"2.0\"");
  }
  const bool has_result = answer.contains("result");
  const bool has_error = answer.contains("error");
  if (has_result == has_error) {
    return data_loss(std::string("JSON-RPC answer has ") +
                     (has_result ? "both result and error" : "neither result nor error") + ": " +
                     quote(dump_json(answer)));
  }
  return ok_status();
}

Result<RpcErrorObject> read_error_object(const Json& error) {
  if (!error.is_object()) {
    return data_loss("JSON-RPC error member is not an object: " + quote(dump_json(error)));
  }
  auto code = error.find("code");
  auto message = error.find("message");
  if (code == error.end() || !code->is_number_integer()) {
    return data_loss("JSON-RPC error has no integer code: " + quote(dump_json(error)));
  }
  if (message == error.end() || !message->is_string()) {
    return data_loss("JSON-RPC error has no string message: " + quote(dump_json(error)));
  }
  RpcErrorObject out;
  if (code->is_number_unsigned()) {
    const auto u = code->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) {
      return data_loss("JSON-RPC error code out of range: " + dump_json(*code));
    }
    out.code = static_cast<std::int64_t>(u);
  } else {
    out.code = code->get<std::int64_t>();
  }
  out.message = message->get<std::string>();
  if (auto data = error.find("data"); data != error.end()) out.data_json = dump_json(*data);
  return out;
}

// Whether the answer's id is exactly the unsigned integer `id`.
bool id_matches(const Json& answer, std::uint64_t id) {
  auto it = answer.find("id");
  return it != answer.end() && it->is_number_unsigned() && it->get<std::uint64_t>() == id;
}

// Outcome of one well-formed answer object (envelope already checked).
Result<std::string> outcome_of(const Json& answer, RpcErrorObject* rpc_error) {
  if (auto result = answer.find("result"); result != answer.end()) return dump_json(*result);
  PACTUM_TRY(RpcErrorObject error, read_error_object(answer.at("error")));
  Error mapped = error_from_rpc(error);
  if (rpc_error != nullptr) *rpc_error = std::move(error);
  return mapped;
}

bool valid_method_name(std::string_view method) {
  if (method.empty() || method.size() > 128) return false;
  return std::all_of(method.begin(), method.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

}  // namespace

std::optional<Bytes> revert_data(const RpcErrorObject& error) {
  if (error.data_json.empty()) return std::nullopt;
  auto data = parse_json(error.data_json, "revert data");
  if (!data.ok()) return std::nullopt;
  const Json* hex = &*data;
  if (hex->is_object()) {
    auto it = hex->find("data");
    if (it == hex->end()) return std::nullopt;
    hex = &*it;
  }
  if (!hex->is_string()) return std::nullopt;
  const auto& text = hex->get_ref<const std::string&>();
  if (text.size() < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return std::nullopt;
  auto bytes = from_hex(text);
  if (!bytes.ok()) return std::nullopt;
  return std::move(bytes).value();
}

std::optional<std::string> decode_revert_reason(ByteView data) {
  if (data.empty()) return std::string();
  if (data.size() < 4) return std::nullopt;
  const std::array<std::uint8_t, 4> kError = {0x08, 0xc3, 0x79, 0xa0};
  const std::array<std::uint8_t, 4> kPanic = {0x4e, 0x48, 0x7b, 0x71};
  ByteView args = data.subspan(4);
  if (std::equal(kPanic.begin(), kPanic.end(), data.begin())) {
    if (args.size() != 32) return std::nullopt;
    if (!word_fits_u64(args)) return "panic (code out of range)";
    const std::uint64_t code = read_word_u64(args);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (std::uint64_t v = code; v != 0 || hex.empty(); v >>= 4)
      hex.insert(hex.begin(), kHex[v & 15]);
    if (hex.size() == 1) hex.insert(hex.begin(), '0');
    return "panic 0x" + hex + " (" + std::string(panic_meaning(code)) + ")";
  }
  if (!std::equal(kError.begin(), kError.end(), data.begin())) return std::nullopt;
  // Error(string): offset word, then at offset a length word and the bytes.
  if (args.size() < 64) return std::nullopt;
  const ByteView offset_word = args.subspan(0, 32);
  if (!word_fits_u64(offset_word)) return std::nullopt;
  const std::uint64_t offset = read_word_u64(offset_word);
  if (offset > args.size() || args.size() - offset < 32) return std::nullopt;
  const ByteView length_word = args.subspan(static_cast<std::size_t>(offset), 32);
  if (!word_fits_u64(length_word)) return std::nullopt;
  const std::uint64_t length = read_word_u64(length_word);
  const std::size_t start = static_cast<std::size_t>(offset) + 32;
  if (length > args.size() - start) return std::nullopt;
  const ByteView text = args.subspan(start, static_cast<std::size_t>(length));
  return std::string(text.begin(), text.end());
}

Error error_from_rpc(const RpcErrorObject& error) {
  const std::string text = lower(error.message);
  std::string message = error.message + " (JSON-RPC " + std::to_string(error.code) + ")";
  const bool reverted = error.code == 3 || text.find("execution reverted") != std::string::npos ||
                        text.find("revert") != std::string::npos;
  if (reverted) {
    if (auto data = revert_data(error); data.has_value()) {
      if (auto reason = decode_revert_reason(*data);
          reason.has_value() && !reason->empty() && text.find(*reason) == std::string::npos) {
        message += ": " + quote(*reason, 256);
      }
      message += " [revert data " + to_hex(*data).substr(0, 2 + 2 * 256) + "]";
    }
    return failed_precondition(message);
  }
  if (!error.data_json.empty()) message += " [data " + quote(error.data_json, 256) + "]";
  switch (error.code) {
    case -32700:
    case -32600:
    case -32602:
      return failed_precondition("refused by the chain as malformed: " + message);
    case -32601:
    case -32004:
    case -32006:
      return unimplemented(message);
    case -32603:
    case -32002:
      return unavailable(message);
    case -32001:
      return not_found(message);
    case -32005:
      return resource_exhausted(message);
    default:
      break;
  }
  if (contains_any(text, {"nonce too low", "replacement transaction underpriced",
                          "replacement fee too low"})) {
    return aborted(message);
  }
  // The node holds this very transaction: geth/reth "already known", Besu "known transaction",
  // anvil "transaction already imported" (-32003, while it waits in anvil's pool).
  if (contains_any(text, {"already known", "known transaction", "already imported"})) {
    return already_exists(message);
  }
  if (contains_any(text, {"query returned more than", "limit exceeded", "rate limit",
                          "response size", "block range", "range too large", "too many",
                          "exceeds max", "exceed maximum", "results exceed"})) {
    return resource_exhausted(message);
  }
  if (contains_any(text, {"header not found", "unknown block", "block not found"})) {
    return not_found(message);
  }
  if (contains_any(text,
                   {"method not found", "does not exist/is not available", "not supported"})) {
    return unimplemented(message);
  }
  return failed_precondition(message);
}

Result<std::string> build_request(std::uint64_t id, std::string_view method,
                                  std::string_view params_json) {
  if (!valid_method_name(method)) {
    return invalid_argument("JSON-RPC method name " + quote(method) +
                            " is empty or has characters outside [A-Za-z0-9_]");
  }
  auto params = parse_json(params_json, "params");
  if (!params.ok() || !(params->is_array() || params->is_object())) {
    return invalid_argument("JSON-RPC params for " + std::string(method) +
                            " must be a JSON array or object, got " + quote(params_json));
  }
  Json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  request["params"] = std::move(params).value();
  return dump_json(request);
}

Result<std::string> parse_response(std::string_view body, std::uint64_t expected_id,
                                   RpcErrorObject* rpc_error) {
  try {
    PACTUM_TRY(Json answer, parse_json(body, "JSON-RPC answer"));
    if (answer.is_array()) {
      return data_loss("JSON-RPC answer to a single call is an array: " + quote(body));
    }
    PACTUM_TRY_STATUS(check_envelope(answer));
    if (!id_matches(answer, expected_id)) {
      // A server that could not read the request answers with id null and an error; that error
      // is the useful part.
      auto id = answer.find("id");
      const bool null_id = id == answer.end() || id->is_null();
      if (!(null_id && answer.contains("error"))) {
        return data_loss("JSON-RPC answer has id " +
                         (id == answer.end() ? std::string("(none)") : quote(dump_json(*id))) +
                         ", want " + std::to_string(expected_id));
      }
    }
    return outcome_of(answer, rpc_error);
  } catch (const std::exception& e) {  // a nlohmann accessor or allocation; never expected
    return data_loss(std::string("JSON-RPC answer could not be read: ") + e.what());
  }
}

Result<std::vector<Result<std::string>>> parse_batch_response(std::string_view body,
                                                              std::span<const std::uint64_t> ids) {
  try {
    PACTUM_TRY(Json answer, parse_json(body, "JSON-RPC batch answer"));
    if (answer.is_object()) {
      // The whole batch was refused with one error object (too large, not allowed, ...).
      PACTUM_TRY_STATUS(check_envelope(answer));
      if (answer.contains("error")) {
        PACTUM_TRY(RpcErrorObject error, read_error_object(answer.at("error")));
        return error_from_rpc(error).with_context("JSON-RPC batch refused");
      }
      return data_loss("JSON-RPC batch answered with a single result: " + quote(body));
    }
    if (!answer.is_array()) {
      return data_loss("JSON-RPC batch answer is not an array: " + quote(body));
    }
    std::unordered_map<std::uint64_t, std::size_t> slot;
    for (std::size_t i = 0; i < ids.size(); ++i) slot.emplace(ids[i], i);
    std::vector<std::optional<Result<std::string>>> outcomes(ids.size());
    for (const Json& element : answer) {
      PACTUM_TRY_STATUS(check_envelope(element));
      auto id = element.find("id");
      if (id == element.end() || !id->is_number_unsigned()) {
        if ((id == element.end() || id->is_null()) && element.contains("error")) {
          PACTUM_TRY(RpcErrorObject error, read_error_object(element.at("error")));
          return error_from_rpc(error).with_context("JSON-RPC batch refused");
        }
        return data_loss("JSON-RPC batch answer has id " +
                         (id == element.end() ? std::string("(none)") : quote(dump_json(*id))));
      }
      const auto value = id->get<std::uint64_t>();
      auto where = slot.find(value);
      if (where == slot.end()) {
        return data_loss("JSON-RPC batch answer has id " + std::to_string(value) +
                         " that was not asked");
      }
      if (outcomes[where->second].has_value()) {
        return data_loss("JSON-RPC batch answer has id " + std::to_string(value) + " twice");
      }
      outcomes[where->second] = outcome_of(element, nullptr);
    }
    std::vector<Result<std::string>> out;
    out.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (outcomes[i].has_value()) {
        out.push_back(std::move(*outcomes[i]));
      } else {
        out.emplace_back(
            data_loss("JSON-RPC batch answer has no entry for id " + std::to_string(ids[i])));
      }
    }
    return out;
  } catch (const std::exception& e) {
    return data_loss(std::string("JSON-RPC batch answer could not be read: ") + e.what());
  }
}

bool is_idempotent_method(std::string_view method) noexcept {
  static constexpr std::array<std::string_view, 30> kReads = {
      "eth_blockNumber",
      "eth_call",
      "eth_chainId",
      "eth_estimateGas",
      "eth_feeHistory",
      "eth_gasPrice",
      "eth_getBalance",
      "eth_getBlockByHash",
      "eth_getBlockByNumber",
      "eth_getBlockReceipts",
      "eth_getBlockTransactionCountByHash",
      "eth_getBlockTransactionCountByNumber",
      "eth_getCode",
      "eth_getLogs",
      "eth_getProof",
      "eth_getStorageAt",
      "eth_getTransactionByBlockHashAndIndex",
      "eth_getTransactionByBlockNumberAndIndex",
      "eth_getTransactionByHash",
      "eth_getTransactionCount",
      "eth_getTransactionReceipt",
      "eth_getUncleCountByBlockHash",
      "eth_getUncleCountByBlockNumber",
      "eth_maxPriorityFeePerGas",
      "eth_blobBaseFee",
      "eth_syncing",
      "net_listening",
      "net_peerCount",
      "net_version",
      "web3_clientVersion",
  };
  return std::find(kReads.begin(), kReads.end(), method) != kReads.end();
}

RpcClient::RpcClient(std::unique_ptr<Transport> transport, RpcClientOptions options)
    : transport_(std::move(transport)),
      retry_(options.retry),
      clock_(options.clock ? std::move(options.clock) : std::make_shared<SystemClock>()),
      rng_(options.jitter_seed != 0 ? options.jitter_seed : std::random_device{}()) {
  if (retry_.max_attempts < 1) retry_.max_attempts = 1;
  retry_.jitter = std::clamp(retry_.jitter, 0.0, 1.0);
}

Result<std::unique_ptr<RpcClient>> RpcClient::connect_http(std::string_view url, HttpOptions http,
                                                           RpcClientOptions options) {
  PACTUM_TRY(auto transport, HttpTransport::create(url, http));
  return std::make_unique<RpcClient>(std::move(transport), std::move(options));
}

std::chrono::milliseconds RpcClient::backoff_delay(int retry) {
  using std::chrono::milliseconds;
  const double base = static_cast<double>(retry_.initial_backoff.count());
  const double cap = static_cast<double>(retry_.max_backoff.count());
  double delay = base;
  for (int i = 1; i < retry && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  double fraction = 0;
  {
    std::lock_guard lock(rng_mutex_);
    fraction = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }
  delay = delay * (1.0 - retry_.jitter) + delay * retry_.jitter * fraction;
  return milliseconds(static_cast<milliseconds::rep>(delay));
}

namespace {

bool retryable(ErrorCode code) {
  return code == ErrorCode::kUnavailable || code == ErrorCode::kDeadlineExceeded;
}

}  // namespace

Result<std::string> RpcClient::call(std::string_view method, std::string_view params_json,
                                    RpcErrorObject* rpc_error) {
  const int attempts = is_idempotent_method(method) ? retry_.max_attempts : 1;
  for (int attempt = 1;; ++attempt) {
    const std::uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
    PACTUM_TRY(std::string request, build_request(id, method, params_json));
    auto body = transport_->round_trip(request);
    Result<std::string> outcome =
        body.ok() ? parse_response(*body, id, rpc_error) : Result<std::string>(body.error());
    if (outcome.ok()) return outcome;
    if (attempt >= attempts || !retryable(outcome.error().code())) {
      std::string context = std::string(method);
      if (attempt > 1) context += " (after " + std::to_string(attempt) + " attempts)";
      return outcome.error().with_context(context);
    }
    clock_->sleep_for(backoff_delay(attempt));
  }
}

Result<std::vector<Result<std::string>>> RpcClient::batch(std::span<const RpcRequest> requests) {
  if (requests.empty()) return std::vector<Result<std::string>>{};
  const bool idempotent = std::all_of(requests.begin(), requests.end(), [](const RpcRequest& r) {
    return is_idempotent_method(r.method);
  });
  const int attempts = idempotent ? retry_.max_attempts : 1;
  for (int attempt = 1;; ++attempt) {
    const std::uint64_t first = next_id_.fetch_add(requests.size(), std::memory_order_relaxed);
    std::vector<std::uint64_t> ids(requests.size());
    std::string body = "[";
    for (std::size_t i = 0; i < requests.size(); ++i) {
      ids[i] = first + i;
      PACTUM_TRY(std::string one,
                 build_request(ids[i], requests[i].method, requests[i].params_json));
      if (i != 0) body += ',';
      body += one;
    }
    body += ']';
    auto answer = transport_->round_trip(body);
    auto outcome = answer.ok() ? parse_batch_response(*answer, ids)
                               : Result<std::vector<Result<std::string>>>(answer.error());
    if (outcome.ok()) return outcome;
    if (attempt >= attempts || !retryable(outcome.error().code())) {
      std::string context = "batch of " + std::to_string(requests.size());
      if (attempt > 1) context += " (after " + std::to_string(attempt) + " attempts)";
      return outcome.error().with_context(context);
    }
    clock_->sleep_for(backoff_delay(attempt));
  }
}

}  // namespace pactum::rpc
