// Transactor: sends one account's transactions to Pactum's contracts through an
// rpc::TransactionSender (nonces, EIP-1559 fees, gas, receipts) and names the custom error when a
// call would revert.
//
// Before sending, each transaction is simulated with eth_call from the same account at the
// pending block: a revert is reported as kFailedPrecondition "<what> reverted: NotProvider(did=0x…,
// caller=0x…)" (revert data decoded by describe_revert) and nothing is sent, so no gas is spent on
// a doomed call. A transaction that still fails when mined is kFailedPrecondition too.
//
// Thread safety: as rpc::TransactionSender (sends are serialized).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/keys.hpp"
#include "pactum/eth/uint256.hpp"
#include "pactum/rpc/eth_api.hpp"
#include "pactum/rpc/sender.hpp"

namespace pactum::contracts {

class Transactor {
 public:
  // A transactor for `key` on the chain `api` talks to; `api` must outlive it.
  // Errors: those of rpc::TransactionSender::create.
  [[nodiscard]] static Result<Transactor> create(rpc::EthApi& api, eth::PrivateKey key,
                                                 rpc::SenderOptions options = {});

  [[nodiscard]] const eth::Address& address() const noexcept { return sender_->address(); }
  [[nodiscard]] std::uint64_t chain_id() const noexcept { return sender_->chain_id(); }
  [[nodiscard]] rpc::EthApi& api() noexcept { return *api_; }
  [[nodiscard]] rpc::TransactionSender& sender() noexcept { return *sender_; }

  // Sends `data` to `to` (nullopt: a contract creation) with `value` wei and waits for the
  // receipt. `what` names the call in errors ("AgreementEngine.fulfillAccess"). `trace`, when not
  // null, is the sender's (rpc::SendTrace): it sees the hash before the transaction is submitted
  // and names, after an error, the transaction that may still be mined.
  // Errors: kFailedPrecondition when the simulation reverts (custom error named) or the mined
  //   transaction failed; those of TransactionSender::send_and_wait.
  [[nodiscard]] Result<rpc::Receipt> send(std::string_view what, std::optional<eth::Address> to,
                                          ByteView data, const eth::U256& value = eth::U256(),
                                          rpc::SendTrace* trace = nullptr);

  // How submit() sends: by default simulated first and its gas estimated by the node.
  struct SubmitOptions {
    // Skips the simulation and the estimate: for a transaction that depends on one sent just
    // before it and not yet mined (the estimate would see the state without it). The caller
    // gives a gas limit that is a proven bound for the call.
    std::optional<std::uint64_t> gas_limit;
  };

  // The first half of send(): simulates (unless options.gas_limit is set) and submits, returning
  // the hash the node accepted without waiting for it to be mined. Consecutive submits take
  // consecutive nonces, so several transactions can be mined in one block.
  // Errors: kFailedPrecondition when the simulation reverts; those of TransactionSender::send.
  [[nodiscard]] Result<Hash32> submit(std::string_view what, std::optional<eth::Address> to,
                                      ByteView data, const eth::U256& value = eth::U256(),
                                      const SubmitOptions& options = {},
                                      rpc::SendTrace* trace = nullptr);

  // The second half of send(): waits up to `timeout` for the receipt of `hash` (a transaction
  // submitted as `what`). Errors: kDeadlineExceeded when it is not mined in time (it may still
  // be); kFailedPrecondition when it was mined and failed; those of
  // TransactionSender::wait_for_receipt.
  [[nodiscard]] Result<rpc::Receipt> wait(std::string_view what, const Hash32& hash,
                                          std::chrono::milliseconds timeout);

  // A contract creation. Errors: as send(), and kDataLoss when the receipt names no contract
  // address.
  [[nodiscard]] Result<rpc::Receipt> deploy(std::string_view what, ByteView creation_data);

  // eth_call of `data` on `to` from this account at the latest block; returns the return data.
  // Errors: kFailedPrecondition "<what> reverted: <error>" on a revert; those of EthApi::call.
  [[nodiscard]] Result<Bytes> call(std::string_view what, const eth::Address& to, ByteView data,
                                   const eth::U256& value = eth::U256());

 private:
  Transactor(rpc::EthApi& api, std::unique_ptr<rpc::TransactionSender> sender)
      : api_(&api), sender_(std::move(sender)) {}

  rpc::EthApi* api_;
  std::unique_ptr<rpc::TransactionSender> sender_;
};

}  // namespace pactum::contracts
