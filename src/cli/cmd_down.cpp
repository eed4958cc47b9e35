// `pactum down`: stops the local stack that `up` recorded in the home directory.
#include "commands.hpp"
#include "pactum/cli/invocation.hpp"
#include "service.hpp"

namespace pactum::cli {
namespace {

class DownCommand final : public Command {
 public:
  std::string name() const override { return "down"; }
  std::string summary() const override {
    return "Stop the local stack started by `pactum up` (nothing running is fine)";
  }
  void configure(CLI::App& sub) override {
    sub.add_option("--timeout", timeout_seconds_,
                   "Seconds each process gets after SIGTERM before SIGKILL")
        ->check(CLI::Range(1, 3600));
  }
  Status run(Invocation& inv) override {
    PACTUM_TRY(Home home, inv.home());
    PACTUM_TRY_STATUS(Home::ensure_dir(home.run_dir()));
    const std::chrono::milliseconds grace = std::chrono::seconds(timeout_seconds_);
    // Waits for an `up` that is still starting, so that it is not stopped halfway.
    PACTUM_TRY(
        detail::FileLock lock,
        detail::FileLock::acquire(home.run_dir() / "lock", grace * 6 + std::chrono::minutes(3)));
    PACTUM_TRY(std::vector<std::string> stopped, stop_stack(home, grace));
    nlohmann::json doc = {
        {"home", home.root().string()}, {"stopped", stopped}, {"was_running", !stopped.empty()}};
    std::string human;
    if (stopped.empty()) {
      human = "nothing to stop: no local stack runs in " + home.root().string();
    } else {
      human = "stopped";
      for (const auto& s : stopped) human += "\n  " + s;
    }
    inv.emit(doc, human);
    return ok_status();
  }

 private:
  int timeout_seconds_ = 10;
};

}  // namespace

std::unique_ptr<Command> make_down_command() {
  return std::make_unique<DownCommand>();
}

}  // namespace pactum::cli
