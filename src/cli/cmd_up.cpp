// `pactum up`: starts the local stack (anvil, the contracts, pactumd) and, in the foreground,
// supervises it until Ctrl-C.
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <charconv>
#include <deque>
#include <fstream>
#include <regex>

#include "commands.hpp"
#include "dev_accounts.hpp"
#include "pactum/cli/accounts.hpp"
#include "pactum/cli/invocation.hpp"
#include "pactum/cli/stack.hpp"
#include "probe.hpp"
#include "service.hpp"
#include "stack_internal.hpp"

namespace pactum::cli {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// How often readiness is looked at again while waiting on a deadline; also the longest a
// Ctrl-C waits to be noticed during startup.
constexpr milliseconds kPollInterval{25};

// The local node's key: dev account 4, funded and without a role (accounts.hpp), so that its
// fulfil/release transactions never race a role account's nonces.
constexpr int kNodeDevAccount = 4;
// The dev accounts that may upload to the local node: 0..3 (deployer, publisher, consumer,
// marketplace).
constexpr int kNodePublisherAccounts = 4;

// Blocks the signals that stop the stack for as long as `up` runs, so that they are taken as
// events (sigtimedwait) at known points instead of killing `pactum` between a spawn and the
// pid file that records it. The old mask is restored on destruction.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&set_);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&set_, sig);
    ::sigprocmask(SIG_BLOCK, &set_, &old_);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  ~StopSignals() {
    // A SIGCHLD left pending would be delivered (and ignored) on unblocking; consume it anyway.
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    timespec zero{0, 0};
    while (::sigtimedwait(&chld, nullptr, &zero) > 0) {
    }
    ::sigprocmask(SIG_SETMASK, &old_, nullptr);
  }

  // Waits up to `timeout` for a signal; returns it, or 0 when none came.
  int wait(milliseconds timeout) {
    timespec ts{static_cast<time_t>(timeout.count() / 1000),
                static_cast<long>(timeout.count() % 1000) * 1000000};
    const int sig = ::sigtimedwait(&set_, nullptr, &ts);
    return sig > 0 ? sig : 0;
  }

 private:
  sigset_t set_;
  sigset_t old_;
};

struct UpOptions {
  bool detach = false;
  bool fresh = false;
  bool no_node = false;
  int chain_port = 8545;
  int node_port = 8030;
  int timeout_seconds = 60;
  int stop_timeout_seconds = 10;
};

struct Running {
  std::string name;
  detail::ProcessId id;
  std::filesystem::path log;
};

int start_rank(const std::string& name) {
  return name == "anvil" ? 0 : 1;
}

// Everything `up` started, stopped in reverse order on any failure or at the end.
class StartedServices {
 public:
  explicit StartedServices(milliseconds grace) : grace_(grace) {}
  StartedServices(const StartedServices&) = delete;
  StartedServices& operator=(const StartedServices&) = delete;
  ~StartedServices() { stop_all(); }

  // Kept in start order (the chain before the node) whatever order they come in, because
  // stop_all() stops them in reverse: the node before its chain, so the chain dumps its state
  // last.
  void add(Running r) {
    const auto at = std::find_if(running_.begin(), running_.end(), [&](const Running& x) {
      return start_rank(x.name) > start_rank(r.name);
    });
    running_.insert(at, std::move(r));
  }
  // Drops a service that exited (and was reaped) from the set.
  void forget(const std::string& name) {
    std::erase_if(running_, [&](const Running& r) { return r.name == name; });
  }
  const Running* find(const std::string& name) const {
    for (const auto& r : running_) {
      if (r.name == name) return &r;
    }
    return nullptr;
  }
  const std::vector<Running>& all() const { return running_; }
  // Forget them: they stay up (--detach succeeded).
  void release() { running_.clear(); }
  void stop_all() {
    for (auto it = running_.rbegin(); it != running_.rend(); ++it) {
      (void)detail::stop_service(it->id, grace_);
    }
    running_.clear();
  }
  // The first service that has exited, with how it ended.
  std::optional<std::pair<std::string, std::string>> exited() const {
    for (const auto& r : running_) {
      if (auto how = detail::reap_if_exited(r.id)) return std::make_pair(r.name, *how);
    }
    return std::nullopt;
  }

