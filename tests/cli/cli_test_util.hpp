// Helpers shared by the CLI tests: a temporary PACTUM_HOME, running the CLI in-process, and
// running the real executable.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "pactum/cli/app.hpp"
#include "support/process.hpp"

namespace pactum::cli::testing {

// A fresh directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pactum-cli-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct InProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  [[nodiscard]] nlohmann::json json() const { return nlohmann::json::parse(out); }
};

// Runs `pactum args…` in this process with `env` as its whole environment.
inline InProcessResult run_in_process(const std::vector<std::string>& args, Environment env,
                                      PasswordPrompt prompt = {}) {
  std::ostringstream out, err;
  RunContext context{
      std::move(env), {out, err, false}, std::filesystem::read_symlink("/proc/self/exe")};
  context.password_prompt = prompt ? prompt : [](std::string_view) -> Result<std::string> {
    return unavailable("no terminal in tests");
  };
  InProcessResult r;
  r.exit_code = run(args, builtin_commands(), context);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// Runs the built `pactum` executable with `args`, PACTUM_HOME unset unless given in `env`
// ("NAME=value" entries, passed through env(1)).
inline pactum::testing::CommandOutput run_pactum(const std::vector<std::string>& args,
                                                 const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv = {"/usr/bin/env", "-u", "PACTUM_HOME", "-u",
                                   "PACTUM_RPC",   "-u", "PACTUM_NODE"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(PACTUM_CLI_BIN);
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = pactum::testing::run_command(argv, {}, std::chrono::seconds(120));
  if (!r.ok()) return {-1, "", r.error().message()};
  return std::move(r).value();
}

// Whether a process with this pid runs (a zombie does not count: it is only waiting to be reaped
// by a parent that is not us).
inline bool process_alive(int pid) {
  std::error_code ec;
  const std::string stat_path = "/proc/" + std::to_string(pid) + "/stat";
  FILE* f = std::fopen(stat_path.c_str(), "r");
  if (f == nullptr) return false;
  char buf[512] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  const std::string stat(buf, n);
  const auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return false;
  const char state = stat[close + 2];
  return state != 'Z' && state != 'X';
}

}  // namespace pactum::cli::testing
