// JSON-RPC answer parsing and the error mapping, as tables.
#include "pactum/rpc/json_rpc.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pactum::rpc {
namespace {

struct ErrorCase {
  std::int64_t code;
  std::string message;
  std::string data_json;
  ErrorCode want;
};

TEST(ErrorFromRpc, MapsCodesAndMessages) {
  const std::vector<ErrorCase> cases = {
      // The chain finding our request malformed: refused by the chain, never a usage error.
      {-32700, "Parse error", "", ErrorCode::kFailedPrecondition},
      {-32600, "Invalid request", "", ErrorCode::kFailedPrecondition},
      {-32602, "invalid argument 0: hex string without 0x prefix", "",
       ErrorCode::kFailedPrecondition},
      {-32602, "duplicate field `input`", "", ErrorCode::kFailedPrecondition},
      {-32601, "Method not found", "", ErrorCode::kUnimplemented},
      {-32004, "Method not supported", "", ErrorCode::kUnimplemented},
      {-32603, "Internal error", "", ErrorCode::kUnavailable},
      {-32002, "Resource unavailable", "", ErrorCode::kUnavailable},
      {-32001, "Resource not found", "", ErrorCode::kNotFound},
      {-32005, "limit exceeded", "", ErrorCode::kResourceExhausted},
      {-32005, "daily request count exceeded, request rate limited", "",
       ErrorCode::kResourceExhausted},
      {-32000, "query returned more than 10000 results", "", ErrorCode::kResourceExhausted},
      {-32602,
       "Log response size exceeded. You can make eth_getLogs requests with up to a 2K "
       "block range",
       "", ErrorCode::kFailedPrecondition},  // the code decides first
      {-32000, "nonce too low: next nonce 5, tx nonce 3", "", ErrorCode::kAborted},
      {-32000, "replacement transaction underpriced", "", ErrorCode::kAborted},
      {-32000, "already known", "", ErrorCode::kAlreadyExists},
      {-32003, "transaction already imported", "", ErrorCode::kAlreadyExists},  // anvil
      {-32000, "header not found", "", ErrorCode::kNotFound},
      {-32000, "insufficient funds for gas * price + value", "", ErrorCode::kFailedPrecondition},
      {-32000, "execution reverted", "", ErrorCode::kFailedPrecondition},
      {3, "execution reverted: nope",
       "\"0x08c379a0000000000000000000000000000000000000000000000000000000000000002000000000000"
       "0000000000000000000000000000000000000000000000000046e6f706500000000000000000000000000"
       "000000000000000000000000000000000000\"",
       ErrorCode::kFailedPrecondition},
      {-32003, "transaction rejected", "", ErrorCode::kFailedPrecondition},
  };
  for (const auto& c : cases) {
    const Error e = error_from_rpc({c.code, c.message, c.data_json});
    EXPECT_EQ(e.code(), c.want) << c.code << " " << c.message << " → " << e.to_string();
    EXPECT_NE(e.message().find(c.message), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("JSON-RPC " + std::to_string(c.code)), std::string::npos);
  }
}

TEST(ErrorFromRpc, SurfacesDecodedRevertReasonAndData) {
  // Error("Insufficient balance") as solc encodes it.
  const std::string data =
      "0x08c379a0"
      "0000000000000000000000000000000000000000000000000000000000000020"
      "0000000000000000000000000000000000000000000000000000000000000014"
      "496e73756666696369656e742062616c616e6365000000000000000000000000";
  const Error e = error_from_rpc({-32000, "execution reverted", "\"" + data + "\""});
  EXPECT_EQ(e.code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(e.message().find("\"Insufficient balance\""), std::string::npos) << e.message();
  EXPECT_NE(e.message().find(data), std::string::npos) << e.message();
  // Hardhat nests the data one level down.
  const RpcErrorObject nested{-32603, "Error: VM Exception while processing transaction: revert",
                              "{\"message\":\"x\",\"data\":\"" + data + "\"}"};
  ASSERT_TRUE(revert_data(nested).has_value());
  EXPECT_EQ(error_from_rpc(nested).code(), ErrorCode::kFailedPrecondition);
}

TEST(DecodeRevertReason, ErrorStringPanicAndGarbage) {
  auto bytes = [](std::string_view hex) { return from_hex(hex).value(); };
  EXPECT_EQ(decode_revert_reason({}), std::string());
  EXPECT_EQ(decode_revert_reason(bytes("0x4e487b71"
                                       "0000000000000000000000000000000000000000000000000000000000"
                                       "000011")),
            "panic 0x11 (arithmetic overflow)");
  // Custom error: not decodable here.
  EXPECT_FALSE(decode_revert_reason(bytes("0xdeadbeef")).has_value());
  EXPECT_FALSE(decode_revert_reason(bytes("0x08c3")).has_value());
  // Error(string) whose length points past the data.
  EXPECT_FALSE(
      decode_revert_reason(bytes("0x08c379a0"
                                 "0000000000000000000000000000000000000000000000000000000000000020"
                                 "00000000000000000000000000000000000000000000000000000000000000ff"
                                 "4142"))
          .has_value());
  // Offset past the end and a huge offset.
  EXPECT_FALSE(decode_revert_reason(
                   bytes("0x08c379a0"
                         "0000000000000000000000000000000000000000000000000000000000000040"
                         "0000000000000000000000000000000000000000000000000000000000000000"))
                   .has_value());
  EXPECT_FALSE(decode_revert_reason(
                   bytes("0x08c379a0"
                         "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
                         "0000000000000000000000000000000000000000000000000000000000000000"))
                   .has_value());
}

TEST(BuildRequest, ValidatesMethodAndParams) {
  auto ok = build_request(7, "eth_getBalance", R"(["0x01", "latest"])");
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(*ok,
            R"({"id":7,"jsonrpc":"2.0","method":"eth_getBalance","params":["0x01","latest"]})");
  EXPECT_EQ(build_request(1, "", "[]").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(build_request(1, "eth\"x", "[]").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(build_request(1, "eth_x", "[").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(build_request(1, "eth_x", "5").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(build_request(1, "eth_x", "{}").ok());
}

struct ParseCase {
  std::string body;
  bool ok;
  ErrorCode code;      // when !ok
  std::string result;  // when ok
};

TEST(ParseResponse, Table) {
  const std::vector<ParseCase> cases = {
      {R"({"jsonrpc":"2.0","id":5,"result":"0x1"})", true, {}, "\"0x1\""},
      {R"({"jsonrpc":"2.0","id":5,"result":null})", true, {}, "null"},
      {R"({"id":5,"result":{"a":[1,2]}})", true, {}, R"({"a":[1,2]})"},
      {R"(not json)", false, ErrorCode::kDataLoss, ""},
      {R"()", false, ErrorCode::kDataLoss, ""},
      {R"({"jsonrpc":"2.0","id":6,"result":"0x1"})", false, ErrorCode::kDataLoss, ""},
      {R"({"jsonrpc":"2.0","id":"5","result":"0x1"})", false, ErrorCode::kDataLoss, ""},
      {R"({"jsonrpc":"2.0","result":"0x1"})", false, ErrorCode::kDataLoss, ""},
      {R"({"jsonrpc":"1.0","id":5,"result":"0x1"})", false, ErrorCode::kDataLoss, ""},
      {R"({"jsonrpc":"2.0","id":5})", false, ErrorCode::kDataLoss, ""},
      {R"({"jsonrpc":"2.0","id":5,"result":1,"error":{"code":1,"message":"x"}})", false,
       ErrorCode::kDataLoss, ""},
      {R"({"jsonrpc":"2.0","id":5,"error":"boom"})", false, ErrorCode::kDataLoss, ""},
      {R"({"jsonrpc":"2.0","id":5,"error":{"code":"x","message":"m"}})", false,
       ErrorCode::kDataLoss, ""},
      {R"({"jsonrpc":"2.0","id":5,"error":{"code":-32601}})", false, ErrorCode::kDataLoss, ""},
      {R"({"jsonrpc":"2.0","id":5,"error":{"code":-32601,"message":"nope"}})", false,
       ErrorCode::kUnimplemented, ""},
      // A server that could not read the request answers with id null.
      {R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse"}})", false,
       ErrorCode::kFailedPrecondition, ""},
      {R"([{"jsonrpc":"2.0","id":5,"result":"0x1"}])", false, ErrorCode::kDataLoss, ""},
      {R"("0x1")", false, ErrorCode::kDataLoss, ""},
      {std::string(10000, '['), false, ErrorCode::kDataLoss, ""},
      {"{\"id\":5,\"result\":\"\xff\xfe\"}", false, ErrorCode::kDataLoss, ""},  // not UTF-8
  };
  for (const auto& c : cases) {
    RpcErrorObject rpc_error;
    auto r = parse_response(c.body, 5, &rpc_error);
    ASSERT_EQ(r.ok(), c.ok) << c.body.substr(0, 100)
                            << (r.ok() ? "" : " → " + r.error().to_string());
    if (c.ok) {
      EXPECT_EQ(*r, c.result);
    } else {
      EXPECT_EQ(r.error().code(), c.code)
          << c.body.substr(0, 100) << " → " << r.error().to_string();
    }
  }
  RpcErrorObject rpc_error;
  auto r = parse_response(
      R"({"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted","data":"0xabcd"}})",
      1, &rpc_error);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(rpc_error.code, 3);
  EXPECT_EQ(rpc_error.data_json, "\"0xabcd\"");
  EXPECT_EQ(revert_data(rpc_error), (Bytes{0xab, 0xcd}));
}

TEST(ParseBatchResponse, MatchesIdsOutOfOrderAndReportsMissing) {
  const std::vector<std::uint64_t> ids = {10, 11, 12};
  auto r = parse_batch_response(
      R"([{"jsonrpc":"2.0","id":12,"result":"c"},
          {"jsonrpc":"2.0","id":10,"error":{"code":-32601,"message":"nope"}}])",
      ids);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].error().code(), ErrorCode::kUnimplemented);
  EXPECT_EQ((*r)[1].error().code(), ErrorCode::kDataLoss);
  EXPECT_NE((*r)[1].error().message().find("id 11"), std::string::npos);
  EXPECT_EQ((*r)[2].value(), "\"c\"");
}

TEST(ParseBatchResponse, RejectsMalformedBatches) {
  const std::vector<std::uint64_t> ids = {1, 2};
  const std::vector<std::pair<std::string, ErrorCode>> cases = {
      {R"(nope)", ErrorCode::kDataLoss},
      {R"("x")", ErrorCode::kDataLoss},
      {R"([{"id":1,"result":1},{"id":1,"result":2}])", ErrorCode::kDataLoss},  // twice
      {R"([{"id":3,"result":1}])", ErrorCode::kDataLoss},                      // not asked
      {R"([{"id":1,"result":1},5])", ErrorCode::kDataLoss},
      {R"([{"id":1}])", ErrorCode::kDataLoss},
      {R"({"id":1,"result":[]})", ErrorCode::kDataLoss},
      // The whole batch refused with one error object.
      {R"({"jsonrpc":"2.0","id":null,"error":{"code":-32005,"message":"batch too large"}})",
       ErrorCode::kResourceExhausted},
      {R"([{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"bad"}}])",
       ErrorCode::kFailedPrecondition},
  };
  for (const auto& [body, code] : cases) {
    auto r = parse_batch_response(body, ids);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code(), code) << body << " → " << r.error().to_string();
  }
  auto empty = parse_batch_response("[]", ids);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->at(0).error().code(), ErrorCode::kDataLoss);
}

TEST(IsIdempotentMethod, ReadsOnly) {
  EXPECT_TRUE(is_idempotent_method("eth_call"));
  EXPECT_TRUE(is_idempotent_method("eth_getLogs"));
  EXPECT_TRUE(is_idempotent_method("eth_getTransactionReceipt"));
  EXPECT_FALSE(is_idempotent_method("eth_sendRawTransaction"));
  EXPECT_FALSE(is_idempotent_method("eth_sendTransaction"));
  EXPECT_FALSE(is_idempotent_method("anvil_mine"));
}

}  // namespace
}  // namespace pactum::rpc
