// The one place where a pactum::ErrorCode becomes the exit status of the `pactum` command.
//
// Scripts branch on these numbers, so they are stable: a code, once published in docs/cli.md,
// keeps its meaning. Every ErrorCode has its own status so that a script can tell "the chain is
// not reachable, retry" (kUnavailable) from "that agreement does not exist" (kNotFound) without
// parsing messages.
//
// Thread safety: pure functions.
#pragma once

#include "pactum/core/result.hpp"

namespace pactum::cli {

// Success.
inline constexpr int kExitOk = 0;
// The command line could not be parsed (unknown option, missing argument) or an option or
// argument has a bad value; kInvalidArgument maps here too, for the same reason: fix the input.
inline constexpr int kExitUsage = 2;

// Returns the exit status for an error of this code (never 0). The table is in docs/cli.md.
[[nodiscard]] int exit_code_for(ErrorCode code) noexcept;

}  // namespace pactum::cli
