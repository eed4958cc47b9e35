// `pactum resolve DID`: the asset's DDO from the node, checked against the chain — the owner
// (the DDO's controller) and the checksum (its metadata service) must equal getAsset(did).
// The node is trusted for nothing the chain does not confirm (docs/node-api.md, "The DDO").
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.hpp"
#include "pactum/cli/invocation.hpp"
#include "pactum/contracts/binding.hpp"
#include "pactum/contracts/deployment.hpp"
#include "pactum/rpc/eth_api.hpp"
#include "pactum/rpc/http_client.hpp"
#include "pactum/rpc/json_rpc.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::cli {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// One GET to the node. Errors: kUnavailable when it cannot be reached; kDeadlineExceeded on
// timeout; kDataLoss for a body over 16 MiB.
Result<HttpAnswer> http_get(const std::string& base_url, const std::string& path) {
  PACTUM_TRY(rpc::HttpEndpoint endpoint, rpc::parse_http_url(base_url));
  try {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    beast::error_code ec;
    auto found = resolver.resolve(endpoint.host, endpoint.port, ec);
    if (ec) return unavailable("cannot resolve " + endpoint.host + ": " + ec.message());
    stream.connect(found, ec);
    if (ec) return unavailable("cannot connect to the node at " + base_url + ": " + ec.message());
    const std::string base = endpoint.target == "/" ? "" : endpoint.target;
    http::request<http::empty_body> req(http::verb::get, base + path, 11);
    req.set(http::field::host, endpoint.host + ":" + endpoint.port);
    req.set(http::field::connection, "close");
    http::write(stream, req, ec);
    if (ec) return unavailable("node " + base_url + ": " + ec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{16} << 20);
    http::read(stream, buffer, parser, ec);
    if (ec == beast::error::timeout) return deadline_exceeded("node " + base_url + " timed out");
    if (ec == http::error::body_limit) return data_loss("node " + base_url + ": answer too large");
    if (ec) return unavailable("node " + base_url + ": " + ec.message());
    HttpAnswer answer;
    answer.status = static_cast<int>(parser.get().result_int());
    answer.body = std::move(parser.get().body());
    return answer;
  } catch (const std::exception& e) {
    return unavailable("node " + base_url + ": " + e.what());
  }
}

// The node's error document's message, else the raw body.
std::string node_message(const HttpAnswer& a) {
  auto doc = nlohmann::json::parse(a.body, nullptr, false);
  if (!doc.is_discarded() && doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
    return doc["error"].value("message", a.body);
  }
  return a.body;
}

const nlohmann::json* service_of(const nlohmann::json& ddo, std::string_view type) {
  if (!ddo.contains("service") || !ddo["service"].is_array()) return nullptr;
  for (const auto& s : ddo["service"]) {
    if (s.is_object() && s.value("type", "") == type) return &s;
  }
  return nullptr;
}

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
    PACTUM_TRY(std::string node_url, inv.node_url());
    PACTUM_TRY(std::string rpc_url, inv.rpc_url());
    PACTUM_TRY(Home home, inv.home());

    PACTUM_TRY(HttpAnswer got, http_get(node_url, "/api/v1/assets/" + did_));
    if (got.status == 404) return not_found(did_ + " is not known to the node at " + node_url);
    if (got.status == 400) return invalid_argument(node_message(got));
    if (got.status != 200) {
      return unavailable("node " + node_url + " answered " + std::to_string(got.status) + ": " +
                         node_message(got));
    }
    auto ddo = nlohmann::json::parse(got.body, nullptr, false);
    if (ddo.is_discarded() || !ddo.is_object() || ddo.value("id", "") != did_) {
      return data_loss("the node's DDO for " + did_ + " is malformed or names another DID");
    }

    // The chain's word on the owner and the checksum.
    PACTUM_TRY(auto client, rpc::RpcClient::connect_http(rpc_url));
    rpc::EthApi api(*client);
    PACTUM_TRY(std::uint64_t chain_id, api.chain_id());
    PACTUM_TRY(contracts::Deployment deployment,
               contracts::read_deployment(
                   contracts::deployment_path(home.root() / "deployments", chain_id)));
    PACTUM_TRY(auto data, contracts::AssetRegistry::encode_getAsset(did));
    rpc::CallRequest call;
    call.to = deployment.asset_registry().address();
    call.data = std::move(data);
    auto ret = api.call(call);
    if (!ret.ok()) {
      if (ret.error().code() == ErrorCode::kFailedPrecondition) {
        return not_found(did_ + " is not registered on chain " + std::to_string(chain_id));
      }
      return std::move(ret).error();
    }
    PACTUM_TRY(auto asset, contracts::AssetRegistry::decode_getAsset_result(*ret));
    const std::string controller = ddo.value("controller", "");
    const std::string owner_suffix = ":" + asset.owner.to_hex();
    auto lower = [](std::string s) {
      for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    };
    if (controller.size() < owner_suffix.size() ||
        lower(controller.substr(controller.size() - owner_suffix.size())) != lower(owner_suffix)) {
      return data_loss("the DDO's controller " + controller + " is not the on-chain owner " +
                       asset.owner.to_checksum_string());
    }
    const nlohmann::json* meta = service_of(ddo, "PactumMetadata");
    if (meta == nullptr || lower(meta->value("checksum", "")) != lower(to_hex(asset.checksum))) {
      return data_loss("the DDO's checksum differs from the on-chain checksum " +
                       to_hex(asset.checksum));
    }

    std::string human = ddo.dump(2);
    inv.emit({{"did", did_},
              {"owner", asset.owner.to_checksum_string()},
              {"checksum", to_hex(asset.checksum)},
              {"verified", true},
              {"ddo", ddo}},
             human);
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
