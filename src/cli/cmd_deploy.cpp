// `pactum deploy`: the contracts from the artifacts compiled into pactum_contracts, the standard
// templates, and the deployment file. `up`'s deploy step adds PactumDevToken (dev chain only).
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "deploy_command.hpp"
#include "pactum/cli/accounts.hpp"
#include "pactum/cli/invocation.hpp"
#include "pactum/contracts/deployment.hpp"
#include "pactum/contracts/pactum_dev_token.hpp"
#include "pactum/rpc/json_rpc.hpp"
#include "probe.hpp"
#include "service.hpp"

namespace pactum::cli {
namespace {

std::filesystem::path deployments_dir(const std::filesystem::path& home) {
  return home / "deployments";
}

nlohmann::json deployment_json(const contracts::Deployment& d, const std::filesystem::path& file) {
  nlohmann::json doc = nlohmann::json::parse(contracts::deployment_to_json(d));
  doc.erase("version");
  doc["file"] = file.string();
  return doc;
}

std::string deployment_human(const contracts::Deployment& d, const std::filesystem::path& file) {
  std::string out = "deployed on chain " + std::to_string(d.chain_id) + " from block " +
                    std::to_string(d.block_number) + " by " + d.deployer.to_checksum_string() +
                    "\n";
  for (const auto& [name, address] : d.addresses) {
    out += "  " + name + std::string(name.size() < 16 ? 16 - name.size() : 1, ' ') +
           address.to_checksum_string() + "\n";
  }
  out += "templates\n";
  for (const auto& [name, id] : d.templates) {
    out +=
        "  " + name + std::string(name.size() < 20 ? 20 - name.size() : 1, ' ') + to_hex(id) + "\n";
  }
  out += "written to " + file.string();
  return out;
}

// Connects, deploys as `key`, and returns the deployment with the file it was written to.
Result<std::pair<contracts::Deployment, std::filesystem::path>> deploy(
    const std::string& rpc_url, const rpc::HttpOptions& http, eth::PrivateKey key,
    const std::filesystem::path& home, contracts::ExistingDeployment existing,
    const std::function<void(std::string_view)>& note) {
  PACTUM_TRY(auto client, rpc::RpcClient::connect_http(rpc_url, http));
  rpc::EthApi api(*client);
  auto transactor = contracts::Transactor::create(api, std::move(key));
  if (!transactor.ok()) return transactor.error().with_context("connecting to " + rpc_url);
  contracts::DeployOptions options;
  options.deployments_dir = deployments_dir(home);
  options.existing = existing;
  options.on_step = note;
  PACTUM_TRY(contracts::Deployment d, contracts::deploy_all(*transactor, options));
  return std::make_pair(
      std::move(d), contracts::deployment_path(options.deployments_dir, transactor->chain_id()));
}

class DeployCommand final : public Command {
 public:
  std::string name() const override { return "deploy"; }
  std::string summary() const override {
    return "Deploy Pactum's contracts and templates to a chain and record them";
  }
  void configure(CLI::App& sub) override {
    sub.add_flag("--force", force_,
                 "Deploy a new set even when the chain has a live deployment recorded");
  }
  Status run(Invocation& inv) override {
    PACTUM_TRY(std::string url, inv.rpc_url());
    PACTUM_TRY(Account account, select_account(inv, Role::kDeployer));
    if (account.dev) {
      PACTUM_TRY(std::uint64_t chain_id, detail::query_chain_id(url, std::chrono::seconds(10)));
      PACTUM_TRY_STATUS(check_account_for_chain(inv, account, chain_id));
    }
    PACTUM_TRY(Home home, inv.home());
    rpc::HttpOptions http;
    PACTUM_TRY(http.ca_file, inv.ca_file());
    inv.note("deploying as " + account.label + " to " + url);
    PACTUM_TRY(auto deployed, deploy(url, http, std::move(account.key), home.root(),
                                     force_ ? contracts::ExistingDeployment::kReplace
                                            : contracts::ExistingDeployment::kRefuse,
                                     [&inv](std::string_view line) { inv.note(line); }));
    inv.emit(deployment_json(deployed.first, deployed.second),
             deployment_human(deployed.first, deployed.second));
    return ok_status();
  }

