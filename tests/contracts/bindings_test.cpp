// pactum-abigen on a fixture ABI with one of everything (fixtures/Kitchen.json): the generated
// encoders must agree with eth::encode_call on the canonical signature and with `cast calldata`
// (an independent implementation), the decoders must round-trip, and events and custom errors
// must decode to their typed form and their "Name(arg=…)" text.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pactum/contracts/kitchen.hpp"
#include "pactum/eth/abi.hpp"
#include "pactum/eth/keccak.hpp"
#include "support/process.hpp"

namespace pactum::contracts {
namespace {

using eth::AbiValue;
using eth::U256;

eth::Address addr(std::uint8_t fill) {
  FixedBytes<20> b{};
  b.fill(fill);
  return eth::Address(b);
}

Hash32 word(std::uint8_t fill) {
  Hash32 h{};
  h.fill(fill);
  return h;
}

Bytes expected_call(const std::string& signature, std::vector<AbiValue> values) {
  auto encoded = eth::encode_call(signature, values);
  EXPECT_TRUE(encoded.ok()) << encoded.error().to_string();
  return encoded.ok() ? *encoded : Bytes{};
}

// `cast calldata SIG ARGS...` from node_modules, as bytes.
Bytes cast_calldata(const std::vector<std::string>& args) {
  std::vector<std::string> argv{testing::source_path("node_modules/.bin/cast"), "calldata"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto out = testing::run_command(argv);
  EXPECT_TRUE(out.ok());
  if (!out.ok()) return {};
  EXPECT_EQ(out->exit_code, 0) << out->stderr_text;
  std::string text = out->stdout_text;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto bytes = from_hex(text);
  EXPECT_TRUE(bytes.ok()) << text;
  return bytes.ok() ? *bytes : Bytes{};
}

TEST(Bindings, OverloadsGetTheirAritySuffixAndTheRightSelector) {
  EXPECT_EQ(to_hex(Kitchen::kSelector_transfer_2), "0xa9059cbb");  // the ERC-20 transfer
  auto two = Kitchen::encode_transfer_2(addr(0x11), U256(7));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(*two, expected_call("transfer(address,uint256)", {addr(0x11).bytes(), U256(7)}));

  auto three = Kitchen::encode_transfer_3(addr(0x11), U256(7), Bytes{1, 2, 3});
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(*three, expected_call("transfer(address,uint256,bytes)",
                                  {addr(0x11).bytes(), U256(7), Bytes{1, 2, 3}}));
  EXPECT_EQ(*three, cast_calldata(
                        {"transfer(address,uint256,bytes)", addr(0x11).to_hex(), "7", "0x010203"}));
}

TEST(Bindings, IntegersOfOddWidthsSignedValuesKeywordAndUnnamedParameters) {
  // int24 is an int64_t in C++, range-checked against 24 bits on encoding; `register` became
  // register_ and the unnamed uint8[] arg5 (a uint8[] is not `bytes`).
  auto data =
      Kitchen::encode_mix(-5, -128, eth::negate(U256(1)), FixedBytes<4>{0xde, 0xad, 0xbe, 0xef},
                          "hello", std::vector<std::uint8_t>{1, 255});
  ASSERT_TRUE(data.ok()) << data.error().to_string();
  EXPECT_EQ(*data, expected_call("mix(int24,int8,int256,bytes4,string,uint8[])",
                                 {eth::from_i64(-5), eth::from_i64(-128), eth::negate(U256(1)),
                                  Bytes{0xde, 0xad, 0xbe, 0xef}, std::string("hello"),
                                  AbiValue::List{U256(1), U256(255)}}));
  EXPECT_EQ(*data, cast_calldata({"mix(int24,int8,int256,bytes4,string,uint8[])", "-5", "-128",
                                  "-1", "0xdeadbeef", "hello", "[1,255]"}));

  auto too_wide = Kitchen::encode_mix(1 << 23, 0, U256(0), FixedBytes<4>{}, "", {});
  ASSERT_FALSE(too_wide.ok());
  EXPECT_EQ(too_wide.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(too_wide.error().message().find("value_out_of_range"), std::string::npos)
      << too_wide.error().message();
}

TEST(Bindings, NestedStructsAndFixedArraysOfStructs) {
  Kitchen::Order order{addr(0xaa), {Kitchen::Line{word(0x01), 3}, Kitchen::Line{word(0x02), 4}}};
  auto data = Kitchen::encode_orders({order, order});
  ASSERT_TRUE(data.ok()) << data.error().to_string();
  AbiValue line1 = AbiValue::List{Bytes(32, 0x01), U256(3)};
  AbiValue line2 = AbiValue::List{Bytes(32, 0x02), U256(4)};
  AbiValue o = AbiValue::List{addr(0xaa).bytes(), AbiValue::List{line1, line2}};
  EXPECT_EQ(*data,
            expected_call("orders((address,(bytes32,uint64)[2])[])", {AbiValue::List{o, o}}));
  std::string w1 = to_hex(word(0x01));
  std::string w2 = to_hex(word(0x02));
  std::string order_text = "(" + addr(0xaa).to_hex() + ",[(" + w1 + ",3),(" + w2 + ",4)])";
  EXPECT_EQ(*data, cast_calldata({"orders((address,(bytes32,uint64)[2])[])",
                                  "[" + order_text + "," + order_text + "]"}));

  // The single struct output decodes to the struct.
  auto out_types = eth::parse_abi_types("((bytes32,uint64))");
  ASSERT_TRUE(out_types.ok());
  auto ret = eth::abi_encode(*out_types, std::vector<AbiValue>{line2});
  ASSERT_TRUE(ret.ok());
  auto decoded = Kitchen::decode_orders_result(*ret);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, (Kitchen::Line{word(0x02), 4}));
}

TEST(Bindings, MultipleOutputsDecodeIntoAResultStructAndRejectBadData) {
  auto types = eth::parse_abi_types("int256,string");
  ASSERT_TRUE(types.ok());
  auto ret = eth::abi_encode(*types, std::vector<AbiValue>{eth::from_i64(-42), std::string("x")});
  ASSERT_TRUE(ret.ok());
  auto decoded = Kitchen::decode_mix_result(*ret);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->total, eth::from_i64(-42));
  EXPECT_EQ(decoded->label, "x");

  Bytes trailing = *ret;
  trailing.push_back(0);
  auto bad = Kitchen::decode_mix_result(trailing);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("abi trailing_bytes"), std::string::npos)
      << bad.error().message();
  auto short_data = Kitchen::decode_transfer_2_result(Bytes(31, 0));
  ASSERT_FALSE(short_data.ok());
  EXPECT_EQ(short_data.error().code(), ErrorCode::kOutOfRange);
}

TEST(Bindings, EventsWithIndexedDynamicParametersAndAnonymousEvents) {
  EXPECT_EQ(Kitchen::kTopic_Noted,
            eth::keccak256(as_bytes(std::string("Noted(address,string,uint32,bytes)"))));
  Hash32 who{};
  for (int i = 0; i < 20; ++i) who[12 + i] = 0x33;
  Hash32 text_hash = eth::keccak256(as_bytes(std::string("hi")));
  auto types = eth::parse_abi_types("uint32,bytes");
  ASSERT_TRUE(types.ok());
  auto data = eth::abi_encode(*types, std::vector<AbiValue>{U256(9), Bytes{0xab}});
  ASSERT_TRUE(data.ok());
  std::vector<Hash32> topics{Kitchen::kTopic_Noted, who, text_hash};
  auto noted = Kitchen::decode_Noted(topics, *data);
  ASSERT_TRUE(noted.ok()) << noted.error().to_string();
  EXPECT_EQ(noted->who, addr(0x33));
  EXPECT_EQ(noted->text, text_hash);  // only the hash of an indexed string is in the log
  EXPECT_EQ(noted->count, 9u);
  EXPECT_EQ(noted->memo, Bytes{0xab});

  // Another event's log is refused by name.
  topics[0] = word(0x77);
  auto wrong = Kitchen::decode_Noted(topics, *data);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find("abi topic_mismatch"), std::string::npos);

