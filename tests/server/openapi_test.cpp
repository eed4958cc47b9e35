// docs/openapi.json, as embedded, documents exactly the routes pactumd registers.
#include "pactum/server/openapi.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "pactum/server/daemon.hpp"

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

TEST(OpenApi, EveryRouteIsDocumentedAndEveryDocumentedPathHasARoute) {
  MemoryLogger logger;
  NodeDaemon daemon(NodeSettings{}, logger, "test");
  std::set<std::pair<std::string, std::string>> routes;
  for (const auto& r : daemon.router().routes()) routes.emplace(lower(r.method), r.pattern);
  std::set<std::pair<std::string, std::string>> documented;
  auto doc = nlohmann::json::parse(openapi_document());
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
  EXPECT_GE(routes.size(), 3u);
}

}  // namespace
}  // namespace pactum::server
