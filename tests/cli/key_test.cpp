// `pactum key new|import|list|export-address` and `--key NAME` (#19: keys a user can make),
// in-process through the same path as a real run, with bad values for every input.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "cli_test_util.hpp"
#include "pactum/cli/exit_codes.hpp"
#include "pactum/eth/hd.hpp"
#include "support/process.hpp"

namespace pactum::cli::testing {
namespace {

using pactum::testing::AnvilProcess;

class KeyTest : public ::testing::Test {
 protected:
  std::filesystem::path home() const { return dir_.path() / "home"; }
  Environment env() const {
    return Environment({{"PACTUM_HOME", home().string()},
                        {"HOME", "/nonexistent"},
                        {"PACTUM_KEY_PASSWORD", "correct horse"}});
  }
  InProcessResult run(const std::vector<std::string>& args) { return run_in_process(args, env()); }
  std::filesystem::path secret_file(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path;
  }
  static void expect_error(const InProcessResult& r, ErrorCode code, const std::string& fragment) {
    EXPECT_EQ(r.exit_code, exit_code_for(code)) << r.out << r.err;
    ASSERT_NO_THROW((void)r.json()) << r.out;
    const std::string message = r.json()["error"]["message"].get<std::string>();
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
  static mode_t mode_of(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 0777;
  }

  TempDir dir_;
};

TEST_F(KeyTest, NewKeyIsAPrivateKeystoreThatKeySelects) {
  auto made = run({"--json", "key", "new", "alice", "--light-kdf"});
  ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
  const auto doc = made.json();
  const std::string address = doc["address"];
  const std::filesystem::path path = doc["path"].get<std::string>();
  EXPECT_EQ(doc["name"], "alice");
  EXPECT_EQ(path, home() / "keys" / "alice.json");
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(path.parent_path()), 0700u);

  auto who = run({"--json", "--key", "alice", "whoami"});
  ASSERT_EQ(who.exit_code, 0) << who.out << who.err;
  EXPECT_EQ(who.json()["address"], address);
  EXPECT_NE(who.json()["account"].get<std::string>().find("alice.json"), std::string::npos);

  // accounts --key shows that account, not the dev list (#19).
  auto accounts = run({"--json", "--key", "alice", "accounts", "--offline"});
  ASSERT_EQ(accounts.exit_code, 0) << accounts.out << accounts.err;
  EXPECT_EQ(accounts.json()["account"]["address"], address);
  EXPECT_FALSE(accounts.json().contains("accounts"));

