#include "pactum/cli/invocation.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <ostream>

#include "pactum/cli/stack.hpp"
#include "pactum/rpc/http_client.hpp"

namespace pactum::cli {
namespace {

constexpr const char* kDefaultRpcUrl = "http://127.0.0.1:8545";
constexpr const char* kDefaultNodeUrl = "http://127.0.0.1:8030";

}  // namespace

Result<std::string> prompt_password_on_tty(std::string_view prompt) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return unavailable("no terminal to ask for the keystore password: set PACTUM_KEY_PASSWORD");
  }
  termios saved{};
  const bool is_tty = ::tcgetattr(fd, &saved) == 0;
  if (is_tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  (void)!::write(fd, prompt.data(), prompt.size());
  std::string password;
  bool got_line = false;
  char c = 0;
  while (::read(fd, &c, 1) == 1) {
    if (c == '\n') {
      got_line = true;
      break;
    }
    password.push_back(c);
  }
  if (is_tty) ::tcsetattr(fd, TCSAFLUSH, &saved);
  ::close(fd);
  if (!got_line) return aborted("no password entered");
  return password;
}

Status validate_url(std::string_view what, std::string_view url) {
  auto parsed = rpc::parse_http_url(url);
  if (!parsed.ok()) return parsed.error().with_context(std::string(what) + " " + std::string(url));
  return ok_status();
}

Result<Home> Invocation::home() {
  if (!home_) {
    PACTUM_TRY(Home home, Home::resolve(options_.home, env()));
    home_ = std::move(home);
  }
  return *home_;
}

Result<std::string> Invocation::rpc_url() {
  if (options_.rpc_url) {
    PACTUM_TRY_STATUS(validate_url("--rpc", *options_.rpc_url));
    return *options_.rpc_url;
  }
  if (auto url = env().get("PACTUM_RPC")) {
    PACTUM_TRY_STATUS(validate_url("PACTUM_RPC", *url));
    return *url;
  }
  PACTUM_TRY(Home home, this->home());
  PACTUM_TRY(std::optional<StackRecord> stack, read_stack_record(home));
  if (stack) return stack->rpc_url;
  return std::string(kDefaultRpcUrl);
}

Result<std::string> Invocation::ca_file() {
  std::string file;
  std::string source;
  if (options_.ca_file) {
    file = *options_.ca_file;
    source = "--ca-file";
  } else if (auto named = env().get("PACTUM_CA_FILE")) {
    file = *named;
    source = "PACTUM_CA_FILE";
  }
  if (file.empty()) return file;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return not_found(source + ": no such file " + file);
  }
  return file;
}

Result<std::string> Invocation::node_url() {
  if (options_.node_url) {
    PACTUM_TRY_STATUS(validate_url("--node", *options_.node_url));
    return *options_.node_url;
  }
  if (auto url = env().get("PACTUM_NODE")) {
    PACTUM_TRY_STATUS(validate_url("PACTUM_NODE", *url));
    return *url;
  }
  PACTUM_TRY(Home home, this->home());
  PACTUM_TRY(std::optional<StackRecord> stack, read_stack_record(home));
  if (stack && stack->node_url) return *stack->node_url;
  return std::string(kDefaultNodeUrl);
}

void Invocation::emit(const nlohmann::json& document, std::string_view human) {
  emitted_ = true;
  if (json()) {
    out() << document.dump(2) << '\n';
  } else if (!human.empty()) {
    out() << human;
    if (human.back() != '\n') out() << '\n';
  }
  out().flush();
}

void Invocation::note(std::string_view line) {
  if (json()) return;
  err() << line << '\n';
  err().flush();
}

void Invocation::print(std::string_view line) {
  if (json()) return;
  out() << line << '\n';
  out().flush();
}

ProgressReporter Invocation::progress(std::string label, std::optional<std::uint64_t> total) {
  return ProgressReporter(err(), !json() && context_->console.err_is_tty, std::move(label), total);
}

}  // namespace pactum::cli
