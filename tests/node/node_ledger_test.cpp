// The node's nonce ledger (src/node/node_ledger.hpp): a nonce is used once per signer, across
// restarts and across a crash of the process, and concurrent uses of one nonce admit exactly one.
// The ledger is private to src/node; its header has no private includes of its own.
#include "../../src/node/node_ledger.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace pactum::node {
namespace {

class NodeLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pactum-ledger-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::unique_ptr<NodeLedger> open() {
    auto l = NodeLedger::open(dir_.string());
    EXPECT_TRUE(l.ok()) << l.error().to_string();
    return l.ok() ? std::move(l).value() : nullptr;
  }
  std::filesystem::path dir_;
};

TEST_F(NodeLedgerTest, ANonceIsUsedOncePerSigner) {
  auto ledger = open();
  ASSERT_TRUE(ledger);
  EXPECT_TRUE(ledger->use_nonce("0xaa", "1").ok());
  auto again = ledger->use_nonce("0xaa", "1");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(again.error().message().find("replayed"), std::string::npos);
  EXPECT_TRUE(ledger->use_nonce("0xbb", "1").ok()) << "another signer's nonce 1";
  EXPECT_TRUE(ledger->use_nonce("0xaa", "2").ok());
}

TEST_F(NodeLedgerTest, UsedNoncesSurviveACleanRestart) {
  {
    auto ledger = open();
    ASSERT_TRUE(ledger);
    ASSERT_TRUE(ledger->use_nonce("0xaa", "7").ok());
    ASSERT_TRUE(ledger->bind("did:pactum:0x01", "u1").ok());
  }
  auto ledger = open();
  ASSERT_TRUE(ledger);
  auto again = ledger->use_nonce("0xaa", "7");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kUnauthenticated);
  auto bound = ledger->upload_of("did:pactum:0x01");
  ASSERT_TRUE(bound.ok());
  EXPECT_EQ(bound->value_or(""), "u1");
}

// synchronous=NORMAL promises that an acknowledged nonce survives the death of the process (it
// is in the WAL in the page cache): a child records nonces and dies without closing anything,
// before any checkpoint; the parent then finds every one of them used.
TEST_F(NodeLedgerTest, UsedNoncesSurviveAKilledProcess) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto ledger = NodeLedger::open(dir_.string());
    if (!ledger.ok()) _exit(2);
    for (int i = 0; i < 100; ++i) {
      if (!(*ledger)->use_nonce("0xaa", std::to_string(i)).ok()) _exit(3);
    }
    _exit(0);  // no destructor, no close, no checkpoint
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto ledger = open();
  ASSERT_TRUE(ledger);
  for (int i = 0; i < 100; ++i) {
    auto again = ledger->use_nonce("0xaa", std::to_string(i));
    ASSERT_FALSE(again.ok()) << "nonce " << i << " was lost with the process";
    EXPECT_EQ(again.error().code(), ErrorCode::kUnauthenticated);
  }
  EXPECT_TRUE(ledger->use_nonce("0xaa", "100").ok());
}

TEST_F(NodeLedgerTest, ConcurrentUsesOfOneNonceAdmitExactlyOne) {
  auto ledger = open();
  ASSERT_TRUE(ledger);
  constexpr int kThreads = 8;
  constexpr int kNonces = 200;
  std::atomic<int> admitted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int n = 0; n < kNonces; ++n) {
        auto st = ledger->use_nonce("0xcc", std::to_string(n));
        if (st.ok()) {
          ++admitted;
        } else if (st.error().code() == ErrorCode::kUnauthenticated) {
          ++refused;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), kNonces);
  EXPECT_EQ(refused.load(), kNonces * (kThreads - 1));
}

}  // namespace
}  // namespace pactum::node
