#include "pactum/rpc/eth_api.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "json_text.hpp"

namespace pactum::rpc {

using internal::dump_json;
using internal::Json;
using internal::parse_json;
using internal::quote;

namespace {

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Reads the member `name` of `object` as a string. Errors: kDataLoss when absent or not a string.
Result<std::string_view> string_member(const Json& object, std::string_view name,
                                       std::string_view what) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return data_loss(std::string(what) + ": member \"" + std::string(name) +
                     (it == object.end() ? "\" is missing" : "\" is not a string"));
  }
  return std::string_view(it->get_ref<const std::string&>());
}

// Wraps a field parser's error as kDataLoss naming the field.
template <class T>
Result<T> field(Result<T> parsed, std::string_view what, std::string_view name) {
  if (parsed.ok()) return parsed;
  return data_loss(std::string(what) + "." + std::string(name) + ": " + parsed.error().message());
}

Result<std::uint64_t> u64_member(const Json& o, std::string_view name, std::string_view what) {
  PACTUM_TRY(std::string_view text, string_member(o, name, what));
  return field(parse_quantity_u64(text), what, name);
}

Result<eth::U256> u256_member(const Json& o, std::string_view name, std::string_view what) {
  PACTUM_TRY(std::string_view text, string_member(o, name, what));
  return field(parse_quantity(text), what, name);
}

