// Private to pactum_cli: starting, watching and stopping the local stack's long-running
// processes (anvil, pactumd) on Linux.
//
// Each service runs in a process group of its own (pgid == pid): signals go to the whole group,
// so helpers a service starts are stopped with it, and a Ctrl-C on the terminal reaches only
// `pactum up`, which then stops the services in order (the node before the chain, so the
// chain's state is dumped last). A detached service also leaves the terminal's session.
//
// A process is named by its pid and its start time (field 22 of /proc/<pid>/stat): a pid file
// that outlives its process (a reboot, a SIGKILL) must not make us signal an unrelated process
// that reused the pid.
//
// Thread safety: functions; no shared state.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pactum/cli/environment.hpp"
#include "pactum/core/result.hpp"

namespace pactum::cli::detail {

struct ProcessId {
  pid_t pid = -1;
  std::uint64_t start_time = 0;  // clock ticks since boot; 0 = unknown
};

enum class SpawnMode {
  kAttached,  // own process group; receives SIGTERM if `pactum` dies (PR_SET_PDEATHSIG)
  kDetached,  // own session; outlives `pactum`
};

// Starts argv[0] (an absolute or relative path, not looked up in PATH) with `env` as its whole
// environment, stdin from /dev/null and stdout+stderr appended to `log`.
// Errors: kNotFound when argv[0] does not exist; kPermissionDenied when it is not executable;
// kUnavailable for other failures to start (the errno text is in the message).
[[nodiscard]] Result<ProcessId> spawn_service(const std::vector<std::string>& argv,
                                              const Environment& env,
                                              const std::filesystem::path& log, SpawnMode mode);

// The start time of `pid`, or nullopt when no such process exists (or it is a zombie).
[[nodiscard]] std::optional<std::uint64_t> process_start_time(pid_t pid);

// Whether the process named by `id` still runs (a zombie does not; a reused pid does not).
[[nodiscard]] bool is_running(const ProcessId& id);

// If `id` is our child and has exited, reaps it and returns a description of how it ended
// ("exited with status 1", "killed by signal 9"); nullopt while it runs.
[[nodiscard]] std::optional<std::string> reap_if_exited(const ProcessId& id);

// Sends SIGTERM to the process group of `id`, waits up to `grace` for the process to exit, then
// sends SIGKILL and waits up to 5 more seconds. Reaps it when it is our child. Returns true when
// SIGKILL was needed. A process that no longer runs is not an error.
// Errors: kDeadlineExceeded when it survives SIGKILL (a process stuck in the kernel).
[[nodiscard]] Result<bool> stop_service(const ProcessId& id, std::chrono::milliseconds grace);

// Waits until the process exits or `timeout` passes, on an event (a pidfd), not by sleeping.
// Returns true when it exited.
[[nodiscard]] bool wait_for_exit(const ProcessId& id, std::chrono::milliseconds timeout);

// Looks `name` up in the PATH of `env`; nullopt when not found as an executable file.
[[nodiscard]] std::optional<std::filesystem::path> find_in_path(const std::string& name,
                                                                const Environment& env);

// A free TCP port on 127.0.0.1, found by binding port 0. Another process may take it before
// the caller binds it: only for services that cannot report the port they picked.
[[nodiscard]] Result<int> pick_free_port();

// Writes `text` to `path` atomically (a temporary file renamed over it).
[[nodiscard]] Status write_file_atomically(const std::filesystem::path& path,
                                           const std::string& text);

// Reads a whole (small) file. Errors: kNotFound when missing; kPermissionDenied; kUnavailable.
[[nodiscard]] Result<std::string> read_small_file(const std::filesystem::path& path);

// Reads a file given by the user that holds at most `max_bytes` (a keystore, a private key, a
// mnemonic: what is read of a larger one is wiped). Messages begin "<what> <path>: ".
// Errors: kNotFound; kPermissionDenied; kUnavailable; kInvalidArgument for a larger file ("larger
// than N bytes" and `too_large_note`).
[[nodiscard]] Result<std::string> read_bounded_file(std::string_view what, const std::string& path,
                                                    std::size_t max_bytes,
                                                    std::string_view too_large_note = "");

// An exclusive advisory lock on a file, held until destruction (flock). Serializes `up` and
// `down` runs that work on the same home.
class FileLock {
 public:
  // Blocks until the lock is taken or `timeout` passes.
  // Errors: kDeadlineExceeded; kPermissionDenied / kUnavailable when the file cannot be opened.
  [[nodiscard]] static Result<FileLock> acquire(const std::filesystem::path& path,
                                                std::chrono::milliseconds timeout);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();
  void release();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace pactum::cli::detail
