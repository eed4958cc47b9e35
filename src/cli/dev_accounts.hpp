// Private to pactum_cli: the dev account table that `up` and `accounts` print.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pactum/core/result.hpp"
#include "pactum/eth/uint256.hpp"

namespace pactum::cli {

struct DevAccountInfo {
  int index = 0;
  std::string role;     // "" for accounts without a role
  std::string address;  // EIP-55; "" when it could not be derived (see error)
  std::optional<eth::U256> balance_wei;
  std::string error;  // why the address or balance is missing, if it is
};

// The kDevAccountCount dev accounts; with `rpc_url`, their balances when the chain answers.
[[nodiscard]] std::vector<DevAccountInfo> list_dev_accounts(
    const std::optional<std::string>& rpc_url);

// [{"index":0,"role":"deployer","address":"0x…","balance_wei":"…"|null}, …]
[[nodiscard]] nlohmann::json accounts_json(const std::vector<DevAccountInfo>& accounts);
// A table for people, balances in ether.
[[nodiscard]] std::string accounts_human(const std::vector<DevAccountInfo>& accounts);

}  // namespace pactum::cli