Result<Hash32> hash_of(std::string_view text) {
  PACTUM_TRY(Bytes bytes, parse_data(text));
  if (bytes.size() != 32) {
    return invalid_argument("want 32 bytes, got " + std::to_string(bytes.size()));
  }
  Hash32 out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

Result<eth::Address> address_of(std::string_view text) {
  PACTUM_TRY(Bytes bytes, parse_data(text));
  return eth::Address::from_bytes(bytes);  // no checksum demanded of a node's answer
}

Result<Hash32> hash_member(const Json& o, std::string_view name, std::string_view what) {
  PACTUM_TRY(std::string_view text, string_member(o, name, what));
  return field(hash_of(text), what, name);
}

Result<eth::Address> address_member(const Json& o, std::string_view name, std::string_view what) {
  PACTUM_TRY(std::string_view text, string_member(o, name, what));
  return field(address_of(text), what, name);
}

// A member that may be absent or null.
Result<std::optional<eth::Address>> optional_address_member(const Json& o, std::string_view name,
                                                            std::string_view what) {
  auto it = o.find(name);
  if (it == o.end() || it->is_null()) return std::optional<eth::Address>();
  PACTUM_TRY(eth::Address a, address_member(o, name, what));
  return std::optional<eth::Address>(a);
}

Result<Log> log_of(const Json& o) {
  constexpr std::string_view kWhat = "log";
  if (!o.is_object()) return data_loss("log is not an object: " + quote(dump_json(o)));
  Log log;
  PACTUM_TRY(log.address, address_member(o, "address", kWhat));
  auto topics = o.find("topics");
  if (topics == o.end() || !topics->is_array() || topics->size() > 4) {
    return data_loss("log.topics is missing, not an array or longer than 4");
  }
  for (const Json& t : *topics) {
    if (!t.is_string()) return data_loss("log.topics has a non-string entry");
    PACTUM_TRY(Hash32 h, field(hash_of(t.get_ref<const std::string&>()), kWhat, "topics"));
    log.topics.push_back(h);
  }
  PACTUM_TRY(std::string_view data, string_member(o, "data", kWhat));
  PACTUM_TRY(log.data, field(parse_data(data), kWhat, "data"));
  PACTUM_TRY(log.block_number, u64_member(o, "blockNumber", kWhat));
  PACTUM_TRY(log.block_hash, hash_member(o, "blockHash", kWhat));
  PACTUM_TRY(log.transaction_hash, hash_member(o, "transactionHash", kWhat));
  PACTUM_TRY(log.transaction_index, u64_member(o, "transactionIndex", kWhat));
  PACTUM_TRY(log.log_index, u64_member(o, "logIndex", kWhat));
  if (auto removed = o.find("removed"); removed != o.end()) {
    if (!removed->is_boolean()) return data_loss("log.removed is not a boolean");
    log.removed = removed->get<bool>();
  }
  return log;
}

Result<std::vector<Log>> logs_of(const Json& array) {
  if (!array.is_array()) return data_loss("logs are not an array: " + quote(dump_json(array)));
  std::vector<Log> out;
  out.reserve(array.size());
  for (const Json& entry : array) {
    PACTUM_TRY(Log log, log_of(entry));
    out.push_back(std::move(log));
  }
  return out;
}

Result<Receipt> receipt_of(const Json& o) {
  constexpr std::string_view kWhat = "receipt";
  if (!o.is_object()) return data_loss("receipt is not an object: " + quote(dump_json(o)));
  Receipt r;
  PACTUM_TRY(r.transaction_hash, hash_member(o, "transactionHash", kWhat));
  PACTUM_TRY(r.block_number, u64_member(o, "blockNumber", kWhat));
  PACTUM_TRY(r.block_hash, hash_member(o, "blockHash", kWhat));
  PACTUM_TRY(r.transaction_index, u64_member(o, "transactionIndex", kWhat));
  PACTUM_TRY(r.from, address_member(o, "from", kWhat));
  PACTUM_TRY(r.to, optional_address_member(o, "to", kWhat));
  PACTUM_TRY(std::uint64_t status, u64_member(o, "status", kWhat));
  if (status > 1) return data_loss("receipt.status is " + std::to_string(status));
  r.success = status == 1;
  PACTUM_TRY(r.gas_used, u64_member(o, "gasUsed", kWhat));
  PACTUM_TRY(r.cumulative_gas_used, u64_member(o, "cumulativeGasUsed", kWhat));
  PACTUM_TRY(r.effective_gas_price, u256_member(o, "effectiveGasPrice", kWhat));
  PACTUM_TRY(r.contract_address, optional_address_member(o, "contractAddress", kWhat));
  auto logs = o.find("logs");
  if (logs == o.end()) return data_loss("receipt.logs is missing");
  PACTUM_TRY(r.logs, logs_of(*logs));
  return r;
}

Result<TransactionInfo> transaction_info_of(const Json& o) {
  constexpr std::string_view kWhat = "transaction";
  if (!o.is_object()) return data_loss("transaction is not an object: " + quote(dump_json(o)));
  TransactionInfo t;
  PACTUM_TRY(t.hash, hash_member(o, "hash", kWhat));
  PACTUM_TRY(t.from, address_member(o, "from", kWhat));
  PACTUM_TRY(t.to, optional_address_member(o, "to", kWhat));
  PACTUM_TRY(t.nonce, u64_member(o, "nonce", kWhat));
  // Pending transactions have a null (or, on some nodes, absent) blockNumber.
  if (auto block = o.find("blockNumber"); block != o.end() && !block->is_null()) {
    PACTUM_TRY(t.block_number, u64_member(o, "blockNumber", kWhat));
  }
  return t;
}

// Parses a result text; wraps everything into Result, nothing throws out.
template <class F>
auto with_json(std::string_view text, std::string_view what, F&& f) -> decltype(f(Json())) {
  try {
    PACTUM_TRY(Json value, parse_json(text, what));
    return f(value);
  } catch (const std::exception& e) {
    return data_loss(std::string(what) + " could not be read: " + e.what());
  }
}

Result<std::string_view> as_string(const Json& value, std::string_view what) {
  if (!value.is_string()) {
    return data_loss(std::string(what) + " is not a string: " + quote(dump_json(value)));
  }
  return std::string_view(value.get_ref<const std::string&>());
}

Result<std::uint64_t> u64_result(std::string_view text, std::string_view what) {
  return with_json(text, what, [&](const Json& v) -> Result<std::uint64_t> {
    PACTUM_TRY(std::string_view s, as_string(v, what));
    return field(parse_quantity_u64(s), what, "result");
  });
}

Result<eth::U256> u256_result(std::string_view text, std::string_view what) {
  return with_json(text, what, [&](const Json& v) -> Result<eth::U256> {
    PACTUM_TRY(std::string_view s, as_string(v, what));
    return field(parse_quantity(s), what, "result");
  });
}

Result<Bytes> data_result(std::string_view text, std::string_view what) {
  return with_json(text, what, [&](const Json& v) -> Result<Bytes> {
    PACTUM_TRY(std::string_view s, as_string(v, what));
    return field(parse_data(s), what, "result");
  });
}

Json call_object(const CallRequest& r) {
  Json o = Json::object();
  if (r.from) o["from"] = r.from->to_hex();
  if (r.to) o["to"] = r.to->to_hex();
  if (r.gas) o["gas"] = quantity(*r.gas);
  if (r.gas_price) o["gasPrice"] = r.gas_price->to_hex();
  if (r.max_fee_per_gas) o["maxFeePerGas"] = r.max_fee_per_gas->to_hex();
  if (r.max_priority_fee_per_gas) o["maxPriorityFeePerGas"] = r.max_priority_fee_per_gas->to_hex();
  if (r.value) o["value"] = r.value->to_hex();
  // One name only: strict nodes refuse a call object that has both (-32602, duplicate field:
  // serde-based ones such as Frontier's), and Hardhat reads "data" alone (an "input" of its own
  // runs as an empty call). "data" is the name every node reads (geth, anvil, Hardhat, Ganache,
  // Besu, Frontier), "input" the newer spec's (execution-apis), which not all of them read.
  o["data"] = to_hex(r.data);
  return o;
}

Json hash_json(const Hash32& h) {
  return to_hex(h);
}

}  // namespace

