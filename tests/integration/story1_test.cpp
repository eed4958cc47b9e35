// Story 1 — "anyone paying X may get my data" — as a person does it, through the real binaries:
// `pactum up --detach` (anvil, the contracts, pactumd) in a temporary home, then publish (as the
// publisher, a 3 MiB + 7 byte random file with a marketplace fee), resolve, order (as the
// consumer), status, download, status, down.
//
// Acceptance: the consumer's file equals the original byte for byte, and every balance afterwards
// is exact — the publisher got the price, the marketplace the fee, the consumer paid both, the
// escrow holds nothing, and each account paid exactly the gas of its own transactions, computed
// from the receipts (the register and order transactions the CLI reports, and every transaction
// that logged an event of the agreement — the node's fulfillAccess and releasePayment). Then the
// same with a price in the stack's dev token: exact token balances, and ether for gas only.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "cli_test_util.hpp"
#include "pactum/contracts/deployment.hpp"
#include "pactum/contracts/pactum_dev_token.hpp"
#include "pactum/rpc/eth_api.hpp"
#include "pactum/rpc/json_rpc.hpp"
#include "pactum/rpc/logs.hpp"

namespace pactum::cli::testing {
namespace {

using Json = nlohmann::json;
using eth::U256;

const U256 kPrice = U256(250'000'000'000'000'000ULL);       // --price 0.25eth
const U256 kFee = U256(10'000'000'000'000'000ULL);          // --fee <marketplace>:0.01eth
const U256 kOneToken = U256(1'000'000'000'000'000'000ULL);  // 1 PDEV (18 decimals)

eth::Address dev(int index) {
  return eth::Address::parse(
             pactum::testing::AnvilProcess::dev_addresses().at(static_cast<std::size_t>(index)))
      .value();
}

class Story1Test : public ::testing::Test {
 protected:
  void TearDown() override {
    if (started_) (void)pactum({"down", "--timeout", "5"});
  }

  std::string home() const { return (dir_.path() / "home").string(); }

  // `pactum --home <home> --json args…`; the JSON document it printed (checked to be one).
  Json pactum(std::vector<std::string> args, int expected_exit = 0) {
    args.insert(args.begin(), {"--home", home(), "--json"});
    auto r = run_pactum(args);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    EXPECT_EQ(r.exit_code, expected_exit)
        << shown << "\nstdout: " << r.stdout_text << "\nstderr: " << r.stderr_text;
    Json doc = Json::parse(r.stdout_text, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << shown << ": not one JSON document: " << r.stdout_text;
    return doc.is_discarded() ? Json::object() : doc;
  }

  U256 balance(const eth::Address& who) {
    auto b = api_->get_balance(who);
    EXPECT_TRUE(b.ok()) << b.error().to_string();
    return b.ok() ? *b : U256();
  }

  U256 token_balance(const eth::Address& token, const eth::Address& who) {
    rpc::CallRequest call;
    call.to = token;
    call.data = contracts::PactumDevToken::encode_balanceOf(who).value();
    auto ret = api_->call(call);
    EXPECT_TRUE(ret.ok()) << ret.error().to_string();
    return ret.ok() ? contracts::PactumDevToken::decode_balanceOf_result(*ret).value() : U256();
  }

  rpc::Receipt receipt(const Hash32& hash) {
    auto r = api_->get_transaction_receipt(hash);
    EXPECT_TRUE(r.ok() && r->has_value()) << to_hex(hash);
    return r.ok() && r->has_value() ? **r : rpc::Receipt{};
  }

  static std::vector<std::string> states(const Json& status) {
    std::vector<std::string> out;
    for (const auto& c : status["conditions"]) out.push_back(c["state"]);
    return out;
  }

  TempDir dir_;
  bool started_ = false;
  std::unique_ptr<rpc::RpcClient> rpc_;
  std::unique_ptr<rpc::EthApi> api_;
};

TEST_F(Story1Test, PublishOrderDownloadWithExactBalances) {
  // The stack, on fresh ports.
  Json up = pactum({"up", "--detach", "--chain-port", "0", "--node-port", "0"});
  started_ = true;
  ASSERT_TRUE(up.contains("chain")) << up.dump();
  if (!up.contains("node") || up["node"].is_null()) {
    GTEST_FAIL() << "`pactum up` started no node (is pactumd built?): " << up.dump();
  }
  const std::string rpc_url = up["chain"]["rpc_url"];
  auto client = rpc::RpcClient::connect_http(rpc_url);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  rpc_ = std::move(client).value();
  api_ = std::make_unique<rpc::EthApi>(*rpc_);
  auto deployment = contracts::read_deployment(
      contracts::deployment_path(std::filesystem::path(home()) / "deployments", 31337));
  ASSERT_TRUE(deployment.ok()) << deployment.error().to_string();
  const eth::Address engine = deployment->agreement_engine().address();

  // The accounts and their balances before anything happens.
  const eth::Address publisher = dev(1), consumer = dev(2), marketplace = dev(3);
  std::map<eth::Address, U256> before;
  for (const auto& a : {publisher, consumer, marketplace, engine}) before[a] = balance(a);

  // The file: 3 MiB + 7 random bytes.
  std::string original(3 * 1024 * 1024 + 7, '\0');
  std::mt19937_64 rng(20261125);
  for (auto& c : original) c = static_cast<char>(rng());
  const auto source = dir_.path() / "original.bin";
  std::ofstream(source, std::ios::binary) << original;

  // Publish, as the publisher, with a marketplace fee on top of the price.
  Json published = pactum({"--as", "publisher", "publish", source.string(), "--price", "0.25eth",
                           "--fee", marketplace.to_checksum_string() + ":0.01eth"});
  ASSERT_TRUE(published.contains("did")) << published.dump();
  const std::string did = published["did"];
  EXPECT_EQ(published["size"], original.size());
  EXPECT_EQ(published["publisher"], publisher.to_checksum_string());
  EXPECT_EQ(published["price_wei"], kPrice.to_dec());
  EXPECT_EQ(published["total_wei"], (kPrice + kFee).to_dec());
  const eth::Address node = eth::Address::parse(published["provider"].get<std::string>()).value();
  // The node has sent nothing yet (it does at the first download): its balance now is its
  // balance before.
  if (!before.contains(node)) before[node] = balance(node);

  // Resolve: the DDO, checked against the chain.
  Json resolved = pactum({"resolve", did});
  EXPECT_EQ(resolved["verified"], true);
  EXPECT_EQ(resolved["owner"], publisher.to_checksum_string());
  EXPECT_EQ(resolved["checksum"], published["checksum"]);

  // Order, as the consumer.
  Json ordered = pactum({"--as", "consumer", "order", did});
  ASSERT_TRUE(ordered.contains("agreement_id")) << ordered.dump();
  const std::string agreement = ordered["agreement_id"];
  EXPECT_EQ(ordered["paid_wei"], (kPrice + kFee).to_dec());
  EXPECT_EQ(ordered["consumer"], consumer.to_checksum_string());

  Json paid = pactum({"--as", "consumer", "status", agreement});
  EXPECT_EQ(states(paid), (std::vector<std::string>{"Fulfilled", "Unfulfilled", "Unfulfilled"}))
      << paid.dump();

  // Download: every chunk verified against the on-chain checksum.
  const auto copy = dir_.path() / "copy.bin";
  Json downloaded = pactum({"--as", "consumer", "download", agreement, "-o", copy.string()});
  EXPECT_EQ(downloaded["verified"], true);
  EXPECT_EQ(downloaded["checksum"], published["checksum"]);
  std::ifstream in(copy, std::ios::binary);
  const std::string received((std::istreambuf_iterator<char>(in)), {});
  ASSERT_EQ(received.size(), original.size());
  EXPECT_TRUE(received == original) << "the downloaded bytes differ from the original";

  Json settled = pactum({"--as", "consumer", "status", agreement});
  EXPECT_EQ(states(settled), (std::vector<std::string>{"Fulfilled", "Fulfilled", "Fulfilled"}))
      << settled.dump();

  // Every transaction of the story: the two the CLI reported, and all that logged an event of
  // the agreement (createAgreementAndLock, fulfillAccess, releasePayment).
  std::set<Hash32> transactions;
  for (const Json* doc : {&published, &ordered}) {
    for (const auto& t : (*doc)["transactions"]) {
      transactions.insert(fixed_from_hex<32>(t["hash"].get<std::string>()).value());
    }
  }
  rpc::LogFilter filter;
  filter.addresses = {engine};
  filter.topics = {{}, {fixed_from_hex<32>(agreement).value()}};
  auto latest = api_->block_number();
  ASSERT_TRUE(latest.ok());
  auto logs = rpc::get_logs_range(*api_, filter, 0, *latest);
  ASSERT_TRUE(logs.ok()) << logs.error().to_string();
  for (const auto& log : *logs) transactions.insert(log.transaction_hash);
  EXPECT_EQ(transactions.size(), 4u) << "register, create+lock, fulfillAccess, releasePayment";

  std::map<eth::Address, U256> expected = before;
  expected[publisher] = expected[publisher] + kPrice;
  expected[marketplace] = expected[marketplace] + kFee;
  expected[consumer] = expected[consumer] - kPrice - kFee;
  for (const auto& hash : transactions) {
    const rpc::Receipt r = receipt(hash);
    EXPECT_TRUE(r.success) << to_hex(hash);
    ASSERT_TRUE(expected.contains(r.from))
        << "a transaction from an unexpected account " << r.from.to_checksum_string();
    expected[r.from] = expected[r.from] - U256(r.gas_used) * r.effective_gas_price;
  }
  for (const auto& [account, want] : expected) {
    EXPECT_EQ(balance(account), want) << account.to_checksum_string();
  }
  EXPECT_EQ(balance(engine), before[engine]) << "the escrow keeps nothing";

  // The same story priced in the stack's dev token (5 PDEV + a 1 PDEV fee): the consumer approves
  // the engine, then orders; every receiver gets its tokens and the consumer pays ether for gas
  // only.
  ASSERT_TRUE(up["contracts"].contains("dev_token")) << up.dump();
  const std::string token_text = up["contracts"]["dev_token"]["address"];
  const eth::Address token = eth::Address::parse(token_text).value();
  std::map<eth::Address, U256> tokens_before;
  for (const auto& a : {publisher, consumer, marketplace, engine}) {
    tokens_before[a] = token_balance(token, a);
  }
  EXPECT_EQ(tokens_before[consumer], U256(1'000'000) * kOneToken);
  const U256 consumer_ether = balance(consumer);
  const auto small = dir_.path() / "small.bin";
  std::ofstream(small, std::ios::binary) << original.substr(0, 100'000);
  Json priced =
      pactum({"--as", "publisher", "publish", small.string(), "--price", "5eth", "--token",
              token_text, "--fee", marketplace.to_checksum_string() + ":1eth"});
  ASSERT_TRUE(priced.contains("did")) << priced.dump();
  EXPECT_EQ(priced["payment"]["token"], token_text);
  Json token_order = pactum({"--as", "consumer", "order", priced["did"]});
  ASSERT_TRUE(token_order.contains("agreement_id")) << token_order.dump();
  EXPECT_EQ(token_order["paid"], (U256(6) * kOneToken).to_dec());
  EXPECT_EQ(token_order["token"], token_text);
  ASSERT_EQ(token_order["transactions"].size(), 2u) << token_order.dump();
  EXPECT_EQ(token_order["transactions"][0]["what"], "ERC20.approve");
  const auto small_copy = dir_.path() / "small-copy.bin";
  Json token_download =
      pactum({"--as", "consumer", "download", token_order["agreement_id"].get<std::string>(), "-o",
              small_copy.string()});
  EXPECT_EQ(token_download["verified"], true);
  std::ifstream small_in(small_copy, std::ios::binary);
  EXPECT_TRUE(std::string((std::istreambuf_iterator<char>(small_in)), {}) ==
              original.substr(0, 100'000));
  EXPECT_EQ(token_balance(token, publisher), tokens_before[publisher] + U256(5) * kOneToken);
  EXPECT_EQ(token_balance(token, marketplace), tokens_before[marketplace] + kOneToken);
  EXPECT_EQ(token_balance(token, consumer), tokens_before[consumer] - U256(6) * kOneToken);
  EXPECT_EQ(token_balance(token, engine), tokens_before[engine]);
  U256 consumer_gas;
  for (const auto& t : token_order["transactions"]) {
    consumer_gas = consumer_gas + U256::from_dec(t["fee_wei"].get<std::string>()).value();
  }
  EXPECT_EQ(balance(consumer), consumer_ether - consumer_gas);
  // A token address that is no contract: a usage error, before the upload.
  Json no_token = pactum({"--as", "publisher", "publish", small.string(), "--price", "1eth",
                          "--token", dev(7).to_checksum_string()},
                         2);
  EXPECT_EQ(no_token["error"]["code"], "invalid_argument") << no_token.dump();

  Json down = pactum({"down"});
  EXPECT_EQ(down["was_running"], true);
  started_ = false;
}

}  // namespace
}  // namespace pactum::cli::testing
