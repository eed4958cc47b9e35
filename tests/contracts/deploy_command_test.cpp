// `pactum deploy` in-process against a real anvil: the JSON result, the deployment file in
// <home>/deployments, the refusal of a second deploy (exit code 4, "already_exists"), --force,
// and the deploy step `pactum up` uses (which reuses a live deployment).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "deploy_command.hpp"
#include "live_chain.hpp"
#include "pactum/cli/invocation.hpp"
#include "pactum/contracts/deployment.hpp"
#include "pactum/eth/keystore.hpp"
#include "support/process.hpp"

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

// #19: the dev accounts' keys are published; off the local chain (here anvil with chain id 1338)
// a deploy that would use one, by --as or by default, is refused before it sends anything,
// unless --allow-dev-keys says so; the user's own key (`pactum key import`, --key NAME) deploys.
TEST(DeployOffTheLocalChain, DevAccountsAreRefusedUnlessAllowed) {
  contracts::testing::LiveChain chain({"--chain-id", "1338"});
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain.chain_id(), 1338u);
  std::string pattern = (fs::temp_directory_path() / "pactum-deploy-cli-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path home = pattern;
  const fs::path file = home / "deployments" / "1338.json";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"deploy", "--rpc", chain.url(), "--as", "deployer", "--json"},
        std::vector<std::string>{"deploy", "--rpc", chain.url(), "--json"}}) {
    auto refused = run_deploy(args, home);
    EXPECT_EQ(refused.exit_code, 7) << refused.err << refused.out;
    auto doc = nlohmann::json::parse(refused.out);
    EXPECT_EQ(doc["error"]["code"], "failed_precondition");
    const std::string message = doc["error"]["message"];
    EXPECT_NE(message.find("chain's id is 1338"), std::string::npos) << message;
    EXPECT_NE(message.find("pactum key new"), std::string::npos) << message;
    EXPECT_FALSE(fs::exists(file));
  }
  auto allowed =
      run_deploy({"deploy", "--rpc", chain.url(), "--as", "deployer", "--allow-dev-keys"}, home);
  ASSERT_EQ(allowed.exit_code, 0) << allowed.err << allowed.out;
  EXPECT_TRUE(fs::exists(file));

  // A keystore of one's own: no flag needed (anvil funds the dev accounts, so dev key 0 in a
  // keystore is the user's key here; what matters is that it came through --key).
  eth::KeystoreOptions light;
  light.scrypt_n = 1 << 4;
  auto key = eth::PrivateKey::from_hex(pactum::testing::AnvilProcess::dev_private_keys()[0]);
  ASSERT_TRUE(key.ok());
  auto json = eth::encrypt_keystore(*key, "pw", light);
  ASSERT_TRUE(json.ok());
  const fs::path keystore = home / "own.json";
  std::ofstream(keystore) << *json;
  std::ostringstream out, err;
  RunContext context{
      Environment().with("PACTUM_HOME", home.string()).with("PACTUM_KEY_PASSWORD", "pw"),
      {out, err, false},
      fs::read_symlink("/proc/self/exe")};
  CommandList commands;
  commands.push_back(make_deploy_command());
  const int code = run({"deploy", "--rpc", chain.url(), "--key", keystore.string(), "--force"},
                       std::move(commands), context);
  EXPECT_EQ(code, 0) << err.str() << out.str();
  fs::remove_all(home);
}

}  // namespace
}  // namespace pactum::cli