  auto exported = run({"--json", "key", "export-address", "alice"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(exported.json()["address"], address);
  auto human = run({"key", "export-address", "alice"});
  EXPECT_EQ(human.out, address + "\n");

  // Two fresh keys differ; the list shows both, sorted by name.
  ASSERT_EQ(run({"--json", "key", "new", "bob", "--light-kdf"}).exit_code, 0);
  auto listed = run({"--json", "key", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto keys = listed.json()["keys"];
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0]["name"], "alice");
  EXPECT_EQ(keys[0]["address"], address);
  EXPECT_EQ(keys[1]["name"], "bob");
  EXPECT_NE(keys[1]["address"], address);
}

TEST_F(KeyTest, ImportFromAPrivateKeyOrAMnemonicAndIndex) {
  const auto key_file = secret_file("k.hex", "  " + AnvilProcess::dev_private_keys()[5] + "\n");
  auto r = run(
      {"--json", "key", "import", "five", "--private-key-file", key_file.string(), "--light-kdf"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.json()["address"], AnvilProcess::dev_addresses()[5]);
  EXPECT_EQ(r.json()["from"], "private key");

  const auto mnemonic_file = secret_file("m.txt", std::string(AnvilProcess::kMnemonic) + "\n");
  r = run({"--json", "key", "import", "three", "--mnemonic-file", mnemonic_file.string(), "--index",
           "3", "--light-kdf"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.json()["address"], AnvilProcess::dev_addresses()[3]);

  // A BIP-39 passphrase from the environment gives another tree.
  r = run_in_process({"--json", "key", "import", "salted", "--mnemonic-file",
                      mnemonic_file.string(), "--light-kdf"},
                     env().with("PACTUM_MNEMONIC_PASSPHRASE", "p\xc3\xa4ss"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto expected = eth::derive_ethereum_key(AnvilProcess::kMnemonic, "p\xc3\xa4ss", 0);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(r.json()["address"], expected->address().to_checksum_string());

  // The imported key signs as its account: --key NAME resolves to it.
  auto who = run({"--json", "--key", "five", "whoami"});
  ASSERT_EQ(who.exit_code, 0) << who.err;
  EXPECT_EQ(who.json()["address"], AnvilProcess::dev_addresses()[5]);
}

TEST_F(KeyTest, BadNamesFilesAndKeysAreRefusedAndNothingIsOverwritten) {
  ASSERT_EQ(run({"--json", "key", "new", "alice", "--light-kdf"}).exit_code, 0);
  const auto path = home() / "keys" / "alice.json";
  std::ifstream before_in(path);
  const std::string before((std::istreambuf_iterator<char>(before_in)), {});

  expect_error(run({"--json", "key", "new", "alice", "--light-kdf"}), ErrorCode::kAlreadyExists,
               "exists");
  std::ifstream after_in(path);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(after_in)), {}), before);

  for (const std::string& bad :
       std::vector<std::string>{"../x", ".hidden", "a b", "-dash", std::string(65, 'k'), "x/y"}) {
    SCOPED_TRACE(bad);
    // "-dash" reads as an option, so the name is missing: a usage error too.
    expect_error(run({"--json", "key", "new", bad, "--light-kdf"}), ErrorCode::kInvalidArgument,
                 "name");
  }
  const auto missing = (dir_.path() / "missing").string();
  expect_error(run({"--json", "key", "import", "k", "--private-key-file", missing}),
               ErrorCode::kNotFound, "no such file");
  for (const std::string& junk : std::vector<std::string>{
           "", "xyz", "0x1234", std::string(64, '0'),
           "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"}) {
    SCOPED_TRACE(junk);
    const auto f = secret_file("junk.hex", junk);
    auto r = run({"--json", "key", "import", "k", "--private-key-file", f.string()});
    expect_error(r, ErrorCode::kInvalidArgument, "64 hex digits");
    EXPECT_EQ(r.out.find(junk.empty() ? "\x01" : junk), std::string::npos);  // not echoed
  }
  const auto bad_mnemonic =
      secret_file("bad.txt", "test test test test test test test test test test test test");
  expect_error(run({"--json", "key", "import", "k", "--mnemonic-file", bad_mnemonic.string()}),
               ErrorCode::kInvalidArgument, "checksum");
  expect_error(run({"--json", "key", "import", "k"}), ErrorCode::kInvalidArgument,
               "--private-key-file FILE or --mnemonic-file FILE");
  const auto key_file = secret_file("k.hex", AnvilProcess::dev_private_keys()[5]);
  EXPECT_EQ(run({"key", "import", "k", "--private-key-file", key_file.string(), "--index", "1"})
                .exit_code,
            kExitUsage);  // --index needs --mnemonic-file
  EXPECT_EQ(run({"key", "import", "k", "--private-key-file", key_file.string(), "--mnemonic-file",
                 bad_mnemonic.string()})
                .exit_code,
            kExitUsage);
  EXPECT_EQ(run({"key"}).exit_code, kExitUsage);
  EXPECT_EQ(run({"key", "frobnicate"}).exit_code, kExitUsage);
  EXPECT_FALSE(std::filesystem::exists(home() / "keys" / "k.json"));

  expect_error(run({"--json", "key", "export-address", "nobody"}), ErrorCode::kNotFound,
               "pactum key list");
  expect_error(run({"--json", "--key", "nobody", "whoami"}), ErrorCode::kNotFound,
               "pactum key list");
}

TEST_F(KeyTest, PasswordsArePromptedTwiceAndMustAgree) {
  Environment no_password({{"PACTUM_HOME", home().string()}, {"HOME", "/nonexistent"}});
  std::vector<std::string> answers = {"one", "two"};
  std::size_t asked = 0;
  auto prompt = [&](std::string_view) -> Result<std::string> { return answers.at(asked++); };
  auto r = run_in_process({"--json", "key", "new", "carol", "--light-kdf"}, no_password, prompt);
  expect_error(r, ErrorCode::kInvalidArgument, "differ");
  EXPECT_EQ(asked, 2u);
  EXPECT_FALSE(std::filesystem::exists(home() / "keys" / "carol.json"));

  answers = {"", ""};
  asked = 0;
  r = run_in_process({"--json", "key", "new", "carol", "--light-kdf"}, no_password, prompt);
  expect_error(r, ErrorCode::kInvalidArgument, "empty password");

  answers = {"same", "same"};
  asked = 0;
  r = run_in_process({"--json", "key", "new", "carol", "--light-kdf"}, no_password, prompt);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Selected with the password it was made with.
  answers = {"same"};
  asked = 0;
  auto who = run_in_process({"--json", "--key", "carol", "whoami"}, no_password, prompt);
  ASSERT_EQ(who.exit_code, 0) << who.out << who.err;
  EXPECT_EQ(who.json()["address"], r.json()["address"]);

  // No terminal and no PACTUM_KEY_PASSWORD: refused, nothing written.
  r = run_in_process({"--json", "key", "new", "dave", "--light-kdf"}, no_password);
  expect_error(r, ErrorCode::kUnavailable, "terminal");
  EXPECT_FALSE(std::filesystem::exists(home() / "keys" / "dave.json"));
}

TEST_F(KeyTest, ListReportsAFileThatIsNotAKeystore) {
  auto empty = run({"key", "list"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.out.find("no keys"), std::string::npos);
  ASSERT_EQ(run({"--json", "key", "new", "alice", "--light-kdf"}).exit_code, 0);
  std::ofstream(home() / "keys" / "broken.json") << "{\"not\": \"a keystore\"}";
  auto listed = run({"--json", "key", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto keys = listed.json()["keys"];
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0]["name"], "alice");
  EXPECT_EQ(keys[1]["name"], "broken");
  EXPECT_TRUE(keys[1].contains("error"));
  EXPECT_FALSE(keys[1].contains("address"));
}

}  // namespace
}  // namespace pactum::cli::testing
