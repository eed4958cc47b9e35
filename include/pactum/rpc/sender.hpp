// Sending transactions from one key: nonces, fees, gas, signing, submission and receipts.
//
// Nonces: the account's pending nonce is fetched once and then counted locally, so consecutive
// sends do not wait for each other to be mined. A submission that does not end accepted drops
// the local count (the next send fetches the pending nonce again: whether the node kept the
// transaction or not, the pending count is then right).
//
// Architecture Invariant: a transaction that may have been mined is never signed again with a
// new nonce. Its hash is computed before it is submitted (and handed to SendTrace::before_submit,
// so the caller can record it first); after any answer that leaves its fate open it is looked up
// with eth_getTransactionByHash, and only an answer that proves this signed transaction can never
// be mined lets the intent be signed again. The table (judge_submission, then the lookup):
//
//   the node's answer to eth_sendRawTransaction        verdict       then
//   its hash (the one signed)                           accepted      done
//   "already known", "known transaction",               accepted      done
//     "transaction already imported" (anvil)
//   "nonce too low", "replacement transaction           nonce taken   look up: known → accepted;
//     underpriced" (its nonce is used or contested)                   unknown → this transaction
//                                                                     can never be mined: sign the
//                                                                     intent again with the node's
//                                                                     pending nonce (once)
//   no answer: connection refused or cut, timeout,      unknown       look up: known → accepted;
//     HTTP 5xx/429 (kUnavailable, kDeadlineExceeded),                 unknown → send the SAME
//     a malformed answer (kDataLoss), another hash                    signed bytes again (twice at
//                                                                     most, each answer judged by
//                                                                     this table); lookup fails →
//                                                                     report it in flight
//   any other answer: a JSON-RPC error object           refused       nothing of it can be mined:
//     ("insufficient funds", "nonce too high", gas,                   the error is returned, the
//     fee cap, invalid params, rate limits), an HTTP                  intent may be sent again
//     4xx other than 408/429
//
// The definite answers are thus the node's own refusals, and "nonce too low" /
// "replacement underpriced" once the node says it does not know the hash. An intent is signed
// at most twice, and at most one of its signed transactions can be mined.
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
#include <functional>
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

// What the sender does with the node's answer to eth_sendRawTransaction (the table above).
enum class SubmitVerdict {
  kAccepted,    // the node holds the transaction
  kNonceTaken,  // its nonce is used or contested: look it up; unknown → sign the intent again
  kUnknown,     // the answer was lost or unreadable: look it up; unknown → send the same bytes
  kRefused,     // a definite refusal: nothing of it can be mined
};

// Judges `answer`, the outcome of eth_sendRawTransaction for the signed transaction whose hash
// is `signed_hash` (see the table in the header comment).
[[nodiscard]] SubmitVerdict judge_submission(const Result<Hash32>& answer,
                                             const Hash32& signed_hash) noexcept;

// What one send() submitted, for the caller's records.
struct SendTrace {
  // Called with the hash and nonce of each newly signed transaction before it is first
  // submitted (a caller that must not lose a payment records the hash durably here). An error
  // returned stops the send before that transaction is submitted; send() returns it.
  std::function<Status(const Hash32& hash, std::uint64_t nonce)> before_submit;
  // Set by send(): on success, the transaction the node accepted; after an error, the one whose
  // fate is unknown (it may be mined: look it up, e.g. wait_for_receipt, before sending the
  // intent again). nullopt when nothing submitted was accepted (every signed transaction was
  // refused definitely, or the error came before anything was submitted).
  std::optional<Hash32> in_flight;
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
  [[nodiscard]] const SenderOptions& options() const noexcept { return options_; }

  // Fees for a transaction sent now (see the header comment).
  // Errors: kUnimplemented when the chain has a base fee but no eth_feeHistory; kDataLoss for an
  // eth_feeHistory answer without base fees; those of EthApi.
  [[nodiscard]] Result<FeeEstimate> estimate_fees();

  // Signs and submits `request` (the table in the header comment); returns the hash of the
  // transaction the node accepted, without waiting for it to be mined. `trace`, when not null,
  // sees each signed transaction before it is submitted and says afterwards which one is in
  // flight.
  // Errors: kFailedPrecondition when gas estimation reverts (reason in the message) or the node
  //   refuses (insufficient funds, nonce too high, ...: the node's own code otherwise, e.g.
  //   kResourceExhausted when rate limited); kAborted when the re-signed intent's nonce is taken
  //   too; those of before_submit. When the fate of a submitted transaction is unknown (the node
  //   unreachable for the lookup, malformed answers) the last error is returned —
  //   kUnavailable, kDeadlineExceeded or kDataLoss — its message naming the hash, and
  //   trace->in_flight holds it: such an intent must be looked up, never simply sent again.
  [[nodiscard]] Result<Hash32> send(const TxRequest& request, SendTrace* trace = nullptr);

  // Polls for the receipt of `tx_hash`, waiting poll_initial, doubling up to poll_max, until it
  // is there or `timeout` has passed. Transient errors while polling are polled through.
  // Errors: kDeadlineExceeded when no receipt came in time; non-transient errors of EthApi.
  [[nodiscard]] Result<Receipt> wait_for_receipt(const Hash32& tx_hash,
                                                 std::chrono::milliseconds timeout);

  // send() then wait_for_receipt(receipt_timeout). A mined but failed transaction is returned
  // as a receipt with success == false, not as an error. After an error of the wait,
  // trace->in_flight still names the transaction sent.
  [[nodiscard]] Result<Receipt> send_and_wait(const TxRequest& request, SendTrace* trace = nullptr);

  // Deploys `bytecode` ‖ `constructor_args` (already ABI-encoded) and waits for it; returns the
  // new contract's address. Errors: kFailedPrecondition when the deployment reverts or runs out
  // of gas; kDataLoss when the receipt names no contract address; those of send_and_wait.
  [[nodiscard]] Result<eth::Address> deploy(ByteView bytecode, ByteView constructor_args = {});

 private:
  TransactionSender(EthApi& api, eth::PrivateKey key, std::uint64_t chain_id,
                    SenderOptions options);
  // REQUIRES: mutex_ held (both).
  Result<Hash32> sign_and_submit(eth::Transaction tx, SendTrace* trace);
  // Submits `raw` (whose hash is `hash`) and follows the table up to a verdict other than
  // kUnknown; kUnknown only when the fate stayed open (`error` then says why).
  SubmitVerdict submit(ByteView raw, const Hash32& hash, std::optional<Error>& error);

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
