// Deploying Pactum's contracts to a chain, and the deployment file that records where they are.
//
// deploy_all() creates, in order, AssetRegistry, AgreementEngine(registry), AssetNFT1155(registry,
// uri) and AssetNFT721(registry, name, symbol, base uri) from the creation code compiled into the
// generated bindings, then registers the standard agreement templates, and writes
// <deployments_dir>/<chain id>.json. By default ($PACTUM_HOME/deployments, chosen by the CLI) a
// chain holds one deployment: a second deploy to a chain whose recorded contracts still have code
// there is refused with kAlreadyExists, unless the caller asks to replace it (`--force`) or to
// reuse it (`pactum up` on a restarted chain).
//
// Architecture invariant: the deployment file is the only JSON this library reads or writes;
// the rest of Pactum gets a Deployment value.
//
// Thread safety: functions over values, files and the given sender; a Deployment is a value.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/contracts/agreement_engine.hpp"
#include "pactum/contracts/asset_nft1155.hpp"
#include "pactum/contracts/asset_nft721.hpp"
#include "pactum/contracts/asset_registry.hpp"
#include "pactum/contracts/transactor.hpp"
#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/rpc/eth_api.hpp"

namespace pactum::contracts {

// One of the standard agreement templates: its name in the deployment file and its conditions.
struct TemplateSpec {
  std::string name;  // "paid-access", ...
  std::vector<AgreementEngine::ConditionType> types;
  std::vector<std::uint8_t> dependencies;  // bitmask of the earlier conditions each waits on
};

// The five templates every deployment registers, in this order (as contracts/test/utils/
// Fixture.sol registers them):
//   paid-access      LockPayment → Access → EscrowPayment(lock, access)
//   paid-compute     LockPayment → ComputeExecution → EscrowPayment(lock, compute)
//   nft-sale         LockPayment → NftTransfer → EscrowPayment(lock, transfer)
//   nft-access       NftHolder → Access
//   allow-listed-access  AllowList → Access
[[nodiscard]] const std::vector<TemplateSpec>& standard_templates();

// The template id registerTemplate(types, dependencies) returns: keccak256(abi.encode(types,
// dependencies)), computed locally.
[[nodiscard]] Hash32 template_id(const TemplateSpec& spec);

// Where the contracts of one chain are.
struct Deployment {
  std::uint64_t chain_id = 0;
  eth::Address deployer;
  // The block of the first contract creation: where an indexer starts reading logs.
  std::uint64_t block_number = 0;
  // By contract name ("AssetRegistry", "AgreementEngine", "AssetNFT1155", "AssetNFT721").
  std::map<std::string, eth::Address> addresses;
  // By template name ("paid-access", ...; see standard_templates()).
  std::map<std::string, Hash32> templates;

  // Typed handles. REQUIRES: the contract is in `addresses` (a zero address otherwise).
  [[nodiscard]] AssetRegistry asset_registry() const;
  [[nodiscard]] AgreementEngine agreement_engine() const;
  [[nodiscard]] AssetNFT1155 asset_nft1155() const;
  [[nodiscard]] AssetNFT721 asset_nft721() const;
  // The id of template `name`. Errors: kNotFound naming the templates there are.
  [[nodiscard]] Result<Hash32> template_id(std::string_view name) const;

  friend bool operator==(const Deployment&, const Deployment&) = default;
};

// The deployment file's JSON text:
//   {"version":1,"chain_id":31337,"deployer":"0x…","block_number":1,
//    "contracts":{"AgreementEngine":"0x…",…},"templates":{"paid-access":"0x…",…}}
[[nodiscard]] std::string deployment_to_json(const Deployment& deployment);
// Parses it back. Errors: kDataLoss naming the member that is missing or malformed.
[[nodiscard]] Result<Deployment> deployment_from_json(std::string_view text);

// <deployments_dir>/<chain_id>.json
[[nodiscard]] std::filesystem::path deployment_path(const std::filesystem::path& deployments_dir,
                                                    std::uint64_t chain_id);
// Reads a deployment file. Errors: kNotFound when it does not exist; kPermissionDenied when it
// cannot be read; kDataLoss (naming the file) when it does not parse.
[[nodiscard]] Result<Deployment> read_deployment(const std::filesystem::path& path);
// Writes it atomically (a temporary file renamed over it), creating the directory.
// Errors: kPermissionDenied / kUnavailable when the directory or file cannot be written.
[[nodiscard]] Status write_deployment(const std::filesystem::path& path,
                                      const Deployment& deployment);

// Whether every contract of `deployment` has code on the chain `api` talks to (a chain restarted
// without its state has none). Errors: those of EthApi::chain_id / get_code; kFailedPrecondition
// when the node's chain id differs from the deployment's.
[[nodiscard]] Result<bool> deployment_is_live(rpc::EthApi& api, const Deployment& deployment);

// What deploy_all does when the chain has a live deployment recorded already.
enum class ExistingDeployment {
  kRefuse,   // fail with kAlreadyExists (the default: `pactum deploy`)
  kReuse,    // return the recorded deployment unchanged (`pactum up` on a kept chain)
  kReplace,  // deploy a new set and overwrite the file (`pactum deploy --force`)
};

struct DeployOptions {
  // Where the deployment file goes (<dir>/<chain id>.json); empty: no file is read or written.
  std::filesystem::path deployments_dir;
  ExistingDeployment existing = ExistingDeployment::kRefuse;
  // Constructor arguments of the NFT contracts.
  std::string nft1155_uri = "pactum://nft/{id}.json";
  std::string nft721_name = "Pactum Assets";
  std::string nft721_symbol = "PACT";
  std::string nft721_base_uri = "pactum://nft/";
  // Called with a line per step ("AssetRegistry at 0x…"), for progress output; may be empty.
  std::function<void(std::string_view)> on_step;
};

// Deploys everything (see the file comment) from the transactor's account and registers the
// templates. Returns the deployment, also written to the deployment file when a directory is set.
// Errors: kAlreadyExists (naming the file and `--force`) for a live recorded deployment under
//   kRefuse; kDataLoss for a deployment file that does not parse (not overwritten unless
//   kReplace); kFailedPrecondition for a reverted transaction (its custom error named); those of
//   the transactor and of write_deployment.
[[nodiscard]] Result<Deployment> deploy_all(Transactor& transactor, const DeployOptions& options);

// Describes revert data from any Pactum contract: "ErrorName(arg=value, …)" for a custom error
// of one of them; the reason of Error(string); "panic 0x11 (…)" for Panic(uint256); nullopt for
// data that is none of those.
[[nodiscard]] std::optional<std::string> describe_revert(ByteView revert_data);

// A gas limit that always suffices for a transaction calling AgreementEngine.releasePayment with
// `calldata_bytes` of calldata for a payment to `receivers` receivers, whatever they do with their
// pushes (each push gets PUSH_GAS and a push that fails is deferred, so the cost is bounded):
// intrinsic 21,000 + 16 per calldata byte + 60,000 + 170,000 per receiver. For a release sent
// right behind the fulfillAccess it depends on, before that is mined, when the chain cannot
// estimate it. contracts/test/Payouts.t.sol checks the execution part (60,000 + 170,000 n) with
// one and with eight receivers that burn all their gas; unused gas is not paid for.
[[nodiscard]] std::uint64_t release_payment_gas_bound(std::size_t receivers,
                                                      std::size_t calldata_bytes) noexcept;

}  // namespace pactum::contracts
