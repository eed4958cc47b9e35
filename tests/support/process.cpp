#include "support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>

extern char** environ;

namespace pactum::testing {

int unused_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}
namespace {

struct Pipes {
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

Result<pid_t> spawn(const std::vector<std::string>& argv, Pipes& p) {
  if (::pipe2(p.in, O_CLOEXEC) != 0 || ::pipe2(p.out, O_CLOEXEC) != 0 ||
      ::pipe2(p.err, O_CLOEXEC) != 0) {
    return unavailable(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, p.in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, p.out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, p.err[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close_fd(p.in[0]);
  close_fd(p.out[1]);
  close_fd(p.err[1]);
  if (rc != 0) {
    close_fd(p.in[1]);
    close_fd(p.out[0]);
    close_fd(p.err[0]);
    return unavailable("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  return pid;
}

}  // namespace

std::string source_path(const std::string& relative) {
  return std::string(PACTUM_SOURCE_DIR) + "/" + relative;
}

Result<CommandOutput> run_command(const std::vector<std::string>& argv,
                                  const std::string& stdin_text, std::chrono::seconds timeout) {
  if (argv.empty()) return invalid_argument("run_command: empty argv");
  Pipes p;
  PACTUM_TRY(pid_t pid, spawn(argv, p));
  ::signal(SIGPIPE, SIG_IGN);
  CommandOutput out;
  std::size_t written = 0;
  if (stdin_text.empty()) close_fd(p.in[1]);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (p.out[0] >= 0 || p.err[0] >= 0 || p.in[1] >= 0) {
    std::vector<pollfd> fds;
    if (p.in[1] >= 0) fds.push_back({p.in[1], POLLOUT, 0});
    if (p.out[0] >= 0) fds.push_back({p.out[0], POLLIN, 0});
    if (p.err[0] >= 0) fds.push_back({p.err[0], POLLIN, 0});
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      close_fd(p.in[1]);
      close_fd(p.out[0]);
      close_fd(p.err[0]);
      return deadline_exceeded(argv[0] + " ran longer than " + std::to_string(timeout.count()) +
                               " s");
    }
    if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (const auto& f : fds) {
      if (f.revents == 0) continue;
      if (f.fd == p.in[1]) {
        const ssize_t n =
            ::write(p.in[1], stdin_text.data() + written, stdin_text.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 || written == stdin_text.size()) close_fd(p.in[1]);
      } else {
        char buf[65536];
        const ssize_t n = ::read(f.fd, buf, sizeof buf);
        if (n <= 0) {
          if (f.fd == p.out[0])
            close_fd(p.out[0]);
          else
            close_fd(p.err[0]);
        } else if (f.fd == p.out[0]) {
          out.stdout_text.append(buf, static_cast<std::size_t>(n));
        } else {
          out.stderr_text.append(buf, static_cast<std::size_t>(n));
        }
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return out;
}

Result<std::string> run_node_oracle(const std::string& script, const std::string& input) {
  PACTUM_TRY(CommandOutput out,
             run_command({"node", source_path("tests/oracle/" + script)}, input));
  if (out.exit_code != 0) {
    return internal_error("oracle " + script + " exited " + std::to_string(out.exit_code) + ": " +
                          out.stderr_text);
  }
  return std::move(out.stdout_text);
}

AnvilProcess::AnvilProcess(pid_t pid, int port)
    : pid_(pid), port_(port), url_("http://127.0.0.1:" + std::to_string(port)) {}

AnvilProcess::AnvilProcess(AnvilProcess&& other) noexcept
    : pid_(other.pid_), port_(other.port_), url_(std::move(other.url_)) {
  other.pid_ = -1;
}

AnvilProcess& AnvilProcess::operator=(AnvilProcess&& other) noexcept {
  if (this != &other) {
    this->~AnvilProcess();
    pid_ = other.pid_;
    port_ = other.port_;
    url_ = std::move(other.url_);
    other.pid_ = -1;
  }
  return *this;
}

AnvilProcess::~AnvilProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

Result<AnvilProcess> AnvilProcess::start(std::vector<std::string> extra_args) {
  std::vector<std::string> argv = {source_path("node_modules/.bin/anvil"), "--port", "0", "--host",
                                   "127.0.0.1"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  // anvil's output goes to a file, never to a pipe we might stop reading: a full or closed pipe
  // would stall or kill it mid-test.
  char log_path[] = "/tmp/pactum-anvil-XXXXXX";
  const int log_fd = ::mkstemp(log_path);
  if (log_fd < 0) return unavailable(std::string("mkstemp: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(log_fd);
  if (rc != 0) {
    ::unlink(log_path);
    return unavailable("cannot start anvil (run `make deps`?): " + std::string(std::strerror(rc)));
  }
  // anvil prints "Listening on 127.0.0.1:PORT" once it accepts connections: wait for that line
  // (an event), polling the log file, never a fixed sleep.
  const std::regex listening(R"(Listening on 127\.0\.0\.1:(\d+))");
  std::string seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      ::unlink(log_path);
      return unavailable("anvil exited before listening; output: " + seen);
    }
    const int fd = ::open(log_path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      seen.clear();
      char buf[4096];
      ssize_t n = 0;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) seen.append(buf, static_cast<std::size_t>(n));
      ::close(fd);
    }
    std::smatch m;
    if (std::regex_search(seen, m, listening)) {
      ::unlink(log_path);  // anvil keeps its open descriptor; the name is no longer needed
      return AnvilProcess(pid, std::stoi(m[1]));
    }
    ::usleep(20 * 1000);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ::unlink(log_path);
  return unavailable("anvil did not report a listening port within 30 s; output: " + seen);
}

const std::vector<std::string>& AnvilProcess::dev_private_keys() {
  static const std::vector<std::string> keys = {
      "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
      "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
      "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
      "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
      "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
      "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
      "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
      "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
      "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
      "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
  };
  return keys;
}

const std::vector<std::string>& AnvilProcess::dev_addresses() {
  static const std::vector<std::string> addresses = {
      "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
      "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
      "0x976EA74026E726554dB657fA54763abd0C3a0aa9", "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
      "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f", "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
  };
  return addresses;
}

}  // namespace pactum::testing
