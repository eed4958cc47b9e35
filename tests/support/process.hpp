// Child processes for tests: run a tool to completion (the ethers/cast oracles), or keep a
// server running for the life of a fixture (anvil).
//
// Thread safety: a ChildProcess is used by one thread at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "pactum/core/result.hpp"

namespace pactum::testing {

// Absolute path of a file in the source tree ("node_modules/.bin/cast" → "/…/node_modules/…").
[[nodiscard]] std::string source_path(const std::string& relative);

struct CommandOutput {
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};

// Runs argv[0] (looked up in PATH when it has no '/') with `stdin_text` on its standard input and
// waits for it to exit. Errors: kUnavailable when it cannot be started; kDeadlineExceeded when it
// runs longer than `timeout` (it is then killed). A non-zero exit is not an error: check
// exit_code.
[[nodiscard]] Result<CommandOutput> run_command(
    const std::vector<std::string>& argv, const std::string& stdin_text = {},
    std::chrono::seconds timeout = std::chrono::seconds(120));

// Runs `node tests/oracle/<script>` with `input` on stdin and returns its stdout.
// Errors: those of run_command, and kInternal when node exits non-zero (stderr in the message).
[[nodiscard]] Result<std::string> run_node_oracle(const std::string& script,
                                                  const std::string& input);

// A TCP port on 127.0.0.1 that was free a moment ago: bound, read and closed again, so that
// nobody listens on it (for tests of a refused connection). 0 when no socket could be bound.
[[nodiscard]] int unused_loopback_port();

// A running anvil on a free loopback port, killed when this object is destroyed.
class AnvilProcess {
 public:
  // Starts anvil (from node_modules) with `extra_args` and waits until it listens.
  // Errors: kUnavailable when it does not start or does not print its port in time.
  [[nodiscard]] static Result<AnvilProcess> start(std::vector<std::string> extra_args = {});

  AnvilProcess(AnvilProcess&& other) noexcept;
  AnvilProcess& operator=(AnvilProcess&& other) noexcept;
  AnvilProcess(const AnvilProcess&) = delete;
  AnvilProcess& operator=(const AnvilProcess&) = delete;
  ~AnvilProcess();

  // "http://127.0.0.1:PORT"
  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] int port() const { return port_; }

  // The first ten accounts of anvil's default mnemonic ("test test … junk"), each with 10,000
  // ether at start.
  static constexpr const char* kMnemonic =
      "test test test test test test test test test test test junk";
  static const std::vector<std::string>& dev_private_keys();
  static const std::vector<std::string>& dev_addresses();

 private:
  AnvilProcess(pid_t pid, int port);
  pid_t pid_ = -1;
  int port_ = 0;
  std::string url_;
};

}  // namespace pactum::testing
