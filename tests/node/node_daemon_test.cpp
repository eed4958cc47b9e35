// NodeDaemon: the settings' HTTP server with the system routes, before the node adds its own.
#include "pactum/node/node_daemon.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "pactum/server/log.hpp"
#include "support/net/test_client.hpp"

namespace pactum::node {
namespace {

TEST(NodeDaemonTest, ServesHealthOnAnAnyPortAndStops) {
  NodeSettings s;
  s.http_port = 0;
  s.http_threads = 1;
  s.chain_id = 5;
  s.data_dir =
      std::filesystem::temp_directory_path() / ("pactum-daemon-" + std::to_string(::getpid()));
  server::MemoryLogger logger;
  NodeDaemon daemon(s, logger, "1.2.3");
  ASSERT_TRUE(daemon.start().ok());
  EXPECT_TRUE(std::filesystem::is_directory(s.data_dir));
  {
    server::testing::TestClient c(daemon.port());
    auto r = c.get("/health");
    ASSERT_TRUE(r);
    auto j = nlohmann::json::parse(r->body());
    EXPECT_EQ(j["version"], "1.2.3");
    EXPECT_EQ(j["chain_id"], 5);
  }
  daemon.stop();
  std::filesystem::remove_all(s.data_dir);
}

}  // namespace
}  // namespace pactum::node
