// docs/openapi.json, as embedded, is the file in the repository and documents the system routes.
// That it documents exactly the routes a real node registers (the system routes and the asset
// API) is checked in tests/node/openapi_routes_test.cpp, where NodeService can be built.
#include "pactum/server/openapi.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "pactum/server/system_routes.hpp"

namespace pactum::server {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(OpenApi, EmbeddedDocumentIsTheFileInTheRepository) {
  std::ifstream in(std::string(PACTUM_SOURCE_DIR) + "/docs/openapi.json", std::ios::binary);
  ASSERT_TRUE(in);
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_EQ(openapi_document(), file.str());
}

TEST(OpenApi, ParsesAsOpenApi3) {
  auto doc = nlohmann::json::parse(openapi_document());
  EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.0.", 0), 0u);
  EXPECT_TRUE(doc["info"].contains("title"));
  EXPECT_TRUE(doc["info"].contains("version"));
  EXPECT_TRUE(doc["paths"].is_object());
  // Every operation has an operationId and at least one response.
  std::set<std::string> ids;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      ASSERT_TRUE(op.contains("operationId")) << method << " " << path;
      EXPECT_TRUE(ids.insert(op["operationId"]).second) << "duplicate " << op["operationId"];
      EXPECT_FALSE(op["responses"].empty()) << method << " " << path;
    }
  }
}

TEST(OpenApi, EverySystemRouteIsDocumented) {
  MetricsRegistry metrics;
  Router router;
  add_system_routes(router, SystemInfo{"pactumd", "test"}, metrics);
  auto doc = nlohmann::json::parse(openapi_document());
  std::size_t routes = 0;
  for (const auto& r : router.routes()) {
    ++routes;
    ASSERT_TRUE(doc["paths"].contains(r.pattern)) << "route not documented: " << r.pattern;
    EXPECT_TRUE(doc["paths"][r.pattern].contains(lower(r.method)))
        << "route not documented: " << r.method << " " << r.pattern;
  }
  EXPECT_EQ(routes, 4u);
}

// /health is liveness (200, "degraded" when a check fails), /ready readiness (503 then).
TEST(SystemRoutes, HealthReportsChecksAndReadyFailsWhenOneFails) {
  MetricsRegistry metrics;
  bool disk_ok = true;
  Router router;
  SystemInfo info;
  info.checks = [&disk_ok] {
    return std::vector<HealthCheck>{{"disk", disk_ok, disk_ok ? "1 GiB free" : "0 bytes free"},
                                    {"chain", true, "block 7"}};
  };
  add_system_routes(router, info, metrics);
  auto answer = [&router](const std::string& path) {
    std::map<std::string, std::string, std::less<>> params;
    auto m = router.match("GET", path, params);
    EXPECT_NE(m.route, nullptr) << path;
    Request request;
    return m.route->handler(request).value();
  };
  for (bool ok : {true, false}) {
    disk_ok = ok;
    Response health = answer("/health");
    Response ready = answer("/ready");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(ready.status, ok ? 200 : 503);
    auto body = nlohmann::json::parse(health.body);
    EXPECT_EQ(body["status"], ok ? "ok" : "degraded");
    EXPECT_EQ(body["checks"]["disk"]["ok"], ok);
    EXPECT_EQ(body["checks"]["disk"]["detail"], ok ? "1 GiB free" : "0 bytes free");
    EXPECT_EQ(body["checks"]["chain"]["ok"], true);
    auto ready_body = nlohmann::json::parse(ready.body);
    ready_body.erase("uptime_seconds");  // may have ticked between the two calls
    body.erase("uptime_seconds");
    EXPECT_EQ(ready_body, body);
  }
}

}  // namespace
}  // namespace pactum::server
