// Typed Ethereum JSON-RPC: the eth_* methods Pactum uses, with parameters and results as our own
// types (U256, Address, Hash32, Bytes). Every answer is validated strictly: a QUANTITY must be
// "0x" + hex without leading zeros (just "0x0" for zero) and at most 256 bits; DATA must be
// "0x" + an even number of hex digits; hashes 32 bytes; addresses 20 bytes. An answer that breaks
// this fails with kDataLoss naming the field; it never crashes or is guessed at.
//
// Thread safety: EthApi holds only a reference to its RpcClient and is as thread-safe as it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/uint256.hpp"
#include "pactum/rpc/json_rpc.hpp"

namespace pactum::rpc {

// Parses a JSON-RPC QUANTITY ("0x0", "0x1a"; not "0x", "0x01", "1a", "0X1").
// Errors: kInvalidArgument for a malformed text; kOutOfRange above 2^256 - 1.
[[nodiscard]] Result<eth::U256> parse_quantity(std::string_view text);
// As parse_quantity; kOutOfRange above 2^64 - 1.
[[nodiscard]] Result<std::uint64_t> parse_quantity_u64(std::string_view text);
// Parses JSON-RPC DATA ("0x", "0x00ab"). Errors: kInvalidArgument without the "0x" prefix, with
// an odd number of digits or a non-hex character.
[[nodiscard]] Result<Bytes> parse_data(std::string_view text);
// The QUANTITY text of a value ("0x0", "0x1a").
[[nodiscard]] std::string quantity(std::uint64_t value);

// A block named by number or by tag, as the "block parameter" of eth_call, eth_getBalance, ...
class BlockId {
 public:
  [[nodiscard]] static BlockId latest() { return BlockId("latest"); }
  [[nodiscard]] static BlockId pending() { return BlockId("pending"); }
  [[nodiscard]] static BlockId earliest() { return BlockId("earliest"); }
  [[nodiscard]] static BlockId safe() { return BlockId("safe"); }
  [[nodiscard]] static BlockId finalized() { return BlockId("finalized"); }
  [[nodiscard]] static BlockId number(std::uint64_t n) { return BlockId(quantity(n)); }
  // "latest", "0x1f", ... as JSON-RPC spells it (without quotes).
  [[nodiscard]] const std::string& text() const noexcept { return text_; }
  friend bool operator==(const BlockId&, const BlockId&) = default;

