#include "pactum/eth/rlp.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pactum::eth {
namespace {

Bytes hex(std::string_view h) {
  return from_hex(h).value();
}
RlpItem str(std::string_view s) {
  return RlpItem::string(as_bytes(s));
}

// Vectors from the Ethereum wiki / ethereum/tests RLPTests.
TEST(Rlp, EncodesKnownVectors) {
  EXPECT_EQ(to_hex(rlp_encode(str("dog"))), "0x83646f67");
  EXPECT_EQ(to_hex(rlp_encode(RlpItem::list({str("cat"), str("dog")}))), "0xc88363617483646f67");
  EXPECT_EQ(to_hex(rlp_encode(str(""))), "0x80");
  EXPECT_EQ(to_hex(rlp_encode(RlpItem::list({}))), "0xc0");
  EXPECT_EQ(to_hex(rlp_encode_uint(0)), "0x80");
  EXPECT_EQ(to_hex(rlp_encode_uint(15)), "0x0f");
  EXPECT_EQ(to_hex(rlp_encode_uint(127)), "0x7f");
  EXPECT_EQ(to_hex(rlp_encode_uint(128)), "0x8180");
  EXPECT_EQ(to_hex(rlp_encode_uint(1024)), "0x820400");
  EXPECT_EQ(to_hex(rlp_encode(RlpItem::uint(U256::max()))), "0xa0" + std::string(64, 'f'));
  EXPECT_EQ(to_hex(rlp_encode_string(hex("00"))), "0x00");
  // The set-theoretic representation of three.
  const RlpItem empty = RlpItem::list({});
  const RlpItem one = RlpItem::list({empty});
  EXPECT_EQ(to_hex(rlp_encode(RlpItem::list({empty, one, RlpItem::list({empty, one})}))),
            "0xc7c0c1c0c3c0c1c0");
  const std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
  EXPECT_EQ(to_hex(rlp_encode(str(lorem))).substr(0, 6), "0xb838");
  EXPECT_EQ(rlp_encode(str(std::string(1024, 'a'))).size(), 1027u);
  EXPECT_EQ(to_hex(rlp_encode(str(std::string(1024, 'a')))).substr(0, 8), "0xb90400");
  EXPECT_EQ(rlp_encode_list({rlp_encode(str("cat")), rlp_encode(str("dog"))}),
            rlp_encode(RlpItem::list({str("cat"), str("dog")})));
}

TEST(Rlp, DecodesAndRoundTrips) {
  const char* const valid[] = {
      "80",
      "00",
      "7f",
      "8180",
      "83646f67",
      "c0",
      "c88363617483646f67",
      "c7c0c1c0c3c0c1c0",
      "b838"
      "4c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e736563746574757220"
      "6164697069736963696e6720656c6974",
      "f83fb83d"
      "4c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465"
      "747572206164697069736963696e6720656c69742061646970",
  };
  for (const char* h : valid) {
    const Bytes in = hex(h);
    auto item = rlp_decode(in);
    ASSERT_TRUE(item.ok()) << h << ": " << item.error().to_string();
    EXPECT_EQ(rlp_encode(*item), in) << h;
  }
  EXPECT_EQ(rlp_decode(hex("c88363617483646f67")).value(), RlpItem::list({str("cat"), str("dog")}));
  EXPECT_EQ(rlp_decode(hex("820400"))->as_uint().value(), U256(1024));
  EXPECT_EQ(rlp_decode(hex("80"))->as_u64().value(), 0u);
}

TEST(Rlp, DecodePrefixLeavesTheRest) {
  const Bytes in = hex("83646f6701");
  ByteView view = in;
  EXPECT_EQ(rlp_decode_prefix(view).value(), str("dog"));
  EXPECT_EQ(view.size(), 1u);
}

// Each malformed input gives its own error (silkworm's core/rlp/decode_test.cpp style).
TEST(Rlp, RejectsEachMalformedInputWithItsError) {
  struct Case {
    const char* hex;
    RlpError error;
  };
  const Case cases[] = {
      {"", RlpError::kInputTooShort},
      {"83646f", RlpError::kInputTooShort},    // string longer than input
      {"c5836361", RlpError::kInputTooShort},  // list longer than input
      {"c2836361", RlpError::kInputTooShort},  // item runs past its list
      {"b9", RlpError::kInputTooShort},        // length-of-length missing
      {"b90400", RlpError::kInputTooShort},    // 1024-byte string, no payload
      {"bb00000040", RlpError::kLeadingZero},  // length with a leading zero
      {"f90000", RlpError::kLeadingZero},
      {"b80100", RlpError::kNonCanonicalSize},  // long form for length 0
      {"b837"
       "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
       "0000000000000000000",
       RlpError::kNonCanonicalSize},  // long form for length 55
      {"f801c0", RlpError::kNonCanonicalSize},
      {"8100", RlpError::kNonCanonicalSingle},  // 0x00 must be encoded as 00
      {"817f", RlpError::kNonCanonicalSingle},
      {"c2817f", RlpError::kNonCanonicalSingle},
      {"bfffffffffffffffff", RlpError::kInputTooShort},  // 2^64-1 bytes claimed
      {"8000", RlpError::kTrailingBytes},
      {"c0c0", RlpError::kTrailingBytes},
      {"83646f6701", RlpError::kTrailingBytes},
  };
  for (const Case& c : cases) {
    auto r = rlp_decode(hex(c.hex));
    ASSERT_FALSE(r.ok()) << c.hex;
    const std::string expected = "rlp " + std::string(rlp_error_name(c.error)) + ":";
    EXPECT_TRUE(r.error().message().starts_with(expected))
        << c.hex << " gave '" << r.error().message() << "', expected " << expected;
    const ErrorCode code =
        (c.error == RlpError::kInputTooShort || c.error == RlpError::kLengthOverflow)
            ? ErrorCode::kOutOfRange
            : ErrorCode::kInvalidArgument;
    EXPECT_EQ(r.error().code(), code) << c.hex;
  }
}

TEST(Rlp, RejectsDeepNesting) {
  Bytes deep(kRlpMaxDepth + 1, 0xc0);  // c1 c1 ... c0 would need exact lengths; build properly
  RlpItem item = RlpItem::list({});
  for (std::size_t i = 0; i < kRlpMaxDepth + 1; ++i) item = RlpItem::list({item});
  auto r = rlp_decode(rlp_encode(item));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().message().starts_with("rlp max_depth:")) << r.error().message();
  RlpItem ok_item = RlpItem::list({});
  for (std::size_t i = 0; i + 1 < kRlpMaxDepth; ++i) ok_item = RlpItem::list({ok_item});
  EXPECT_TRUE(rlp_decode(rlp_encode(ok_item)).ok());
}

TEST(Rlp, IntegerAccessorsAreStrict) {
  struct Case {
    const char* hex;
    RlpError error;
  };
  const Case cases[] = {
      {"820001", RlpError::kLeadingZeroInteger},
      {"00", RlpError::kLeadingZeroInteger},
      {"c0", RlpError::kUnexpectedList},
      {"a1"
       "01"
       "0000000000000000000000000000000000000000000000000000000000000000",
       RlpError::kIntegerTooLong},
  };
  for (const Case& c : cases) {
    auto item = rlp_decode(hex(c.hex));
    ASSERT_TRUE(item.ok()) << c.hex;
    auto r = item->as_uint();
    ASSERT_FALSE(r.ok()) << c.hex;
    EXPECT_TRUE(r.error().message().starts_with("rlp " + std::string(rlp_error_name(c.error))))
        << c.hex << ": " << r.error().message();
  }
  EXPECT_TRUE(rlp_decode(hex("89010000000000000000"))
                  ->as_u64()
                  .error()
                  .message()
                  .starts_with("rlp integer_too_long"));
  EXPECT_TRUE(
      rlp_decode(hex("80"))->as_list().error().message().starts_with("rlp unexpected_string"));
}

}  // namespace
}  // namespace pactum::eth
