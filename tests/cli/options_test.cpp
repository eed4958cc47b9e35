// Every global option and argument with a bad value fails clearly and with the documented exit
// status, through the same path as a real run (in-process).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "cli_test_util.hpp"
#include "pactum/cli/exit_codes.hpp"
#include "pactum/eth/keys.hpp"
#include "pactum/eth/keystore.hpp"

namespace pactum::cli::testing {
namespace {

class OptionsTest : public ::testing::Test {
 protected:
  Environment env() const {
    return Environment(
        {{"PACTUM_HOME", (home_.path() / "home").string()}, {"HOME", "/nonexistent"}});
  }
  InProcessResult run(const std::vector<std::string>& args) { return run_in_process(args, env()); }

  // The error document of a --json run that failed.
  static void expect_json_error(const InProcessResult& r, int status, const std::string& code,
                                const std::string& fragment) {
    EXPECT_EQ(r.exit_code, status) << r.out << r.err;
    ASSERT_NO_THROW((void)r.json()) << r.out;
    const auto doc = r.json();
    EXPECT_EQ(doc["error"]["code"], code) << r.out;
    EXPECT_EQ(doc["error"]["exit_code"], status);
    EXPECT_NE(doc["error"]["message"].get<std::string>().find(fragment), std::string::npos)
        << doc["error"]["message"];
    EXPECT_TRUE(r.err.empty()) << "--json keeps stderr quiet: " << r.err;
  }
  static void expect_human_error(const InProcessResult& r, int status,
                                 const std::string& fragment) {
    EXPECT_EQ(r.exit_code, status) << r.out << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }

