// Home: the directory that holds all of a user's local Pactum state (PACTUM_HOME, by default
// ~/.pactum), and where each kind of state lives inside it.
//
//   <home>/run/     pid files and stack.json of a running local stack (removed by `down`)
//   <home>/logs/    anvil.log, pactumd.log of the local stack
//   <home>/chain/   the local chain's state (anvil --state), kept across `up`/`down`
//   <home>/node/    pactumd's data directory (its store, its settings)
//
// Thread safety: a value.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "pactum/cli/environment.hpp"
#include "pactum/core/result.hpp"

namespace pactum::cli {

class Home {
 public:
  // Uses `root` as the home directory, creating it (and its parents) when missing; a relative
  // path is taken relative to the current directory and stored absolute, because detached
  // processes and pid files must not depend on where a command was run from.
  // Directories it creates are 0700; an existing home keeps its mode.
  // Errors: kInvalidArgument for an empty path or one that exists and is not a directory;
  // kPermissionDenied when it cannot be created, is not writable, or group or others may write
  // to it (the message says the chmod that fixes it).
  [[nodiscard]] static Result<Home> open(const std::filesystem::path& root);

  // The home a command uses: `flag` (--home) when given, else PACTUM_HOME, else $HOME/.pactum.
  // Errors: those of open(), prefixed with where the path came from; kInvalidArgument when
  // neither PACTUM_HOME nor HOME is set.
  [[nodiscard]] static Result<Home> resolve(const std::optional<std::string>& flag,
                                            const Environment& env);

  [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }
  [[nodiscard]] std::filesystem::path run_dir() const { return root_ / "run"; }
  [[nodiscard]] std::filesystem::path logs_dir() const { return root_ / "logs"; }
  [[nodiscard]] std::filesystem::path chain_dir() const { return root_ / "chain"; }
  [[nodiscard]] std::filesystem::path node_dir() const { return root_ / "node"; }
  // The user's keystores (`pactum key`): one keystore v3 file per key, NAME.json, mode 0600.
  [[nodiscard]] std::filesystem::path keys_dir() const { return root_ / "keys"; }

  // Creates `dir` (one of the above) when missing, 0700 (and each missing parent). Errors:
  // kPermissionDenied / kInvalidArgument as for open().
  [[nodiscard]] static Status ensure_dir(const std::filesystem::path& dir);

 private:
  explicit Home(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path root_;
};

}  // namespace pactum::cli
