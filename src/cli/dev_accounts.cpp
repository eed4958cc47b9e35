#include "dev_accounts.hpp"

#include <cstdio>

#include "pactum/cli/accounts.hpp"
#include "probe.hpp"

namespace pactum::cli {

std::vector<DevAccountInfo> list_dev_accounts(const std::optional<std::string>& rpc_url) {
  std::vector<DevAccountInfo> out;
  bool chain_reachable = rpc_url.has_value();
  for (int i = 0; i < kDevAccountCount; ++i) {
    DevAccountInfo info;
    info.index = i;
    if (auto role = role_of(i)) info.role = std::string(role_name(*role));
    auto address = dev_address(i);
    if (!address.ok()) {
      info.error = address.error().message();
      out.push_back(std::move(info));
      continue;
    }
    info.address = address->to_checksum_string();
    if (chain_reachable) {
      auto balance = detail::query_balance(*rpc_url, *address, std::chrono::milliseconds(3000));
      if (balance.ok()) {
        info.balance_wei = *balance;
      } else {
        // One unreachable answer is enough: do not wait ten times for a chain that is down.
        chain_reachable = false;
        info.error = balance.error().message();
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

nlohmann::json accounts_json(const std::vector<DevAccountInfo>& accounts) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& a : accounts) {
    list.push_back(
        {{"index", a.index},
         {"role", a.role.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.role)},
         {"address", a.address.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.address)},
         {"derivation_path", dev_derivation_path(a.index)},
         {"balance_wei",
          a.balance_wei ? nlohmann::json(a.balance_wei->to_dec()) : nlohmann::json(nullptr)}});
  }
  return list;
}

std::string accounts_human(const std::vector<DevAccountInfo>& accounts) {
  std::string text = "Development accounts (mnemonic \"" + std::string(kDevMnemonic) +
                     "\"; well-known keys, local use only):\n";
  std::string first_error;
  for (const auto& a : accounts) {
    char line[256];
    const std::string balance = a.balance_wei ? eth::format_units(*a.balance_wei, 18) + " ETH" : "";
    std::snprintf(line, sizeof line, "  %-2d %-12s %-42s %s\n", a.index,
                  a.role.empty() ? "-" : a.role.c_str(),
                  a.address.empty() ? "?" : a.address.c_str(), balance.c_str());
    text += line;
    if (first_error.empty() && !a.error.empty()) first_error = a.error;
  }
  if (!first_error.empty()) text += "  (" + first_error + ")\n";
  return text;
}

}  // namespace pactum::cli
