// The deployment file, the standard templates and the liveness check: everything of
// deployment.hpp that does not send transactions.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "pactum/contracts/deployment.hpp"
#include "pactum/eth/keccak.hpp"
#include "pactum/rpc/json_rpc.hpp"

namespace pactum::contracts {
namespace {

using nlohmann::json;
using CT = AgreementEngine::ConditionType;

constexpr int kDeploymentFileVersion = 1;

Error malformed(std::string_view what) {
  return data_loss(std::string("deployment file: ") + std::string(what));
}

Result<eth::Address> address_member(const json& object, const std::string& key,
                                    std::string_view where) {
  if (!object.contains(key) || !object[key].is_string()) {
    return malformed(std::string(where) + " \"" + key + "\" is missing or not a string");
  }
  auto address = eth::Address::parse(object[key].get<std::string>());
  if (!address.ok()) {
    return malformed(std::string(where) + " \"" + key + "\": " + address.error().message());
  }
  return address.value();
}

Result<std::uint64_t> u64_member(const json& object, const std::string& key) {
  if (!object.contains(key) || !object[key].is_number_unsigned()) {
    return malformed("\"" + key + "\" is missing or not a non-negative integer");
  }
  return object[key].get<std::uint64_t>();
}

}  // namespace

const std::vector<TemplateSpec>& standard_templates() {
  // lock → gate → escrow(lock, gate); check → access(check). Fixture.sol registers the same.
  static const std::vector<TemplateSpec> kTemplates = {
      {"paid-access", {CT::kLockPayment, CT::kAccess, CT::kEscrowPayment}, {0x00, 0x01, 0x03}},
      {"paid-compute",
       {CT::kLockPayment, CT::kComputeExecution, CT::kEscrowPayment},
       {0x00, 0x01, 0x03}},
      {"nft-sale", {CT::kLockPayment, CT::kNftTransfer, CT::kEscrowPayment}, {0x00, 0x01, 0x03}},
      {"nft-access", {CT::kNftHolder, CT::kAccess}, {0x00, 0x01}},
      {"allow-listed-access", {CT::kAllowList, CT::kAccess}, {0x00, 0x01}},
  };
  return kTemplates;
}

Hash32 template_id(const TemplateSpec& spec) {
  static const std::vector<eth::AbiType> kTypes = binding::parse_types("uint8[],uint8[]");
  const std::vector<eth::AbiValue> values{binding::to_abi(spec.types, kTypes[0]),
                                          binding::to_abi(spec.dependencies, kTypes[1])};
  auto encoded = eth::abi_encode(kTypes, values);
  // uint8 values always fit uint8: the encoding cannot fail.
  return eth::keccak256(encoded.ok() ? ByteView(*encoded) : ByteView());
}

AssetRegistry Deployment::asset_registry() const {
  auto it = addresses.find(std::string(AssetRegistry::kContractName));
  return AssetRegistry(it == addresses.end() ? eth::Address() : it->second);
}
AgreementEngine Deployment::agreement_engine() const {
  auto it = addresses.find(std::string(AgreementEngine::kContractName));
  return AgreementEngine(it == addresses.end() ? eth::Address() : it->second);
}
AssetNFT1155 Deployment::asset_nft1155() const {
  auto it = addresses.find(std::string(AssetNFT1155::kContractName));
  return AssetNFT1155(it == addresses.end() ? eth::Address() : it->second);
}
AssetNFT721 Deployment::asset_nft721() const {
  auto it = addresses.find(std::string(AssetNFT721::kContractName));
  return AssetNFT721(it == addresses.end() ? eth::Address() : it->second);
}

Result<Hash32> Deployment::template_id(std::string_view name) const {
  auto it = templates.find(std::string(name));
  if (it != templates.end()) return it->second;
  std::string known;
  for (const auto& [n, id] : templates) known += (known.empty() ? "" : ", ") + n;
  return not_found("no template \"" + std::string(name) +
                   "\" in the deployment (it has: " + (known.empty() ? "none" : known) + ")");
}

std::string deployment_to_json(const Deployment& d) {
  json contracts = json::object();
  for (const auto& [name, address] : d.addresses) contracts[name] = address.to_checksum_string();
  json templates = json::object();
  for (const auto& [name, id] : d.templates) templates[name] = to_hex(id);
  json doc = {{"version", kDeploymentFileVersion},
              {"chain_id", d.chain_id},
              {"deployer", d.deployer.to_checksum_string()},
              {"block_number", d.block_number},
              {"contracts", contracts},
              {"templates", templates}};
  return doc.dump(2) + "\n";
}

Result<Deployment> deployment_from_json(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return malformed("not a JSON object");
  PACTUM_TRY(std::uint64_t version, u64_member(doc, "version"));
  if (version != kDeploymentFileVersion) {
    return malformed("version " + std::to_string(version) + " is not supported (expected " +
                     std::to_string(kDeploymentFileVersion) + ")");
  }
  Deployment d;
  PACTUM_TRY(d.chain_id, u64_member(doc, "chain_id"));
  PACTUM_TRY(d.block_number, u64_member(doc, "block_number"));
  PACTUM_TRY(d.deployer, address_member(doc, "deployer", "member"));
  if (!doc.contains("contracts") || !doc["contracts"].is_object()) {
    return malformed("\"contracts\" is missing or not an object");
  }
  for (const auto& [name, value] : doc["contracts"].items()) {
    PACTUM_TRY(d.addresses[name], address_member(doc["contracts"], name, "contract"));
  }
  if (!doc.contains("templates") || !doc["templates"].is_object()) {
    return malformed("\"templates\" is missing or not an object");
  }
  for (const auto& [name, value] : doc["templates"].items()) {
    if (!value.is_string()) return malformed("template \"" + name + "\" is not a string");
    auto id = fixed_from_hex<32>(value.get<std::string>());
    if (!id.ok()) return malformed("template \"" + name + "\": " + id.error().message());
    d.templates[name] = id.value();
  }
  return d;
}

std::filesystem::path deployment_path(const std::filesystem::path& deployments_dir,
                                      std::uint64_t chain_id) {
  return deployments_dir / (std::to_string(chain_id) + ".json");
}

Result<Deployment> read_deployment(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return not_found("no deployment file " + path.string());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return permission_denied("cannot read the deployment file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  auto d = deployment_from_json(text.str());
  if (!d.ok()) return d.error().with_context(path.string());
  return d;
}

Status write_deployment(const std::filesystem::path& path, const Deployment& deployment) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return permission_denied("cannot create " + path.parent_path().string() + ": " + ec.message());
  }
  // Written beside and renamed over: a reader never sees half a file.
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      return permission_denied("cannot write " + tmp.string() + ": " + std::strerror(errno));
    out << deployment_to_json(deployment);
    out.flush();
    if (!out) return unavailable("writing " + tmp.string() + " failed: " + std::strerror(errno));
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return unavailable("cannot rename " + tmp.string() + " to " + path.string() + ": " +
                       ec.message());
  return ok_status();
}

