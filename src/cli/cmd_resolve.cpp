// `pactum resolve DID`: the asset's DDO from the node, checked against the chain — the owner
// (the DDO's controller) and the checksum (its metadata service) must equal getAsset(did).
// The node is trusted for nothing the chain does not confirm (docs/node-api.md, "The DDO");
// the checks are pactum::client's (Client::resolve).
#include <nlohmann/json.hpp>
#include <string>

#include "client_session.hpp"
#include "commands.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::cli {
namespace {

class ResolveCommand final : public Command {
 public:
  std::string name() const override { return "resolve"; }
  std::string summary() const override {
    return "Show an asset's DDO, checked against the chain (owner and checksum)";
  }
  void configure(CLI::App& sub) override {
    sub.add_option("DID", did_, "The asset's DID (did:pactum:0x…)")->required();
  }
  Status run(Invocation& inv) override {
    PACTUM_TRY(Hash32 did, sdk::parse_did(did_));
    PACTUM_TRY(ClientSession session, open_client_session(inv, std::nullopt));
    PACTUM_TRY(client::ResolvedAsset asset, session.client->resolve(did));
    const auto ddo = nlohmann::json::parse(asset.ddo_json);
    inv.emit({{"did", sdk::format_did(did)},
              {"owner", asset.owner.to_checksum_string()},
              {"checksum", to_hex(asset.checksum)},
              {"verified", true},
              {"ddo", ddo}},
             ddo.dump(2));
    return ok_status();
  }

 private:
  std::string did_;
};

}  // namespace

std::unique_ptr<Command> make_resolve_command() {
  return std::make_unique<ResolveCommand>();
}

}  // namespace pactum::cli
