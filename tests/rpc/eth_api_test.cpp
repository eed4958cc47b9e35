// Strict parsing of QUANTITY, DATA, receipts and logs.
#include "pactum/rpc/eth_api.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "support/net/scripted_server.hpp"

namespace pactum::rpc {
namespace {

TEST(ParseQuantity, Table) {
  struct Case {
    std::string text;
    bool ok;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"0x0", true, {}},
      {"0x1", true, {}},
      {"0xff", true, {}},
      {"0xFF", true, {}},
      {"0x" + std::string(64, 'f'), true, {}},
      {"0x1" + std::string(64, '0'), false, ErrorCode::kOutOfRange},
      {"0x", false, ErrorCode::kInvalidArgument},
      {"0x00", false, ErrorCode::kInvalidArgument},
      {"0x01", false, ErrorCode::kInvalidArgument},
      {"0X1", false, ErrorCode::kInvalidArgument},
      {"1", false, ErrorCode::kInvalidArgument},
      {"", false, ErrorCode::kInvalidArgument},
      {"0x1g", false, ErrorCode::kInvalidArgument},
      {"0x-1", false, ErrorCode::kInvalidArgument},
      {"0x 1", false, ErrorCode::kInvalidArgument},
  };
  for (const auto& c : cases) {
    auto r = parse_quantity(c.text);
    ASSERT_EQ(r.ok(), c.ok) << c.text;
    if (!c.ok) {
      EXPECT_EQ(r.error().code(), c.code) << c.text;
    }
  }
  EXPECT_EQ(parse_quantity("0x3e8").value(), eth::U256(1000));
  EXPECT_EQ(parse_quantity_u64("0xffffffffffffffff").value(), UINT64_MAX);
  EXPECT_EQ(parse_quantity_u64("0x10000000000000000").error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(quantity(0), "0x0");
  EXPECT_EQ(quantity(4096), "0x1000");
}

TEST(ParseData, Table) {
  EXPECT_EQ(parse_data("0x").value(), Bytes{});
  EXPECT_EQ(parse_data("0x00ab").value(), (Bytes{0x00, 0xab}));
  EXPECT_FALSE(parse_data("00ab").ok());
  EXPECT_FALSE(parse_data("0xabc").ok());
  EXPECT_FALSE(parse_data("0xzz").ok());
}

const char* kReceipt = R"({
  "transactionHash":"0x1111111111111111111111111111111111111111111111111111111111111111",
  "blockNumber":"0x5","blockHash":"0x2222222222222222222222222222222222222222222222222222222222222222",
  "transactionIndex":"0x0","from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","to":null,
  "status":"0x1","gasUsed":"0x5208","cumulativeGasUsed":"0x5208",
  "effectiveGasPrice":"0x3b9aca00","contractAddress":"0x5fbdb2315678afecb367f032d93f642f64180aa3",
  "logs":[{"address":"0x5fbdb2315678afecb367f032d93f642f64180aa3",
           "topics":["0x3333333333333333333333333333333333333333333333333333333333333333"],
           "data":"0x01","blockNumber":"0x5",
           "blockHash":"0x2222222222222222222222222222222222222222222222222222222222222222",
           "transactionHash":"0x1111111111111111111111111111111111111111111111111111111111111111",
           "transactionIndex":"0x0","logIndex":"0x0","removed":false}],
  "type":"0x2"})";

