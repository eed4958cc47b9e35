// The local stack: anvil (the chain), the contracts, pactumd (the node), started by `pactum up`
// and stopped by `pactum down`, and the record a running stack leaves in <home>/run/ so that
// other commands find its endpoints.
//
// Decisions (docs/cli.md explains them to users):
//  * The chain keeps its state across `up`/`down` in <home>/chain/state.json (anvil --state, and
//    a dump every second so that a crash loses at most that): the node's store in <home>/node/ refers to
//    assets registered on that chain, so the two must live and die together. `up --fresh`
//    discards both.
//  * Foreground by default: Ctrl-C (SIGINT), SIGTERM or SIGHUP stop the node, then the chain
//    (which dumps its state on SIGTERM). `--detach` leaves them running; `down` stops them.
//  * One stack per home: `up` refuses while the recorded stack runs. Concurrent `up`/`down` on
//    the same home are serialized by a lock file (<home>/run/lock).
//
// Thread safety: functions over files; callers serialize on the lock (up/down do).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pactum/cli/environment.hpp"
#include "pactum/cli/home.hpp"
#include "pactum/core/result.hpp"

namespace pactum::cli {

class Invocation;

// One process of a running stack.
struct ServiceRecord {
  std::string name;  // "anvil", "pactumd", or "pactum" (a foreground supervisor)
  int pid = -1;
  std::uint64_t start_time = 0;  // /proc/<pid>/stat field 22; guards against pid reuse
  std::string log;               // its log file ("" for the supervisor)
};

// What <home>/run/stack.json holds while a stack runs.
struct StackRecord {
  std::string rpc_url;
  std::uint64_t chain_id = 0;
  std::optional<std::string> node_url;  // absent when the stack runs without a node
  bool detached = false;
  // In the foreground, the `pactum up` process that owns the services: `down` asks it to stop
  // them (it then removes the record itself).
  std::optional<ServiceRecord> supervisor;
  std::vector<ServiceRecord> services;
  // What the deploy step returned (contract addresses), when it ran.
  std::optional<nlohmann::json> contracts;
};

// The stack recorded in `home`, when one runs. A record none of whose processes runs any more
// (a reboot, a SIGKILL) is stale: it is removed and nullopt returned.
// Errors: kDataLoss for a stack.json that cannot be parsed (the message names the file).
[[nodiscard]] Result<std::optional<StackRecord>> read_stack_record(const Home& home);

// Where `up` finds its programs: PACTUM_ANVIL; else node_modules/.bin/anvil in the nearest
// directory above the running executable that has one (the build tree of a checkout); else
// `anvil` in PATH. Errors: kNotFound naming every place looked at.
[[nodiscard]] Result<std::filesystem::path> find_anvil(const Environment& env,
                                                       const std::filesystem::path& executable);
// PACTUM_NODE_BIN; else ../pactumd/pactumd and ./pactumd beside the running executable (the
// build tree, an installation); else `pactumd` in PATH. nullopt when there is none (the stack
// then runs without a node, and says so). Errors: kNotFound when PACTUM_NODE_BIN names a file
// that does not exist.
[[nodiscard]] Result<std::optional<std::filesystem::path>> find_node_binary(
    const Environment& env, const std::filesystem::path& executable);

// What the deploy step is given.
struct ChainInfo {
  std::string rpc_url;
  std::uint64_t chain_id = 0;
  std::filesystem::path home;
};

// The hook point for deploying the contracts once the chain answers and before the node
// starts (the node needs the addresses). The contracts' `pactum deploy` provides it; it should
// be idempotent (a restarted chain keeps its contracts) and return the addresses as JSON, which
// `up` prints and records. Without a hook `up` reports "contracts: not deployed".
using DeployHook = std::function<Result<nlohmann::json>(Invocation&, const ChainInfo&)>;

struct StackHooks {
  DeployHook deploy;
};

// Stops the stack recorded in `home`: a foreground supervisor is asked to stop (SIGTERM) and
// waited for; the services are sent SIGTERM (node first, then chain) and SIGKILL after
// `grace`. Removes the record and pid files. Returns the names of the processes stopped (empty
// when nothing ran: not an error).
// Errors: kDeadlineExceeded when a process survives SIGKILL; those of read_stack_record.
[[nodiscard]] Result<std::vector<std::string>> stop_stack(const Home& home,
                                                          std::chrono::milliseconds grace);

}  // namespace pactum::cli
