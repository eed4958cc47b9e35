// The node's nonce ledger (src/node/node_ledger.hpp): a signed request's nonce is used once, across
// restarts and across a crash of the process, concurrent uses of one nonce admit exactly one,
// expired nonces are pruned, and a ledger from before expiries were kept is upgraded safely.
// The ledger is private to src/node; its header has no private includes of its own.
#include "../../src/node/node_ledger.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/tmpfs.hpp"

namespace pactum::node {
namespace {

// Inside every request's lifetime in these tests (now_ is not moved by them).
constexpr std::uint64_t kExpiry = 1'800'000'300;

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
    auto l = NodeLedger::open(dir_.string(), [this] { return now_.load(); });
    EXPECT_TRUE(l.ok()) << l.error().to_string();
    return l.ok() ? std::move(l).value() : nullptr;
  }
  std::filesystem::path dir_;
  // The ledger's clock, set by the test.
  std::atomic<std::int64_t> now_{1'800'000'000};
  // An expiry `seconds` from now_.
  std::uint64_t in(std::int64_t seconds) const {
    return static_cast<std::uint64_t>(now_.load() + seconds);
  }
};

TEST_F(NodeLedgerTest, ANonceIsUsedOncePerSigner) {
  auto ledger = open();
  ASSERT_TRUE(ledger);
  EXPECT_TRUE(ledger->use_nonce("0xaa", "1", kExpiry).ok());
  auto again = ledger->use_nonce("0xaa", "1", kExpiry);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(again.error().message().find("replayed"), std::string::npos);
  EXPECT_TRUE(ledger->use_nonce("0xbb", "1", kExpiry).ok()) << "another signer's nonce 1";
  EXPECT_TRUE(ledger->use_nonce("0xaa", "2", kExpiry).ok());
}

TEST_F(NodeLedgerTest, UsedNoncesSurviveACleanRestart) {
  {
    auto ledger = open();
    ASSERT_TRUE(ledger);
    ASSERT_TRUE(ledger->use_nonce("0xaa", "7", kExpiry).ok());
    ASSERT_TRUE(ledger->publish("did:pactum:0x01", "u1", "{}").ok());
  }
  auto ledger = open();
  ASSERT_TRUE(ledger);
  auto again = ledger->use_nonce("0xaa", "7", kExpiry);
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
    auto ledger = NodeLedger::open(dir_.string(), [] { return std::int64_t{1'800'000'000}; });
    if (!ledger.ok()) _exit(2);
    for (int i = 0; i < 100; ++i) {
      if (!(*ledger)->use_nonce("0xaa", std::to_string(i), kExpiry).ok()) _exit(3);
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
    auto again = ledger->use_nonce("0xaa", std::to_string(i), kExpiry);
    ASSERT_FALSE(again.ok()) << "nonce " << i << " was lost with the process";
    EXPECT_EQ(again.error().code(), ErrorCode::kUnauthenticated);
  }
  EXPECT_TRUE(ledger->use_nonce("0xaa", "100", kExpiry).ok());
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
        auto st = ledger->use_nonce("0xcc", std::to_string(n), kExpiry);
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

// The key is (expiry, signer, nonce): a replay repeats the signed request, expiry included; the
// same signer's nonce under another expiry is another request only its key could sign.
TEST_F(NodeLedgerTest, ARequestIsTheNonceWithItsExpiry) {
  auto ledger = open();
  ASSERT_TRUE(ledger);
  ASSERT_TRUE(ledger->use_nonce("0xaa", "5", in(60)).ok());
  EXPECT_EQ(ledger->use_nonce("0xaa", "5", in(60)).error().code(), ErrorCode::kUnauthenticated);
  EXPECT_TRUE(ledger->use_nonce("0xaa", "5", in(61)).ok());
  EXPECT_EQ(ledger->nonce_count().value(), 2u);
}

// Nonces of requests that expired more than the grace ago are deleted, oldest first and at most
// a batch at a time; the others, and replay refusal for them, stay.
TEST_F(NodeLedgerTest, ExpiredNoncesArePrunedInBatches) {
  auto ledger = open();
  ASSERT_TRUE(ledger);
  for (int i = 0; i < 30; ++i)
    ASSERT_TRUE(ledger->use_nonce("0xaa", std::to_string(i), in(i)).ok());
  EXPECT_EQ(ledger->prune_expired(100).value(), 0u) << "nothing has expired yet";
  // Requests 0..19 expire at now+0 .. now+19; move past the grace for the first 20.
  now_ += 20 + NodeLedger::kPruneGraceSeconds;
  // The checkpointer prunes too, concurrently: a call deletes at most its batch, and together
  // they delete exactly the 20.
  EXPECT_LE(ledger->prune_expired(7).value(), 7u);
  while (ledger->prune_expired(7).value() != 0) {
  }
  EXPECT_EQ(ledger->nonce_count().value(), 10u);
  // Not yet past its grace: still refused as a replay.
  now_ -= 20 + NodeLedger::kPruneGraceSeconds;
  EXPECT_EQ(ledger->use_nonce("0xaa", "25", in(25)).error().code(), ErrorCode::kUnauthenticated);
}

// The checkpointer prunes on its own (every kCheckpointInterval).
TEST_F(NodeLedgerTest, TheCheckpointerPrunes) {
  auto ledger = open();
  ASSERT_TRUE(ledger);
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(ledger->use_nonce("0xbb", std::to_string(i), in(1)).ok());
  now_ += 2 + NodeLedger::kPruneGraceSeconds;
  for (int tries = 0; tries < 100 && ledger->nonce_count().value() != 0; ++tries) {
    std::this_thread::sleep_for(NodeLedger::kCheckpointInterval);
  }
  EXPECT_EQ(ledger->nonce_count().value(), 0u);
}

// A node.db from before expiries were kept: its nonces keep refusing replays for the lifetime
// of any request they could refuse (plus the grace), then the old table is dropped.
TEST_F(NodeLedgerTest, AnOldLedgerIsUpgradedWithoutAReplayWindow) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "node.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "PRAGMA journal_mode=WAL;"
                           "CREATE TABLE nonces (signer TEXT NOT NULL, nonce TEXT NOT NULL, "
                           "PRIMARY KEY (signer, nonce)) WITHOUT ROWID;"
                           "INSERT INTO nonces VALUES ('0xaa', '9');"
                           "CREATE TABLE assets (did TEXT PRIMARY KEY, upload_id TEXT NOT NULL) "
                           "WITHOUT ROWID;"
                           "INSERT INTO assets VALUES ('did:pactum:0x02', 'u2');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto ledger = open();
  ASSERT_TRUE(ledger);
  EXPECT_EQ(ledger->upload_of("did:pactum:0x02").value().value_or(""), "u2");
  // Its DDO was the upload's, in the store: NodeService fills it in (upgrade_ddos).
  auto without = ledger->assets_without_ddo().value();
  ASSERT_EQ(without.size(), 1u);
  EXPECT_EQ(without[0].did, "did:pactum:0x02");
  ASSERT_TRUE(ledger->fill_ddo("did:pactum:0x02", "{}").ok());
  EXPECT_TRUE(ledger->assets_without_ddo().value().empty());
  EXPECT_EQ(ledger->asset("did:pactum:0x02").value()->ddo, "{}");
  // Whatever expiry the replayed request carries, the old nonce refuses it.
  EXPECT_EQ(ledger->use_nonce("0xaa", "9", in(100)).error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(ledger->use_nonce("0xaa", "9", in(599)).error().code(), ErrorCode::kUnauthenticated);
  EXPECT_TRUE(ledger->use_nonce("0xaa", "10", in(100)).ok());
  (void)ledger->prune_expired(100).value();
  EXPECT_EQ(ledger->use_nonce("0xaa", "9", in(5)).error().code(), ErrorCode::kUnauthenticated)
      << "still inside the window";
  // After the window no request the old table could refuse is valid: it goes.
  now_ += 600 + NodeLedger::kPruneGraceSeconds;
  (void)ledger->prune_expired(100).value();
  EXPECT_TRUE(ledger->use_nonce("0xaa", "9", in(5)).ok());
  ledger.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "node.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'nonces'", -1,
                               &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 0) << "the old table was dropped";
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// #18: a second DID could take over an upload (and the first DID's DDO with it). Each DID has its
// own DDO now, an upload is bound to one DID, and a DID to one upload.
TEST_F(NodeLedgerTest, AnUploadIsPublishedUnderOneDidOnly) {
  auto ledger = open();
  ASSERT_TRUE(ledger);
  ASSERT_TRUE(ledger->publish("did:a", "u1", R"({"id":"a"})").ok());
  auto second = ledger->publish("did:b", "u1", R"({"id":"b"})");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_NE(second.error().message().find("did:a"), std::string::npos);
  auto other = ledger->publish("did:a", "u2", R"({"id":"a2"})");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::kAlreadyExists);
  // Nothing changed by the refusals; a new DDO for the same pair replaces the old one.
  EXPECT_EQ(ledger->asset("did:a").value()->ddo, R"({"id":"a"})");
  EXPECT_FALSE(ledger->asset("did:b").value().has_value());
  ASSERT_TRUE(ledger->publish("did:a", "u1", R"({"id":"a","v":2})").ok());
  EXPECT_EQ(ledger->asset("did:a").value()->ddo, R"({"id":"a","v":2})");
  EXPECT_EQ(ledger->ddo_size("did:a").value(), std::string(R"({"id":"a","v":2})").size());
  EXPECT_EQ(ledger->ddo_size("did:none").value(), 0u);
  ASSERT_TRUE(ledger->publish("did:c", "u3", "{\"name\":\"\u00e9\"}").ok());
  EXPECT_EQ(ledger->ddo_size("did:c").value(), 13u) << "bytes (12 characters)";
  EXPECT_EQ(ledger->count().value(), 2u);
  EXPECT_EQ(ledger->list(0, 10).value(), (std::vector<std::string>{"did:a", "did:c"}));
  EXPECT_EQ(ledger->list(1, 10).value(), (std::vector<std::string>{"did:c"}));
}

TEST_F(NodeLedgerTest, SettlementsAreKeptAcrossRestarts) {
  NodeLedger::SettledAgreement a;
  a.agreement_id = "0xab";
  a.did = "did:a";
  a.upload_id = "u1";
  a.consumer = "0xcc";
  a.terms = "token=0x0;0xdd=5";
  a.valid_from = 10;
  a.valid_until = 20;
  a.settled_at = 15;
  {
    auto ledger = open();
    ASSERT_TRUE(ledger);
    EXPECT_FALSE(ledger->settled("0xab").value().has_value());
    ASSERT_TRUE(ledger->record_settled(a).ok());
    NodeLedger::SettledAgreement again = a;
    again.upload_id = "u9";
    ASSERT_TRUE(ledger->record_settled(again).ok()) << "a second record is ignored";
  }
  auto ledger = open();
  ASSERT_TRUE(ledger);
  auto got = ledger->settled("0xab").value();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->upload_id, "u1");
  EXPECT_EQ(got->consumer, "0xcc");
  EXPECT_EQ(got->terms, a.terms);
  EXPECT_EQ(got->valid_from, 10u);
  EXPECT_EQ(got->valid_until, 20u);
  EXPECT_EQ(got->settled_at, 15);
}

// A payment held by the escrow's time lock is due once the lock has passed; marked released it is
// due no more. A settled table from before release columns existed counts as released.
TEST_F(NodeLedgerTest, TimeLockedReleasesFallDueAndAreMarked) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "node.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(db,
                     "CREATE TABLE settled (agreement_id TEXT PRIMARY KEY, did TEXT NOT NULL,"
                     " upload_id TEXT NOT NULL, consumer TEXT NOT NULL, terms TEXT NOT NULL,"
                     " valid_from INTEGER NOT NULL, valid_until INTEGER NOT NULL,"
                     " settled_at INTEGER NOT NULL) WITHOUT ROWID;"
                     "INSERT INTO settled VALUES ('0x01', 'did:a', 'u1', '0xcc', 't', 0, 0, 5);",
                     nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(db);
  }
  auto ledger = open();
  ASSERT_TRUE(ledger);
  auto old = ledger->settled("0x01").value();
  ASSERT_TRUE(old.has_value());
  EXPECT_TRUE(old->released) << "settled before time locks were honoured: released";
  NodeLedger::SettledAgreement later;
  later.agreement_id = "0x03";
  later.did = "did:a";
  later.upload_id = "u1";
  later.consumer = "0xcc";
  later.terms = "t";
  later.released = false;
  later.release_after = 300;
  NodeLedger::SettledAgreement sooner = later;
  sooner.agreement_id = "0x02";
  sooner.release_after = 200;
  ASSERT_TRUE(ledger->record_settled(later).ok());
  ASSERT_TRUE(ledger->record_settled(sooner).ok());
  EXPECT_TRUE(ledger->release_due(199, 10).value().empty());
  EXPECT_EQ(ledger->release_due(250, 10).value(), (std::vector<std::string>{"0x02"}));
  EXPECT_EQ(ledger->release_due(300, 10).value(), (std::vector<std::string>{"0x02", "0x03"}));
  EXPECT_EQ(ledger->release_due(300, 1).value(), (std::vector<std::string>{"0x02"}));
  ASSERT_TRUE(ledger->mark_released("0x02").ok());
  ASSERT_TRUE(ledger->mark_released("0xunknown").ok());
  ledger = open();
  ASSERT_TRUE(ledger);
  EXPECT_EQ(ledger->release_due(1000, 10).value(), (std::vector<std::string>{"0x03"}));
  EXPECT_TRUE(ledger->settled("0x02").value()->released);
  EXPECT_FALSE(ledger->settled("0x03").value()->released);
  EXPECT_EQ(ledger->settled("0x03").value()->release_after, 300u);
}

// #18: a disk that is 100 % full made every signed request 503 (the nonce insert failed). On a
// real full file system the ledger keeps accepting new nonces (in memory), still refuses every
// replay, says so in health(), and writes the nonces to node.db once there is room again.
TEST_F(NodeLedgerTest, AFullDiskKeepsNoncesInMemoryAndRefusesReplays) {
  pactum::testing::Tmpfs disk(dir_ / "small", 8 * 1024 * 1024);
  if (!disk.available()) GTEST_SKIP() << disk.why_not();
  auto opened = NodeLedger::open(disk.path().string(), [this] { return now_.load(); });
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  auto ledger = std::move(opened).value();
  ASSERT_TRUE(ledger->use_nonce("0xaa", "0", in(300)).ok());
  ASSERT_GT(disk.fill(), 0u);
  // Far more nonces than the WAL's free pages hold: the disk refuses some of them.
  constexpr int kNonces = 20'000;
  for (int i = 1; i <= kNonces; ++i) {
    auto used = ledger->use_nonce("0xaa", std::to_string(i), in(300));
    ASSERT_TRUE(used.ok()) << i << ": " << used.error().to_string();
  }
  const auto degraded = ledger->health();
  EXPECT_GT(degraded.memory_nonces, 0u) << "the disk never refused a write: a bigger test needed";
  EXPECT_FALSE(degraded.last_write_error.empty());
  for (int i : {0, 1, kNonces / 2, kNonces}) {
    auto again = ledger->use_nonce("0xaa", std::to_string(i), in(300));
    ASSERT_FALSE(again.ok()) << i;
    EXPECT_EQ(again.error().code(), ErrorCode::kUnauthenticated) << i;
  }
  // Room again: the checkpointer writes the nonces kept in memory.
  disk.unfill();
  for (int tries = 0; tries < 600 && ledger->health().memory_nonces != 0; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(ledger->health().memory_nonces, 0u);
  EXPECT_TRUE(ledger->health().last_write_error.empty()) << ledger->health().last_write_error;
  ledger.reset();
  auto reopened = NodeLedger::open(disk.path().string(), [this] { return now_.load(); });
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->nonce_count().value(), static_cast<std::uint64_t>(kNonces + 1));
  EXPECT_EQ((*reopened)->use_nonce("0xaa", std::to_string(kNonces), in(300)).error().code(),
            ErrorCode::kUnauthenticated);
}

TEST_F(NodeLedgerTest, OpeningWithoutAClockIsRefused) {
  auto l = NodeLedger::open(dir_.string(), {});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace pactum::node
