// Private to pactum_cli: `pactum deploy` and the deploy step of `pactum up`, both over
// pactum::contracts::deploy_all (src/cli/cmd_deploy.cpp).
#pragma once

#include <memory>

#include "pactum/cli/app.hpp"
#include "pactum/cli/stack.hpp"

namespace pactum::cli {

// `pactum deploy [--force]`: deploys every contract and registers the templates as the account
// of --key/--as (the deployer by default) on the chain of --rpc, and writes
// <home>/deployments/<chain id>.json. A second deploy to a chain whose recorded contracts still
// have code is refused (kAlreadyExists) unless --force.
[[nodiscard]] std::unique_ptr<Command> make_deploy_command();

// The deploy step of `up`: deploys as the dev deployer account unless the chain already has the
// deployment recorded in <home>/deployments (then reuses it), then the same for PactumDevToken
// (<home>/deployments/<chain id>-dev-token.json; 1,000,000 PDEV minted to each dev account), and
// returns the deployment as JSON with the token under "dev_token".
[[nodiscard]] DeployHook make_deploy_hook();

}  // namespace pactum::cli