  TempDir home_;
};

TEST_F(OptionsTest, HelpAndVersionExitZero) {
  auto r = run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("up"), std::string::npos);
  r = run({"up", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--detach"), std::string::npos);
  r = run({"--version"});
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(OptionsTest, ParseErrorsAreUsageErrors) {
  expect_human_error(run({}), kExitUsage, "subcommand");
  expect_human_error(run({"frobnicate"}), kExitUsage, "frobnicate");
  expect_human_error(run({"accounts", "--no-such-option"}), kExitUsage, "--no-such-option");
  expect_human_error(run({"up", "--chain-port", "70000"}), kExitUsage, "70000");
  expect_human_error(run({"up", "--timeout", "soon"}), kExitUsage, "soon");
  expect_json_error(run({"--json", "down", "--timeout"}), kExitUsage, "invalid_argument",
                    "--timeout");
}

TEST_F(OptionsTest, BadAccountSelectors) {
  for (const std::string bad :
       {"publisherr", "Consumer", "-1", "10", "99999999999999999999", "1x", ""}) {
    SCOPED_TRACE(bad);
    expect_json_error(run({"--json", "--as", bad, "whoami"}), kExitUsage, "invalid_argument",
                      "--as");
  }
  expect_human_error(run({"--as", "10", "accounts", "--offline"}), kExitUsage,
                     "index out of range");
  expect_human_error(run({"--as", "consumer", "--key", "/x", "whoami"}), kExitUsage, "choose one");
}

// #19: `up --rpc URL` used to start a local anvil and ignore the URL.
TEST_F(OptionsTest, UpRefusesAChainItWouldNotUse) {
  expect_json_error(run({"--json", "up", "--rpc", "http://10.0.0.1:8545"}), kExitUsage,
                    "invalid_argument", "cannot use --rpc http://10.0.0.1:8545");
  EXPECT_FALSE(std::filesystem::exists(home_.path() / "home" / "run" / "stack.json"));
}

TEST_F(OptionsTest, BadUrls) {
  expect_json_error(run({"--json", "--rpc", "ftp://host", "accounts"}), kExitUsage,
                    "invalid_argument", "--rpc");
  expect_json_error(run({"--json", "--rpc", "http://", "accounts"}), kExitUsage, "invalid_argument",
                    "--rpc");
  expect_json_error(run({"--json", "--node", "localhost:8550", "accounts"}), kExitUsage,
                    "invalid_argument", "--node");
  expect_json_error(run({"--json", "--rpc", "http://host:99999", "accounts"}), kExitUsage,
                    "invalid_argument", "--rpc");
  // https:// is a good URL (#19); a --ca-file that does not exist is named.
  expect_json_error(run({"--json", "--ca-file", "/nonexistent/ca.pem", "--rpc",
                         "https://127.0.0.1:1", "resolve", "did:pactum:0x" + std::string(64, '1')}),
                    exit_code_for(ErrorCode::kNotFound), "not_found", "--ca-file");
  auto r = run_in_process({"--json", "accounts"}, env().with("PACTUM_RPC", "nonsense"));
  expect_json_error(r, kExitUsage, "invalid_argument", "PACTUM_RPC");
}

TEST_F(OptionsTest, BadHome) {
  const auto file = home_.path() / "a-file";
  std::ofstream(file) << "x";
  auto r = run_in_process({"--json", "accounts", "--offline"},
                          Environment({{"PACTUM_HOME", file.string()}}));
  expect_json_error(r, kExitUsage, "invalid_argument", "PACTUM_HOME");
  r = run_in_process({"--json", "accounts", "--offline"},
                     Environment({{"PACTUM_HOME", (file / "below").string()}}));
  expect_json_error(r, kExitUsage, "invalid_argument", "PACTUM_HOME");
  expect_human_error(run({"--home", file.string(), "down"}), kExitUsage, "--home");
  // Neither PACTUM_HOME nor HOME: nowhere to keep state.
  r = run_in_process({"--json", "down"}, Environment());
  expect_json_error(r, kExitUsage, "invalid_argument", "PACTUM_HOME");
  if (::geteuid() != 0) {  // root writes anywhere
    const auto locked = home_.path() / "locked";
    std::filesystem::create_directory(locked);
    ::chmod(locked.c_str(), 0500);
    r = run_in_process({"--json", "down"}, Environment({{"PACTUM_HOME", (locked / "h").string()}}));
    expect_json_error(r, exit_code_for(ErrorCode::kPermissionDenied), "permission_denied",
                      "PACTUM_HOME");
  }
}

// A home `pactum` creates is its owner's alone (and so is each directory it creates in it); an
// existing one others may write to is refused; one they may only read is left as it is.
TEST_F(OptionsTest, HomeModes) {
  const auto made = home_.path() / "new" / "home";
  auto r = run_in_process({"--json", "down"}, Environment({{"PACTUM_HOME", made.string()}}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto mode = [](const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  };
  EXPECT_EQ(mode(made), 0700u);
  EXPECT_EQ(mode(made.parent_path()), 0700u);
  EXPECT_EQ(mode(made / "run"), 0700u);

  const auto shared = home_.path() / "shared";
  std::filesystem::create_directory(shared);
  for (unsigned bad : {0777u, 0770u, 0722u}) {
    ::chmod(shared.c_str(), bad);
    r = run_in_process({"--json", "down"}, Environment({{"PACTUM_HOME", shared.string()}}));
    expect_json_error(r, exit_code_for(ErrorCode::kPermissionDenied), "permission_denied",
                      "chmod 700");
    EXPECT_FALSE(std::filesystem::exists(shared / "run")) << "nothing is written in it";
  }
  ::chmod(shared.c_str(), 0755);
  r = run_in_process({"--json", "down"}, Environment({{"PACTUM_HOME", shared.string()}}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(mode(shared), 0755u) << "an existing home keeps its mode";
}

TEST_F(OptionsTest, BadKeyFiles) {
  expect_json_error(run({"--json", "--key", (home_.path() / "missing.json").string(), "whoami"}),
                    exit_code_for(ErrorCode::kNotFound), "not_found", "no such file");
  expect_json_error(run({"--json", "--key", home_.path().string(), "whoami"}), kExitUsage,
                    "invalid_argument", "directory");
  const auto junk = home_.path() / "junk.json";
  std::ofstream(junk) << "this is not a keystore";
  auto r = run_in_process({"--json", "--key", junk.string(), "whoami"},
                          env().with("PACTUM_KEY_PASSWORD", "pw"));
  expect_json_error(r, kExitUsage, "invalid_argument", "--key");
  if (::geteuid() != 0) {
    const auto unreadable = home_.path() / "unreadable.json";
    std::ofstream(unreadable) << "{}";
    ::chmod(unreadable.c_str(), 0);
    expect_json_error(run({"--json", "--key", unreadable.string(), "whoami"}),
                      exit_code_for(ErrorCode::kPermissionDenied), "permission_denied",
                      "not readable");
  }
}

// A keystore with light scrypt parameters (the default ones take a second and 256 MiB).
std::filesystem::path write_keystore(const std::filesystem::path& dir, const eth::PrivateKey& key,
                                     const std::string& password) {
  eth::KeystoreOptions light;
  light.scrypt_n = 1 << 4;
  auto json = eth::encrypt_keystore(key, password, light);
  EXPECT_TRUE(json.ok());
  const auto path = dir / "key.json";
  std::ofstream(path) << *json;
  return path;
}

TEST_F(OptionsTest, KeystoreAccount) {
  auto key = eth::PrivateKey::from_hex(pactum::testing::AnvilProcess::dev_private_keys()[5]);
  ASSERT_TRUE(key.ok());
  const auto path = write_keystore(home_.path(), *key, "correct horse");
  const std::string expected = pactum::testing::AnvilProcess::dev_addresses()[5];

  // Password from the environment.
  auto r = run_in_process({"--json", "--key", path.string(), "whoami"},
                          env().with("PACTUM_KEY_PASSWORD", "correct horse"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.json()["address"], expected);

  // Password from the prompt when the environment has none.
  int asked = 0;
  r = run_in_process({"--json", "--key", path.string(), "whoami"}, env(),
                     [&](std::string_view prompt) -> Result<std::string> {
                       ++asked;
                       EXPECT_NE(prompt.find(path.string()), std::string_view::npos);
                       return std::string("correct horse");
                     });
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(r.json()["address"], expected);

  // A wrong password, and no terminal to ask on.
  r = run_in_process({"--json", "--key", path.string(), "whoami"},
                     env().with("PACTUM_KEY_PASSWORD", "wrong"));
  expect_json_error(r, exit_code_for(ErrorCode::kUnauthenticated), "unauthenticated",
                    "wrong password");
  r = run_in_process({"--json", "--key", path.string(), "whoami"}, env());
  expect_json_error(r, exit_code_for(ErrorCode::kUnavailable), "unavailable", "terminal");
}

TEST_F(OptionsTest, GlobalOptionsMayFollowTheCommand) {
  auto r = run({"accounts", "--offline", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json()["accounts"].size(), 10u);
  r = run({"accounts", "--offline", "--as", "nobody"});
  EXPECT_EQ(r.exit_code, kExitUsage);
}

}  // namespace
}  // namespace pactum::cli::testing
