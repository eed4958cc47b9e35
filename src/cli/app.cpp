#include "pactum/cli/app.hpp"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <ostream>

#include "commands.hpp"
#include "deploy_command.hpp"
#include "pactum/cli/accounts.hpp"
#include "pactum/cli/exit_codes.hpp"

namespace pactum::cli {
namespace {

// Prints an error the way every command does and returns its exit status. The single place
// where an Error becomes output.
int report_error(Console& console, bool json, const Error& error, int status,
                 const nlohmann::json& details = nlohmann::json::object()) {
  if (json) {
    nlohmann::json doc = details.is_object() ? details : nlohmann::json::object();
    doc["error"] = {{"code", std::string(error_code_name(error.code()))},
                    {"message", error.message()},
                    {"exit_code", status}};
    console.out << doc.dump(2) << '\n';
    console.out.flush();
  } else {
    console.err << "error: " << error.message() << '\n';
    console.err.flush();
  }
  return status;
}

// A parse error is a usage error; it is reported with the same shape as any other.
int report_usage(Console& console, bool json, const std::string& message) {
  const std::string text = message + " (run `pactum --help`)";
  return report_error(console, json, invalid_argument(text), kExitUsage);
}

// --json must shape even the errors found while parsing, before CLI11 has bound anything.
bool wants_json(const std::vector<std::string>& args) {
  return std::find(args.begin(), args.end(), "--json") != args.end();
}

// CLI11 reports a word that names no command as "a subcommand is required"; find the word so
// that the message names it. Skips the values of the global options that take one.
std::optional<std::string> unknown_command(const std::vector<std::string>& args,
                                           const CommandList& commands) {
  static constexpr std::string_view kTakesValue[] = {"--home", "--rpc", "--node", "--as", "--key"};
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (std::find(std::begin(kTakesValue), std::end(kTakesValue), a) != std::end(kTakesValue)) {
      ++i;
      continue;
    }
    if (a.empty() || a[0] == '-') continue;
    for (const auto& c : commands) {
      if (c->name() == a) return std::nullopt;
    }
    return a;
  }
  return std::nullopt;
}

}  // namespace

CommandList builtin_commands(StackHooks hooks) {
  CommandList list;
  // The deploy step of `up` is `pactum deploy`'s, unless the caller brings its own.
  if (!hooks.deploy) hooks.deploy = make_deploy_hook();
  list.push_back(make_up_command(std::move(hooks)));
  list.push_back(make_down_command());
  list.push_back(make_accounts_command());
  list.push_back(make_whoami_command());
  list.push_back(make_key_command());
  list.push_back(make_deploy_command());
  list.push_back(make_publish_command());
  list.push_back(make_resolve_command());
  list.push_back(make_order_command());
  list.push_back(make_download_command());
  list.push_back(make_status_command());
  list.push_back(make_recover_command());
  list.push_back(make_refund_command());
  return list;
}

Status check_global_options(Invocation& inv) {
  const GlobalOptions& o = inv.options();
  if (o.as && o.key_file) return invalid_argument("--as and --key both given: choose one account");
  if (o.as) PACTUM_TRY_STATUS(parse_account_selector(*o.as));
  if (o.rpc_url) PACTUM_TRY_STATUS(validate_url("--rpc", *o.rpc_url));
  if (o.node_url) PACTUM_TRY_STATUS(validate_url("--node", *o.node_url));
  if (auto url = inv.env().get("PACTUM_RPC")) PACTUM_TRY_STATUS(validate_url("PACTUM_RPC", *url));
  if (auto url = inv.env().get("PACTUM_NODE")) {
    PACTUM_TRY_STATUS(validate_url("PACTUM_NODE", *url));
  }
  // Every command keeps some state or reads the running stack's record: a home that cannot be
  // used is reported up front rather than halfway through a command.
  PACTUM_TRY_STATUS(inv.home());
  // A --key value is a file or the name of a key in the home (checked once the home is known).
  if (o.key_file) PACTUM_TRY_STATUS(resolve_key_file(inv, *o.key_file));
  return ok_status();
}

