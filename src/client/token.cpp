// Client::Impl's ERC-20 calls: balance and allowance (views), approve (a transaction). Encoded
// from their standard signatures, not a generated binding: any ERC-20 is accepted, and what a
// token answers is untrusted (an EOA answers nothing, another contract reverts or answers junk).
#include "client_internal.hpp"
#include "pactum/eth/abi.hpp"

namespace pactum::client {
namespace {

// One uint256 from a view's return data; anything else is not an ERC-20's answer.
Result<eth::U256> one_uint(ByteView data) {
  static const std::vector<eth::AbiType> kUint = eth::parse_abi_types("uint256").value();
  PACTUM_TRY(auto values, eth::abi_decode(kUint, data));
  return values.at(0).as_uint();
}

}  // namespace

Result<TokenFunds> Client::Impl::token_funds(const eth::Address& token, const eth::Address& owner,
                                             const eth::Address& spender) {
  const std::string name = "the token " + token.to_checksum_string();
  // An address without code answers every call with nothing and never reverts: ask for its code
  // first, so the error says what is wrong instead of "bad return data".
  PACTUM_TRY(Bytes code, api.get_code(token));
  if (code.empty()) {
    return failed_precondition(name + " is not a contract on chain " + std::to_string(chain_id));
  }
  auto ask = [&](std::string_view signature, std::vector<eth::AbiValue> args) -> Result<eth::U256> {
    PACTUM_TRY(Bytes data, eth::encode_call(signature, args));
    auto ret = view(token, std::move(data));
    if (!ret.ok()) {
      if (ret.error().code() != ErrorCode::kFailedPrecondition) return std::move(ret).error();
      return failed_precondition(name + " does not answer ERC-20 " + std::string(signature) +
                                 " (it reverted: " + ret.error().message() + ")");
    }
    auto value = one_uint(*ret);
    if (!value.ok()) {
      return failed_precondition(name + " does not answer ERC-20 " + std::string(signature) +
                                 " with a uint256 (" + std::to_string(ret->size()) +
                                 " bytes of return data)");
    }
    return *value;
  };
  TokenFunds out;
  PACTUM_TRY(out.balance, ask("balanceOf(address)", {owner}));
  PACTUM_TRY(out.allowance, ask("allowance(address,address)", {owner, spender}));
  return out;
}

Status Client::Impl::ensure_allowance(const eth::Address& token, const eth::Address& spender,
                                      const eth::U256& amount, const eth::U256& allowance,
                                      std::vector<SentTransaction>& sent,
                                      const std::function<Status(const Hash32&)>& before_submit) {
  if (allowance >= amount) return ok_status();
  PACTUM_TRY_STATUS(need_key("approve"));
  // Exactly the amount, never "unlimited": the engine may pull no more than this order costs.
  PACTUM_TRY(Bytes data, eth::encode_call("approve(address,uint256)",
                                          std::vector<eth::AbiValue>{spender, amount}));
  PACTUM_TRY(rpc::Receipt receipt,
             send("ERC20.approve", token, data, eth::U256(), sent, before_submit));
  (void)receipt;
  // Some tokens return false instead of reverting: believe the allowance, not the receipt.
  PACTUM_TRY(TokenFunds after, token_funds(token, transactor->address(), spender));
  if (after.allowance < amount) {
    return failed_precondition("the token " + token.to_checksum_string() + " accepted approve(" +
                               spender.to_checksum_string() + ", " + amount.to_dec() +
                               ") but the allowance is " + after.allowance.to_dec());
  }
  return ok_status();
}

}  // namespace pactum::client