 private:
  milliseconds grace_;
  std::vector<Running> running_;
};

std::string tail_of(const std::filesystem::path& log, std::streamoff from) {
  std::ifstream in(log, std::ios::binary);
  in.seekg(from);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr std::size_t kMax = 2000;
  if (text.size() > kMax) text = "…" + text.substr(text.size() - kMax);
  return text;
}

std::streamoff file_size_or_zero(const std::filesystem::path& p) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(p, ec);
  return ec ? 0 : static_cast<std::streamoff>(size);
}

// What interrupted a wait: a stop signal, or a service that died.
Status check_interrupt(StopSignals& signals, const StartedServices& services, milliseconds wait) {
  const int sig = signals.wait(wait);
  if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
    return aborted(std::string("interrupted by ") + ::strsignal(sig) + " during startup");
  }
  if (auto dead = services.exited()) {
    return unavailable(dead->first + " " + dead->second + " during startup");
  }
  return ok_status();
}

// How often a foreground `up` restarts services that died before it gives up and stops the
// stack: a service that keeps dying (a broken node.toml, a port someone took) would otherwise
// restart forever and bury its cause in the log.
constexpr std::size_t kMaxRestarts = 3;
constexpr std::chrono::seconds kRestartWindow{60};

// The port of an "http://host:port" URL this command wrote.
// Errors: kDataLoss naming `where` when it has none.
Result<int> port_of(const std::string& url, const std::string& where) {
  const auto colon = url.rfind(':');
  if (colon != std::string::npos) {
    int port = 0;
    const char* first = url.data() + colon + 1;
    const char* last = url.data() + url.size();
    const auto [ptr, ec] = std::from_chars(first, last, port);
    if (ec == std::errc() && ptr == last && port > 0 && port < 65536) return port;
  }
  return data_loss(where + ": the URL " + url + " has no port");
}

// Where the stack's services are: what the record says, and what `up` prints.
struct StackState {
  std::string rpc_url;
  std::optional<std::string> node_url;
  std::optional<nlohmann::json> contracts;
};

// A recorded stack some of whose services died (pactumd crashed, anvil was killed). The ones
// still running are kept as they are and the dead ones started again on the ports they had, so
// that the survivors (the node's --rpc-url) and the user's clients still find them.
struct Resume {
  StackState state;
  std::vector<Running> alive;
  bool chain_dead = false;
  bool node_dead = false;
  int chain_port = 0;
  int node_port = 0;
};

// Errors: kFailedPrecondition when the whole stack still runs, or a foreground `up` supervises
// it (that one restarts what dies); kDataLoss for a record without ports.
Result<Resume> plan_resume(const StackRecord& existing, const Home& home) {
  std::string pids;
  for (const auto& s : existing.services) {
    pids += (pids.empty() ? "" : ", ") + s.name + " pid " + std::to_string(s.pid);
  }
  const std::string running = "a local stack is already running in " + home.root().string() +
                              " (chain " + existing.rpc_url + "; " + pids + ")";
  if (existing.supervisor &&
      detail::is_running({existing.supervisor->pid, existing.supervisor->start_time})) {
    return failed_precondition(running + ", supervised by `pactum up` (pid " +
                               std::to_string(existing.supervisor->pid) +
                               "), which restarts what dies; stop it with Ctrl-C there or "
                               "`pactum down`");
  }
  Resume r;
  r.state = {existing.rpc_url, existing.node_url, existing.contracts};
  for (const auto& s : existing.services) {
    const detail::ProcessId id{s.pid, s.start_time};
    if (detail::is_running(id)) {
      r.alive.push_back({s.name, id, s.log});
    } else if (s.name == "anvil") {
      r.chain_dead = true;
    } else {
      r.node_dead = true;
    }
  }
  if (!r.chain_dead && !r.node_dead) {
    return failed_precondition(running + "; stop it with `pactum down`");
  }
  const std::string where = detail::stack_record_path(home).string();
  PACTUM_TRY(r.chain_port, port_of(existing.rpc_url, where));
  if (existing.node_url) {
    PACTUM_TRY(r.node_port, port_of(*existing.node_url, where));
  }
  return r;
}

