// `pactum accounts`: the development accounts, their roles and (when the chain answers) their
// balances.
#include "commands.hpp"
#include "dev_accounts.hpp"
#include "pactum/cli/invocation.hpp"
#include "probe.hpp"

namespace pactum::cli {
namespace {

class AccountsCommand final : public Command {
 public:
  std::string name() const override { return "accounts"; }
  std::string summary() const override {
    return "List the development accounts with their roles and balances";
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
  bool offline_ = false;
};

}  // namespace

std::unique_ptr<Command> make_accounts_command() {
  return std::make_unique<AccountsCommand>();
}

}  // namespace pactum::cli
