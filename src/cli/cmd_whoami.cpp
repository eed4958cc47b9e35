// `pactum whoami`: the account --as / --key select, so that a person (or a script) can check it
// before a command spends from it.
#include "commands.hpp"
#include "pactum/cli/accounts.hpp"
#include "pactum/cli/invocation.hpp"

namespace pactum::cli {
namespace {

class WhoamiCommand final : public Command {
 public:
  std::string name() const override { return "whoami"; }
  std::string summary() const override {
    return "Show the account that --as / --key select (default: the publisher)";
  }
  void configure(CLI::App& /*sub*/) override {}
  Status run(Invocation& inv) override {
    PACTUM_TRY(Account account, select_account(inv, Role::kPublisher));
    const std::string address = account.address.to_checksum_string();
    inv.emit({{"address", address}, {"account", account.label}}, address + "  " + account.label);
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Command> make_whoami_command() {
  return std::make_unique<WhoamiCommand>();
}

}  // namespace pactum::cli