class UpCommand final : public Command {
 public:
  explicit UpCommand(StackHooks hooks) : hooks_(std::move(hooks)) {}
  std::string name() const override { return "up"; }
  std::string summary() const override {
    return "Start the local stack: anvil, the contracts, pactumd (Ctrl-C stops it)";
  }
  void configure(CLI::App& sub) override {
    sub.add_flag("--detach,-d", o_.detach,
                 "Leave the stack running in the background; stop it with `pactum down`");
    sub.add_flag("--fresh", o_.fresh,
                 "Start from an empty chain and node (discards <home>/chain and <home>/node)");
    sub.add_flag("--no-node", o_.no_node, "Start only the chain (and contracts), not pactumd");
    sub.add_option("--chain-port", o_.chain_port, "anvil's port on 127.0.0.1 (0: any free port)")
        ->check(CLI::Range(0, 65535));
    sub.add_option("--node-port", o_.node_port, "pactumd's port on 127.0.0.1 (0: any free port)")
        ->check(CLI::Range(0, 65535));
    sub.add_option("--timeout", o_.timeout_seconds,
                   "Seconds allowed for each service to become ready")
        ->check(CLI::Range(1, 3600));
    sub.add_option("--stop-timeout", o_.stop_timeout_seconds,
                   "Seconds a service gets to stop after SIGTERM before SIGKILL")
        ->check(CLI::Range(1, 3600));
    sub.footer(
        "A stack whose service died (run `up` again) gets that service back on its old port; the\n"
        "ones still running are kept. In the foreground, `up` restarts a service that dies, up "
        "to " +
        std::to_string(kMaxRestarts) + " times\nin " + std::to_string(kRestartWindow.count()) +
        " s; then it stops the stack.");
  }
  Status run(Invocation& inv) override;

 private:
  Result<Running> start_anvil(Invocation& inv, const Home& home, int port, StopSignals& signals,
                              StartedServices& services, std::string& rpc_url);
  Result<Running> start_node(Invocation& inv, const Home& home, int port,
                             const std::string& rpc_url, StopSignals& signals,
                             StartedServices& services, std::string& node_url);
  Result<std::optional<nlohmann::json>> deploy(Invocation& inv, const Home& home,
                                               const std::string& rpc_url);
  Status record(const Home& home, const StackState& state, const StartedServices& services);
  Status restart(Invocation& inv, const Home& home, const std::string& name, StackState& state,
                 StopSignals& signals, StartedServices& services);
  Status supervise(Invocation& inv, const Home& home, StackState& state, StopSignals& signals,
                   StartedServices& services);

  StackHooks hooks_;
  UpOptions o_;
  std::optional<std::filesystem::path> node_binary_;
};