 private:
  bool force_ = false;
};

// 1,000,000 tokens of 18 decimals.
const eth::U256 kDevTokenPerAccount =
    eth::U256(1'000'000) * eth::U256(1'000'000'000'000'000'000ULL);

// `up`'s dev token: reused when <home>/deployments/<chain id>-dev-token.json names one that still
// has code, else deployed by the dev deployer and minted to every dev account. Returns its JSON.
Result<nlohmann::json> deploy_dev_token(Invocation& inv, const ChainInfo& chain) {
  const auto file =
      deployments_dir(chain.home) / (std::to_string(chain.chain_id) + "-dev-token.json");
  PACTUM_TRY(auto client, rpc::RpcClient::connect_http(chain.rpc_url));
  rpc::EthApi api(*client);
  nlohmann::json doc = {{"name", "PactumDevToken"},
                        {"symbol", "PDEV"},
                        {"decimals", 18},
                        {"minted_to_each_dev_account", kDevTokenPerAccount.to_dec()}};
  // Reused while the chain still has its code (anvil's state survives `up` / `down`).
  if (std::ifstream in(file); in) {
    auto recorded = nlohmann::json::parse(in, nullptr, false);
    if (!recorded.is_discarded() && recorded.is_object() && recorded.contains("address") &&
        recorded["address"].is_string()) {
      auto address = eth::Address::parse(recorded["address"].get<std::string>());
      if (address.ok()) {
        auto code = api.get_code(*address);
        if (code.ok() && !code->empty()) {
          inv.note("PactumDevToken already deployed (" + file.string() + ")");
          doc["address"] = address->to_checksum_string();
          return doc;
        }
      }
    }
  }
  PACTUM_TRY(eth::PrivateKey key, dev_private_key(static_cast<int>(Role::kDeployer)));
  PACTUM_TRY(auto deployer, contracts::Transactor::create(api, std::move(key)));
  PACTUM_TRY(Bytes creation, contracts::PactumDevToken::deploy_data());
  PACTUM_TRY(rpc::Receipt created, deployer.deploy("PactumDevToken deployment", creation));
  const eth::Address token = *created.contract_address;
  for (int i = 0; i < kDevAccountCount; ++i) {
    PACTUM_TRY(eth::Address to, dev_address(i));
    PACTUM_TRY(Bytes mint, contracts::PactumDevToken::encode_mint(to, kDevTokenPerAccount));
    PACTUM_TRY(rpc::Receipt minted, deployer.send("PactumDevToken.mint", token, mint));
    (void)minted;
  }
  doc["address"] = token.to_checksum_string();
  inv.note("PactumDevToken at " + token.to_checksum_string() +
           ", 1000000 PDEV minted to each dev account");
  PACTUM_TRY_STATUS(detail::write_file_atomically(file, doc.dump(2) + "\n"));
  return doc;
}

}  // namespace

std::unique_ptr<Command> make_deploy_command() {
  return std::make_unique<DeployCommand>();
}

DeployHook make_deploy_hook() {
  return [](Invocation& inv, const ChainInfo& chain) -> Result<nlohmann::json> {
    PACTUM_TRY(eth::PrivateKey key, dev_private_key(static_cast<int>(Role::kDeployer)));
    PACTUM_TRY(auto deployed, deploy(chain.rpc_url, {}, std::move(key), chain.home,
                                     contracts::ExistingDeployment::kReuse,
                                     [&inv](std::string_view line) { inv.note(line); }));
    nlohmann::json doc = deployment_json(deployed.first, deployed.second);
    // A token to price assets in (`pactum publish --token`): the dev chain only.
    PACTUM_TRY(doc["dev_token"], deploy_dev_token(inv, chain));
    return doc;
  };
}

}  // namespace pactum::cli
