// The HTTP transport and RpcClient against a real local HTTP server with scripted answers.
#include "pactum/rpc/http_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "pactum/rpc/json_rpc.hpp"
#include "support/net/scripted_server.hpp"
#include "support/process.hpp"

namespace pactum::rpc {
namespace {

using testing::FakeClock;
using testing::Reply;
using testing::ScriptedServer;
using Json = nlohmann::json;

// Answers a single request object with `result` under the request's own id.
std::string answer(const std::string& request, const Json& result) {
  const Json r = Json::parse(request);
  return Json{{"jsonrpc", "2.0"}, {"id", r.at("id")}, {"result", result}}.dump();
}

std::string rpc_error_answer(const std::string& request, int code, const std::string& message) {
  const Json r = Json::parse(request);
  return Json{
      {"jsonrpc", "2.0"}, {"id", r.at("id")}, {"error", {{"code", code}, {"message", message}}}}
      .dump();
}

std::unique_ptr<RpcClient> client_for(const ScriptedServer& server,
                                      std::shared_ptr<FakeClock> clock, HttpOptions http = {},
                                      int max_attempts = 4) {
  RpcClientOptions options;
  options.clock = std::move(clock);
  options.jitter_seed = 42;
  options.retry.max_attempts = max_attempts;
  return RpcClient::connect_http(server.url(), http, std::move(options)).value();
}

TEST(ParseHttpUrl, AcceptsHttpRefusesOthers) {
  auto e = parse_http_url("http://127.0.0.1:8545");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, "8545");
  EXPECT_EQ(e->target, "/");
  e = parse_http_url("http://node.example/v3/key?x=1");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->port, "80");
  EXPECT_EQ(e->target, "/v3/key?x=1");
  e = parse_http_url("http://[::1]:9/");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "::1");
  e = parse_http_url("https://mainnet.example/v3");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->port, "443");
  EXPECT_EQ(e->target, "/v3");
  EXPECT_FALSE(parse_http_url("http://x").value().tls);
  EXPECT_EQ(parse_http_url("ws://x").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_http_url("http://:80").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_http_url("http://h:99999").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_http_url("http://h:8a").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_http_url("http://h/a b").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_http_url("http://u@h/").error().code(), ErrorCode::kInvalidArgument);
}

TEST(ErrorFromHttpStatus, Table) {
  const std::vector<std::pair<int, ErrorCode>> cases = {
      {400, ErrorCode::kInvalidArgument},   {401, ErrorCode::kUnauthenticated},
      {403, ErrorCode::kPermissionDenied},  {404, ErrorCode::kNotFound},
      {405, ErrorCode::kInvalidArgument},   {408, ErrorCode::kUnavailable},
      {413, ErrorCode::kResourceExhausted}, {429, ErrorCode::kUnavailable},
      {500, ErrorCode::kUnavailable},       {501, ErrorCode::kUnimplemented},
      {502, ErrorCode::kUnavailable},       {503, ErrorCode::kUnavailable},
      {504, ErrorCode::kUnavailable},       {302, ErrorCode::kDataLoss},
  };
  for (const auto& [status, code] : cases) {
    EXPECT_EQ(error_from_http_status(status, "body").code(), code) << status;
  }
}

TEST(HttpTransport, ReusesOneKeptAliveConnection) {
  ScriptedServer server([](const std::string& req) { return Reply{200, answer(req, "0x1")}; });
  auto client = client_for(server, std::make_shared<FakeClock>());
  for (int i = 0; i < 5; ++i) {
    auto r = client->call("eth_chainId");
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(*r, "\"0x1\"");
  }
  EXPECT_EQ(server.requests(), 5);
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpTransport, ReconnectsWhenTheServerClosedTheIdleConnection) {
  // Even a write is sent again: nothing of the answer arrived, the server never saw it.
  ScriptedServer server([](const std::string& req) {
    Reply r{200, answer(req, "0x2")};
    r.close_after = true;
    return r;
  });
  auto client = client_for(server, std::make_shared<FakeClock>(), {}, 1);
  for (int i = 0; i < 3; ++i) {
    auto r = client->call("eth_sendRawTransaction", R"(["0x00"])");
    ASSERT_TRUE(r.ok()) << i << ": " << r.error().to_string();
  }
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(server.connections(), 3);
}

