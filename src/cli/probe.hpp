// Private to pactum_cli: the few questions `up` and `accounts` ask of a chain and a node.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/uint256.hpp"

namespace pactum::cli::detail {

// eth_chainId, asked once (no retries) within `timeout`.
// Errors: those of the RPC client (kUnavailable when nothing listens); kDataLoss for an answer
// that is not a quantity.
[[nodiscard]] Result<std::uint64_t> query_chain_id(std::string_view rpc_url,
                                                   std::chrono::milliseconds timeout);

// eth_getBalance(address, "latest") in wei. Errors: as query_chain_id.
[[nodiscard]] Result<eth::U256> query_balance(std::string_view rpc_url, const eth::Address& address,
                                              std::chrono::milliseconds timeout);

// GET <base_url><path> over plain HTTP/1.1 and returns the status code.
// Errors: kInvalidArgument for a bad URL; kUnavailable when it cannot connect or the answer is
// cut; kDeadlineExceeded when it takes longer than `timeout`.
[[nodiscard]] Result<int> http_get_status(std::string_view base_url, std::string_view path,
                                          std::chrono::milliseconds timeout);

}  // namespace pactum::cli::detail