Result<eth::U256> parse_quantity(std::string_view text) {
  if (text.size() < 3 || text[0] != '0' || text[1] != 'x') {
    return invalid_argument("QUANTITY " + quote(text) + " must be \"0x\" followed by hex digits");
  }
  std::string_view digits = text.substr(2);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (!is_hex_digit(digits[i])) {
      return invalid_argument("QUANTITY " + quote(text) + " has a non-hex character at " +
                              std::to_string(i + 2));
    }
  }
  if (digits.size() > 1 && digits[0] == '0') {
    return invalid_argument("QUANTITY " + quote(text) + " has leading zeros");
  }
  if (digits.size() > 64) return out_of_range("QUANTITY " + quote(text) + " exceeds 256 bits");
  return eth::U256::from_hex(digits);
}

Result<std::uint64_t> parse_quantity_u64(std::string_view text) {
  PACTUM_TRY(eth::U256 v, parse_quantity(text));
  if (!v.fits_u64()) return out_of_range("QUANTITY " + quote(text) + " exceeds 64 bits");
  return v.low64();
}

Result<Bytes> parse_data(std::string_view text) {
  if (text.size() < 2 || text[0] != '0' || text[1] != 'x') {
    return invalid_argument("DATA " + quote(text) + " must start with \"0x\"");
  }
  return from_hex(text);
}

std::string quantity(std::uint64_t value) {
  return eth::U256(value).to_hex();
}

Result<Receipt> parse_receipt(std::string_view json) {
  return with_json(json, "receipt", [](const Json& v) { return receipt_of(v); });
}

Result<TransactionInfo> parse_transaction_info(std::string_view json) {
  return with_json(json, "transaction", [](const Json& v) { return transaction_info_of(v); });
}

Result<std::vector<Log>> parse_logs(std::string_view json) {
  return with_json(json, "logs", [](const Json& v) { return logs_of(v); });
}

Result<std::uint64_t> EthApi::chain_id() {
  PACTUM_TRY(std::string r, client_.call("eth_chainId"));
  return u64_result(r, "eth_chainId");
}

Result<std::uint64_t> EthApi::block_number() {
  PACTUM_TRY(std::string r, client_.call("eth_blockNumber"));
  return u64_result(r, "eth_blockNumber");
}

Result<std::uint64_t> EthApi::latest_block_timestamp() {
  constexpr std::string_view kWhat = "eth_getBlockByNumber";
  PACTUM_TRY(std::string r, client_.call("eth_getBlockByNumber", R"(["latest",false])"));
  return with_json(r, kWhat, [&](const Json& v) -> Result<std::uint64_t> {
    if (!v.is_object()) {
      return data_loss(std::string(kWhat) +
                       ": the latest block is not an object: " + quote(dump_json(v)));
    }
    return u64_member(v, "timestamp", kWhat);
  });
}

Result<eth::U256> EthApi::get_balance(const eth::Address& account, const BlockId& block) {
  const Json params = Json::array({account.to_hex(), block.text()});
  PACTUM_TRY(std::string r, client_.call("eth_getBalance", dump_json(params)));
  return u256_result(r, "eth_getBalance");
}

Result<std::uint64_t> EthApi::get_transaction_count(const eth::Address& account,
                                                    const BlockId& block) {
  const Json params = Json::array({account.to_hex(), block.text()});
  PACTUM_TRY(std::string r, client_.call("eth_getTransactionCount", dump_json(params)));
  return u64_result(r, "eth_getTransactionCount");
}

Result<eth::U256> EthApi::gas_price() {
  PACTUM_TRY(std::string r, client_.call("eth_gasPrice"));
  return u256_result(r, "eth_gasPrice");
}

