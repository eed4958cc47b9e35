// get_logs_range against a local HTTP server that answers eth_getLogs like a provider with a
// result-count limit, refusing larger results with -32005 "query returned more than N results".
#include "pactum/rpc/logs.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "support/net/scripted_server.hpp"

namespace pactum::rpc {
namespace {

using testing::FakeClock;
using testing::Reply;
using testing::ScriptedServer;
using Json = nlohmann::json;

std::string hex32(std::uint64_t v) {
  std::string s(64, '0');
  for (int i = 63; i >= 0 && v != 0; --i, v >>= 4) s[i] = "0123456789abcdef"[v & 15];
  return "0x" + s;
}

// A chain of `blocks` blocks where block b holds logs_in(b) logs, served by eth_getLogs with at
// most `limit` results per answer. Records every range asked.
class LimitedProvider {
 public:
  LimitedProvider(std::uint64_t blocks, std::size_t limit) : blocks_(blocks), limit_(limit) {}

  static std::uint64_t logs_in(std::uint64_t block) { return block % 4 == 0 ? 3 : block % 2; }

  Reply answer(const std::string& body) {
    const Json request = Json::parse(body);
    const Json& filter = request["params"][0];
    const std::uint64_t from = std::stoull(filter["fromBlock"].get<std::string>(), nullptr, 16);
    const std::uint64_t to = std::stoull(filter["toBlock"].get<std::string>(), nullptr, 16);
    {
      std::lock_guard lock(mutex_);
      asked_.emplace_back(from, to);
    }
    Json logs = Json::array();
    for (std::uint64_t b = from; b <= to && b < blocks_; ++b) {
      for (std::uint64_t i = 0; i < logs_in(b); ++i) {
        logs.push_back({{"address", filter["address"]},
                        {"topics", Json::array({hex32(0xe7e47), hex32(b)})},
                        {"data", "0x" + std::string(64, 'a')},
                        {"blockNumber", "0x" + to_hex_digits(b)},
                        {"blockHash", hex32(b + 1000)},
                        {"transactionHash", hex32(b * 100 + i)},
                        {"transactionIndex", "0x" + to_hex_digits(i)},
                        {"logIndex", "0x" + to_hex_digits(i)},
                        {"removed", false}});
      }
    }
    Json out = {{"jsonrpc", "2.0"}, {"id", request["id"]}};
    if (logs.size() > limit_) {
      out["error"] = {{"code", -32005},
                      {"message", "query returned more than " + std::to_string(limit_) +
                                      " results. Try with this block range [0x1, 0x2]."}};
    } else {
      out["result"] = std::move(logs);
    }
    return Reply{200, out.dump()};
  }

  std::vector<std::pair<std::uint64_t, std::uint64_t>> asked() {
    std::lock_guard lock(mutex_);
    return asked_;
  }

