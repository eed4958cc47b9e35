// The `pactum` command line: a set of Commands, the global options, parsing, and the mapping of
// a command's outcome to output and exit status (in one place: run()).
//
// Adding a command: derive from Command, declare its options in configure() bound to members,
// do the work in run() and finish with inv.emit(json, human); return an Error to fail. Then
// add it to the list main() passes to run() (apps/pactum/main.cpp) — or to
// builtin_commands() when it lives in this library.
//
// Thread safety: run() is called by one thread; it does not touch process-wide state except
// what a command does (`up` in the foreground blocks and handles SIGINT/SIGTERM).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "pactum/cli/invocation.hpp"
#include "pactum/cli/stack.hpp"
#include "pactum/core/result.hpp"

namespace pactum::cli {

class Command {
 public:
  Command() = default;
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;
  virtual ~Command() = default;

  // The word on the command line ("up") and a one-line summary for --help.
  [[nodiscard]] virtual std::string name() const = 0;
  [[nodiscard]] virtual std::string summary() const = 0;

  // Declares the command's own options and positional arguments on `sub`, bound to members of
  // this object (which outlives parsing and run()).
  virtual void configure(CLI::App& sub) = 0;

  // Runs the command after parsing and after the global options were checked. A command emits
  // its result with inv.emit(); an Error it returns is printed and mapped to the exit status by
  // run() below, so a command never prints errors or calls exit() itself.
  [[nodiscard]] virtual Status run(Invocation& inv) = 0;
};

using CommandList = std::vector<std::unique_ptr<Command>>;

// The commands this library implements: up, down, accounts, whoami, deploy, publish, resolve,
// order, download, status. `hooks` are the steps
// of `up` that other parts provide (the contract deployment).
[[nodiscard]] CommandList builtin_commands(StackHooks hooks = {});

// Parses `args` (without argv[0]), checks the global options, runs the chosen command and
// returns the process exit status (0, kExitUsage, or exit_code_for(error.code())).
// --help and --version print to stdout and return 0.
[[nodiscard]] int run(const std::vector<std::string>& args, CommandList commands,
                      RunContext& context);

// Checks the global options before any command runs, so that a bad value fails the same way
// whatever the command: --as is a known role or an index in range, --key is a readable file
// and not combined with --as, URLs are well formed, the home directory is usable.
// Errors: kInvalidArgument for a bad value; kNotFound / kPermissionDenied for a key file that
// does not exist / cannot be read; those of Home::resolve.
[[nodiscard]] Status check_global_options(Invocation& inv);

}  // namespace pactum::cli
