#include "service.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "pactum/core/bytes.hpp"

namespace pactum::cli::detail {
namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

// A pidfd becomes readable when the process exits: an event to wait on instead of polling.
int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  errno = ENOSYS;
  return -1;
#endif
}

void sleep_for(std::chrono::milliseconds d) {
  timespec ts{static_cast<time_t>(d.count() / 1000), static_cast<long>(d.count() % 1000) * 1000000};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

bool is_our_child_and_reaped(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace

std::optional<std::uint64_t> process_start_time(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) return std::nullopt;
  // "pid (comm) state ppid ...": comm may contain spaces and ')', so parse after the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string state;
  fields >> state;
  if (state == "Z" || state == "X") return std::nullopt;
  std::string field;
  // Fields after the state: ppid (4) ... starttime (22), i.e. 19 more.
  for (int i = 4; i < 22 && fields >> field; ++i) {
  }
  std::uint64_t start = 0;
  if (!(fields >> start)) return std::nullopt;
  return start;
}

bool is_running(const ProcessId& id) {
  if (id.pid <= 0) return false;
  const auto start = process_start_time(id.pid);
  if (!start) return false;
  return id.start_time == 0 || *start == id.start_time;
}

std::optional<std::string> reap_if_exited(const ProcessId& id) {
  int status = 0;
  const pid_t r = ::waitpid(id.pid, &status, WNOHANG);
  if (r != id.pid) {
    // Not our child (ECHILD): fall back to looking at /proc.
    if (r < 0 && !is_running(id)) return std::string("exited");
    return std::nullopt;
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return std::string("stopped");
}

bool wait_for_exit(const ProcessId& id, std::chrono::milliseconds timeout) {
  if (!is_running(id)) {
    is_our_child_and_reaped(id.pid);
    return true;
  }
  const int fd = open_pidfd(id.pid);
  if (fd >= 0) {
    pollfd p{fd, POLLIN, 0};
    int r = 0;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      r = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
    } while (r < 0 && errno == EINTR);
    ::close(fd);
    is_our_child_and_reaped(id.pid);
    return r > 0 || !is_running(id);
  }
  // No pidfd (old kernel): look again every 20 ms until the deadline.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    is_our_child_and_reaped(id.pid);
    if (!is_running(id)) return true;
    sleep_for(std::chrono::milliseconds(20));
  }
  is_our_child_and_reaped(id.pid);
  return !is_running(id);
}

Result<bool> stop_service(const ProcessId& id, std::chrono::milliseconds grace) {
  if (!is_running(id)) {
    is_our_child_and_reaped(id.pid);
    return false;
  }
  // The group first (pgid == pid for our services); the process itself in case it left it.
  ::kill(-id.pid, SIGTERM);
  ::kill(id.pid, SIGTERM);
  if (wait_for_exit(id, grace)) return false;
  ::kill(-id.pid, SIGKILL);
  ::kill(id.pid, SIGKILL);
  if (wait_for_exit(id, std::chrono::seconds(5))) return true;
  return deadline_exceeded("process " + std::to_string(id.pid) + " survived SIGKILL");
}

Result<ProcessId> spawn_service(const std::vector<std::string>& argv, const Environment& env,
                                const std::filesystem::path& log, SpawnMode mode) {
  if (argv.empty()) return internal_error("spawn_service: empty argv");
  if (::access(argv[0].c_str(), F_OK) != 0) return not_found(argv[0] + ": no such file");
  if (::access(argv[0].c_str(), X_OK) != 0) return permission_denied(argv[0] + ": not executable");

  // Everything the child needs is prepared before fork(): after it, only async-signal-safe
  // calls are allowed (the parent may have threads).
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env.vars()) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return unavailable("cannot open " + log.string() + ": " + errno_text(errno));
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // exec failures travel back through this pipe; a successful exec closes it (O_CLOEXEC).
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return unavailable("pipe: " + errno_text(errno));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    ::close(report[0]);
    ::close(report[1]);
    return unavailable("fork: " + errno_text(err));
  }
  if (pid == 0) {
    if (mode == SpawnMode::kDetached) {
      ::setsid();
    } else {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) ::sigaction(sig, &dfl, nullptr);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execve(args[0], args.data(), envp.data());
    const int err = errno;
    (void)!::write(report[1], &err, sizeof err);
    ::_exit(127);
  }
  ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
  ::close(report[1]);
  int child_errno = 0;
  ssize_t n = 0;
  do {
    n = ::read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == sizeof child_errno) {
    ::waitpid(pid, nullptr, 0);
    return unavailable("cannot start " + argv[0] + ": " + errno_text(child_errno));
  }
  // Also set the group from the parent side so that a signal sent right away reaches it.
  if (mode == SpawnMode::kAttached) ::setpgid(pid, pid);
  ProcessId id{pid, process_start_time(pid).value_or(0)};
  return id;
}

std::optional<std::filesystem::path> find_in_path(const std::string& name, const Environment& env) {
  const auto path = env.get("PATH");
  if (!path) return std::nullopt;
  std::size_t begin = 0;
  while (begin <= path->size()) {
    auto end = path->find(':', begin);
    if (end == std::string::npos) end = path->size();
    const std::string dir = path->substr(begin, end - begin);
    if (!dir.empty()) {
      const std::filesystem::path candidate = std::filesystem::path(dir) / name;
      std::error_code ec;
      if (std::filesystem::is_regular_file(candidate, ec) &&
          ::access(candidate.c_str(), X_OK) == 0) {
        return candidate;
      }
    }
    begin = end + 1;
  }
  return std::nullopt;
}

Result<int> pick_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return unavailable("socket: " + errno_text(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    ::close(fd);
    return unavailable("cannot find a free port: " + errno_text(err));
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

Status write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return unavailable("cannot write " + tmp.string() + ": " + errno_text(errno));
    out << text;
    out.flush();
    if (!out) return unavailable("cannot write " + tmp.string() + ": " + errno_text(errno));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return unavailable("cannot rename " + tmp.string() + ": " + ec.message());
  return ok_status();
}

Result<std::string> read_small_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return not_found(path.string() + ": no such file");
    if (errno == EACCES) return permission_denied(path.string() + ": not readable");
    return unavailable("cannot read " + path.string() + ": " + errno_text(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<std::string> read_bounded_file(std::string_view what, const std::string& path,
                                      std::size_t max_bytes, std::string_view too_large_note) {
  const std::string named = std::string(what) + " " + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (err == ENOENT) return not_found(named + ": no such file");
    if (err == EACCES) return permission_denied(named + ": not readable");
    return unavailable(named + ": " + std::strerror(err));
  }
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return unavailable(named + ": read failed");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_bytes) {
    secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(text.data()), text.size()));
    return invalid_argument(named + ": larger than " + std::to_string(max_bytes) + " bytes" +
                            std::string(too_large_note));
  }
  return text;
}

Result<FileLock> FileLock::acquire(const std::filesystem::path& path,
                                   std::chrono::milliseconds timeout) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EACCES) return permission_denied("cannot open " + path.string());
    return unavailable("cannot open " + path.string() + ": " + errno_text(errno));
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const int err = errno;
      ::close(fd);
      return unavailable("cannot lock " + path.string() + ": " + errno_text(err));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      return deadline_exceeded("another pactum up/down on this home holds " + path.string());
    }
    // flock has no timed wait: look again shortly.
    sleep_for(std::chrono::milliseconds(50));
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  release();
}

void FileLock::release() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace pactum::cli::detail