int run(const std::vector<std::string>& args, CommandList commands, RunContext& context) {
  Console& console = context.console;
  const bool json_requested = wants_json(args);

  CLI::App app{"pactum: share data under terms that smart contracts enforce", "pactum"};
  app.set_version_flag("--version", std::string(PACTUM_VERSION));
  app.require_subcommand(1);
  // Subcommands hand options they do not know to the main app, so the global options may come
  // before or after the command name.
  app.fallthrough();

  GlobalOptions options;
  std::string home, rpc, node, as, key, ca_file;
  app.add_flag("--json", options.json, "Machine output: one JSON document on stdout");
  app.add_flag("--allow-dev-keys", options.allow_dev_keys,
               "Let dev accounts (--as) act on a chain other than the local one (31337)");
  auto* home_opt =
      app.add_option("--home", home, "State directory (default $PACTUM_HOME, ~/.pactum)");
  auto* rpc_opt =
      app.add_option("--rpc", rpc, "Chain JSON-RPC URL (default $PACTUM_RPC, the local stack)");
  auto* node_opt =
      app.add_option("--node", node, "Node URL (default $PACTUM_NODE, the local stack)");
  auto* ca_opt = app.add_option(
      "--ca-file", ca_file,
      "PEM file of the CAs that https:// chain and node servers are checked against (default "
      "$PACTUM_CA_FILE, the system trust store)");
  auto* as_opt = app.add_option(
      "--as", as, "Act as a dev account: publisher|consumer|marketplace|deployer|0..9");
  auto* key_opt = app.add_option(
      "--key", key,
      "Act as the account of this keystore v3 file, or of the key of this name (pactum key "
      "list); password: $PACTUM_KEY_PASSWORD or prompt");

  Command* chosen = nullptr;
  for (auto& command : commands) {
    CLI::App* sub = app.add_subcommand(command->name(), command->summary());
    command->configure(*sub);
    Command* raw = command.get();
    sub->final_callback([&chosen, raw] { chosen = raw; });
  }

  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 consumes from the back
    app.parse(reversed);
  } catch (const CLI::Success& e) {
    // --help / --version (all derive from Success): CLI11 prints the help of the command that was
    // named.
    return app.exit(e, console.out, console.err);
  } catch (const CLI::ParseError& e) {
    if (chosen == nullptr) {
      if (auto unknown = unknown_command(args, commands)) {
        return report_usage(console, json_requested, "unknown command '" + *unknown + "'");
      }
    }
    return report_usage(console, json_requested, e.what());
  }
  if (chosen == nullptr) return report_usage(console, json_requested, "no command given");

  if (home_opt->count() > 0) options.home = home;
  if (rpc_opt->count() > 0) options.rpc_url = rpc;
  if (node_opt->count() > 0) options.node_url = node;
  if (as_opt->count() > 0) options.as = as;
  if (key_opt->count() > 0) options.key_file = key;
  if (ca_opt->count() > 0) options.ca_file = ca_file;

  Invocation inv(context, std::move(options));
  const auto fail = [&](const Error& error) {
    return report_error(console, inv.json(), error, exit_code_for(error.code()),
                        inv.error_details());
  };
  try {
    if (auto checked = check_global_options(inv); !checked.ok()) return fail(checked.error());
    if (auto status = chosen->run(inv); !status.ok()) return fail(status.error());
    // A command that has nothing to say still gives --json callers a document to parse.
    if (!inv.emitted()) inv.emit(nlohmann::json::object(), "");
    return kExitOk;
  } catch (const std::exception& e) {
    // Commands return errors as values; an exception here is a bug in a command.
    return fail(internal_error(std::string("unexpected exception: ") + e.what()));
  }
}

}  // namespace pactum::cli
