// Invocation: everything one run of a `pactum` command may use — the global options as parsed,
// the environment, the console — and the one way a command writes its result.
//
// Output contract (docs/cli.md):
//   * Human mode: results on stdout, notes and progress on stderr, errors on stderr as
//     "error: <message>".
//   * --json: exactly one JSON document on stdout — the command's result, or
//     {"error":{"code":"<name>","message":"…","exit_code":N}} (with the members the command set
//     through set_error_details beside "error") — and nothing else on stdout;
//     notes and progress bars are silent.
// The CLI is the JSON edge of Pactum: results become JSON here and nowhere deeper.
//
// Thread safety: one Invocation is used by the thread running its command.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "pactum/cli/environment.hpp"
#include "pactum/cli/home.hpp"
#include "pactum/cli/progress.hpp"
#include "pactum/core/result.hpp"

namespace pactum::cli {

// Reads a secret from the user without echoing it (the keystore password). Errors:
// kUnavailable when there is no terminal to ask on; kAborted when the user cancels.
using PasswordPrompt = std::function<Result<std::string>(std::string_view prompt)>;

// Asks on /dev/tty with echo turned off; the default PasswordPrompt.
[[nodiscard]] Result<std::string> prompt_password_on_tty(std::string_view prompt);

// The process-level things a run of the CLI is given (main() fills them from the real process;
// tests pass their own).
struct Console {
  std::ostream& out;
  std::ostream& err;
  // Whether stderr is a terminal: progress bars are drawn only then.
  bool err_is_tty = false;
};

struct RunContext {
  Environment env;
  Console console;
  // The running `pactum` executable; tools (anvil, pactumd) are looked up relative to it.
  std::filesystem::path executable;
  PasswordPrompt password_prompt = prompt_password_on_tty;
};

// Options every command accepts (before or after the command name).
struct GlobalOptions {
  bool json = false;
  std::optional<std::string> home;      // --home DIR
  std::optional<std::string> rpc_url;   // --rpc URL
  std::optional<std::string> node_url;  // --node URL
  std::optional<std::string> as;        // --as publisher|consumer|marketplace|deployer|N
  std::optional<std::string> key_file;  // --key FILE
  bool allow_dev_keys = false;          // --allow-dev-keys: dev accounts off the local chain
  std::optional<std::string> ca_file;   // --ca-file FILE: the CAs https:// servers are checked by
};

class Invocation {
 public:
  Invocation(RunContext& context, GlobalOptions options)
      : context_(&context), options_(std::move(options)) {}

  [[nodiscard]] const GlobalOptions& options() const noexcept { return options_; }
  [[nodiscard]] bool json() const noexcept { return options_.json; }
  [[nodiscard]] const Environment& env() const noexcept { return context_->env; }
  [[nodiscard]] const std::filesystem::path& executable() const noexcept {
    return context_->executable;
  }
  [[nodiscard]] const PasswordPrompt& password_prompt() const noexcept {
    return context_->password_prompt;
  }

  // The home directory (see Home::resolve), resolved and created on first use.
  [[nodiscard]] Result<Home> home();

  // The chain's JSON-RPC URL: --rpc, else PACTUM_RPC, else the running local stack's, else
  // http://127.0.0.1:8545. Errors: kInvalidArgument for a malformed URL (naming its source).
  [[nodiscard]] Result<std::string> rpc_url();
  // The node's base URL: --node, else PACTUM_NODE, else the running local stack's, else
  // http://127.0.0.1:8030 (pactumd's default). Errors: as rpc_url().
  [[nodiscard]] Result<std::string> node_url();
  // The PEM file of CAs that https:// chain and node servers are checked against: --ca-file,
  // else PACTUM_CA_FILE, else "" (the system trust store). Errors: kNotFound when the file named
  // does not exist (naming its source).
  [[nodiscard]] Result<std::string> ca_file();

  // Writes the command's result: `document` with --json, else `human` (a newline is added when
  // missing) on stdout. A command calls this at most once.
  void emit(const nlohmann::json& document, std::string_view human);
  [[nodiscard]] bool emitted() const noexcept { return emitted_; }

  // Members a failing command adds to its --json error document, beside "error" (what it did
  // before failing: `order` lists the transactions it sent and the pending agreement). Ignored
  // when the command succeeds.
  void set_error_details(nlohmann::json details) { error_details_ = std::move(details); }
  [[nodiscard]] const nlohmann::json& error_details() const noexcept { return error_details_; }

  // A line for a person about what is happening ("waiting for anvil…") on stderr; silent with
  // --json.
  void note(std::string_view line);

  // Writes a human line to stdout now (for long-running commands whose result comes in
  // pieces); silent with --json.
  void print(std::string_view line);

  // A progress reporter on stderr, drawing only when stderr is a terminal and --json is off.
  [[nodiscard]] ProgressReporter progress(std::string label, std::optional<std::uint64_t> total);

  [[nodiscard]] std::ostream& out() noexcept { return context_->console.out; }
  [[nodiscard]] std::ostream& err() noexcept { return context_->console.err; }

 private:
  RunContext* context_;
  GlobalOptions options_;
  std::optional<Home> home_;
  bool emitted_ = false;
  nlohmann::json error_details_ = nlohmann::json::object();
};

// Checks that `url` is one the CLI can talk to (http://host[:port][/path]); `what` names its
// source in the message ("--rpc", "PACTUM_NODE"). Errors: kInvalidArgument; kUnimplemented
// for https:// (not supported by the transport yet).
[[nodiscard]] Status validate_url(std::string_view what, std::string_view url);

}  // namespace pactum::cli
