#include "pactum/contracts/transactor.hpp"

#include <string>

#include "pactum/contracts/deployment.hpp"
#include "pactum/rpc/json_rpc.hpp"

namespace pactum::contracts {
namespace {

// "<what> reverted: <decoded error>" when the node's error carries revert data we can name;
// the node's error with `what` as context otherwise.
Error revert_error(std::string_view what, const Error& error, const rpc::RpcErrorObject& rpc) {
  if (auto data = rpc::revert_data(rpc)) {
    if (auto text = describe_revert(*data)) {
      return failed_precondition(std::string(what) +
                                 " reverted: " + (text->empty() ? "without a reason" : *text));
    }
    return failed_precondition(std::string(what) + " reverted with data " + to_hex(*data));
  }
  return error.with_context(what);
}

}  // namespace

Result<Transactor> Transactor::create(rpc::EthApi& api, eth::PrivateKey key,
                                      rpc::SenderOptions options) {
  PACTUM_TRY(auto sender, rpc::TransactionSender::create(api, std::move(key), std::move(options)));
  return Transactor(api, std::move(sender));
}

Result<Bytes> Transactor::call(std::string_view what, const eth::Address& to, ByteView data,
                               const eth::U256& value) {
  rpc::CallRequest request;
  request.from = address();
  request.to = to;
  request.data.assign(data.begin(), data.end());
  if (!value.is_zero()) request.value = value;
  rpc::RpcErrorObject rpc_error;
  auto result = api_->call(request, rpc::BlockId::latest(), &rpc_error);
  if (!result.ok()) return revert_error(what, result.error(), rpc_error);
  return result;
}

Result<Hash32> Transactor::submit(std::string_view what, std::optional<eth::Address> to,
                                  ByteView data, const eth::U256& value,
                                  const SubmitOptions& options, rpc::SendTrace* trace) {
  rpc::TxRequest request;
  request.to = to;
  request.value = value;
  request.data.assign(data.begin(), data.end());
  request.gas_limit = options.gas_limit;
  // Simulated first: a revert is named here, before any gas is spent.
  if (!options.gas_limit) {
    rpc::CallRequest simulation;
    simulation.from = address();
    simulation.to = to;
    simulation.data = request.data;
    if (!value.is_zero()) simulation.value = value;
    rpc::RpcErrorObject rpc_error;
    auto simulated = api_->call(simulation, rpc::BlockId::pending(), &rpc_error);
    if (!simulated.ok()) return revert_error(what, simulated.error(), rpc_error);
  }
  auto hash = sender_->send(request, trace);
  if (!hash.ok()) return hash.error().with_context(what);
  return hash;
}

Result<rpc::Receipt> Transactor::wait(std::string_view what, const Hash32& hash,
                                      std::chrono::milliseconds timeout) {
  auto receipt = sender_->wait_for_receipt(hash, timeout);
  if (!receipt.ok()) return receipt.error().with_context(what);
  if (!receipt->success) {
    return failed_precondition(std::string(what) + ": transaction " +
                               to_hex(receipt->transaction_hash) + " failed in block " +
                               std::to_string(receipt->block_number) + " (" +
                               std::to_string(receipt->gas_used) + " gas used)");
  }
  return receipt;
}

Result<rpc::Receipt> Transactor::send(std::string_view what, std::optional<eth::Address> to,
                                      ByteView data, const eth::U256& value,
                                      rpc::SendTrace* trace) {
  PACTUM_TRY(Hash32 hash, submit(what, to, data, value, {}, trace));
  // After an error of the wait, trace->in_flight still names the transaction (send() set it).
  return wait(what, hash, sender_->options().receipt_timeout);
}

Result<rpc::Receipt> Transactor::deploy(std::string_view what, ByteView creation_data) {
  PACTUM_TRY(rpc::Receipt receipt, send(what, std::nullopt, creation_data));
  if (!receipt.contract_address) {
    return data_loss(std::string(what) + ": the receipt of " + to_hex(receipt.transaction_hash) +
                     " names no contract address");
  }
  return receipt;
}

}  // namespace pactum::contracts
