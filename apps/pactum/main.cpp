// `pactum`: the thin main over pactum_cli. Everything it does is in src/cli; this file only
// gathers the process's environment and console.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "pactum/cli/app.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::error_code ec;
  auto executable = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) executable = std::filesystem::absolute(argv[0], ec);
  pactum::cli::RunContext context{pactum::cli::Environment::from_process(),
                                  {std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1},
                                  executable};
  // TODO(deploy): pass StackHooks{.deploy = …} once `pactum deploy` exists.
  return pactum::cli::run(args, pactum::cli::builtin_commands(), context);
}
