// `pactum accounts`: the development accounts, their roles and (when the chain answers) their
// balances.
#include "commands.hpp"
#include "dev_accounts.hpp"
#include "pactum/cli/accounts.hpp"
#include "pactum/cli/invocation.hpp"
#include "pactum/eth/uint256.hpp"
#include "probe.hpp"

namespace pactum::cli {
namespace {

class AccountsCommand final : public Command {
 public:
  std::string name() const override { return "accounts"; }
  std::string summary() const override {
    return "List the development accounts with their roles and balances (with --key: that "
           "account)";
  }
  void configure(CLI::App& sub) override {
    sub.add_flag("--offline", offline_, "Do not ask the chain for balances");
  }
  Status run(Invocation& inv) override {
    std::optional<std::string> rpc_url;
    std::string unreachable;
    if (!offline_) {
      PACTUM_TRY(std::string url, inv.rpc_url());
      // A chain that does not answer quickly is reported, not waited for: the list itself
      // does not need it.
      auto id = detail::query_chain_id(url, std::chrono::milliseconds(2000));
      if (id.ok()) {
        rpc_url = url;
      } else {
        unreachable = url + ": " + id.error().message();
      }
    }
    if (inv.options().key_file) return run_for_key(inv, rpc_url, unreachable);
    const auto accounts = list_dev_accounts(rpc_url);
    nlohmann::json doc = {{"rpc_url", rpc_url ? nlohmann::json(*rpc_url) : nullptr},
                          {"chain_reachable", rpc_url.has_value()},
                          {"accounts", accounts_json(accounts)}};
    std::string human = accounts_human(accounts);
    if (!unreachable.empty())
      human += "balances unknown: chain not reachable (" + unreachable + ")\n";
    inv.emit(doc, human);
    return ok_status();
  }

 private:
  // With --key: that account alone (decrypted, so the address is the key's own), and its
  // balance when the chain answers.
  Status run_for_key(Invocation& inv, const std::optional<std::string>& rpc_url,
                     const std::string& unreachable) {
    PACTUM_TRY(Account account, select_account(inv, std::nullopt));
    std::optional<eth::U256> balance;
    std::string balance_error;
    if (rpc_url) {
      auto b = detail::query_balance(*rpc_url, account.address, std::chrono::milliseconds(2000));
      if (b.ok()) {
        balance = *b;
      } else {
        balance_error = b.error().message();
      }
    }
    const std::string address = account.address.to_checksum_string();
    nlohmann::json doc = {
        {"rpc_url", rpc_url ? nlohmann::json(*rpc_url) : nullptr},
        {"chain_reachable", rpc_url.has_value()},
        {"account",
         {{"address", address},
          {"account", account.label},
          {"balance_wei", balance ? nlohmann::json(balance->to_dec()) : nullptr}}}};
    std::string human = address + "  " + account.label;
    if (balance) human += "  " + eth::format_units(*balance, 18) + " ETH";
    human += "\n";
    if (!unreachable.empty()) {
      human += "balance unknown: chain not reachable (" + unreachable + ")\n";
    } else if (!balance_error.empty()) {
      human += "balance unknown: " + balance_error + "\n";
    }
    inv.emit(doc, human);
    return ok_status();
  }

  bool offline_ = false;
};

}  // namespace

std::unique_ptr<Command> make_accounts_command() {
  return std::make_unique<AccountsCommand>();
}

}  // namespace pactum::cli