 private:
  explicit BlockId(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

// The transaction-like object of eth_call and eth_estimateGas. Unset members are omitted.
struct CallRequest {
  std::optional<eth::Address> from;
  std::optional<eth::Address> to;  // absent: contract creation with `data` as init code
  std::optional<std::uint64_t> gas;
  std::optional<eth::U256> gas_price;
  std::optional<eth::U256> max_fee_per_gas;
  std::optional<eth::U256> max_priority_fee_per_gas;
  std::optional<eth::U256> value;
  Bytes data;
};

// One log entry of a mined block.
struct Log {
  eth::Address address;
  std::vector<Hash32> topics;  // 0 to 4
  Bytes data;
  std::uint64_t block_number = 0;
  Hash32 block_hash{};
  Hash32 transaction_hash{};
  std::uint64_t transaction_index = 0;
  std::uint64_t log_index = 0;
  bool removed = false;  // true when a reorganisation dropped it
};

// A mined transaction's receipt.
struct Receipt {
  Hash32 transaction_hash{};
  std::uint64_t block_number = 0;
  Hash32 block_hash{};
  std::uint64_t transaction_index = 0;
  eth::Address from;
  std::optional<eth::Address> to;  // absent for contract creation
  bool success = false;            // "status" 0x1
  std::uint64_t gas_used = 0;
  std::uint64_t cumulative_gas_used = 0;
  eth::U256 effective_gas_price;
  std::optional<eth::Address> contract_address;
  std::vector<Log> logs;
};

// What eth_getTransactionByHash says of a transaction the node knows (in its pool or mined).
struct TransactionInfo {
  Hash32 hash{};
  eth::Address from;
  std::optional<eth::Address> to;  // absent for contract creation
  std::uint64_t nonce = 0;
  // The block it was mined in; nullopt while it waits in the pool.
  std::optional<std::uint64_t> block_number;
};

// eth_feeHistory: base fees of blocks oldest_block .. oldest_block + n (one more than the blocks
// asked: the next block's), gas used ratios and per-block rewards at the asked percentiles.
struct FeeHistory {
  std::uint64_t oldest_block = 0;
  std::vector<eth::U256> base_fee_per_gas;
  std::vector<double> gas_used_ratio;
  std::vector<std::vector<eth::U256>> reward;  // [block][percentile]; empty if none asked
};

// The filter of eth_getLogs. Block range or block hash, not both.
struct LogFilter {
  std::vector<eth::Address> addresses;  // empty: any address
  // topics[i]: the alternatives allowed at position i; an empty vector matches anything there.
  std::vector<std::vector<Hash32>> topics;
  std::optional<BlockId> from_block;
  std::optional<BlockId> to_block;
  std::optional<Hash32> block_hash;
};

// Typed wrappers over an RpcClient. Errors of every method: those of RpcClient::call, and
// kDataLoss when the answer does not have the documented shape.
class EthApi {
 public:
  // `client` must outlive this object.
  explicit EthApi(RpcClient& client) : client_(client) {}

  [[nodiscard]] RpcClient& client() { return client_; }

  [[nodiscard]] Result<std::uint64_t> chain_id();
  [[nodiscard]] Result<std::uint64_t> block_number();
  // The timestamp (unix seconds) of the latest block: the chain's clock, which time locks and
  // time outs compare with (eth_getBlockByNumber("latest", false).timestamp). Errors: kDataLoss
  // when the answer is not a block object with a quantity "timestamp".
  [[nodiscard]] Result<std::uint64_t> latest_block_timestamp();
  [[nodiscard]] Result<eth::U256> get_balance(const eth::Address& account,
                                              const BlockId& block = BlockId::latest());
  // The account's nonce counting its pending transactions by default.
  [[nodiscard]] Result<std::uint64_t> get_transaction_count(
      const eth::Address& account, const BlockId& block = BlockId::pending());
  [[nodiscard]] Result<eth::U256> gas_price();
  // REQUIRES: 1 <= block_count <= 1024; percentiles ascending in [0, 100].
  // Errors: kInvalidArgument when the requirement is broken (nothing sent); kUnimplemented when
  // the node does not serve eth_feeHistory.
  [[nodiscard]] Result<FeeHistory> fee_history(std::uint64_t block_count, const BlockId& newest,
                                               std::span<const double> percentiles);
  [[nodiscard]] Result<eth::U256> max_priority_fee_per_gas();
  // The base fee of the latest block; nullopt when the chain has none (before London).
  [[nodiscard]] Result<std::optional<eth::U256>> latest_base_fee();
  // Errors: a reverting transaction fails with kFailedPrecondition carrying the reason.
  [[nodiscard]] Result<std::uint64_t> estimate_gas(const CallRequest& request);
  // Returns the call's return data. Errors: a revert fails with kFailedPrecondition whose message
  // has the decoded reason and the revert data; `rpc_error` (when not null) receives the node's
  // error object, for revert_data().
  [[nodiscard]] Result<Bytes> call(const CallRequest& request,
                                   const BlockId& block = BlockId::latest(),
                                   RpcErrorObject* rpc_error = nullptr);
  // Submits a signed transaction; returns its hash. Never retried (see json_rpc.hpp).
  [[nodiscard]] Result<Hash32> send_raw_transaction(ByteView raw_transaction);
  // nullopt while the transaction is not mined (or unknown).
  [[nodiscard]] Result<std::optional<Receipt>> get_transaction_receipt(const Hash32& tx_hash);
  // The transaction `tx_hash` as the node knows it: pending (no block) or mined; nullopt when the
  // node does not know it. Errors: kDataLoss also when the answer names another hash.
  [[nodiscard]] Result<std::optional<TransactionInfo>> get_transaction_by_hash(
      const Hash32& tx_hash);
  [[nodiscard]] Result<Bytes> get_code(const eth::Address& account,
                                       const BlockId& block = BlockId::latest());
  // Errors: kResourceExhausted when the node refuses the result as too large (see logs.hpp for
  // the range splitting that handles it).
  [[nodiscard]] Result<std::vector<Log>> get_logs(const LogFilter& filter);

 private:
  RpcClient& client_;
};

// Parsers of the result texts, exposed for tests and for callers using RpcClient::batch.
// Errors: kDataLoss naming the field that is missing or malformed.
[[nodiscard]] Result<Receipt> parse_receipt(std::string_view json);
[[nodiscard]] Result<TransactionInfo> parse_transaction_info(std::string_view json);
[[nodiscard]] Result<std::vector<Log>> parse_logs(std::string_view json);

}  // namespace pactum::rpc
