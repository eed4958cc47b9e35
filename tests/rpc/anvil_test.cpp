// Live tests against a real anvil started by each test: ether transfers with exact balances,
// deploying and calling a contract compiled from tests/rpc/contracts/Counter.sol at test time,
// events read back with eth_getLogs and decoded, and errors the node answers with (unknown
// method, reverts with reasons, wrong nonces) after which the client keeps working.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "pactum/eth/abi.hpp"
#include "pactum/eth/keys.hpp"
#include "pactum/eth/transaction.hpp"
#include "pactum/rpc/eth_api.hpp"
#include "pactum/rpc/json_rpc.hpp"
#include "pactum/rpc/logs.hpp"
#include "pactum/rpc/sender.hpp"
#include "support/net/scripted_server.hpp"
#include "support/process.hpp"

namespace pactum::rpc {
namespace {

using pactum::testing::AnvilProcess;
using pactum::testing::source_path;
using testing::FakeClock;
using testing::Reply;
using testing::ScriptedServer;

const eth::U256 kEther = eth::U256(1'000'000'000'000'000'000ULL);

eth::PrivateKey dev_key(std::size_t i) {
  return eth::PrivateKey::from_hex(AnvilProcess::dev_private_keys().at(i)).value();
}
eth::Address dev_address(std::size_t i) {
  return eth::Address::parse(AnvilProcess::dev_addresses().at(i)).value();
}

// Counter.sol compiled once per test binary with the repo's solc-js.
struct Compiled {
  Bytes bytecode;
};

const Compiled& counter_contract() {
  static const Compiled compiled = [] {
    auto out = pactum::testing::run_command(
        {"node", source_path("tests/rpc/contracts/compile.js"), source_path("node_modules/solc"),
         source_path("tests/rpc/contracts/Counter.sol"), "Counter"});
    EXPECT_TRUE(out.ok()) << out.error().to_string();
    if (!out.ok() || out->exit_code != 0) {
      ADD_FAILURE() << "solc-js failed: " << (out.ok() ? out->stderr_text : "");
      return Compiled{};
    }
    const auto json = nlohmann::json::parse(out->stdout_text);
    return Compiled{from_hex(json.at("bytecode").get<std::string>()).value()};
  }();
  return compiled;
}

// A running anvil with a client, the typed API and a sender for dev account 0.
struct Chain {
  AnvilProcess anvil;
  std::unique_ptr<RpcClient> client;
  std::unique_ptr<EthApi> api;
  std::unique_ptr<TransactionSender> sender;