Result<eth::U256> EthApi::max_priority_fee_per_gas() {
  PACTUM_TRY(std::string r, client_.call("eth_maxPriorityFeePerGas"));
  return u256_result(r, "eth_maxPriorityFeePerGas");
}

Result<FeeHistory> EthApi::fee_history(std::uint64_t block_count, const BlockId& newest,
                                       std::span<const double> percentiles) {
  if (block_count < 1 || block_count > 1024) {
    return invalid_argument("fee_history: block_count " + std::to_string(block_count) +
                            " outside [1, 1024]");
  }
  Json pcts = Json::array();
  double previous = 0;
  for (double p : percentiles) {
    if (!(p >= previous && p <= 100)) {
      return invalid_argument("fee_history: percentiles must ascend within [0, 100]");
    }
    previous = p;
    pcts.push_back(p);
  }
  const Json params = Json::array({quantity(block_count), newest.text(), pcts});
  PACTUM_TRY(std::string r, client_.call("eth_feeHistory", dump_json(params)));
  constexpr std::string_view kWhat = "eth_feeHistory";
  return with_json(r, kWhat, [&](const Json& o) -> Result<FeeHistory> {
    if (!o.is_object()) return data_loss("eth_feeHistory result is not an object");
    FeeHistory h;
    PACTUM_TRY(h.oldest_block, u64_member(o, "oldestBlock", kWhat));
    auto base = o.find("baseFeePerGas");
    if (base == o.end() || !base->is_array()) {
      return data_loss("eth_feeHistory.baseFeePerGas is missing or not an array");
    }
    for (const Json& b : *base) {
      PACTUM_TRY(std::string_view s, as_string(b, "eth_feeHistory.baseFeePerGas[]"));
      PACTUM_TRY(eth::U256 v, field(parse_quantity(s), kWhat, "baseFeePerGas"));
      h.base_fee_per_gas.push_back(v);
    }
    auto ratios = o.find("gasUsedRatio");
    if (ratios == o.end() || !ratios->is_array()) {
      return data_loss("eth_feeHistory.gasUsedRatio is missing or not an array");
    }
    for (const Json& g : *ratios) {
      if (!g.is_number() || !std::isfinite(g.get<double>())) {
        return data_loss("eth_feeHistory.gasUsedRatio has a non-number");
      }
      h.gas_used_ratio.push_back(g.get<double>());
    }
    if (auto reward = o.find("reward"); reward != o.end() && !reward->is_null()) {
      if (!reward->is_array()) return data_loss("eth_feeHistory.reward is not an array");
      for (const Json& block : *reward) {
        if (!block.is_array() || block.size() != percentiles.size()) {
          return data_loss("eth_feeHistory.reward entry does not have one value per percentile");
        }
        std::vector<eth::U256> row;
        for (const Json& x : block) {
          PACTUM_TRY(std::string_view s, as_string(x, "eth_feeHistory.reward[][]"));
          PACTUM_TRY(eth::U256 v, field(parse_quantity(s), kWhat, "reward"));
          row.push_back(v);
        }
        h.reward.push_back(std::move(row));
      }
    }
    if (h.gas_used_ratio.size() > block_count ||
        (!h.gas_used_ratio.empty() && h.base_fee_per_gas.size() != h.gas_used_ratio.size() + 1) ||
        (!percentiles.empty() && h.reward.size() != h.gas_used_ratio.size())) {
      return data_loss("eth_feeHistory arrays have inconsistent lengths");
    }
    return h;
  });
}

Result<std::optional<eth::U256>> EthApi::latest_base_fee() {
  PACTUM_TRY(std::string r, client_.call("eth_getBlockByNumber", R"(["latest",false])"));
  constexpr std::string_view kWhat = "eth_getBlockByNumber";
  return with_json(r, kWhat, [&](const Json& o) -> Result<std::optional<eth::U256>> {
    if (!o.is_object()) return data_loss("latest block is not an object: " + quote(r));
    auto it = o.find("baseFeePerGas");
    if (it == o.end() || it->is_null()) return std::optional<eth::U256>();
    PACTUM_TRY(eth::U256 v, u256_member(o, "baseFeePerGas", "block"));
    return std::optional<eth::U256>(v);
  });
}

Result<std::uint64_t> EthApi::estimate_gas(const CallRequest& request) {
  const Json params = Json::array({call_object(request)});
  PACTUM_TRY(std::string r, client_.call("eth_estimateGas", dump_json(params)));
  return u64_result(r, "eth_estimateGas");
}

