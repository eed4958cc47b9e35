// deploy_all: the contracts in dependency order, then the templates, then the file.
#include <string>

#include "pactum/contracts/deployment.hpp"

namespace pactum::contracts {
namespace {

void step(const DeployOptions& options, const std::string& line) {
  if (options.on_step) options.on_step(line);
}

// What a recorded deployment means for this deploy: a Deployment to return as it is (kReuse of
// a live one), an error (kRefuse of a live one, or a corrupt file), or nullopt to go ahead.
Result<std::optional<Deployment>> check_existing(rpc::EthApi& api,
                                                 const std::filesystem::path& path,
                                                 const DeployOptions& options) {
  auto recorded = read_deployment(path);
  if (!recorded.ok()) {
    if (recorded.error().code() == ErrorCode::kNotFound) return std::optional<Deployment>();
    if (options.existing == ExistingDeployment::kReplace) return std::optional<Deployment>();
    return recorded.error().with_context(
        "refusing to overwrite an unreadable deployment file (pass --force to replace it)");
  }
  auto live = deployment_is_live(api, *recorded);
  if (!live.ok() && live.error().code() != ErrorCode::kFailedPrecondition) return live.error();
  if (!live.ok() || !*live) {
    // The chain was reset (or the file is for another chain under this id): its record is stale.
    step(options, "the deployment recorded in " + path.string() +
                      " has no code on this chain any more; deploying a new set");
    return std::optional<Deployment>();
  }
  switch (options.existing) {
    case ExistingDeployment::kReuse:
      step(options, "contracts already deployed (" + path.string() + ")");
      return std::optional<Deployment>(std::move(recorded).value());
    case ExistingDeployment::kReplace:
      step(options, "replacing the deployment recorded in " + path.string());
      return std::optional<Deployment>();
    case ExistingDeployment::kRefuse:
      break;
  }
  return already_exists("Pactum's contracts are already deployed on chain " +
                        std::to_string(recorded->chain_id) + " (AgreementEngine at " +
                        recorded->agreement_engine().address().to_checksum_string() +
                        ", recorded in " + path.string() + "); pass --force to deploy a new set");
}

Result<eth::Address> deploy_one(Transactor& t, Deployment& d, const DeployOptions& options,
                                std::string_view name, Result<Bytes> creation_data) {
  if (!creation_data.ok()) return creation_data.error().with_context(std::string(name));
  PACTUM_TRY(rpc::Receipt receipt, t.deploy(std::string(name) + " deployment", *creation_data));
  eth::Address address = *receipt.contract_address;
  d.addresses[std::string(name)] = address;
  if (d.block_number == 0 || receipt.block_number < d.block_number) {
    d.block_number = receipt.block_number;
  }
  step(options, std::string(name) + " at " + address.to_checksum_string() + " (block " +
                    std::to_string(receipt.block_number) + ", " + std::to_string(receipt.gas_used) +
                    " gas)");
  return address;
}

// Registers `spec` and returns the id the TemplateRegistered event reports (which must be the id
// computed locally: both hash the same encoding).
Result<Hash32> register_template(Transactor& t, const AgreementEngine& engine,
                                 const TemplateSpec& spec) {
  std::string what = "registering template " + spec.name;
  PACTUM_TRY(Bytes data, AgreementEngine::encode_registerTemplate(spec.types, spec.dependencies));
  PACTUM_TRY(rpc::Receipt receipt, t.send(what, engine.address(), data));
  for (const auto& log : receipt.logs) {
    if (log.address != engine.address() || log.topics.empty() ||
        log.topics[0] != AgreementEngine::kTopic_TemplateRegistered) {
      continue;
    }
    PACTUM_TRY(auto event, AgreementEngine::decode_TemplateRegistered(log));
    if (event.template_id != template_id(spec)) {
      return internal_error(what + ": the engine registered " + to_hex(event.template_id) +
                            ", expected " + to_hex(template_id(spec)));
    }
    return event.template_id;
  }
  return data_loss(what + ": the receipt has no TemplateRegistered event");
}

}  // namespace

Result<Deployment> deploy_all(Transactor& t, const DeployOptions& options) {
  rpc::EthApi& api = t.api();
  std::filesystem::path path;
  if (!options.deployments_dir.empty()) {
    path = deployment_path(options.deployments_dir, t.chain_id());
    PACTUM_TRY(std::optional<Deployment> existing, check_existing(api, path, options));
    if (existing) return std::move(*existing);
  }

  Deployment d;
  d.chain_id = t.chain_id();
  d.deployer = t.address();
  PACTUM_TRY(eth::Address registry,
             deploy_one(t, d, options, AssetRegistry::kContractName, AssetRegistry::deploy_data()));
  PACTUM_TRY(eth::Address engine, deploy_one(t, d, options, AgreementEngine::kContractName,
                                             AgreementEngine::deploy_data(registry)));
  PACTUM_TRY(eth::Address editions,
             deploy_one(t, d, options, AssetNFT1155::kContractName,
                        AssetNFT1155::deploy_data(registry, options.nft1155_uri)));
  PACTUM_TRY(eth::Address collection,
             deploy_one(t, d, options, AssetNFT721::kContractName,
                        AssetNFT721::deploy_data(registry, options.nft721_name,
                                                 options.nft721_symbol, options.nft721_base_uri)));
  (void)editions;
  (void)collection;

  const AgreementEngine bound(engine);
  for (const auto& spec : standard_templates()) {
    PACTUM_TRY(Hash32 id, register_template(t, bound, spec));
    d.templates[spec.name] = id;
    step(options, "template " + spec.name + " = " + to_hex(id));
  }

  if (!path.empty()) {
    PACTUM_TRY_STATUS(write_deployment(path, d));
    step(options, "deployment written to " + path.string());
  }
  return d;
}

}  // namespace pactum::contracts
