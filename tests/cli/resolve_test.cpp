// `pactum resolve DID`: a malformed DID is a usage error before anything is contacted; a node
// that does not answer is `unavailable`; against a real local stack (`up --detach`), a DID
// nobody published is `not_found`. (Resolving a published asset is covered with `publish`.)
#include <gtest/gtest.h>

#include "cli_test_util.hpp"
#include "pactum/cli/exit_codes.hpp"

namespace pactum::cli::testing {
namespace {

const std::string kUnknownDid = "did:pactum:0x" + std::string(62, '0') + "ab";

class ResolveTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (started_) (void)run_pactum({"--home", home(), "down", "--timeout", "2"});
  }
  std::string home() const { return (dir_.path() / "home").string(); }
  Environment env() const {
    return Environment({{"PACTUM_HOME", home()}, {"HOME", "/nonexistent"}});
  }
  InProcessResult run(const std::vector<std::string>& args) { return run_in_process(args, env()); }

  TempDir dir_;
  bool started_ = false;
};

TEST_F(ResolveTest, MalformedDidIsAUsageError) {
  for (const std::string& bad : std::vector<std::string>{
           "", "did:pactum:", "did:pactum:0x1234", "did:other:0x" + std::string(64, 'a'),
           "did:pactum:0x" + std::string(63, 'a') + "g", "did:pactum:0x" + std::string(65, 'a'),
           std::string(64, 'a')}) {
    auto r = run({"--json", "resolve", bad});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.out << r.err;
    ASSERT_NO_THROW((void)r.json()) << r.out;
    EXPECT_EQ(r.json()["error"]["code"], "invalid_argument") << r.out;
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
  // Human mode: the error on stderr, nothing on stdout.
  auto r = run({"resolve", "not-a-did"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("not a DID"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(ResolveTest, MissingDidIsAUsageError) {
  auto r = run({"--json", "resolve"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
}

TEST_F(ResolveTest, UnreachableNodeIsUnavailable) {
  auto r = run({"--json", "--node", "http://127.0.0.1:1", "resolve", kUnknownDid});
  EXPECT_EQ(r.exit_code, 10) << r.out << r.err;
  ASSERT_NO_THROW((void)r.json()) << r.out;
  EXPECT_EQ(r.json()["error"]["code"], "unavailable") << r.out;
}

TEST_F(ResolveTest, UnknownDidOnALiveStackIsNotFound) {
  const bool node_built = std::filesystem::exists(
      std::filesystem::path(PACTUM_CLI_BIN).parent_path() / ".." / "pactumd" / "pactumd");
  if (!node_built) GTEST_SKIP() << "pactumd is not built";
  auto up = run_pactum(
      {"--home", home(), "--json", "up", "--detach", "--chain-port", "0", "--node-port", "0"});
  started_ = true;
  ASSERT_EQ(up.exit_code, 0) << up.stdout_text << up.stderr_text;
  auto r = run({"--json", "resolve", kUnknownDid});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  ASSERT_NO_THROW((void)r.json()) << r.out;
  EXPECT_EQ(r.json()["error"]["code"], "not_found") << r.out;
  EXPECT_NE(r.json()["error"]["message"].get<std::string>().find(kUnknownDid), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace pactum::cli::testing
