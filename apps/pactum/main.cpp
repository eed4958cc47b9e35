// `pactum`: the thin main over pactum_cli. Everything it does is in src/cli; this file only
// gathers the process's environment and console.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "pactum/cli/app.hpp"

int main(int argc, char** argv) {
  // A closed stdout (`pactum up | head`) must fail a write, not kill `pactum` between starting a
  // service and recording it; the services themselves get the default back (service.cpp).
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  std::error_code ec;
  auto executable = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) executable = std::filesystem::absolute(argv[0], ec);
  pactum::cli::RunContext context{pactum::cli::Environment::from_process(),
                                  {std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1},
                                  executable};
  return pactum::cli::run(args, pactum::cli::builtin_commands(), context);
}