  // The anonymous event `Line` clashes with struct Line: its struct is LineEvent, no topic 0.
  auto qty = eth::abi_encode(std::vector<eth::AbiType>{eth::AbiType::uint(64)},
                             std::vector<AbiValue>{U256(5)});
  ASSERT_TRUE(qty.ok());
  struct {
    std::vector<Hash32> topics;
    Bytes data;
  } log{{word(0x0c)}, *qty};
  auto line = Kitchen::decode_Line(log);
  ASSERT_TRUE(line.ok()) << line.error().to_string();
  EXPECT_EQ(line->sku, word(0x0c));
  EXPECT_EQ(line->qty, 5u);
}

TEST(Bindings, CustomErrorsDescribeThemselvesByName) {
  Bytes revert(Kitchen::kError_TooMany.begin(), Kitchen::kError_TooMany.end());
  auto args =
      eth::abi_encode(std::vector<eth::AbiType>{eth::AbiType::uint(), eth::AbiType::address()},
                      std::vector<AbiValue>{U256(5), addr(0x22).bytes()});
  ASSERT_TRUE(args.ok());
  revert.insert(revert.end(), args->begin(), args->end());
  auto text = Kitchen::describe_error(revert);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->rfind("TooMany(asked=5, who=", 0), 0u) << *text;

  Bytes closed(Kitchen::kError_Closed.begin(), Kitchen::kError_Closed.end());
  EXPECT_EQ(Kitchen::describe_error(closed), std::optional<std::string>("Closed()"));
  EXPECT_EQ(Kitchen::describe_error(Bytes{1, 2, 3, 4}), std::nullopt);
  EXPECT_EQ(Kitchen::describe_error(Bytes{}), std::nullopt);
  // The right selector with arguments that do not decode is not described.
  Bytes truncated(revert.begin(), revert.begin() + 20);
  EXPECT_EQ(Kitchen::describe_error(truncated), std::nullopt);
}

TEST(Bindings, DeployDataIsCreationCodeThenConstructorArguments) {
  EXPECT_EQ(to_hex(Kitchen::creation_code()), "0x6080604052");
  auto data = Kitchen::deploy_data(addr(0x01), {1, 2, 65535});
  ASSERT_TRUE(data.ok());
  auto args = eth::abi_encode(
      *eth::parse_abi_types("address,uint16[3]"),
      std::vector<AbiValue>{addr(0x01).bytes(), AbiValue::List{U256(1), U256(2), U256(65535)}});
  ASSERT_TRUE(args.ok());
  Bytes expected{0x60, 0x80, 0x60, 0x40, 0x52};
  expected.insert(expected.end(), args->begin(), args->end());
  EXPECT_EQ(*data, expected);
}

}  // namespace
}  // namespace pactum::contracts
