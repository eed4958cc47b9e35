// pactumd as a library: its main() is run_pactumd() and nothing else.
//
// run_pactumd parses the settings (server/node_settings.hpp), then opens, in this order, each
// part the node serves from, and refuses to start on the first that is unusable:
//   1. the node's key       node.key_file (keystore v3 + password) or node.dev_account
//   2. the deployment file  chain.deployment_file, for the chain chain.id
//   3. the chain            chain.rpc_url must answer eth_chainId == chain.id, and the
//                           deployment's contracts must have code there
//   4. the master key       store.master_key_file (created 0600 on first start; refused when
//                           group/world-accessible or not 32 bytes)
//   5. the store            <data_dir>/store (one process per store), the ledger <data_dir>/node.db
// then serves the system routes and NodeService's asset API (docs/node-api.md) until SIGINT or
// SIGTERM. A refusal is one error log line naming the problem and the setting to change, and
// the exit code kExitCannotStart (3); nothing in the data directory is written before the
// checks that need no disk (1–3) pass.
//
// Invariant: a master key file is created only for a data directory whose store holds no
// database yet; a store without its key is refused rather than given a new, useless one.
//
// Thread safety: call run_pactumd from main(); it blocks SIGINT and SIGTERM in the calling thread
// (and so in the threads it starts) to wait for them with sigwait().
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "pactum/core/result.hpp"
#include "pactum/node/settings.hpp"
#include "pactum/store/chunk_cipher.hpp"

namespace pactum::node {

// Parses `args` (args[0] is the program name) and `env`, then prints help, the version or the
// effective settings, or runs the node until SIGINT or SIGTERM. Logs go to `err`; help, version
// and --print-config to `out`. Returns one of the kExit* codes (node/settings.hpp).
[[nodiscard]] int run_pactumd(const std::vector<std::string>& args, const Environment& env,
                              std::FILE* out, std::FILE* err);

// Reads the 32-byte master key at `path`, or creates it (mode 0600, fresh CSPRNG bytes, written
// to a temporary file, synced and linked into place so a crash never leaves half a key) when it
// does not exist and `may_create`.
// Errors: kNotFound when it does not exist and !may_create; kPermissionDenied when it is
// readable or writable by group or others, or not a regular file, or cannot be read;
// kDataLoss when its size is not 32 bytes; kUnavailable when it cannot be created.
[[nodiscard]] Result<store::MasterKey> load_or_create_master_key(const std::filesystem::path& path,
                                                                 bool may_create);

}  // namespace pactum::node
