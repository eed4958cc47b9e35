#include "pactum/eth/abi.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pactum::eth {
namespace {

using List = AbiValue::List;

Bytes hex(std::string_view h) {
  return from_hex(h).value();
}
AbiValue u(std::uint64_t v) {
  return AbiValue(U256(v));
}
AbiValue str(std::string s) {
  return AbiValue(std::move(s));
}
AbiValue bytes_of(std::string_view s) {
  return AbiValue(Bytes(as_bytes(s).begin(), as_bytes(s).end()));
}
std::vector<AbiType> types(std::string_view list) {
  return parse_abi_types(list).value();
}
std::string word(std::string_view h) {
  return std::string(64 - h.size(), '0') + std::string(h);
}

// ---- types ----

TEST(AbiType, ParsesAndPrintsCanonically) {
  const char* const cases[][2] = {
      {"uint256", "uint256"},
      {"uint", "uint256"},
      {"int", "int256"},
      {"int8", "int8"},
      {"address", "address"},
      {"bool", "bool"},
      {"bytes32", "bytes32"},
      {"bytes1", "bytes1"},
      {"bytes", "bytes"},
      {"string", "string"},
      {"uint256[]", "uint256[]"},
      {"address[3]", "address[3]"},
      {"(uint256,bytes)[]", "(uint256,bytes)[]"},
      {"tuple(uint256, bytes)[2][]", "(uint256,bytes)[2][]"},
      {"((uint8,(string,bool[])),int16)[][3]", "((uint8,(string,bool[])),int16)[][3]"},
      {"(uint256 amount, address to)", "(uint256,address)"},
  };
  for (const auto& c : cases) {
    auto t = AbiType::parse(c[0]);
    ASSERT_TRUE(t.ok()) << c[0] << ": " << t.error().to_string();
    EXPECT_EQ(t->canonical(), c[1]);
  }
  EXPECT_TRUE(AbiType::parse("(uint256,bytes)").value().is_dynamic());
  EXPECT_FALSE(AbiType::parse("(uint256,address)[2]").value().is_dynamic());
  EXPECT_EQ(AbiType::parse("(uint256,address)[2]").value().head_size(), 128u);
  EXPECT_EQ(AbiType::parse("string[2]").value().head_size(), 32u);
}

TEST(AbiType, RejectsMalformedTypes) {
  const char* const bad[] = {"",           "uint7",
                             "uint264",    "uint0",
                             "int",        "bytes0",
                             "bytes33",    "uint256[",
                             "uint256[0]", "uint256[01]",
                             "()",         "(uint256",
                             "(uint256,)", "unit256",
                             "Uint256",    "uint256 x",
                             "uint256[]]", "bytes32[99999999999999]",
                             "uint08",     "fixed128x18"};
  for (const char* text : bad) {
    if (std::string_view(text) == "int") continue;  // an alias, listed to keep the table honest
    auto t = AbiType::parse(text);
    ASSERT_FALSE(t.ok()) << "'" << text << "' parsed as " << t->canonical();
    EXPECT_TRUE(t.error().message().starts_with("abi invalid_type:")) << t.error().message();
  }
  std::string deep = "uint256";
  for (int i = 0; i < 40; ++i) deep += "[]";
  EXPECT_FALSE(AbiType::parse(deep).ok());
  std::string nested = "uint256";
  for (int i = 0; i < 40; ++i) nested = "(" + nested + ")";
  EXPECT_FALSE(AbiType::parse(nested).ok());
}

// ---- the examples of the Solidity ABI specification ----

TEST(AbiSpec, BazExample) {
  auto call = encode_call("baz(uint32,bool)", std::vector<AbiValue>{u(69), AbiValue(true)});
  ASSERT_TRUE(call.ok()) << call.error().to_string();
  EXPECT_EQ(to_hex(*call), "0xcdcd77c0" + word("45") + word("1"));
}

TEST(AbiSpec, SamExample) {
  const std::vector<AbiValue> args{bytes_of("dave"), AbiValue(true), List{u(1), u(2), u(3)}};
  EXPECT_EQ(to_hex(encode_call("sam(bytes,bool,uint256[])", args).value()),
            "0xa5643bf2" + word("60") + word("1") + word("a0") + word("4") +
                "6461766500000000000000000000000000000000000000000000000000000000" + word("3") +
                word("1") + word("2") + word("3"));
}

TEST(AbiSpec, FExample) {
  const std::vector<AbiValue> args{u(0x123), List{u(0x456), u(0x789)}, bytes_of("1234567890"),
                                   bytes_of("Hello, world!")};
  EXPECT_EQ(to_hex(encode_call("f(uint256,uint32[],bytes10,bytes)", args).value()),
            "0x8be65246" + word("123") + word("80") +
                "3132333435363738393000000000000000000000000000000000000000000000" + word("e0") +
                word("2") + word("456") + word("789") + word("d") +
                "48656c6c6f2c20776f726c642100000000000000000000000000000000000000");
}

TEST(AbiSpec, GExampleNestedDynamicArrays) {
  const std::vector<AbiValue> args{List{AbiValue(List{u(1), u(2)}), AbiValue(List{u(3)})},
                                   List{str("one"), str("two"), str("three")}};
  const std::string expected =
      "0x2289b18c" + word("40") + word("140") + word("2") + word("40") + word("a0") + word("2") +
      word("1") + word("2") + word("1") + word("3") + word("3") + word("60") + word("a0") +
      word("e0") + word("3") + "6f6e650000000000000000000000000000000000000000000000000000000000" +
      word("3") + "74776f0000000000000000000000000000000000000000000000000000000000" + word("5") +
      "7468726565000000000000000000000000000000000000000000000000000000";
  const Bytes call = encode_call("g(uint256[][],string[])", args).value();
  EXPECT_EQ(to_hex(call), expected);
  const AbiSignature sig = parse_function_signature("g(uint256[][],string[])").value();
  EXPECT_EQ(decode_call(sig, call).value(), args);
}

TEST(AbiSelectors, KnownSelectorsAndTopics) {
  EXPECT_EQ(to_hex(function_selector("transfer(address,uint256)").value()), "0xa9059cbb");
  EXPECT_EQ(to_hex(function_selector("function transfer(address to, uint256 amount)").value()),
            "0xa9059cbb");
  EXPECT_EQ(to_hex(function_selector("balanceOf(address)").value()), "0x70a08231");
  EXPECT_EQ(to_hex(event_topic("Transfer(address indexed from, address indexed to, uint256 "
                               "value)")
                       .value()),
            "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
  EXPECT_EQ(to_hex(event_topic("event Approval(address indexed,address indexed,uint256)").value()),
            "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925");
  const char* const bad[] = {"transfer", "transfer(address", "(address)",
                             "f(uint7)", "f(address) x",     "f(address indexed)"};
  for (const char* s : bad) EXPECT_FALSE(function_selector(s).ok()) << s;
  EXPECT_FALSE(event_topic("E(uint8 indexed,uint8 indexed,uint8 indexed,uint8 indexed)").ok());
  EXPECT_TRUE(parse_event_signature("E(uint8 indexed,uint8 indexed,uint8 indexed,uint8 indexed) "
                                    "anonymous")
                  .ok());
}

// ---- round trips ----

TEST(AbiCodec, RoundTripsEveryKind) {
  FixedBytes<20> addr{};
  addr[0] = 0xde;
  addr[19] = 0xad;
  const auto ts = types(
      "uint8,int8,int256,address,bool,bytes1,bytes32,bytes,string,uint16[],int32[2],"
      "(uint256,string)[],((bytes,bool)[2],address)");
  const std::vector<AbiValue> vs{
      u(255),
      AbiValue(from_i64(-128)),
      AbiValue(U256(1) << 255),
      AbiValue(addr),
      AbiValue(false),
      AbiValue(Bytes{0xff}),
      AbiValue(Bytes(32, 0xab)),
      AbiValue(Bytes(33, 0x01)),
      str("héllo"),
      List{},
      List{AbiValue(from_i64(-1)), AbiValue(from_i64(2147483647))},
      List{AbiValue(List{u(7), str("")}), AbiValue(List{u(8), str(std::string(70, 'x'))})},
      List{AbiValue(List{AbiValue(List{bytes_of(""), AbiValue(true)}),
                         AbiValue(List{bytes_of("z"), AbiValue(false)})}),
           AbiValue(addr)},
  };
  auto encoded = abi_encode(ts, vs);
  ASSERT_TRUE(encoded.ok()) << encoded.error().to_string();
  auto decoded = abi_decode(ts, *encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, vs);
  EXPECT_EQ(abi_encode(ts, *decoded).value(), *encoded);
}

TEST(AbiCodec, EncodeRejectsValuesThatDoNotFit) {
  struct Case {
    const char* type;
    AbiValue value;
    const char* error;
  };
  const Case cases[] = {
      {"uint8", u(256), "value_out_of_range"},
      {"int8", u(128), "value_out_of_range"},
      {"int8", AbiValue(from_i64(-129)), "value_out_of_range"},
      {"bytes4", AbiValue(Bytes{1, 2, 3}), "value_out_of_range"},
      {"uint256", AbiValue(true), "type_mismatch"},
      {"bool", u(1), "type_mismatch"},
      {"string", bytes_of("x"), "type_mismatch"},
      {"uint256[2]", AbiValue(List{u(1)}), "type_mismatch"},
      {"(uint256,bool)", AbiValue(List{u(1)}), "type_mismatch"},
      {"address", u(1), "type_mismatch"},
  };
  for (const Case& c : cases) {
    auto r = abi_encode_single(AbiType::parse(c.type).value(), c.value);
    ASSERT_FALSE(r.ok()) << c.type;
    EXPECT_TRUE(r.error().message().starts_with(std::string("abi ") + c.error + ":"))
        << c.type << ": " << r.error().message();
  }
  EXPECT_FALSE(abi_encode(types("uint256,uint256"), std::vector<AbiValue>{u(1)}).ok());
}

// ---- hostile data: one error per malformation ----

TEST(AbiCodec, DecodeRejectsEachMalformationWithItsError) {
  struct Case {
    const char* types;
    std::string data;
    const char* error;
    ErrorCode code;
  };
  const std::string one = word("1");
  const Case cases[] = {
      {"uint256", "", "data_too_short", ErrorCode::kOutOfRange},
      {"uint256", std::string(62, '0'), "data_too_short", ErrorCode::kOutOfRange},
      {"uint256,uint256", one, "data_too_short", ErrorCode::kOutOfRange},
      {"uint256", one + "00", "trailing_bytes", ErrorCode::kInvalidArgument},
      {"uint256", one + one, "trailing_bytes", ErrorCode::kInvalidArgument},
      {"uint8", word("100"), "dirty_bits", ErrorCode::kInvalidArgument},
      {"int8", word("80"), "dirty_bits", ErrorCode::kInvalidArgument},
      {"int8", "ff" + std::string(60, 'f') + "7f", "dirty_bits", ErrorCode::kInvalidArgument},
      {"address", "01" + std::string(62, '0'), "dirty_bits", ErrorCode::kInvalidArgument},
      {"bool", word("2"), "invalid_bool", ErrorCode::kInvalidArgument},
      {"bool", "01" + std::string(62, '0'), "invalid_bool", ErrorCode::kInvalidArgument},
      {"bytes1", "0101" + std::string(60, '0'), "dirty_padding", ErrorCode::kInvalidArgument},
      {"bytes",
       word("20") + word("1") + "6100000000000000000000000000000000000000000000000000000000000001",
       "dirty_padding", ErrorCode::kInvalidArgument},
      // Offsets: past the end, into the head, huge (must not wrap when narrowed).
      {"bytes", word("40") + word("0"), "offset_out_of_range", ErrorCode::kOutOfRange},
      {"bytes", word("0") + word("0"), "offset_out_of_range", ErrorCode::kOutOfRange},
      {"bytes", std::string(64, 'f'), "offset_out_of_range", ErrorCode::kOutOfRange},
      {"bytes", "0000000000000000000000000000000100000000000000000000000000000020" + word("0"),
       "offset_out_of_range", ErrorCode::kOutOfRange},
      {"uint256[]", word("20"), "offset_out_of_range", ErrorCode::kOutOfRange},
      // Lengths: beyond the data, huge, elements that cannot fit.
      {"bytes", word("20") + word("21") + std::string(64, '0'), "data_too_short",
       ErrorCode::kOutOfRange},
      {"string", word("20") + std::string(64, 'f'), "length_out_of_range", ErrorCode::kOutOfRange},
      {"uint256[]", word("20") + word("2") + word("1"), "length_out_of_range",
       ErrorCode::kOutOfRange},
      {"uint256[][]", word("20") + word("1") + word("20") + word("5"), "length_out_of_range",
       ErrorCode::kOutOfRange},
      // A static array bigger than the data.
      {"uint256[3]", one + one, "data_too_short", ErrorCode::kOutOfRange},
  };
  for (const Case& c : cases) {
    const Bytes data = hex(c.data);
    auto r = abi_decode(types(c.types), data);
    ASSERT_FALSE(r.ok()) << c.types << " " << c.data;
    EXPECT_TRUE(r.error().message().starts_with(std::string("abi ") + c.error + ":"))
        << c.types << " " << c.data << " gave '" << r.error().message() << "', expected "
        << c.error;
    EXPECT_EQ(r.error().code(), c.code) << c.types << " " << r.error().message();
  }
}

// 32 offsets all pointing at one array of 1,000 elements: canonical data would be 32 times
// larger, so the decoder refuses instead of materialising 32,000 values.
TEST(AbiCodec, DecodeRefusesOverlappingOffsetBombs) {
  std::string data = word("20") + word("20");        // outer offset; outer length 32
  for (int i = 0; i < 32; ++i) data += word("400");  // each inner offset → same place
  data += word("3e8");
  for (int i = 0; i < 1000; ++i) data += word("1");
  const Bytes bytes = hex(data);
  // Offsets are relative to the element heads (after the length word at 0x20): 32*32 = 0x400.
  auto r = abi_decode(types("uint256[][]"), bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().message().starts_with("abi too_complex:")) << r.error().message();
  EXPECT_EQ(r.error().code(), ErrorCode::kResourceExhausted);
}

// ---- logs ----

TEST(AbiLogs, DecodesTransferAndIndexedDynamicParameters) {
  const AbiEvent transfer =
      parse_event_signature("Transfer(address indexed from, address indexed to, uint256 value)")
          .value();
  Hash32 from{}, to{};
  from[31] = 0x11;
  to[31] = 0x22;
  const std::vector<Hash32> topics{transfer.topic(), from, to};
  const Bytes data = hex(word("3e8"));
  const auto values = decode_log(transfer, topics, data).value();
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0].as_address()[19], 0x11);
  EXPECT_EQ(values[1].as_address()[19], 0x22);
  EXPECT_EQ(values[2].as_uint(), U256(1000));

