#include "pactum/rpc/sender.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace pactum::rpc {
namespace {

bool transient(ErrorCode code) {
  return code == ErrorCode::kUnavailable || code == ErrorCode::kDeadlineExceeded;
}

eth::U256 median(std::vector<eth::U256> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

TransactionSender::TransactionSender(EthApi& api, eth::PrivateKey key, std::uint64_t chain_id,
                                     SenderOptions options)
    : api_(api),
      key_(std::move(key)),
      address_(key_.address()),
      chain_id_(chain_id),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : std::make_shared<SystemClock>()) {}

Result<std::unique_ptr<TransactionSender>> TransactionSender::create(EthApi& api,
                                                                     eth::PrivateKey key,
                                                                     SenderOptions options) {
  PACTUM_TRY(std::uint64_t chain_id, api.chain_id());
  return std::unique_ptr<TransactionSender>(
      new TransactionSender(api, std::move(key), chain_id, std::move(options)));
}

Result<FeeEstimate> TransactionSender::estimate_fees() {
  const double percentiles[] = {options_.reward_percentile};
  auto history = api_.fee_history(std::max<std::uint64_t>(options_.fee_history_blocks, 1),
                                  BlockId::latest(), percentiles);
  const bool has_base_fee = history.ok() && !history->base_fee_per_gas.empty() &&
                            !history->base_fee_per_gas.back().is_zero();
  if (!has_base_fee) {
    // Either the node cannot serve eth_feeHistory or it reports no base fee: legacy pricing is
    // right only if the chain really has no base fee.
    PACTUM_TRY(std::optional<eth::U256> base_fee, api_.latest_base_fee());
    if (base_fee.has_value()) {
      if (!history.ok()) {
        return unimplemented(
            "the chain has a base fee but cannot serve eth_feeHistory for EIP-1559 fee "
            "estimation: " +
            history.error().message());
      }
      return data_loss("eth_feeHistory reports no base fee, but the latest block has one");
    }
    PACTUM_TRY(eth::U256 gas_price, api_.gas_price());
    FeeEstimate legacy;
    legacy.eip1559 = false;
    legacy.gas_price = gas_price;
    return legacy;
  }
  std::vector<eth::U256> rewards;
  for (const auto& block : history->reward) {
    if (!block.empty() && !block[0].is_zero()) rewards.push_back(block[0]);
  }
  FeeEstimate fees;
  fees.max_priority_fee_per_gas =
      rewards.empty() ? options_.fallback_priority_fee : median(std::move(rewards));
  const eth::U256 base_fee = history->base_fee_per_gas.back();  // the next block's
  PACTUM_TRY(eth::U256 doubled, eth::checked_add(base_fee, base_fee));
  PACTUM_TRY(fees.max_fee_per_gas, eth::checked_add(doubled, fees.max_priority_fee_per_gas));
  return fees;
}

Result<Hash32> TransactionSender::send(const TxRequest& request) {
  std::lock_guard lock(mutex_);
  PACTUM_TRY(FeeEstimate fees, estimate_fees());
  eth::Transaction tx;
  tx.chain_id = chain_id_;
  tx.to = request.to;
  tx.value = request.value;
  tx.data = request.data;
  if (fees.eip1559) {
    tx.type = eth::TxType::kEip1559;
    tx.max_fee_per_gas = fees.max_fee_per_gas;
    tx.max_priority_fee_per_gas = fees.max_priority_fee_per_gas;
  } else {
    tx.type = eth::TxType::kLegacy;
    tx.gas_price = fees.gas_price;
  }
  if (request.gas_limit.has_value()) {
    tx.gas_limit = *request.gas_limit;
  } else {
    CallRequest estimate;
    estimate.from = address_;
    estimate.to = request.to;
    estimate.value = request.value;
    estimate.data = request.data;
    PACTUM_TRY(std::uint64_t gas, api_.estimate_gas(estimate));
    const eth::U256 with_margin =
        eth::U256(gas) * eth::U256(100u + options_.gas_margin_percent) / eth::U256(100);
    tx.gas_limit = with_margin.fits_u64() ? with_margin.low64() : UINT64_MAX;
  }
  return sign_and_submit(std::move(tx));
}

Result<Hash32> TransactionSender::sign_and_submit(eth::Transaction tx) {
  for (int attempt = 0;; ++attempt) {
    if (!next_nonce_.has_value()) {
      PACTUM_TRY(next_nonce_, api_.get_transaction_count(address_, BlockId::pending()));
    }
    tx.nonce = *next_nonce_;
    PACTUM_TRY(eth::SignedTransaction signed_tx, eth::sign_transaction(tx, key_));
    const Hash32 hash = signed_tx.hash();
    auto sent = api_.send_raw_transaction(signed_tx.serialize());
    if (sent.ok() || sent.error().code() == ErrorCode::kAlreadyExists) {
      // "already known": this very transaction is in the pool already.
      if (sent.ok() && *sent != hash) {
        next_nonce_.reset();
        return data_loss("node reports transaction hash " + to_hex(*sent) + ", signed " +
                         to_hex(hash));
      }
      ++*next_nonce_;
      return hash;
    }
    next_nonce_.reset();  // the next attempt (or send) asks the node again
    if (sent.error().code() != ErrorCode::kAborted || attempt >= 1) {
      return sent.error().with_context("send transaction with nonce " + std::to_string(tx.nonce));
    }
  }
}

Result<Receipt> TransactionSender::wait_for_receipt(const Hash32& tx_hash,
                                                    std::chrono::milliseconds timeout) {
  const Clock::TimePoint deadline = clock_->now() + timeout;
  std::chrono::milliseconds delay = options_.poll_initial;
  for (;;) {
    auto receipt = api_.get_transaction_receipt(tx_hash);
    if (receipt.ok() && receipt->has_value()) return std::move(**receipt);
    if (!receipt.ok() && !transient(receipt.error().code())) {
      return receipt.error().with_context("wait for receipt of " + to_hex(tx_hash));
    }
    const Clock::TimePoint now = clock_->now();
    if (now >= deadline) {
      return deadline_exceeded("no receipt for " + to_hex(tx_hash) + " within " +
                               std::to_string(timeout.count()) + " ms" +
                               (receipt.ok() ? "" : " (last: " + receipt.error().message() + ")"));
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    clock_->sleep_for(std::min(delay, std::max(left, std::chrono::milliseconds(1))));
    delay = std::min(delay * 2, options_.poll_max);
  }
}

Result<Receipt> TransactionSender::send_and_wait(const TxRequest& request) {
  PACTUM_TRY(Hash32 hash, send(request));
  return wait_for_receipt(hash, options_.receipt_timeout);
}

Result<eth::Address> TransactionSender::deploy(ByteView bytecode, ByteView constructor_args) {
  if (bytecode.empty()) return invalid_argument("deploy: empty bytecode");
  TxRequest request;
  request.data.assign(bytecode.begin(), bytecode.end());
  request.data.insert(request.data.end(), constructor_args.begin(), constructor_args.end());
  PACTUM_TRY(Receipt receipt, send_and_wait(request));
  if (!receipt.success) {
    return failed_precondition("deployment " + to_hex(receipt.transaction_hash) +
                               " failed in block " + std::to_string(receipt.block_number) +
                               " (gas used " + std::to_string(receipt.gas_used) + ")");
  }
  if (!receipt.contract_address.has_value()) {
    return data_loss("receipt of deployment " + to_hex(receipt.transaction_hash) +
                     " names no contract address");
  }
  return *receipt.contract_address;
}

}  // namespace pactum::rpc
