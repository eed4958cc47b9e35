// pactumd: the Pactum node. Everything it does lives in pactum::node (daemon.hpp).
#include <cstdio>
#include <string>
#include <vector>

#include "pactum/node/daemon.hpp"

extern char** environ;

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  pactum::node::Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return pactum::node::run_pactumd(args, env, stdout, stderr);
}