Result<Running> UpCommand::start_anvil(Invocation& inv, const Home& home, int port_wanted,
                                       StopSignals& signals, StartedServices& services,
                                       std::string& rpc_url) {
  PACTUM_TRY(std::filesystem::path anvil, find_anvil(inv.env(), inv.executable()));
  const auto log = home.logs_dir() / "anvil.log";
  const auto offset = file_size_or_zero(log);
  const auto state = home.chain_dir() / "state.json";
  const std::vector<std::string> argv = {
      anvil.string(), "--host", "127.0.0.1", "--port", std::to_string(port_wanted), "--chain-id",
      std::to_string(kDevChainId), "--mnemonic", std::string(kDevMnemonic), "--accounts",
      std::to_string(kDevAccountCount),
      // Loaded at start when present, dumped on SIGTERM and every second, so a SIGKILL loses
      // at most the last second. Measured: a dump of the state after `up` (549 KB) costs about
      // 1 ms of CPU (2 ticks in 20 s at 1 s, 0 at 30 s).
      "--state", state.string(), "--state-interval", "1"};
  inv.note("starting anvil (" + anvil.string() + ")…");
  const auto mode = o_.detach ? detail::SpawnMode::kDetached : detail::SpawnMode::kAttached;
  PACTUM_TRY(detail::ProcessId id, detail::spawn_service(argv, inv.env(), log, mode));
  Running running{"anvil", id, log};
  services.add(running);

  // anvil says where it listens once it accepts connections (the port is its choice with
  // --chain-port 0): wait for that line, then for an eth_chainId answer.
  const std::regex listening(R"(Listening on ([0-9.]+):(\d+))");
  const auto deadline = Clock::now() + std::chrono::seconds(o_.timeout_seconds);
  std::optional<int> port;
  while (!port) {
    if (Clock::now() >= deadline) {
      return deadline_exceeded("anvil did not listen within " + std::to_string(o_.timeout_seconds) +
                               " s; log " + log.string() + ":\n" + tail_of(log, offset));
    }
    if (auto s = check_interrupt(signals, services, kPollInterval); !s.ok()) {
      return Error(s.error().code(),
                   s.error().message() + "; log " + log.string() + ":\n" + tail_of(log, offset));
    }
    const std::string text = tail_of(log, offset);
    std::smatch m;
    if (std::regex_search(text, m, listening)) port = std::stoi(m[2]);
  }
  rpc_url = "http://127.0.0.1:" + std::to_string(*port);
  for (;;) {
    auto id_answer = detail::query_chain_id(rpc_url, milliseconds(2000));
    if (id_answer.ok()) {
      if (*id_answer != kDevChainId) {
        return failed_precondition("the chain at " + rpc_url + " has chain id " +
                                   std::to_string(*id_answer) + ", expected " +
                                   std::to_string(kDevChainId));
      }
      break;
    }
    if (Clock::now() >= deadline) {
      return id_answer.error().with_context("anvil at " + rpc_url + " did not answer eth_chainId");
    }
    PACTUM_TRY_STATUS(check_interrupt(signals, services, kPollInterval));
  }
  return running;
}

Result<Running> UpCommand::start_node(Invocation& inv, const Home& home, int port,
                                      const std::string& rpc_url, StopSignals& signals,
                                      StartedServices& services, std::string& node_url) {
  if (port == 0) {
    PACTUM_TRY(int free_port, detail::pick_free_port());
    port = free_port;
  }
  node_url = "http://127.0.0.1:" + std::to_string(port);
  // The node writes its own log (log.file), which it rotates by size and reopens on SIGHUP;
  // what it prints before that log is open, and what a crash prints, go to pactumd.out.
  const auto log = home.logs_dir() / "pactumd.log";
  const auto out = home.logs_dir() / "pactumd.out";
  const auto log_offset = file_size_or_zero(log);
  const auto out_offset = file_size_or_zero(out);
  const auto tails = [&] {
    std::string text = "; log " + log.string() + ":\n" + tail_of(log, log_offset);
    const std::string said = tail_of(out, out_offset);
    if (!said.empty()) text += "\n" + out.string() + ":\n" + said;
    return text;
  };
  // Everything the node must agree on with this stack is passed as a flag (flags win over
  // node.toml and PACTUM_* in pactumd); the rest (log level and rotation, limits) stays the
  // user's to set in <home>/node.toml.
  // The node signs with dev account kNodeDevAccount (a funded account without a role, so its
  // transactions never race a user's nonces) and takes uploads from the four role accounts.
  std::string publishers;
  for (int i = 0; i < kNodePublisherAccounts; ++i) {
    PACTUM_TRY(eth::Address a, dev_address(i));
    publishers += (publishers.empty() ? "" : ",") + a.to_checksum_string();
  }
  std::vector<std::string> argv = {node_binary_->string(),
                                   "--data-dir",
                                   home.node_dir().string(),
                                   "--http-address",
                                   "127.0.0.1",
                                   "--http-port",
                                   std::to_string(port),
                                   "--rpc-url",
                                   rpc_url,
                                   "--chain-id",
                                   std::to_string(kDevChainId),
                                   "--dev-account",
                                   std::to_string(kNodeDevAccount),
                                   "--publishers",
                                   publishers,
                                   "--log-file",
                                   log.string()};
  const auto deployment_file =
      home.root() / "deployments" / (std::to_string(kDevChainId) + ".json");
  std::error_code ec;
  if (std::filesystem::exists(deployment_file, ec)) {
    argv.push_back("--deployment-file");
    argv.push_back(deployment_file.string());
  }
  // The node reads PACTUM_HOME (for node.toml); it must be this stack's home even when --home
  // chose it.
  const Environment env = inv.env().with("PACTUM_HOME", home.root().string());
  inv.note("starting pactumd (" + node_binary_->string() + ")…");
  const auto mode = o_.detach ? detail::SpawnMode::kDetached : detail::SpawnMode::kAttached;
  PACTUM_TRY(detail::ProcessId id, detail::spawn_service(argv, env, out, mode));
  Running running{"pactumd", id, log};
  services.add(running);
  const auto deadline = Clock::now() + std::chrono::seconds(o_.timeout_seconds);
  for (;;) {
    auto status = detail::http_get_status(node_url, "/health", milliseconds(2000));
    if (status.ok() && *status == 200) break;
    if (Clock::now() >= deadline) {
      const std::string why =
          status.ok() ? "answered HTTP " + std::to_string(*status) : status.error().message();
      return deadline_exceeded("pactumd at " + node_url + " was not healthy within " +
                               std::to_string(o_.timeout_seconds) + " s (" + why + ")" + tails());
    }
    if (auto s = check_interrupt(signals, services, kPollInterval); !s.ok()) {
      return Error(s.error().code(), s.error().message() + tails());
    }
  }
  return running;
}

