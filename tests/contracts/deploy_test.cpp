// deploy_all against a real anvil: every contract deployed with code, the templates registered
// with the ids the engine reports, the deployment file written and read back; a second deploy is
// refused by name, --force replaces, `up` reuses, a stale or corrupt file is handled.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "live_chain.hpp"
#include "pactum/contracts/deployment.hpp"

namespace pactum::contracts {
namespace {

namespace fs = std::filesystem;
using testing::LiveChain;

class DeployTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(chain_.ok());
    dir_ = fs::temp_directory_path() /
           ("pactum-deploy-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<Deployment> deploy(ExistingDeployment existing) {
    Transactor deployer = chain_.account(testing::kDeployer);
    DeployOptions options;
    options.deployments_dir = dir_;
    options.existing = existing;
    return deploy_all(deployer, options);
  }

  LiveChain chain_;
  fs::path dir_;
};

TEST_F(DeployTest, DeploysEveryContractRegistersTheTemplatesAndWritesTheFile) {
  auto d = deploy(ExistingDeployment::kRefuse);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->chain_id, chain_.chain_id());
  EXPECT_EQ(d->deployer, chain_.account(testing::kDeployer).address());
  EXPECT_GT(d->block_number, 0u);
  ASSERT_EQ(d->addresses.size(), 4u);
  for (const auto& [name, address] : d->addresses) {
    auto code = chain_.api().get_code(address);
    ASSERT_TRUE(code.ok());
    EXPECT_FALSE(code->empty()) << name << " has no code";
  }
  // The registry the engine checks is the one deployed with it.
  Transactor reader = chain_.account(testing::kStranger);
  auto registry_data = AgreementEngine::encode_registry();
  ASSERT_TRUE(registry_data.ok());
  auto registry = reader.call("registry", d->agreement_engine().address(), *registry_data);
  ASSERT_TRUE(registry.ok()) << registry.error().to_string();
  auto registry_address = AgreementEngine::decode_registry_result(*registry);
  ASSERT_TRUE(registry_address.ok());
  EXPECT_EQ(*registry_address, d->asset_registry().address());

  // Each template is registered on chain with exactly the conditions of its spec.
  ASSERT_EQ(d->templates.size(), standard_templates().size());
  for (const auto& spec : standard_templates()) {
    auto id = d->template_id(spec.name);
    ASSERT_TRUE(id.ok()) << id.error().to_string();
    EXPECT_EQ(*id, template_id(spec));
    auto call = AgreementEngine::encode_getTemplate(*id);
    ASSERT_TRUE(call.ok());
    auto ret = reader.call("getTemplate", d->agreement_engine().address(), *call);
    ASSERT_TRUE(ret.ok()) << ret.error().to_string();
    auto tpl = AgreementEngine::decode_getTemplate_result(*ret);
    ASSERT_TRUE(tpl.ok()) << tpl.error().to_string();
    EXPECT_EQ(tpl->types, spec.types) << spec.name;
    EXPECT_EQ(tpl->dependencies, spec.dependencies) << spec.name;
  }
  EXPECT_EQ(d->template_id("no-such").error().code(), ErrorCode::kNotFound);

  auto file = read_deployment(deployment_path(dir_, chain_.chain_id()));
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  EXPECT_EQ(*file, *d);
}

TEST_F(DeployTest, ASecondDeployIsRefusedUnlessForcedAndReusedForUp) {
  auto first = deploy(ExistingDeployment::kRefuse);
  ASSERT_TRUE(first.ok()) << first.error().to_string();

  auto second = deploy(ExistingDeployment::kRefuse);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_NE(second.error().message().find("--force"), std::string::npos)
      << second.error().message();
  EXPECT_NE(second.error().message().find(first->agreement_engine().address().to_checksum_string()),
            std::string::npos)
      << second.error().message();

  auto reused = deploy(ExistingDeployment::kReuse);
  ASSERT_TRUE(reused.ok()) << reused.error().to_string();
  EXPECT_EQ(*reused, *first);

  auto forced = deploy(ExistingDeployment::kReplace);
  ASSERT_TRUE(forced.ok()) << forced.error().to_string();
  EXPECT_NE(forced->agreement_engine().address(), first->agreement_engine().address());
  auto file = read_deployment(deployment_path(dir_, chain_.chain_id()));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file, *forced);
}

TEST_F(DeployTest, AStaleFileIsReplacedAndACorruptOneIsNotTouched) {
  // A deployment recorded for this chain id whose contracts have no code (a reset chain).
  Deployment stale;
  stale.chain_id = chain_.chain_id();
  stale.block_number = 1;
  stale.addresses["AgreementEngine"] = eth::Address(FixedBytes<20>{0x42});
  const fs::path path = deployment_path(dir_, chain_.chain_id());
  ASSERT_TRUE(write_deployment(path, stale).ok());
  auto fresh = deploy(ExistingDeployment::kRefuse);
  ASSERT_TRUE(fresh.ok()) << fresh.error().to_string();
  EXPECT_EQ(fresh->addresses.size(), 4u);

  {
    std::ofstream out(path, std::ios::trunc);
    out << "{\"version\": 1, \"chain_id\": ";
  }
  auto corrupt = deploy(ExistingDeployment::kRefuse);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(corrupt.error().message().find(path.string()), std::string::npos)
      << corrupt.error().message();
}

TEST(DeploymentFile, RoundTripsAndNamesWhatIsMalformed) {
  Deployment d;
  d.chain_id = 31337;
  d.block_number = 7;
  d.deployer = eth::Address(FixedBytes<20>{0x01});
  d.addresses["AssetRegistry"] = eth::Address(FixedBytes<20>{0x02});
  d.templates["paid-access"] = Hash32{0x03};
  auto back = deployment_from_json(deployment_to_json(d));
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, d);

  auto bad = deployment_from_json(R"({"version":1,"chain_id":1,"block_number":1,
      "deployer":"0x12","contracts":{},"templates":{}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(bad.error().message().find("deployer"), std::string::npos) << bad.error().message();
  auto future = deployment_from_json(R"({"version":2})");
  ASSERT_FALSE(future.ok());
  EXPECT_NE(future.error().message().find("version 2"), std::string::npos);
  EXPECT_EQ(read_deployment("/nonexistent/31337.json").error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pactum::contracts