 private:
  static std::string to_hex_digits(std::uint64_t v) {
    std::string s;
    do {
      s.insert(s.begin(), "0123456789abcdef"[v & 15]);
      v >>= 4;
    } while (v != 0);
    return s;
  }
  std::uint64_t blocks_;
  std::size_t limit_;
  std::mutex mutex_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> asked_;
};

std::unique_ptr<RpcClient> client_for(const ScriptedServer& server) {
  RpcClientOptions options;
  options.clock = std::make_shared<FakeClock>();
  options.jitter_seed = 1;
  return RpcClient::connect_http(server.url(), {}, std::move(options)).value();
}

LogFilter any_log_of_one_address() {
  LogFilter f;
  f.addresses.push_back(eth::Address::parse("0x5fbdb2315678afecb367f032d93f642f64180aa3").value());
  return f;
}

TEST(GetLogsRange, HalvesRefusedRangesDownToSingleBlocksAndKeepsOrder) {
  LimitedProvider provider(200, 4);
  ScriptedServer server([&](const std::string& body) { return provider.answer(body); });
  auto client = client_for(server);
  EthApi api(*client);
  auto logs = get_logs_range(api, any_log_of_one_address(), 0, 199, {.max_blocks_per_request = 64});
  ASSERT_TRUE(logs.ok()) << logs.error().to_string();
  std::vector<std::pair<std::uint64_t, std::uint64_t>> want;  // (block, log index)
  for (std::uint64_t b = 0; b < 200; ++b) {
    for (std::uint64_t i = 0; i < LimitedProvider::logs_in(b); ++i) want.emplace_back(b, i);
  }
  ASSERT_EQ(logs->size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k) {
    EXPECT_EQ((*logs)[k].block_number, want[k].first) << k;
    EXPECT_EQ((*logs)[k].log_index, want[k].second) << k;
  }
  // The first ask was the full chunk and was refused; some ask went down to a single block
  // (block 0 alone has 3 logs, blocks 0..1 have 4, 0..3 too many).
  const auto asked = provider.asked();
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked.front(), std::make_pair(std::uint64_t{0}, std::uint64_t{63}));
  EXPECT_NE(
      std::find(asked.begin(), asked.end(), std::make_pair(std::uint64_t{0}, std::uint64_t{1})),
      asked.end());
  // Every ask was within the asked range and no larger than the chunk size.
  for (const auto& [lo, hi] : asked) {
    EXPECT_LE(lo, hi);
    EXPECT_LE(hi, 199u);
    EXPECT_LE(hi - lo + 1, 64u);
  }
}

TEST(GetLogsRange, SingleBlockTooLargeIsResourceExhausted) {
  LimitedProvider provider(50, 2);  // block 0 has 3 logs: never servable
  ScriptedServer server([&](const std::string& body) { return provider.answer(body); });
  auto client = client_for(server);
  EthApi api(*client);
  auto logs = get_logs_range(api, any_log_of_one_address(), 0, 40);
  ASSERT_FALSE(logs.ok());
  EXPECT_EQ(logs.error().code(), ErrorCode::kResourceExhausted) << logs.error().to_string();
  EXPECT_NE(logs.error().message().find("blocks 0..0"), std::string::npos)
      << logs.error().message();
}

TEST(GetLogsRange, RangeWithinOneRequestAndBadRanges) {
  LimitedProvider provider(10, 1000);
  ScriptedServer server([&](const std::string& body) { return provider.answer(body); });
  auto client = client_for(server);
  EthApi api(*client);
  auto logs = get_logs_range(api, any_log_of_one_address(), 3, 9);
  ASSERT_TRUE(logs.ok()) << logs.error().to_string();
  EXPECT_EQ(provider.asked().size(), 1u);
  EXPECT_EQ(get_logs_range(api, any_log_of_one_address(), 9, 3).error().code(),
            ErrorCode::kInvalidArgument);
  // The very top of the 64-bit range does not overflow.
  auto top = get_logs_range(api, any_log_of_one_address(), UINT64_MAX - 1, UINT64_MAX);
  ASSERT_TRUE(top.ok()) << top.error().to_string();
  EXPECT_TRUE(top->empty());
}

TEST(GetLogsRange, LogsOutsideTheAskedRangeAreDataLoss) {
  ScriptedServer server([](const std::string& body) {
    const Json request = Json::parse(body);
    Json log = {{"address", "0x5fbdb2315678afecb367f032d93f642f64180aa3"},
                {"topics", Json::array()},
                {"data", "0x"},
                {"blockNumber", "0x99"},
                {"blockHash", hex32(1)},
                {"transactionHash", hex32(2)},
                {"transactionIndex", "0x0"},
                {"logIndex", "0x0"}};
    return Reply{
        200,
        Json{{"jsonrpc", "2.0"}, {"id", request["id"]}, {"result", Json::array({log})}}.dump()};
  });
  auto client = client_for(server);
  EthApi api(*client);
  auto logs = get_logs_range(api, any_log_of_one_address(), 0, 5);
  ASSERT_FALSE(logs.ok());
  EXPECT_EQ(logs.error().code(), ErrorCode::kDataLoss) << logs.error().to_string();
}

}  // namespace
}  // namespace pactum::rpc
