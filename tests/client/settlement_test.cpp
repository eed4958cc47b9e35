// #19: the node's settlement on a chain with real block times. Agreements settle side by side
// (each first access sends fulfillAccess and releasePayment on consecutive nonces and waits for
// its own receipts, not behind other agreements' waits), and a chain that stalls gives the
// consumer a "pending, retry" answer that the client follows, never a hang or a double payment.
// Real anvil (interval mining switched on after the set-up, which automining keeps fast), real
// node, real client; nothing is mocked.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "pactum/client/client.hpp"
#include "support/live_node.hpp"

namespace pactum::client {
namespace {

using Clock = std::chrono::steady_clock;
using eth::U256;

constexpr std::uint32_t kChunk = 4096;
const U256 kPrice = U256(10'000'000'000'000'000ULL);  // 0.01 ether

eth::PrivateKey key(int index) {
  return eth::PrivateKey::from_hex(
             pactum::testing::AnvilProcess::dev_private_keys().at(static_cast<std::size_t>(index)))
      .value();
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

class SettlementTest : public ::testing::Test {
 protected:
  void start(pactum::testing::LiveNodeOptions options) {
    options.chunk_size = kChunk;
    node_ = std::make_unique<pactum::testing::LiveNode>(std::move(options));
    ASSERT_TRUE(node_->ok());
    std::filesystem::create_directories(node_->dir() / "out");
  }

  std::unique_ptr<Client> client(
      int index, std::chrono::milliseconds settlement_timeout = std::chrono::seconds(60)) {
    ClientConfig c;
    c.node_url = node_->url();
    c.deployment = node_->deployment();
    c.agreements_dir = node_->dir() / "agreements";
    c.settlement_timeout = settlement_timeout;
    auto made = Client::create(node_->chain().api(), std::move(c), key(index));
    EXPECT_TRUE(made.ok()) << made.error().to_string();
    return made.ok() ? std::move(made).value() : nullptr;
  }

  // Publishes `bytes` at kPrice (no fee: one receiver).
  PublishResult publish(const std::string& bytes) {
    const auto path = node_->dir() / "asset.bin";
    std::ofstream(path, std::ios::binary) << bytes;
    PublishRequest r;
    r.file = path;
    r.price = kPrice;
    auto published = client(contracts::testing::kPublisher)->publish(r);
    EXPECT_TRUE(published.ok()) << published.error().to_string();
    return published.ok() ? *published : PublishResult{};
  }

  void rpc(std::string_view method, std::string_view params) {
    auto done = node_->chain().client().call(method, params);
    ASSERT_TRUE(done.ok()) << method << ": " << done.error().to_string();
  }

  U256 balance(const eth::Address& who) { return node_->chain().balance(who); }
  std::uint64_t nonce(const eth::Address& who) {
    return node_->chain().api().get_transaction_count(who).value();
  }

  std::unique_ptr<pactum::testing::LiveNode> node_;
};

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// The acceptance line: ten first downloads of ten agreements at once on a chain with 2 s blocks
// all succeed, and the last finishes within 3 block times of the first. Before the pipeline, the
// node sent one settlement per block behind one lock and waited for each receipt: three at once
// finished at 3.7, 7.2 and 11.8 s (the measurement), ten would take about 40 s.
TEST_F(SettlementTest, TenFirstDownloadsOnTwoSecondBlocksFinishWithinThreeBlockTimes) {
  start({.blocking_threads = 16});
  const std::string file = random_bytes(3 * kChunk + 7, 3);
  const PublishResult published = publish(file);
  const eth::Address publisher = key(contracts::testing::kPublisher).address();
  const eth::Address engine = node_->deployment().agreement_engine().address();
  constexpr int kAgreements = 10;
  std::vector<Hash32> ids;
  auto consumer = client(contracts::testing::kConsumer);
  for (int i = 0; i < kAgreements; ++i) {
    auto ordered = consumer->order(published.did, {.again = true});
    ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
    ids.push_back(ordered->agreement_id);
  }
  const U256 publisher_before = balance(publisher);
  const U256 engine_before = balance(engine);
  const std::uint64_t node_nonce_before = nonce(node_->service().address());

  // From here the chain makes a block every 2 s, as a real one does.
  constexpr auto kBlockTime = std::chrono::seconds(2);
  rpc("evm_setIntervalMining", "[2]");
  const std::uint64_t block_before = node_->chain().api().block_number().value();

  std::vector<Clock::time_point> finished(kAgreements);
  std::vector<Result<DownloadResult>> results(kAgreements,
                                              Result<DownloadResult>(internal_error("not run")));
  const Clock::time_point began = Clock::now();
  {
    std::vector<std::jthread> downloads;
    for (int i = 0; i < kAgreements; ++i) {
      downloads.emplace_back([&, i] {
        auto own = client(contracts::testing::kConsumer);
        results[i] =
            own->download(ids[i], node_->dir() / "out" / ("copy" + std::to_string(i)), false);
        finished[i] = Clock::now();
      });
    }
  }
  for (int i = 0; i < kAgreements; ++i) {
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].error().to_string();
    EXPECT_EQ(read_file(node_->dir() / "out" / ("copy" + std::to_string(i))), file);
  }
  const auto [first, last] = std::minmax_element(finished.begin(), finished.end());
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::cout << "[ settlement ] ten first downloads on 2 s blocks: first done after "
            << ms(*first - began) << " ms, last after " << ms(*last - began) << " ms ("
            << node_->chain().api().block_number().value() - block_before << " blocks)\n";
  EXPECT_LE(*last - *first, 3 * kBlockTime);

  // Exactly one fulfillAccess and one releasePayment per agreement, and every price released
  // (the releases went right behind their accesses; wait for the block that holds the last).
  const U256 prices = kPrice * U256(kAgreements);
  for (int tries = 0; tries < 50 && balance(publisher) != publisher_before + prices; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(balance(publisher), publisher_before + prices);
  EXPECT_EQ(balance(engine), engine_before - prices);
  EXPECT_EQ(nonce(node_->service().address()), node_nonce_before + 2 * kAgreements);
}

// A chain that stops making blocks: the node waits settle_wait for its fulfillAccess, then
// answers 503 "pending, retry" with Retry-After (before any client's idle timeout); the client
// asks again until its own settlement_timeout and then says so, retryable, with no file written.
// The consumer's price stays locked, nothing is paid twice: a later download (the chain moving
// again) waits for the same transactions the node sent the first time.
TEST_F(SettlementTest, AStalledChainGivesARetryableAnswerAndTheRetrySettlesOnce) {
  start({.settle_wait = std::chrono::milliseconds(800)});
  const std::string file = random_bytes(2 * kChunk + 100, 4);
  const PublishResult published = publish(file);
  auto consumer = client(contracts::testing::kConsumer, std::chrono::seconds(3));
  auto ordered = consumer->order(published.did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  const eth::Address publisher = key(contracts::testing::kPublisher).address();
  const eth::Address node_address = node_->service().address();
  const U256 publisher_before = balance(publisher);
  const std::uint64_t node_nonce_before = nonce(node_address);

  rpc("evm_setAutomine", "[false]");  // no more blocks until evm_mine
  const Clock::time_point began = Clock::now();
  auto stalled = consumer->download(ordered->agreement_id, node_->dir() / "out" / "s.bin", false);
  const auto took = Clock::now() - began;
  ASSERT_FALSE(stalled.ok());
  EXPECT_EQ(stalled.error().code(), ErrorCode::kUnavailable) << stalled.error().to_string();
  EXPECT_NE(stalled.error().message().find("is on its way"), std::string::npos)
      << stalled.error().message();
  EXPECT_NE(stalled.error().message().find("retry"), std::string::npos);
  EXPECT_LT(took, std::chrono::seconds(10));  // the client's 3 s, not a hang
  EXPECT_FALSE(std::filesystem::exists(node_->dir() / "out" / "s.bin"));
  // The node asked more than once, and sent its two transactions only once.
  EXPECT_TRUE(node_->logger().wait_for("settlement pending", 2, std::chrono::seconds(1)));
  auto pending = node_->chain().api().get_transaction_count(node_address, rpc::BlockId::pending());
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(*pending, node_nonce_before + 2);
  EXPECT_EQ(balance(publisher), publisher_before);  // nothing paid yet

  // The chain moves again while a second download is asking: it is served, and the node's
  // transactions are the same two.
  std::jthread miner([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    rpc("evm_mine", "[]");
  });
  auto patient = client(contracts::testing::kConsumer, std::chrono::seconds(30));
  auto got = patient->download(ordered->agreement_id, node_->dir() / "out" / "s.bin", false);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(read_file(node_->dir() / "out" / "s.bin"), file);
  miner.join();
  rpc("evm_setAutomine", "[true]");
  EXPECT_EQ(nonce(node_address), node_nonce_before + 2);
  EXPECT_EQ(balance(publisher), publisher_before + kPrice);
}

// chain.confirmations = 2: the access counts once two blocks are on top of the one that holds
// it. Automining anvil mines the fulfillAccess and the release behind it in two blocks and then
// nothing more, so the node answers "pending" until another block comes (here evm_mine), and
// then serves.
TEST_F(SettlementTest, ASettlementCountsOnlyOnceItHasItsConfirmations) {
  start({.settle_wait = std::chrono::milliseconds(600), .confirmations = 2});
  const std::string file = random_bytes(kChunk, 5);
  const PublishResult published = publish(file);
  auto consumer = client(contracts::testing::kConsumer, std::chrono::seconds(2));
  auto ordered = consumer->order(published.did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  auto early = consumer->download(ordered->agreement_id, node_->dir() / "out" / "c.bin", false);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(early.error().message().find("not confirmed yet"), std::string::npos)
      << early.error().message();
  rpc("evm_mine", "[]");
  auto got = consumer->download(ordered->agreement_id, node_->dir() / "out" / "c.bin", false);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(read_file(node_->dir() / "out" / "c.bin"), file);
}

}  // namespace
}  // namespace pactum::client
