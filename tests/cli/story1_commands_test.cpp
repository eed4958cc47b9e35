// publish / order / recover / download / status: argument errors are usage errors (2) found before
// anything is contacted; a missing file or an agreement never ordered here is not_found (3); an
// unreachable chain is unavailable (10). The commands' live runs are tests/integration.
#include <gtest/gtest.h>

#include <fstream>

#include "cli_test_util.hpp"
#include "pactum/cli/exit_codes.hpp"

namespace pactum::cli::testing {
namespace {

const std::string kDid = "did:pactum:0x" + std::string(62, '0') + "ab";
const std::string kAgreement = "0x" + std::string(62, '0') + "cd";
const std::string kMarket = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

class Story1CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = (dir_.path() / "data.bin").string();
    std::ofstream(file_) << "some bytes";
  }
  Environment env() const {
    // Nothing listens on port 1: a command that gets as far as the chain fails with 10.
    return Environment({{"PACTUM_HOME", (dir_.path() / "home").string()},
                        {"HOME", "/nonexistent"},
                        {"PACTUM_RPC", "http://127.0.0.1:1"},
                        {"PACTUM_NODE", "http://127.0.0.1:1"}});
  }
  InProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), "--json");
    return run_in_process(args, env());
  }
  static void expect_error(const InProcessResult& r, int status, const std::string& code,
                           const std::string& fragment = "") {
    EXPECT_EQ(r.exit_code, status) << r.out << r.err;
    ASSERT_NO_THROW((void)r.json()) << r.out;
    EXPECT_EQ(r.json()["error"]["code"], code) << r.out;
    if (!fragment.empty()) {
      EXPECT_NE(r.json()["error"]["message"].get<std::string>().find(fragment), std::string::npos)
          << r.out;
    }
    EXPECT_TRUE(r.err.empty()) << r.err;
  }

  TempDir dir_;
  std::string file_;
};

TEST_F(Story1CommandsTest, PublishArgumentErrors) {
  expect_error(run({"publish"}), 2, "invalid_argument");
  expect_error(run({"publish", file_}), 2, "invalid_argument", "--price");
  for (const std::string& bad :
       std::vector<std::string>{"abc", "-1", "1.5", "0.1.2eth", "1e18", std::string(200, '9')}) {
    expect_error(run({"publish", file_, "--price", bad}), 2, "invalid_argument", "--price");
  }
  expect_error(run({"publish", file_, "--price", "1eth", "--fee", "nocolon"}), 2,
               "invalid_argument", "ADDR:AMOUNT");
  expect_error(run({"publish", file_, "--price", "1eth", "--fee", "0x1234:1eth"}), 2,
               "invalid_argument", "--fee");
  expect_error(run({"publish", file_, "--price", "1eth", "--fee", kMarket + ":lots"}), 2,
               "invalid_argument", "--fee amount");
  expect_error(run({"publish", file_, "--price", "1eth", "--token", "../../etc"}), 2,
               "invalid_argument", "--token");
  std::vector<std::string> many = {"publish", file_, "--price", "1eth"};
  for (int i = 0; i < 8; ++i) {
    many.push_back("--fee");
    many.push_back(kMarket + ":1wei");
  }
  expect_error(run(many), 2, "invalid_argument", "at most 7");
  expect_error(run({"publish", file_, "--price", "1eth", "--access-timeout", "0"}), 2,
               "invalid_argument", "--access-timeout");
  expect_error(run({"publish", file_, "--price", "1eth", "--as", "nobody"}), 2, "invalid_argument");
}

TEST_F(Story1CommandsTest, PublishFileErrorsBeforeAnythingIsContacted) {
  expect_error(run({"publish", (dir_.path() / "missing.bin").string(), "--price", "1eth"}), 3,
               "not_found", "no such file");
  expect_error(run({"publish", dir_.path().string(), "--price", "1eth"}), 2, "invalid_argument",
               "directory");
}

TEST_F(Story1CommandsTest, PublishWithoutAChainIsUnavailable) {
  expect_error(run({"publish", file_, "--price", "0.25eth", "--fee", kMarket + ":0.01eth"}), 10,
               "unavailable");
}

TEST_F(Story1CommandsTest, OrderArgumentErrors) {
  expect_error(run({"order"}), 2, "invalid_argument");
  for (const std::string& bad : {std::string("not-a-did"), std::string("../../etc/passwd"),
                                 "did:pactum:0x" + std::string(5000, 'a')}) {
    expect_error(run({"order", bad}), 2, "invalid_argument", "is not a DID");
  }
  expect_error(run({"order", kDid}), 10, "unavailable");
}

TEST_F(Story1CommandsTest, DownloadAndStatusArgumentErrors) {
  expect_error(run({"download", kAgreement}), 2, "invalid_argument", "--output");
  expect_error(run({"download"}), 2, "invalid_argument");
  expect_error(run({"status"}), 2, "invalid_argument");
  for (const std::string& bad :
       {std::string("1234"), std::string("../../etc/passwd"), "0x" + std::string(5000, 'a'),
        "0x" + std::string(63, 'a') + "z"}) {
    expect_error(run({"download", bad, "-o", "out.bin"}), 2, "invalid_argument",
                 "not an agreement id");
    expect_error(run({"status", bad}), 2, "invalid_argument", "not an agreement id");
  }
}

TEST_F(Story1CommandsTest, RefundArgumentErrors) {
  expect_error(run({"refund"}), 2, "invalid_argument");
  for (const std::string& bad : {std::string("1234"), std::string("../../etc/passwd"),
                                 "0x" + std::string(5000, 'a'), std::string("pending")}) {
    expect_error(run({"refund", bad}), 2, "invalid_argument", "not an agreement id");
  }
  // Never ordered here: found out before the chain is asked.
  expect_error(run({"refund", kAgreement}), 3, "not_found", "pactum order");
}

TEST_F(Story1CommandsTest, RecoverArgumentErrors) {
  for (const std::string& bad : {std::string("1234"), std::string("../../etc/passwd"),
                                 "0x" + std::string(5000, 'a'), std::string("pending")}) {
    expect_error(run({"recover", bad}), 2, "invalid_argument", "neither an agreement id");
  }
  expect_error(run({"recover", "did:pactum:0x12"}), 2, "invalid_argument", "is not a DID");
  expect_error(run({"recover", kAgreement, "--wait", "-1"}), 2, "invalid_argument");
  expect_error(run({"order", kDid, "--wait", "0"}), 2, "invalid_argument");
  // Never ordered here: found out before the chain is asked.
  expect_error(run({"recover", kAgreement}), 3, "not_found", "pactum order");
  // Every pending agreement of the home: the chain is needed.
  expect_error(run({"recover"}), 10, "unavailable");
}

TEST_F(Story1CommandsTest, AnAgreementNeverOrderedHereIsNotFound) {
  expect_error(run({"download", kAgreement, "-o", (dir_.path() / "out.bin").string()}), 3,
               "not_found", "pactum order");
  expect_error(run({"status", kAgreement}), 3, "not_found", "pactum order");
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "out.bin"));
}

TEST_F(Story1CommandsTest, HumanErrorsGoToStderr) {
  auto r = run_in_process({"order", "nope"}, env());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace
}  // namespace pactum::cli::testing