Result<std::optional<nlohmann::json>> UpCommand::deploy(Invocation& inv, const Home& home,
                                                        const std::string& rpc_url) {
  if (!hooks_.deploy) return std::optional<nlohmann::json>();
  inv.note("deploying the contracts…");
  auto deployed = hooks_.deploy(inv, ChainInfo{rpc_url, kDevChainId, home.root()});
  if (!deployed.ok()) return deployed.error().with_context("deploying the contracts");
  return std::optional<nlohmann::json>(std::move(deployed).value());
}

Status UpCommand::record(const Home& home, const StackState& state,
                         const StartedServices& services) {
  StackRecord record;
  record.rpc_url = state.rpc_url;
  record.chain_id = kDevChainId;
  record.node_url = state.node_url;
  record.detached = o_.detach;
  record.contracts = state.contracts;
  for (const auto& r : services.all()) {
    record.services.push_back(
        {r.name, static_cast<int>(r.id.pid), r.id.start_time, r.log.string()});
  }
  if (!o_.detach) {
    const pid_t self = ::getpid();
    record.supervisor = ServiceRecord{"pactum", static_cast<int>(self),
                                      detail::process_start_time(self).value_or(0), ""};
  }
  // Written atomically, and without the lock: `down` takes the lock while it waits for this
  // process to stop, and the old record names the same supervisor.
  return detail::write_stack_record(home, record);
}

Status UpCommand::restart(Invocation& inv, const Home& home, const std::string& name,
                          StackState& state, StopSignals& signals, StartedServices& services) {
  if (name == "anvil") {
    PACTUM_TRY(int port, port_of(state.rpc_url, "the chain's URL"));
    std::string rpc_url;
    PACTUM_TRY_STATUS(start_anvil(inv, home, port, signals, services, rpc_url));
    // The chain came back from its state file: the contracts are there unless the last second
    // before the crash held their deployment. The deploy step checks, and deploys what is
    // missing.
    PACTUM_TRY(std::optional<nlohmann::json> contracts, deploy(inv, home, rpc_url));
    if (contracts) state.contracts = std::move(contracts);
  } else {
    if (!state.node_url || !node_binary_) return internal_error("no node to restart");
    PACTUM_TRY(int port, port_of(*state.node_url, "the node's URL"));
    std::string node_url;
    PACTUM_TRY_STATUS(start_node(inv, home, port, state.rpc_url, signals, services, node_url));
  }
  return record(home, state, services);
}

