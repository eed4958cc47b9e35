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

SubmitVerdict judge_submission(const Result<Hash32>& answer, const Hash32& signed_hash) noexcept {
  if (answer.ok())
    return *answer == signed_hash ? SubmitVerdict::kAccepted : SubmitVerdict::kUnknown;
  switch (answer.error().code()) {
    case ErrorCode::kAlreadyExists:  // "already known", "transaction already imported"
      return SubmitVerdict::kAccepted;
    case ErrorCode::kAborted:  // "nonce too low", "replacement transaction underpriced"
      return SubmitVerdict::kNonceTaken;
    case ErrorCode::kUnavailable:       // no answer, a cut connection, HTTP 5xx/408/429
    case ErrorCode::kDeadlineExceeded:  // a timeout after the request may have been read
    case ErrorCode::kDataLoss:          // an answer that could not be read
    case ErrorCode::kInternal:
      return SubmitVerdict::kUnknown;
    default:
      return SubmitVerdict::kRefused;
  }
}

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

Result<Hash32> TransactionSender::send(const TxRequest& request, SendTrace* trace) {
  std::lock_guard lock(mutex_);
  if (trace != nullptr) trace->in_flight.reset();
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
  return sign_and_submit(std::move(tx), trace);
}

Result<Hash32> TransactionSender::sign_and_submit(eth::Transaction tx, SendTrace* trace) {
  for (int signing = 0;; ++signing) {
    if (!next_nonce_.has_value()) {
      PACTUM_TRY(next_nonce_, api_.get_transaction_count(address_, BlockId::pending()));
    }
    tx.nonce = *next_nonce_;
    PACTUM_TRY(eth::SignedTransaction signed_tx, eth::sign_transaction(tx, key_));
    const Hash32 hash = signed_tx.hash();
    const std::string named = to_hex(hash) + " (nonce " + std::to_string(tx.nonce) + ")";
    if (trace != nullptr && trace->before_submit) {
      // Nothing is submitted when the caller could not record the hash.
      PACTUM_TRY_STATUS(trace->before_submit(hash, tx.nonce));
    }
    if (trace != nullptr) trace->in_flight = hash;
    std::optional<Error> error;
    switch (submit(signed_tx.serialize(), hash, error)) {
      case SubmitVerdict::kAccepted:
        next_nonce_ = tx.nonce + 1;
        return hash;
      case SubmitVerdict::kUnknown:
        // It may be mined: the caller must look it up. The next send asks the node for the
        // nonce, which counts this transaction if the node holds it.
        next_nonce_.reset();
        return error->with_context("transaction " + named +
                                   " may have been sent; its fate is unknown (look it up before "
                                   "sending the same intent again)");
      case SubmitVerdict::kRefused:
        next_nonce_.reset();
        if (trace != nullptr) trace->in_flight.reset();
        return error->with_context("send transaction " + named);
      case SubmitVerdict::kNonceTaken:
        // The node does not know this transaction and its nonce is used: it can never be mined.
        next_nonce_.reset();
        if (trace != nullptr) trace->in_flight.reset();
        if (signing >= 1) {
          return aborted("send transaction " + named +
                         ": its nonce was taken again after a "
                         "resync: " +
                         error->message());
        }
        break;
    }
  }
}

SubmitVerdict TransactionSender::submit(ByteView raw, const Hash32& hash,
                                        std::optional<Error>& error) {
  // The same signed bytes may be sent again when the node does not know them: a node that
  // already has them answers "already known", one that mined them "nonce too low".
  constexpr int kSubmissions = 3;
  for (int submission = 1;; ++submission) {
    auto answer = api_.send_raw_transaction(raw);
    const SubmitVerdict verdict = judge_submission(answer, hash);
    if (verdict == SubmitVerdict::kAccepted) return verdict;
    if (!answer.ok()) {
      error = answer.error();
    } else {
      error = data_loss("the node answered transaction hash " + to_hex(*answer) + ", signed " +
                        to_hex(hash));
    }
    if (verdict == SubmitVerdict::kRefused) return verdict;
    // kNonceTaken or kUnknown: does the node know this very transaction?
    auto known = api_.get_transaction_by_hash(hash);
    if (!known.ok()) {
      // The lookup's code says what to do now (the node is unreachable, ...).
      error = known.error().with_context("the node answered '" + error->message() +
                                         "', and looking the transaction up failed");
      return SubmitVerdict::kUnknown;
    }
    if (known->has_value()) return SubmitVerdict::kAccepted;
    if (verdict == SubmitVerdict::kNonceTaken) return verdict;
    if (submission >= kSubmissions) {
      error = error->with_context("the node does not know it after " + std::to_string(submission) +
                                  " submissions");
      return SubmitVerdict::kUnknown;
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

Result<Receipt> TransactionSender::send_and_wait(const TxRequest& request, SendTrace* trace) {
  PACTUM_TRY(Hash32 hash, send(request, trace));
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