TEST(ParseReceipt, ReadsEveryField) {
  auto r = parse_receipt(kReceipt);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(r->success);
  EXPECT_EQ(r->block_number, 5u);
  EXPECT_EQ(r->gas_used, 21000u);
  EXPECT_EQ(r->effective_gas_price, eth::U256(1'000'000'000));
  EXPECT_FALSE(r->to.has_value());
  ASSERT_TRUE(r->contract_address.has_value());
  EXPECT_EQ(r->contract_address->to_hex(), "0x5fbdb2315678afecb367f032d93f642f64180aa3");
  ASSERT_EQ(r->logs.size(), 1u);
  EXPECT_EQ(r->logs[0].data, Bytes{1});
  EXPECT_EQ(r->logs[0].topics.size(), 1u);
}

TEST(ParseReceipt, MalformedFieldsAreDataLossNamingTheField) {
  const std::vector<std::pair<std::string, std::string>> edits = {
      {"\"status\":\"0x1\"", "\"status\":\"0x2\""},
      {"\"status\":\"0x1\"", "\"status\":1"},
      {"\"gasUsed\":\"0x5208\"", "\"gasUsed\":\"0x05208\""},
      {"\"gasUsed\":\"0x5208\",", ""},
      {"\"from\":\"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266\"", "\"from\":\"0xf39f\""},
      {"\"data\":\"0x01\"", "\"data\":\"0x1\""},
      {"\"logIndex\":\"0x0\"", "\"logIndex\":null"},
      {"\"removed\":false", "\"removed\":\"no\""},
      {"\"effectiveGasPrice\":\"0x3b9aca00\"",
       "\"effectiveGasPrice\":\"0x1" + std::string(64, '0') + "\""},
  };
  for (const auto& [from, to] : edits) {
    std::string text = kReceipt;
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    auto r = parse_receipt(text);
    ASSERT_FALSE(r.ok()) << to;
    EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss) << to << " → " << r.error().to_string();
  }
  EXPECT_EQ(parse_receipt("[]").error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(parse_receipt("nope").error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(parse_logs("{}").error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(parse_logs("[1]").error().code(), ErrorCode::kDataLoss);
}

}  // namespace
}  // namespace pactum::rpc

namespace pactum::rpc {
namespace {

using testing::FakeClock;
using testing::Reply;
using testing::ScriptedServer;

// A node whose every answer is `result` (raw JSON text) under the request's id.
ScriptedServer answering(std::string result) {
  return ScriptedServer([result](const std::string& body) {
    const auto request = nlohmann::json::parse(body);
    return Reply{
        200, "{\"jsonrpc\":\"2.0\",\"id\":" + request["id"].dump() + ",\"result\":" + result + "}"};
  });
}

std::unique_ptr<RpcClient> client_for(const ScriptedServer& server) {
  RpcClientOptions options;
  options.clock = std::make_shared<FakeClock>();
  options.jitter_seed = 3;
  return RpcClient::connect_http(server.url(), {}, std::move(options)).value();
}

TEST(EthApi, ResultsOfTheWrongTypeAreDataLoss) {
  const eth::Address a;
  const std::vector<std::string> results = {"5", "\"0x01\"", "{}", "null", "[\"0x1\"]", "\"1\""};
  for (const auto& result : results) {
    auto server = answering(result);
    auto client = client_for(server);
    EthApi api(*client);
    EXPECT_EQ(api.chain_id().error().code(), ErrorCode::kDataLoss) << result;
    EXPECT_EQ(api.get_balance(a).error().code(), ErrorCode::kDataLoss) << result;
    if (result != "\"0x01\"") {  // a valid DATA, but not a valid QUANTITY
      EXPECT_EQ(api.get_code(a).error().code(), ErrorCode::kDataLoss) << result;
    }
    EXPECT_EQ(api.send_raw_transaction(Bytes{1}).error().code(), ErrorCode::kDataLoss) << result;
    EXPECT_EQ(api.get_logs({}).error().code(), ErrorCode::kDataLoss) << result;
    auto fees = api.fee_history(1, BlockId::latest(), {});
    EXPECT_EQ(fees.error().code(), ErrorCode::kDataLoss) << result;
  }
}

// The latest block's timestamp: only a block object with a quantity "timestamp" is one.
TEST(EthApi, LatestBlockTimestampReadsTheBlockAndRefusesAnythingElse) {
  {
    auto server = answering(R"({"number":"0x5","timestamp":"0x65f0a3b1","hash":"0x00"})");
    auto client = client_for(server);
    EthApi api(*client);
    EXPECT_EQ(*api.latest_block_timestamp(), 0x65f0a3b1u);
  }
  for (const std::string bad :
       {"null", "\"0x1\"", "[]", "{}", R"({"timestamp":5})", R"({"timestamp":"0x"})",
        R"({"timestamp":"0x01"})", R"({"timestamp":"0x10000000000000000"})"}) {
    SCOPED_TRACE(bad);
    auto server = answering(bad);
    auto client = client_for(server);
    EthApi api(*client);
    auto t = api.latest_block_timestamp();
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.error().code(), ErrorCode::kDataLoss) << t.error().to_string();
  }
}

TEST(EthApi, ReceiptForAnotherTransactionIsDataLossAndNullIsPending) {
  auto server = answering(kReceipt);
  auto client = client_for(server);
  EthApi api(*client);
  Hash32 other{};
  auto r = api.get_transaction_receipt(other);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss);
  auto pending_server = answering("null");
  auto pending_client = client_for(pending_server);
  EthApi pending_api(*pending_client);
  auto p = pending_api.get_transaction_receipt(other);
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_FALSE(p->has_value());
}

TEST(EthApi, RefusesBadArgumentsBeforeSending) {
  auto server = answering("\"0x1\"");
  auto client = client_for(server);
  EthApi api(*client);
  EXPECT_EQ(api.fee_history(0, BlockId::latest(), {}).error().code(), ErrorCode::kInvalidArgument);
  const double descending[] = {50, 10};
  EXPECT_EQ(api.fee_history(4, BlockId::latest(), descending).error().code(),
            ErrorCode::kInvalidArgument);
  LogFilter both;
  both.block_hash = Hash32{};
  both.from_block = BlockId::latest();
  EXPECT_EQ(api.get_logs(both).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(server.requests(), 0);
}

// The call object names its payload once, as "data": a strict node refuses "input" beside it
// (-32602, duplicate field), and Hardhat reads "data" only.
TEST(EthApi, CallObjectsCarryThePayloadAsDataOnly) {
  std::mutex mutex;
  std::vector<nlohmann::json> seen;  // GUARDED_BY(mutex)
  ScriptedServer server([&](const std::string& body) {
    const auto request = nlohmann::json::parse(body);
    {
      std::lock_guard lock(mutex);
      seen.push_back(request);
    }
    const std::string result = request["method"] == "eth_estimateGas" ? "\"0x5208\"" : "\"0x01\"";
    return Reply{
        200, "{\"jsonrpc\":\"2.0\",\"id\":" + request["id"].dump() + ",\"result\":" + result + "}"};
  });
  auto client = client_for(server);
  EthApi api(*client);
  CallRequest call;
  call.to = eth::Address::parse("0x5fbdb2315678afecb367f032d93f642f64180aa3").value();
  call.data = Bytes{0x12, 0x34, 0xab};
  ASSERT_TRUE(api.call(call).ok());
  ASSERT_TRUE(api.estimate_gas(call).ok());
  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& request : seen) {
    const auto& object = request["params"][0];
    EXPECT_EQ(object["data"], "0x1234ab") << request.dump();
    EXPECT_FALSE(object.contains("input")) << request.dump();
  }
}

TEST(ParseTransactionInfo, PendingMinedAndMalformed) {
  const std::string hash = "0x" + std::string(64, '1');
  const std::string from = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
  auto pending = parse_transaction_info(R"({"hash":")" + hash + R"(","from":")" + from +
                                        R"(","to":null,"nonce":"0x7","blockNumber":null})");
  ASSERT_TRUE(pending.ok()) << pending.error().to_string();
  EXPECT_EQ(pending->nonce, 7u);
  EXPECT_FALSE(pending->block_number.has_value());
  EXPECT_FALSE(pending->to.has_value());
  auto mined =
      parse_transaction_info(R"({"hash":")" + hash + R"(","from":")" + from + R"(","to":")" + from +
                             R"(","nonce":"0x0","blockNumber":"0x10"})");
  ASSERT_TRUE(mined.ok()) << mined.error().to_string();
  EXPECT_EQ(mined->block_number, 16u);
  for (const std::string& bad :
       {std::string("[]"), std::string("\"x\""), R"({"from":")" + from + R"(","nonce":"0x0"})",
        R"({"hash":"0x12","from":")" + from + R"(","nonce":"0x0"})",
        R"({"hash":")" + hash + R"(","from":")" + from + R"(","nonce":"0x00"})",
        R"({"hash":")" + hash + R"(","from":")" + from + R"(","nonce":"0x0","blockNumber":7})",
        R"({"hash":")" + hash + R"(","from":"0x12","nonce":"0x0"})", std::string("{")}) {
    auto r = parse_transaction_info(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss) << bad << ": " << r.error().to_string();
  }
}

}  // namespace
}  // namespace pactum::rpc