Status UpCommand::supervise(Invocation& inv, const Home& home, StackState& state,
                            StopSignals& signals, StartedServices& services) {
  std::deque<Clock::time_point> restarts;  // within the last kRestartWindow
  for (;;) {
    const int sig = signals.wait(milliseconds(1000));
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
      inv.note(std::string("\n") + ::strsignal(sig) + ": stopping the stack…");
      services.stop_all();
      detail::remove_stack_record(home);
      inv.note("stopped");
      return ok_status();
    }
    // SIGCHLD or the periodic look (services adopted from a detached stack are not our
    // children): a service that died is started again, on its port, while the other keeps
    // running.
    auto dead = services.exited();
    if (!dead) continue;
    const auto& [name, how] = *dead;
    services.forget(name);
    const auto now = Clock::now();
    while (!restarts.empty() && now - restarts.front() > kRestartWindow) restarts.pop_front();
    if (restarts.size() >= kMaxRestarts) {
      services.stop_all();
      detail::remove_stack_record(home);
      return unavailable(name + " " + how + ", after " + std::to_string(kMaxRestarts) +
                         " restarts within " + std::to_string(kRestartWindow.count()) +
                         " s; the stack was stopped (see " + home.logs_dir().string() + ")");
    }
    restarts.push_back(now);
    inv.note(name + " " + how + "; restarting it…");
    if (Status st = restart(inv, home, name, state, signals, services); !st.ok()) {
      services.stop_all();
      detail::remove_stack_record(home);
      return st.error().with_context("restarting " + name + "; the stack was stopped");
    }
    inv.note(name + " is running again (pid " + std::to_string(services.find(name)->id.pid) + ")");
  }
}