Result<Bytes> EthApi::call(const CallRequest& request, const BlockId& block,
                           RpcErrorObject* rpc_error) {
  const Json params = Json::array({call_object(request), block.text()});
  PACTUM_TRY(std::string r, client_.call("eth_call", dump_json(params), rpc_error));
  return data_result(r, "eth_call");
}

Result<Hash32> EthApi::send_raw_transaction(ByteView raw_transaction) {
  const Json params = Json::array({to_hex(raw_transaction)});
  PACTUM_TRY(std::string r, client_.call("eth_sendRawTransaction", dump_json(params)));
  return with_json(r, "eth_sendRawTransaction", [](const Json& v) -> Result<Hash32> {
    PACTUM_TRY(std::string_view s, as_string(v, "eth_sendRawTransaction"));
    return field(hash_of(s), "eth_sendRawTransaction", "result");
  });
}

Result<std::optional<Receipt>> EthApi::get_transaction_receipt(const Hash32& tx_hash) {
  const Json params = Json::array({hash_json(tx_hash)});
  PACTUM_TRY(std::string r, client_.call("eth_getTransactionReceipt", dump_json(params)));
  return with_json(r, "receipt", [&](const Json& v) -> Result<std::optional<Receipt>> {
    if (v.is_null()) return std::optional<Receipt>();
    PACTUM_TRY(Receipt receipt, receipt_of(v));
    if (receipt.transaction_hash != tx_hash) {
      return data_loss("receipt is for transaction " + to_hex(receipt.transaction_hash) +
                       ", asked for " + to_hex(tx_hash));
    }
    return std::optional<Receipt>(std::move(receipt));
  });
}

Result<std::optional<TransactionInfo>> EthApi::get_transaction_by_hash(const Hash32& tx_hash) {
  const Json params = Json::array({hash_json(tx_hash)});
  PACTUM_TRY(std::string r, client_.call("eth_getTransactionByHash", dump_json(params)));
  return with_json(r, "transaction", [&](const Json& v) -> Result<std::optional<TransactionInfo>> {
    if (v.is_null()) return std::optional<TransactionInfo>();
    PACTUM_TRY(TransactionInfo info, transaction_info_of(v));
    if (info.hash != tx_hash) {
      return data_loss("transaction answer is for " + to_hex(info.hash) + ", asked for " +
                       to_hex(tx_hash));
    }
    return std::optional<TransactionInfo>(std::move(info));
  });
}

Result<Bytes> EthApi::get_code(const eth::Address& account, const BlockId& block) {
  const Json params = Json::array({account.to_hex(), block.text()});
  PACTUM_TRY(std::string r, client_.call("eth_getCode", dump_json(params)));
  return data_result(r, "eth_getCode");
}

Result<std::vector<Log>> EthApi::get_logs(const LogFilter& filter) {
  if (filter.block_hash && (filter.from_block || filter.to_block)) {
    return invalid_argument("get_logs: a filter names a block hash or a range, not both");
  }
  if (filter.topics.size() > 4) return invalid_argument("get_logs: more than 4 topic positions");
  Json f = Json::object();
  if (filter.addresses.size() == 1) {
    f["address"] = filter.addresses[0].to_hex();
  } else if (!filter.addresses.empty()) {
    Json a = Json::array();
    for (const auto& address : filter.addresses) a.push_back(address.to_hex());
    f["address"] = std::move(a);
  }
  if (!filter.topics.empty()) {
    Json topics = Json::array();
    for (const auto& alternatives : filter.topics) {
      if (alternatives.empty()) {
        topics.push_back(nullptr);
      } else if (alternatives.size() == 1) {
        topics.push_back(hash_json(alternatives[0]));
      } else {
        Json any = Json::array();
        for (const auto& t : alternatives) any.push_back(hash_json(t));
        topics.push_back(std::move(any));
      }
    }
    f["topics"] = std::move(topics);
  }
  if (filter.from_block) f["fromBlock"] = filter.from_block->text();
  if (filter.to_block) f["toBlock"] = filter.to_block->text();
  if (filter.block_hash) f["blockHash"] = hash_json(*filter.block_hash);
  PACTUM_TRY(std::string r, client_.call("eth_getLogs", dump_json(Json::array({f}))));
  return parse_logs(r);
}

}  // namespace pactum::rpc