  static Chain start(std::vector<std::string> anvil_args = {}) {
    auto anvil = AnvilProcess::start(std::move(anvil_args));
    EXPECT_TRUE(anvil.ok()) << anvil.error().to_string();
    Chain c{std::move(anvil).value()};
    c.client = RpcClient::connect_http(c.anvil.url()).value();
    c.api = std::make_unique<EthApi>(*c.client);
    auto sender = TransactionSender::create(*c.api, dev_key(0));
    EXPECT_TRUE(sender.ok()) << sender.error().to_string();
    c.sender = std::move(sender).value();
    return c;
  }
};

eth::U256 total_cost(const Receipt& r) {
  return eth::U256(r.gas_used) * r.effective_gas_price;
}

TEST(Anvil, SendEtherChangesBalancesExactly) {
  Chain chain = Chain::start();
  EthApi& api = *chain.api;
  EXPECT_EQ(api.chain_id().value(), 31337u);
  const eth::Address from = dev_address(0);
  EXPECT_EQ(chain.sender->address(), from);
  const eth::Address to = dev_address(1);
  const eth::U256 from_before = api.get_balance(from).value();
  const eth::U256 to_before = api.get_balance(to).value();
  EXPECT_EQ(to_before, kEther * eth::U256(10'000));

  const eth::U256 amount = kEther + kEther / eth::U256(2);  // 1.5 ether
  auto receipt = chain.sender->send_and_wait({.to = to, .value = amount});
  ASSERT_TRUE(receipt.ok()) << receipt.error().to_string();
  EXPECT_TRUE(receipt->success);
  EXPECT_EQ(receipt->gas_used, 21'000u);
  EXPECT_EQ(receipt->from, from);
  EXPECT_EQ(receipt->to, to);
  EXPECT_FALSE(receipt->effective_gas_price.is_zero());

  EXPECT_EQ(api.get_balance(to).value(), to_before + amount);
  EXPECT_EQ(api.get_balance(from).value(), from_before - amount - total_cost(*receipt));
  EXPECT_EQ(api.get_transaction_count(from).value(), 1u);

  // Three more in a row: nonces counted locally, all mined, balances still exact.
  eth::U256 spent;
  for (int i = 0; i < 3; ++i) {
    auto r = chain.sender->send_and_wait({.to = to, .value = eth::U256(1)});
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    spent += total_cost(*r) + eth::U256(1);
  }
  EXPECT_EQ(api.get_transaction_count(from).value(), 4u);
  EXPECT_EQ(api.get_balance(from).value(), from_before - amount - total_cost(*receipt) - spent);
}

TEST(Anvil, FeesComeFromFeeHistory) {
  Chain chain = Chain::start();
  auto fees = chain.sender->estimate_fees();
  ASSERT_TRUE(fees.ok()) << fees.error().to_string();
  EXPECT_TRUE(fees->eip1559);
  const auto base = chain.api->latest_base_fee().value();
  ASSERT_TRUE(base.has_value());
  // Fresh chain: no rewards yet, so the fallback tip; the cap is 2 × the next base fee + tip.
  EXPECT_EQ(fees->max_priority_fee_per_gas, eth::U256(1'000'000'000));
  EXPECT_GE(fees->max_fee_per_gas, *base + fees->max_priority_fee_per_gas);
  const double pct[] = {25, 75};
  auto history = chain.api->fee_history(4, BlockId::latest(), pct);
  ASSERT_TRUE(history.ok()) << history.error().to_string();
  EXPECT_EQ(history->base_fee_per_gas.size(), history->gas_used_ratio.size() + 1);
}

TEST(Anvil, LegacyTransactionsWhenTheChainHasNoBaseFee) {
  Chain chain = Chain::start({"--hardfork", "berlin"});
  ASSERT_FALSE(chain.api->latest_base_fee().value().has_value());
  auto fees = chain.sender->estimate_fees();
  ASSERT_TRUE(fees.ok()) << fees.error().to_string();
  EXPECT_FALSE(fees->eip1559);
  EXPECT_FALSE(fees->gas_price.is_zero());
  const eth::U256 before = chain.api->get_balance(dev_address(2)).value();
  auto r = chain.sender->send_and_wait({.to = dev_address(2), .value = eth::U256(12345)});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(r->success);
  EXPECT_EQ(r->effective_gas_price, fees->gas_price);
  EXPECT_EQ(chain.api->get_balance(dev_address(2)).value(), before + eth::U256(12345));
}

TEST(Anvil, DeployCallEmitAndReadLogs) {
  const Compiled& counter = counter_contract();
  ASSERT_FALSE(counter.bytecode.empty());
  Chain chain = Chain::start();
  EthApi& api = *chain.api;

  const eth::AbiType uint256 = eth::AbiType::uint(256);
  const Bytes args = eth::abi_encode_single(uint256, eth::U256(41)).value();
  auto address = chain.sender->deploy(counter.bytecode, args);
  ASSERT_TRUE(address.ok()) << address.error().to_string();
  EXPECT_FALSE(api.get_code(*address).value().empty());

  // value() through eth_call, ABI-decoded.
  const auto value_call = eth::encode_call("value()", {}).value();
  auto read_value = [&]() -> eth::U256 {
    auto out = api.call({.to = *address, .data = value_call});
    EXPECT_TRUE(out.ok()) << out.error().to_string();
    if (!out.ok()) return {};
    const std::vector<eth::AbiType> types = {uint256};
    return eth::abi_decode(types, *out).value().at(0).as_uint();
  };
  EXPECT_EQ(read_value(), eth::U256(41));

  // increment(1, "hello") emits Incremented(by, 42, "hello").
  const std::vector<eth::AbiValue> inc_args = {eth::U256(1), std::string("hello")};
  const Bytes inc = eth::encode_call("increment(uint256,string)", inc_args).value();
  auto receipt = chain.sender->send_and_wait({.to = *address, .data = inc});
  ASSERT_TRUE(receipt.ok()) << receipt.error().to_string();
  ASSERT_TRUE(receipt->success);
  ASSERT_EQ(receipt->logs.size(), 1u);
  EXPECT_EQ(read_value(), eth::U256(42));

  const auto event =
      eth::parse_event_signature("Incremented(address indexed by, uint256 newValue, string note)")
          .value();
  LogFilter filter;
  filter.addresses = {*address};
  filter.topics = {{event.topic()}};
  filter.from_block = BlockId::earliest();
  filter.to_block = BlockId::latest();
  auto logs = api.get_logs(filter);
  ASSERT_TRUE(logs.ok()) << logs.error().to_string();
  ASSERT_EQ(logs->size(), 1u);
  const Log& log = logs->front();
  EXPECT_EQ(log.address, *address);
  EXPECT_EQ(log.transaction_hash, receipt->transaction_hash);
  EXPECT_EQ(log.block_number, receipt->block_number);
  auto decoded = eth::decode_log(event, log.topics, log.data);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  ASSERT_EQ(decoded->size(), 3u);
  EXPECT_EQ((*decoded)[0].as_address(), dev_address(0).bytes());
  EXPECT_EQ((*decoded)[1].as_uint(), eth::U256(42));
  EXPECT_EQ((*decoded)[2].as_string(), "hello");

  // A few more events, then all of them through get_logs_range in 1-block chunks.
  for (int i = 2; i <= 4; ++i) {
    const std::vector<eth::AbiValue> a = {eth::U256(i), std::string("n") + std::to_string(i)};
    ASSERT_TRUE(
        chain.sender
            ->send_and_wait(
                {.to = *address, .data = eth::encode_call("increment(uint256,string)", a).value()})
            .ok());
  }
  const std::uint64_t head = api.block_number().value();
  auto all = get_logs_range(api, filter, 0, head, {.max_blocks_per_request = 1});
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  ASSERT_EQ(all->size(), 4u);
  std::vector<eth::U256> values;
  for (const Log& l : *all)
    values.push_back(eth::decode_log(event, l.topics, l.data)->at(1).as_uint());
  EXPECT_EQ(values, (std::vector<eth::U256>{42, 44, 47, 51}));
}

TEST(Anvil, ErrorsAreTypedAndTheClientKeepsWorking) {
  const Compiled& counter = counter_contract();
  ASSERT_FALSE(counter.bytecode.empty());
  Chain chain = Chain::start();
  EthApi& api = *chain.api;
  RpcClient& client = *chain.client;

  // A method anvil does not know.
  auto unknown = client.call("eth_notAMethod");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kUnimplemented) << unknown.error().to_string();
  EXPECT_EQ(api.block_number().value(), 0u);

  const Bytes args = eth::abi_encode_single(eth::AbiType::uint(256), eth::U256(0)).value();
  const eth::Address address = chain.sender->deploy(counter.bytecode, args).value();

  // A reverting call: the reason is decoded and the data surfaced.
  const std::vector<eth::AbiValue> zero = {eth::U256(0), std::string("x")};
  const Bytes bad = eth::encode_call("increment(uint256,string)", zero).value();
  RpcErrorObject rpc_error;
  auto reverted =
      api.call({.from = dev_address(0), .to = address, .data = bad}, BlockId::latest(), &rpc_error);
  ASSERT_FALSE(reverted.ok());
  EXPECT_EQ(reverted.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(reverted.error().message().find("by must be positive"), std::string::npos)
      << reverted.error().message();
  auto data = revert_data(rpc_error);
  ASSERT_TRUE(data.has_value()) << rpc_error.data_json;
  EXPECT_EQ(decode_revert_reason(*data), "by must be positive");

  // A custom error: not decodable as a string, but its data (selector TooLarge) is there.
  const std::vector<eth::AbiValue> huge = {eth::U256(5000), std::string("x")};
  auto custom = api.call({.from = dev_address(0),
                          .to = address,
                          .data = eth::encode_call("increment(uint256,string)", huge).value()},
                         BlockId::latest(), &rpc_error);
  ASSERT_FALSE(custom.ok());
  EXPECT_EQ(custom.error().code(), ErrorCode::kFailedPrecondition);
  const auto selector = eth::function_selector("TooLarge(uint256,uint256)").value();
  ASSERT_TRUE(revert_data(rpc_error).has_value());
  EXPECT_TRUE(std::equal(selector.begin(), selector.end(), revert_data(rpc_error)->begin()));

  // Sending it: gas estimation reverts, nothing is signed, the nonce is not consumed.
  auto sent = chain.sender->send({.to = address, .data = bad});
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(sent.error().message().find("by must be positive"), std::string::npos);

  // A transaction with a nonce already used: kAborted.
  eth::Transaction stale;
  stale.chain_id = 31337;
  stale.nonce = 0;
  stale.max_priority_fee_per_gas = eth::U256(1'000'000'000);
  stale.max_fee_per_gas = eth::U256(100'000'000'000ULL);
  stale.gas_limit = 21'000;
  stale.to = dev_address(3);
  stale.value = eth::U256(1);
  const auto signed_stale = eth::sign_transaction(stale, dev_key(0)).value();
  auto low = api.send_raw_transaction(signed_stale.serialize());
  ASSERT_FALSE(low.ok());
  EXPECT_EQ(low.error().code(), ErrorCode::kAborted) << low.error().to_string();

  // Garbage as a raw transaction: the node refuses, typed.
  auto garbage = api.send_raw_transaction(Bytes{0x02, 0x01});
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.error().code(), ErrorCode::kUnavailable) << garbage.error().to_string();

  // And everything still works afterwards.
  const std::vector<eth::AbiValue> one = {eth::U256(1), std::string("ok")};
  auto fine = chain.sender->send_and_wait(
      {.to = address, .data = eth::encode_call("increment(uint256,string)", one).value()});
  ASSERT_TRUE(fine.ok()) << fine.error().to_string();
  EXPECT_TRUE(fine->success);
  const std::vector<RpcRequest> batch = {{"eth_chainId", "[]"}, {"eth_blockNumber", "[]"}};
  auto answers = client.batch(batch);
  ASSERT_TRUE(answers.ok()) << answers.error().to_string();
  EXPECT_EQ((*answers)[0].value(), "\"0x7a69\"");
  EXPECT_EQ((*answers)[1].value(), "\"0x2\"");
}

// The chain's clock, which time outs compare with: the latest block's timestamp, moved forward
// by evm_increaseTime + evm_mine.
TEST(Anvil, LatestBlockTimestampIsTheChainsClock) {
  Chain chain = Chain::start();
  const std::uint64_t genesis = chain.api->latest_block_timestamp().value();
  EXPECT_GT(genesis, 1'600'000'000u);
  ASSERT_TRUE(chain.client->call("evm_increaseTime", "[3600]").ok());
  ASSERT_TRUE(chain.client->call("evm_mine").ok());
  EXPECT_GE(chain.api->latest_block_timestamp().value(), genesis + 3600);
}

TEST(Anvil, NonceResyncsAfterAnotherWriterUsedIt) {
  Chain chain = Chain::start();
  // Warm the sender's local nonce counter.
  ASSERT_TRUE(chain.sender->send_and_wait({.to = dev_address(4), .value = eth::U256(1)}).ok());
  // A second sender for the same key moves the nonce on behind the first one's back.
  auto other = TransactionSender::create(*chain.api, dev_key(0)).value();
  ASSERT_TRUE(other->send_and_wait({.to = dev_address(4), .value = eth::U256(1)}).ok());
  ASSERT_TRUE(other->send_and_wait({.to = dev_address(4), .value = eth::U256(1)}).ok());
  // The first sender's next nonce (1) is now too low: it resyncs to 3 and succeeds.
  auto r = chain.sender->send_and_wait({.to = dev_address(4), .value = eth::U256(1)});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(chain.api->get_transaction_count(dev_address(0)).value(), 4u);
}

TEST(Anvil, WaitForReceiptGivesUpAtTheDeadlineWithoutSleeping) {
  auto anvil = AnvilProcess::start().value();
  auto client = RpcClient::connect_http(anvil.url()).value();
  EthApi api(*client);
  auto clock = std::make_shared<FakeClock>();
  auto sender = TransactionSender::create(api, dev_key(0), {.clock = clock}).value();
  Hash32 unknown{};
  unknown[0] = 0xab;
  auto r = sender->wait_for_receipt(unknown, std::chrono::seconds(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kDeadlineExceeded) << r.error().to_string();
  const auto sleeps = clock->sleeps();
  ASSERT_FALSE(sleeps.empty());
  EXPECT_EQ(sleeps.front(), std::chrono::milliseconds(20));
  std::chrono::milliseconds total{};
  for (auto s : sleeps) {
    EXPECT_LE(s, std::chrono::milliseconds(1000));
    total += s;
  }
  EXPECT_EQ(total, std::chrono::milliseconds(5000));
}

TEST(FeeEstimation, BaseFeeWithoutFeeHistoryIsAClearError) {
  ScriptedServer server([](const std::string& body) {
    const auto request = nlohmann::json::parse(body);
    const std::string method = request["method"];
    nlohmann::json out = {{"jsonrpc", "2.0"}, {"id", request["id"]}};
    if (method == "eth_chainId") {
      out["result"] = "0x1";
    } else if (method == "eth_getBlockByNumber") {
      out["result"] = {{"number", "0x10"}, {"baseFeePerGas", "0x3b9aca00"}};
    } else {
      out["error"] = {{"code", -32601}, {"message", "the method " + method + " does not exist"}};
    }
    return Reply{200, out.dump()};
  });
  auto client = RpcClient::connect_http(server.url()).value();
  EthApi api(*client);
  auto sender = TransactionSender::create(api, dev_key(0)).value();
  auto fees = sender->estimate_fees();
  ASSERT_FALSE(fees.ok());
  EXPECT_EQ(fees.error().code(), ErrorCode::kUnimplemented) << fees.error().to_string();
  EXPECT_NE(fees.error().message().find("eth_feeHistory"), std::string::npos);
}

TEST(WaitForReceipt, PollsThroughTransientErrorsUntilTheReceiptComes) {
  const std::string hash = "0x" + std::string(64, '1');
  std::atomic<int> polls{0};
  ScriptedServer server([&](const std::string& body) {
    const auto request = nlohmann::json::parse(body);
    const std::string method = request["method"];
    nlohmann::json out = {{"jsonrpc", "2.0"}, {"id", request["id"]}};
    if (method == "eth_chainId") {
      out["result"] = "0x1";
      return Reply{200, out.dump()};
    }
    const int n = polls++;
    if (n < 2) return Reply{503, "busy"};
    if (n < 4) {
      out["result"] = nullptr;
      return Reply{200, out.dump()};
    }
    out["result"] = {{"transactionHash", hash},
                     {"blockNumber", "0x5"},
                     {"blockHash", "0x" + std::string(64, '2')},
                     {"transactionIndex", "0x0"},
                     {"from", AnvilProcess::dev_addresses()[0]},
                     {"to", AnvilProcess::dev_addresses()[1]},
                     {"status", "0x1"},
                     {"gasUsed", "0x5208"},
                     {"cumulativeGasUsed", "0x5208"},
                     {"effectiveGasPrice", "0x1"},
                     {"contractAddress", nullptr},
                     {"logs", nlohmann::json::array()}};
    return Reply{200, out.dump()};
  });
  auto clock = std::make_shared<FakeClock>();
  RpcClientOptions rpc_options;
  rpc_options.retry.max_attempts = 1;  // the transient errors reach the sender's own loop
  rpc_options.clock = clock;
  auto client = RpcClient::connect_http(server.url(), {}, rpc_options).value();
  EthApi api(*client);
  auto sender = TransactionSender::create(api, dev_key(0), {.clock = clock}).value();
  auto r = sender->wait_for_receipt(fixed_from_hex<32>(hash).value(), std::chrono::seconds(60));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->gas_used, 21'000u);
  EXPECT_EQ(polls.load(), 5);
  const std::vector<std::chrono::milliseconds> want = {
      std::chrono::milliseconds(20), std::chrono::milliseconds(40), std::chrono::milliseconds(80),
      std::chrono::milliseconds(160)};
  EXPECT_EQ(clock->sleeps(), want);
}

}  // namespace
}  // namespace pactum::rpc