  // Wrong topic 0, wrong topic count, dirty indexed address.
  std::vector<Hash32> wrong = topics;
  wrong[0][0] ^= 1;
  EXPECT_TRUE(
      decode_log(transfer, wrong, data).error().message().starts_with("abi topic_mismatch"));
  EXPECT_TRUE(decode_log(transfer, std::vector<Hash32>{topics[0], from}, data)
                  .error()
                  .message()
                  .starts_with("abi topic_mismatch"));
  wrong = topics;
  wrong[1][0] = 1;
  EXPECT_TRUE(decode_log(transfer, wrong, data).error().message().starts_with("abi dirty_bits"));

  const AbiEvent named = parse_event_signature("Named(string indexed name, string label)").value();
  Hash32 name_hash{};
  name_hash[0] = 0xaa;
  const Bytes label = abi_encode_single(AbiType::string(), str("hi")).value();
  const auto nv = decode_log(named, std::vector<Hash32>{named.topic(), name_hash}, label).value();
  EXPECT_EQ(nv[0].as_bytes(), Bytes(name_hash.begin(), name_hash.end()));
  EXPECT_EQ(nv[1].as_string(), "hi");
}

TEST(AbiCalls, DecodeCallChecksTheSelector) {
  const AbiSignature sig = parse_function_signature("transfer(address,uint256)").value();
  const Bytes call = encode_call("transfer(address,uint256)",
                                 std::vector<AbiValue>{AbiValue(FixedBytes<20>{}), u(5)})
                         .value();
  EXPECT_EQ(call.size(), 68u);
  const Address to = Address::parse("0x00000000000000000000000000000000000000aa").value();
  EXPECT_EQ(encode_call("transfer(address,uint256)", std::vector<AbiValue>{to, u(5)}).value()[35],
            0xaa);
  EXPECT_EQ(decode_call(sig, call).value()[1].as_uint(), U256(5));
  Bytes other = call;
  other[0] ^= 1;
  EXPECT_TRUE(decode_call(sig, other).error().message().starts_with("abi selector_mismatch"));
  EXPECT_TRUE(decode_call(sig, Bytes{1, 2}).error().message().starts_with("abi data_too_short"));
}

}  // namespace
}  // namespace pactum::eth
