// Sending transactions from one key: nonces, fees, gas, signing, submission and receipts.
//
// Nonces: the account's pending nonce is fetched once and then counted locally, so consecutive
// sends do not wait for each other to be mined. Any failed submission drops the local count (the
// next send fetches the pending nonce again: whether the node kept the transaction or not, the
// pending count is then right). A "nonce too low" or "replacement transaction underpriced"
// refusal (kAborted) resynchronizes and signs again with the fresh nonce, once.
//
// Fees (EIP-1559): from eth_feeHistory over the last `fee_history_blocks` blocks: the priority
// fee is the median of the blocks' `reward_percentile` rewards (or `fallback_priority_fee` when
// the blocks carry none), the fee cap is 2 × the next block's base fee + the priority fee, which
// stays valid through six full blocks of base fee growth. A chain whose latest block has no base
// fee (before London) gets a legacy transaction at eth_gasPrice; a chain that has a base fee but
// cannot serve eth_feeHistory is an error (kUnimplemented), never a silent guess.
//
// Thread safety: one TransactionSender may be used from several threads; sends are serialized
// (they share the nonce counter), receipt waits are not.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/keys.hpp"
#include "pactum/eth/transaction.hpp"
#include "pactum/eth/uint256.hpp"
#include "pactum/rpc/clock.hpp"
#include "pactum/rpc/eth_api.hpp"

namespace pactum::rpc {

struct FeeEstimate {
  bool eip1559 = true;
  eth::U256 max_fee_per_gas;           // EIP-1559
  eth::U256 max_priority_fee_per_gas;  // EIP-1559
  eth::U256 gas_price;                 // legacy
};

struct SenderOptions {
  std::uint64_t fee_history_blocks = 10;
  double reward_percentile = 50;
  eth::U256 fallback_priority_fee = eth::U256(1'000'000'000);  // 1 gwei
  // The gas limit is the node's estimate plus this many percent.
  std::uint32_t gas_margin_percent = 20;
  // Receipt polling: the first wait, doubling up to the maximum.
  std::chrono::milliseconds poll_initial{20};
  std::chrono::milliseconds poll_max{1'000};
  // How long send_and_wait and deploy wait for a receipt.
  std::chrono::milliseconds receipt_timeout{120'000};
  // Where polling waits happen; null → SystemClock.
  std::shared_ptr<Clock> clock;
};

// What to send; the sender fills in nonce, fees, gas limit (unless given) and chain id.
struct TxRequest {
  std::optional<eth::Address> to;  // empty: contract creation with `data` as init code
  eth::U256 value;
  Bytes data;
  std::optional<std::uint64_t> gas_limit;  // estimated (plus margin) when empty
};

class TransactionSender {
 public:
  // Creates a sender for `key` on the chain `api` talks to (asks eth_chainId once). `api` must
  // outlive the sender. Errors: those of EthApi::chain_id.
  [[nodiscard]] static Result<std::unique_ptr<TransactionSender>> create(
      EthApi& api, eth::PrivateKey key, SenderOptions options = {});
  TransactionSender(const TransactionSender&) = delete;
  TransactionSender& operator=(const TransactionSender&) = delete;

  [[nodiscard]] const eth::Address& address() const noexcept { return address_; }
  [[nodiscard]] std::uint64_t chain_id() const noexcept { return chain_id_; }

  // Fees for a transaction sent now (see the header comment).
  // Errors: kUnimplemented when the chain has a base fee but no eth_feeHistory; kDataLoss for an
  // eth_feeHistory answer without base fees; those of EthApi.
  [[nodiscard]] Result<FeeEstimate> estimate_fees();

  // Signs and submits `request`; returns the transaction hash without waiting for it to be mined.
  // Errors: kFailedPrecondition when gas estimation reverts (reason in the message) or the node
  //   refuses (insufficient funds, ...); kAborted when the nonce is still contested after one
  //   resync; kUnavailable/kDeadlineExceeded when the submission's fate is unknown (the caller
  //   may look the hash up, or send again: the nonce is re-read from the node); those of EthApi.
  [[nodiscard]] Result<Hash32> send(const TxRequest& request);

  // Polls for the receipt of `tx_hash`, waiting poll_initial, doubling up to poll_max, until it
  // is there or `timeout` has passed. Transient errors while polling are polled through.
  // Errors: kDeadlineExceeded when no receipt came in time; non-transient errors of EthApi.
  [[nodiscard]] Result<Receipt> wait_for_receipt(const Hash32& tx_hash,
                                                 std::chrono::milliseconds timeout);

  // send() then wait_for_receipt(receipt_timeout). A mined but failed transaction is returned
  // as a receipt with success == false, not as an error.
  [[nodiscard]] Result<Receipt> send_and_wait(const TxRequest& request);

  // Deploys `bytecode` ‖ `constructor_args` (already ABI-encoded) and waits for it; returns the
  // new contract's address. Errors: kFailedPrecondition when the deployment reverts or runs out
  // of gas; kDataLoss when the receipt names no contract address; those of send_and_wait.
  [[nodiscard]] Result<eth::Address> deploy(ByteView bytecode, ByteView constructor_args = {});

 private:
  TransactionSender(EthApi& api, eth::PrivateKey key, std::uint64_t chain_id,
                    SenderOptions options);
  Result<Hash32> sign_and_submit(eth::Transaction tx);  // REQUIRES: mutex_ held

  EthApi& api_;
  const eth::PrivateKey key_;
  const eth::Address address_;
  const std::uint64_t chain_id_;
  const SenderOptions options_;
  std::shared_ptr<Clock> clock_;
  std::mutex mutex_;
  std::optional<std::uint64_t> next_nonce_;  // GUARDED_BY(mutex_)
};

}  // namespace pactum::rpc