TEST(HttpTransport, ConnectionRefusedIsUnavailable) {
  // A port that was free a moment ago and has nobody listening.
  const int port = pactum::testing::unused_loopback_port();
  ASSERT_NE(port, 0);
  auto transport = HttpTransport::create("http://127.0.0.1:" + std::to_string(port)).value();
  auto r = transport->round_trip("{}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable) << r.error().to_string();
}

TEST(HttpTransport, SlowAnswerBeyondTheTimeoutIsDeadlineExceeded) {
  ScriptedServer server([](const std::string&) {
    Reply r;
    r.hang = true;
    return r;
  });
  HttpOptions http;
  http.request_timeout = std::chrono::milliseconds(200);
  auto clock = std::make_shared<FakeClock>();
  auto client = client_for(server, clock, http, 2);
  auto r = client->call("eth_blockNumber");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kDeadlineExceeded) << r.error().to_string();
  EXPECT_EQ(server.requests(), 2);  // a read: retried once
  EXPECT_EQ(clock->sleeps().size(), 1u);
}

TEST(HttpTransport, OversizedBodyIsResourceExhausted) {
  ScriptedServer server([](const std::string& req) {
    return Reply{200, answer(req, std::string(4096, 'a'))};
  });
  HttpOptions http;
  http.max_body_bytes = 1024;
  auto client = client_for(server, std::make_shared<FakeClock>(), http);
  auto r =
      client->call("eth_getCode", R"(["0x0000000000000000000000000000000000000000","latest"])");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kResourceExhausted) << r.error().to_string();
  EXPECT_EQ(server.requests(), 1);  // not retried
}

TEST(HttpTransport, GarbageInsteadOfHttpIsDataLoss) {
  ScriptedServer server([](const std::string&) {
    Reply r;
    r.raw = "HTTP/1.1 abc nonsense\r\n\r\n";
    return r;
  });
  auto client = client_for(server, std::make_shared<FakeClock>());
  auto r = client->call("eth_chainId");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss) << r.error().to_string();
}

TEST(RpcClient, RetriesA503ThenSucceedsWithGrowingBackoff) {
  std::atomic<int> seen{0};
  ScriptedServer server([&](const std::string& req) {
    if (++seen <= 3) return Reply{503, "busy"};
    return Reply{200, answer(req, "0x10")};
  });
  auto clock = std::make_shared<FakeClock>();
  auto client = client_for(server, clock);
  auto r = client->call("eth_blockNumber");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r, "\"0x10\"");
  const auto sleeps = clock->sleeps();
  ASSERT_EQ(sleeps.size(), 3u);
  // initial 100 ms doubling, the last half of each drawn at random.
  for (std::size_t i = 0; i < sleeps.size(); ++i) {
    const auto full = 100 << i;
    EXPECT_GE(sleeps[i].count(), full / 2) << i;
    EXPECT_LE(sleeps[i].count(), full) << i;
  }
}

TEST(RpcClient, GivesUpAfterMaxAttempts) {
  ScriptedServer server([](const std::string&) { return Reply{429, "slow down"}; });
  auto clock = std::make_shared<FakeClock>();
  auto client = client_for(server, clock);
  auto r =
      client->call("eth_getBalance", R"(["0x0000000000000000000000000000000000000000","latest"])");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message().find("after 4 attempts"), std::string::npos) << r.error().message();
  EXPECT_EQ(server.requests(), 4);
}

TEST(RpcClient, NeverRetriesSendRawTransaction) {
  ScriptedServer server([](const std::string&) { return Reply{503, "busy"}; });
  auto clock = std::make_shared<FakeClock>();
  auto client = client_for(server, clock);
  auto r = client->call("eth_sendRawTransaction", R"(["0x02"])");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(server.requests(), 1);
  EXPECT_TRUE(clock->sleeps().empty());
}

