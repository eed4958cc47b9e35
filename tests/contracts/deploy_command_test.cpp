// `pactum deploy` in-process against a real anvil: the JSON result, the deployment file in
// <home>/deployments, the refusal of a second deploy (exit code 4, "already_exists"), --force,
// and the deploy step `pactum up` uses (which reuses a live deployment).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "deploy_command.hpp"
#include "live_chain.hpp"
#include "pactum/cli/invocation.hpp"
#include "pactum/contracts/deployment.hpp"

namespace pactum::cli {
namespace {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Outcome run_deploy(const std::vector<std::string>& args, const fs::path& home) {
  std::ostringstream out, err;
  RunContext context{Environment().with("PACTUM_HOME", home.string()),
                     {out, err, false},
                     fs::read_symlink("/proc/self/exe")};
  context.password_prompt = [](std::string_view) -> Result<std::string> {
    return unavailable("no terminal in tests");
  };
  CommandList commands;
  commands.push_back(make_deploy_command());
  Outcome o;
  o.exit_code = run(args, std::move(commands), context);
  o.out = out.str();
  o.err = err.str();
  return o;
}

class DeployCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(chain_.ok());
    std::string pattern = (fs::temp_directory_path() / "pactum-deploy-cli-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    home_ = pattern;
  }
  void TearDown() override { fs::remove_all(home_); }

  contracts::testing::LiveChain chain_;
  fs::path home_;
};

TEST_F(DeployCommandTest, DeploysRecordsRefusesASecondDeployAndForces) {
  auto first = run_deploy({"deploy", "--rpc", chain_.url(), "--as", "deployer", "--json"}, home_);
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
  auto doc = nlohmann::json::parse(first.out);
  EXPECT_EQ(doc["chain_id"], chain_.chain_id());
  EXPECT_EQ(doc["contracts"].size(), 4u);
  EXPECT_EQ(doc["templates"].size(), 5u);
  const fs::path file = home_ / "deployments" / (std::to_string(chain_.chain_id()) + ".json");
  EXPECT_EQ(doc["file"], file.string());
  auto recorded = contracts::read_deployment(file);
  ASSERT_TRUE(recorded.ok()) << recorded.error().to_string();
  EXPECT_EQ(recorded->agreement_engine().address().to_checksum_string(),
            doc["contracts"]["AgreementEngine"]);

  auto second = run_deploy({"deploy", "--rpc", chain_.url(), "--json"}, home_);
  EXPECT_EQ(second.exit_code, 4) << second.err << second.out;
  auto error = nlohmann::json::parse(second.out);
  EXPECT_EQ(error["error"]["code"], "already_exists");
  EXPECT_NE(error["error"]["message"].get<std::string>().find("--force"), std::string::npos);

  auto forced = run_deploy({"deploy", "--rpc", chain_.url(), "--force"}, home_);
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find("AgreementEngine"), std::string::npos) << forced.out;
  auto replaced = contracts::read_deployment(file);
  ASSERT_TRUE(replaced.ok());
  EXPECT_NE(replaced->agreement_engine().address(), recorded->agreement_engine().address());
}

TEST_F(DeployCommandTest, TheUpHookDeploysOnceAndThenReuses) {
  std::ostringstream out, err;
  RunContext context{Environment(), {out, err, false}, fs::read_symlink("/proc/self/exe")};
  Invocation inv(context, GlobalOptions{});
  DeployHook hook = make_deploy_hook();
  ChainInfo info{chain_.url(), chain_.chain_id(), home_};
  auto first = hook(inv, info);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  auto again = hook(inv, info);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ((*first)["contracts"], (*again)["contracts"]);
}

}  // namespace
}  // namespace pactum::cli