Status UpCommand::run(Invocation& inv) {
  // `up` starts a local chain of its own; a chain named with --rpc would be silently ignored.
  if (inv.options().rpc_url) {
    return invalid_argument(
        "up starts its own local chain and cannot use --rpc " + *inv.options().rpc_url +
        ": on another chain, deploy with `pactum deploy --rpc URL --key NAME` and run pactumd "
        "with --rpc-url URL (docs/cli.md)");
  }
  PACTUM_TRY(Home home, inv.home());
  for (const auto& dir : {home.run_dir(), home.logs_dir(), home.chain_dir(), home.node_dir()}) {
    PACTUM_TRY_STATUS(Home::ensure_dir(dir));
  }
  const milliseconds grace = std::chrono::seconds(o_.stop_timeout_seconds);
  PACTUM_TRY(detail::FileLock lock,
             detail::FileLock::acquire(home.run_dir() / "lock",
                                       std::chrono::seconds(o_.timeout_seconds * 3)));
  PACTUM_TRY(std::optional<StackRecord> existing, read_stack_record(home));
  std::optional<Resume> resume;
  if (existing) {
    PACTUM_TRY(Resume r, plan_resume(*existing, home));
    if (o_.fresh) {
      std::string alive;
      for (const auto& a : r.alive) alive += (alive.empty() ? "" : ", ") + a.name;
      return failed_precondition(
          "--fresh discards the chain and the node's store, but part of "
          "the stack in " +
          home.root().string() + " still runs (" + alive + "); stop it with `pactum down` first");
    }
    resume = std::move(r);
  }
  if (o_.fresh) {
    std::error_code ec;
    std::filesystem::remove_all(home.chain_dir(), ec);
    std::filesystem::remove_all(home.node_dir(), ec);
    PACTUM_TRY_STATUS(Home::ensure_dir(home.chain_dir()));
    PACTUM_TRY_STATUS(Home::ensure_dir(home.node_dir()));
  }
  if (!o_.no_node) {
    PACTUM_TRY(node_binary_, find_node_binary(inv.env(), inv.executable()));
  }

  StopSignals signals;
  StartedServices services(grace);
  StackState state;
  std::vector<std::string> restarted;
  if (!resume || resume->chain_dead) {
    PACTUM_TRY_STATUS(start_anvil(inv, home, resume ? resume->chain_port : o_.chain_port, signals,
                                  services, state.rpc_url));
    PACTUM_TRY(state.contracts, deploy(inv, home, state.rpc_url));
    if (resume) restarted.push_back("anvil");
  } else {
    state.rpc_url = resume->state.rpc_url;
    state.contracts = resume->state.contracts;
  }
  const bool node_alive =
      resume && std::any_of(resume->alive.begin(), resume->alive.end(),
                            [](const Running& r) { return r.name == "pactumd"; });
  if (node_alive) {
    state.node_url = resume->state.node_url;
  } else if (node_binary_) {
    const int port = resume && resume->state.node_url ? resume->node_port : o_.node_port;
    std::string node_url;
    PACTUM_TRY_STATUS(start_node(inv, home, port, state.rpc_url, signals, services, node_url));
    state.node_url = node_url;
    if (resume && resume->node_dead) restarted.push_back("pactumd");
  }
  // The survivors join only now: a failure above stops what this run started and leaves them
  // (and their record) as they were.
  if (resume) {
    for (auto& r : resume->alive) services.add(std::move(r));
  }
  PACTUM_TRY_STATUS(record(home, state, services));
  lock.release();

  const Running& anvil = *services.find("anvil");
  const Running* node = services.find("pactumd");
  // The node's signing address, the `node` of every signed request (also in its /health).
  std::string node_address;
  if (auto a = dev_address(kNodeDevAccount); a.ok()) node_address = a->to_checksum_string();
  auto accounts = list_dev_accounts(state.rpc_url);
  nlohmann::json doc = {
      {"home", home.root().string()},
      {"detached", o_.detach},
      {"restarted", restarted},
      {"chain",
       {{"rpc_url", state.rpc_url},
        {"chain_id", kDevChainId},
        {"pid", anvil.id.pid},
        {"log", anvil.log.string()},
        {"state_file", (home.chain_dir() / "state.json").string()}}},
      {"node", node && state.node_url ? nlohmann::json{{"url", *state.node_url},
                                                       {"pid", node->id.pid},
                                                       {"log", node->log.string()},
                                                       {"address", node_address}}
                                      : nlohmann::json(nullptr)},
      {"contracts", state.contracts ? *state.contracts : nlohmann::json(nullptr)},
      {"accounts", accounts_json(accounts)}};
  std::string human = "Pactum local stack is up";
  human += o_.detach ? " (detached: stop it with `pactum down`)\n" : " (Ctrl-C stops it)\n";
  if (!restarted.empty()) {
    std::string names;
    for (const auto& n : restarted) names += (names.empty() ? "" : " and ") + n;
    human += "  restarted  " + names + " (had exited; the rest kept running)\n";
  }
  human += "  chain      " + state.rpc_url + "  chain id " + std::to_string(kDevChainId) +
           ", anvil pid " + std::to_string(anvil.id.pid) + "\n";
  if (node && state.node_url) {
    human += "  node       " + *state.node_url + "  pactumd pid " + std::to_string(node->id.pid) +
             ", address " + node_address + " (dev account " + std::to_string(kNodeDevAccount) +
             ")\n";
  } else if (o_.no_node) {
    human += "  node       not started (--no-node)\n";
  } else {
    human += "  node       not started: no pactumd found (build it, or set PACTUM_NODE_BIN)\n";
  }
  const auto& contracts = state.contracts;
  human += contracts ? "  contracts  " + contracts->dump() + "\n"
                     : "  contracts  not deployed: this pactum has no deploy step yet\n";
  if (contracts && contracts->contains("dev_token") && (*contracts)["dev_token"].is_object()) {
    const std::string token = (*contracts)["dev_token"].value("address", "");
    human += "  token      PDEV (PactumDevToken, 18 decimals) at " + token +
             ", 1000000 to each dev account: `pactum publish FILE --price 5eth --token " + token +
             "`\n";
  }
  human +=
      "  home       " + home.root().string() + "  (logs in " + home.logs_dir().string() + ")\n\n";
  human += accounts_human(accounts);
  inv.emit(doc, human);

  if (o_.detach) {
    services.release();
    return ok_status();
  }
  return supervise(inv, home, state, signals, services);
}

}  // namespace

std::unique_ptr<Command> make_up_command(StackHooks hooks) {
  return std::make_unique<UpCommand>(std::move(hooks));
}

}  // namespace pactum::cli