TEST(RpcClient, DoesNotRetryRpcErrorsThatAreNotTransient) {
  ScriptedServer server([](const std::string& req) {
    return Reply{200, rpc_error_answer(req, -32601, "the method foo does not exist")};
  });
  auto client = client_for(server, std::make_shared<FakeClock>());
  auto r = client->call("eth_chainId");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnimplemented);
  EXPECT_EQ(server.requests(), 1);
}

TEST(RpcClient, MalformedAnswersAreClearErrorsAndTheClientKeepsWorking) {
  std::atomic<int> seen{0};
  ScriptedServer server([&](const std::string& req) {
    switch (seen++) {
      case 0:
        return Reply{200, "{this is not json"};
      case 1: {  // wrong id
        Json r = Json::parse(req);
        return Reply{
            200,
            Json{{"jsonrpc", "2.0"}, {"id", r["id"].get<int>() + 100}, {"result", "0x1"}}.dump()};
      }
      case 2:
        return Reply{200, R"({"jsonrpc":"2.0","id":1})"};
      default:
        return Reply{200, answer(req, "0x7a69")};
    }
  });
  auto client = client_for(server, std::make_shared<FakeClock>());
  for (int i = 0; i < 3; ++i) {
    auto r = client->call("eth_chainId");
    ASSERT_FALSE(r.ok()) << i;
    EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss) << r.error().to_string();
  }
  auto r = client->call("eth_chainId");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r, "\"0x7a69\"");
}

TEST(RpcClient, BatchAnswersOutOfOrderWithAMissingOne) {
  ScriptedServer server([](const std::string& req) {
    const Json batch = Json::parse(req);
    Json out = Json::array();
    // Reverse order; drop the second request; an error for the first.
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
      const std::string method = (*it)["method"];
      if (method == "eth_gasPrice") continue;
      if (method == "eth_nope") {
        out.push_back({{"jsonrpc", "2.0"},
                       {"id", (*it)["id"]},
                       {"error", {{"code", -32601}, {"message", "Method not found"}}}});
      } else {
        out.push_back({{"jsonrpc", "2.0"}, {"id", (*it)["id"]}, {"result", method}});
      }
    }
    return Reply{200, out.dump()};
  });
  auto client = client_for(server, std::make_shared<FakeClock>());
  const std::vector<RpcRequest> requests = {
      {"eth_nope", "[]"}, {"eth_gasPrice", "[]"}, {"eth_chainId", "[]"}, {"eth_blockNumber", "[]"}};
  auto r = client->batch(requests);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].error().code(), ErrorCode::kUnimplemented);
  EXPECT_EQ((*r)[1].error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ((*r)[2].value(), "\"eth_chainId\"");
  EXPECT_EQ((*r)[3].value(), "\"eth_blockNumber\"");
  EXPECT_EQ(server.requests(), 1);
  auto empty = client->batch({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(server.requests(), 1);
}

TEST(RpcClient, BatchOfReadsIsRetriedAfter503ButNotWithAWrite) {
  std::atomic<int> seen{0};
  ScriptedServer server([&](const std::string& req) {
    if (++seen == 1) return Reply{503, ""};
    const Json batch = Json::parse(req);
    Json out = Json::array();
    for (const auto& r : batch) out.push_back({{"jsonrpc", "2.0"}, {"id", r["id"]}, {"result", 1}});
    return Reply{200, out.dump()};
  });
  auto client = client_for(server, std::make_shared<FakeClock>());
  const std::vector<RpcRequest> reads = {{"eth_chainId", "[]"}, {"eth_blockNumber", "[]"}};
  auto r = client->batch(reads);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(server.requests(), 2);
  seen = 0;
  const std::vector<RpcRequest> mixed = {{"eth_chainId", "[]"},
                                         {"eth_sendRawTransaction", R"(["0x01"])"}};
  auto w = client->batch(mixed);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(server.requests(), 3);
}

TEST(RpcClient, BadParamsAreRefusedBeforeSending) {
  ScriptedServer server([](const std::string& req) { return Reply{200, answer(req, 1)}; });
  auto client = client_for(server, std::make_shared<FakeClock>());
  EXPECT_EQ(client->call("eth_call", "{not json").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(client->call("bad method").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(server.requests(), 0);
}

}  // namespace
}  // namespace pactum::rpc
