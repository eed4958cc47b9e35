// docs/openapi.json documents exactly the routes a real node registers: the system routes of
// NodeDaemon and NodeService's asset API, compared both ways (method and path pattern).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "contracts/live_chain.hpp"
#include "pactum/node/node_daemon.hpp"
#include "pactum/node/node_service.hpp"
#include "pactum/server/openapi.hpp"
#include "pactum/store/asset_store.hpp"

namespace pactum::node {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(OpenApiRoutes, EveryRouteOfARealNodeIsDocumentedAndEveryDocumentedOperationHasARoute) {
  // The service needs a chain only for its transactor; creating it sends nothing.
  contracts::testing::LiveChain chain;
  ASSERT_TRUE(chain.ok());
  char tmpl[] = "/tmp/pactum-openapi-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir = tmpl;
  {
    store::SqliteStoreOptions so;
    so.directory = (dir / "store").string();
    so.master_key = store::MasterKey::generate().value();
    auto store = store::open_sqlite_asset_store(std::move(so));
    ASSERT_TRUE(store.ok()) << store.error().to_string();
    contracts::Transactor key = chain.account(contracts::testing::kProvider);
    NodeServiceConfig config;
    config.chain_id = chain.chain_id();
    config.deployment.chain_id = chain.chain_id();
    config.deployment.addresses = {{"AgreementEngine", eth::Address()},
                                   {"AssetRegistry", eth::Address()}};
    config.deployment.templates = {{"paid-access", Hash32{}}};
    config.data_dir = (dir / "node").string();
    auto service = NodeService::create(**store, chain.api(), key, std::move(config));
    ASSERT_TRUE(service.ok()) << service.error().to_string();

    server::MemoryLogger logger;
    NodeDaemon daemon(NodeSettings{}, logger, "test", (*service)->address().to_checksum_string());
    (*service)->add_routes(daemon.router());

    std::set<std::pair<std::string, std::string>> routes;
    for (const auto& r : daemon.router().routes()) routes.emplace(lower(r.method), r.pattern);
    std::set<std::pair<std::string, std::string>> documented;
    auto doc = nlohmann::json::parse(server::openapi_document());
    static const std::set<std::string> kMethods = {"get",     "put",  "post",  "delete",
                                                   "options", "head", "patch", "trace"};
    for (const auto& [path, item] : doc["paths"].items()) {
      for (const auto& [method, op] : item.items()) {
        if (kMethods.contains(method)) documented.emplace(method, path);
      }
    }
    for (const auto& r : routes) {
      EXPECT_TRUE(documented.contains(r)) << "route not documented: " << r.first << " " << r.second;
    }
    for (const auto& d : documented) {
      EXPECT_TRUE(routes.contains(d)) << "documented but no route: " << d.first << " " << d.second;
    }
    EXPECT_EQ(routes.size(), 10u);  // 4 system routes + 6 of the asset API

    // Every signed operation documents both headers and the 401 it answers without them.
    for (const auto& [path, item] : doc["paths"].items()) {
      for (const auto& [method, op] : item.items()) {
        if (!path.starts_with("/api/v1/") || op["operationId"] == "listAssets" ||
            op["operationId"] == "resolveAsset") {
          continue;
        }
        std::set<std::string> refs;
        for (const auto& p : op["parameters"]) refs.insert(p.value("$ref", ""));
        EXPECT_TRUE(refs.contains("#/components/parameters/PactumRequest")) << method << path;
        EXPECT_TRUE(refs.contains("#/components/parameters/PactumSignature")) << method << path;
        EXPECT_TRUE(op["responses"].contains("401")) << method << " " << path;
      }
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace pactum::node