Result<bool> deployment_is_live(rpc::EthApi& api, const Deployment& deployment) {
  PACTUM_TRY(std::uint64_t chain_id, api.chain_id());
  if (chain_id != deployment.chain_id) {
    return failed_precondition("the node serves chain " + std::to_string(chain_id) +
                               ", the deployment is for chain " +
                               std::to_string(deployment.chain_id));
  }
  if (deployment.addresses.empty()) return false;
  for (const auto& [name, address] : deployment.addresses) {
    PACTUM_TRY(Bytes code, api.get_code(address));
    if (code.empty()) return false;
  }
  return true;
}

std::uint64_t release_payment_gas_bound(std::size_t receivers,
                                        std::size_t calldata_bytes) noexcept {
  constexpr std::uint64_t kIntrinsic = 21'000;
  constexpr std::uint64_t kPerCalldataByte = 16;  // the non-zero byte price, for every byte
  constexpr std::uint64_t kExecutionBase = 60'000;
  constexpr std::uint64_t kPerReceiver = 170'000;  // PUSH_GAS 100,000 + the CALL and a deferral
  return kIntrinsic + kPerCalldataByte * calldata_bytes + kExecutionBase + kPerReceiver * receivers;
}

std::optional<std::string> describe_revert(ByteView revert_data) {
  if (auto d = AgreementEngine::describe_error(revert_data)) return d;
  if (auto d = AssetRegistry::describe_error(revert_data)) return d;
  if (auto d = AssetNFT1155::describe_error(revert_data)) return d;
  if (auto d = AssetNFT721::describe_error(revert_data)) return d;
  return rpc::decode_revert_reason(revert_data);
}

}  // namespace pactum::contracts
