#include "pactum/eth/uint256.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pactum::eth {
namespace {

U256 dec(std::string_view s) {
  return U256::from_dec(s).value();
}

const char* const kMaxDec =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

TEST(U256, DecimalAndHexRoundTrip) {
  EXPECT_EQ(U256().to_dec(), "0");
  EXPECT_EQ(U256().to_hex(), "0x0");
  EXPECT_EQ(U256(1000).to_hex(), "0x3e8");
  EXPECT_EQ(U256::max().to_dec(), kMaxDec);
  EXPECT_EQ(dec(kMaxDec), U256::max());
  EXPECT_EQ(U256::from_string("0x3E8").value(), U256(1000));
  EXPECT_EQ(U256::from_hex("ff").value(), U256(255));
  EXPECT_EQ(dec("10000000000000000000").to_dec(), "10000000000000000000");  // 10^19 boundary
  EXPECT_EQ(dec("1000000000000000000000000000000000000000").to_dec(),
            "1000000000000000000000000000000000000000");
  EXPECT_EQ(U256::from_string("0x" + std::string(64, 'f')).value(), U256::max());
  EXPECT_EQ(U256::from_string("0x000" + std::string(64, 'f')).value(), U256::max());
}

TEST(U256, ParseErrors) {
  struct Case {
    const char* text;
    ErrorCode code;
  };
  const Case cases[] = {
      {"", ErrorCode::kInvalidArgument},
      {"0x", ErrorCode::kInvalidArgument},
      {"12a", ErrorCode::kInvalidArgument},
      {"-1", ErrorCode::kInvalidArgument},
      {" 1", ErrorCode::kInvalidArgument},
      {"0xg", ErrorCode::kInvalidArgument},
      {"115792089237316195423570985008687907853269984665640564039457584007913129639936",
       ErrorCode::kOutOfRange},
      {"1157920892373161954235709850086879078532699846656405640394575840079131296399350",
       ErrorCode::kOutOfRange},
  };
  for (const Case& c : cases) {
    auto r = U256::from_string(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().code(), c.code) << c.text << ": " << r.error().message();
  }
  auto long_hex = U256::from_string("0x1" + std::string(64, '0'));
  ASSERT_FALSE(long_hex.ok());
  EXPECT_EQ(long_hex.error().code(), ErrorCode::kOutOfRange);
}

TEST(U256, WordsAndMinimalBytes) {
  const U256 v =
      U256::from_hex("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20").value();
  Hash32 w = v.to_word();
  for (int i = 0; i < 32; ++i) EXPECT_EQ(w[static_cast<std::size_t>(i)], i + 1);
  EXPECT_EQ(U256::from_word(w), v);
  EXPECT_EQ(U256().to_be_minimal(), Bytes{});
  EXPECT_EQ(U256(0x0400).to_be_minimal(), (Bytes{0x04, 0x00}));
  EXPECT_EQ(U256::from_be_bytes(Bytes{0, 0, 1}).value(), U256(1));
  EXPECT_EQ(U256::from_be_bytes(Bytes(33, 0)).error().code(), ErrorCode::kOutOfRange);
}

TEST(U256, ArithmeticWrapsAndCheckedVariantsDetect) {
  EXPECT_EQ(U256::max() + U256(1), U256());
  EXPECT_EQ(U256() - U256(1), U256::max());
  EXPECT_EQ(U256::max() * U256::max(), U256(1));
  EXPECT_EQ(checked_add(U256::max(), 1).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(checked_sub(1, 2).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(checked_mul(U256(1) << 128, U256(1) << 128).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(checked_mul(U256(1) << 127, U256(1) << 128).value(), U256(1) << 255);
  EXPECT_EQ(checked_add(U256(1) << 64, U256::max() >> 1).value(),
            (U256::max() >> 1) + (U256(1) << 64));
  // Carry across all limbs.
  EXPECT_EQ(U256::from_limbs(~0ULL, ~0ULL, ~0ULL, 0) + U256(1), U256::from_limbs(0, 0, 0, 1));
  EXPECT_EQ(dec("340282366920938463463374607431768211456") * dec("3"),
            dec("1020847100762815390390123822295304634368"));
}

TEST(U256, DivisionAndModulo) {
  EXPECT_EQ(dec(kMaxDec) / U256(10),
            dec("11579208923731619542357098500868790785326998466564056403945758400791312963993"));
  EXPECT_EQ(dec(kMaxDec) % U256(10), U256(5));
  const U256 big = dec("340282366920938463463374607431768211457");  // 2^128 + 1
  const DivMod qr = divmod(U256::max(), big).value();
  EXPECT_EQ(qr.quotient * big + qr.remainder, U256::max());
  EXPECT_LT(qr.remainder, big);
  EXPECT_EQ(qr.quotient, dec("340282366920938463463374607431768211455"));
  EXPECT_EQ(U256(7) / U256(), U256());
  EXPECT_EQ(divmod(7, 0).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(U256(5) / big, U256());
}

TEST(U256, ShiftsAndComparison) {
  EXPECT_EQ((U256(1) << 255) >> 255, U256(1));
  EXPECT_EQ(U256(1) << 256, U256());
  EXPECT_EQ(U256::max() >> 256, U256());
  EXPECT_EQ((U256(0xff) << 60).limb(1), 0xfULL);
  EXPECT_EQ(((U256(0xff) << 60) >> 64).low64(), 0xfULL);
  EXPECT_LT(U256(1), U256(1) << 64);
  EXPECT_GT(U256::max(), U256(1) << 255);
  EXPECT_EQ((U256(1) << 200).bit_length(), 201);
  EXPECT_EQ(U256().bit_length(), 0);
}

TEST(U256, FormatAndParseUnits) {
  EXPECT_EQ(format_units(dec("1500000000000000000"), 18), "1.5");
  EXPECT_EQ(format_units(dec("1000000000000000000"), 18), "1.0");
  EXPECT_EQ(format_units(U256(1), 18), "0.000000000000000001");
  EXPECT_EQ(format_units(U256(0), 18), "0.0");
  EXPECT_EQ(format_units(U256(5), 0), "5");
  EXPECT_EQ(format_units(U256(123456), 3), "123.456");
  EXPECT_EQ(parse_units("1.5", 18).value(), dec("1500000000000000000"));
  EXPECT_EQ(parse_units("42", 6).value(), U256(42000000));
  EXPECT_EQ(parse_units(".5", 1).value(), U256(5));
  EXPECT_EQ(parse_units("1.10", 1).value(), U256(11));
  EXPECT_EQ(parse_units("20", 9).value(), U256(20000000000ULL));
  EXPECT_EQ(parse_units("1.123", 2).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_units("1.2.3", 18).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_units("-1", 18).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_units(".", 18).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_units("1e18", 0).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_units("1000000000000000000000000000000000000000000000000000000000000", 18)
                .error()
                .code(),
            ErrorCode::kOutOfRange);
}

TEST(Int256, TwosComplement) {
  EXPECT_EQ(parse_i256("-1").value(), U256::max());
  EXPECT_EQ(to_dec_i256(U256::max()), "-1");
  EXPECT_EQ(from_i64(-2), U256::max() - U256(1));
  EXPECT_EQ(to_dec_i256(U256(1) << 255),
            "-57896044618658097711785492504343953926634992332820282019728792003956564819968");
  EXPECT_EQ(
      parse_i256("-57896044618658097711785492504343953926634992332820282019728792003956564819968")
          .value(),
      U256(1) << 255);
  EXPECT_EQ(
      parse_i256("57896044618658097711785492504343953926634992332820282019728792003956564819968")
          .error()
          .code(),
      ErrorCode::kOutOfRange);
  EXPECT_TRUE(is_negative_i256(from_i64(-5)));
  EXPECT_FALSE(is_negative_i256(U256(5)));
  EXPECT_TRUE(fits_signed_bits(from_i64(-128), 8));
  EXPECT_FALSE(fits_signed_bits(from_i64(-129), 8));
  EXPECT_TRUE(fits_signed_bits(U256(127), 8));
  EXPECT_FALSE(fits_signed_bits(U256(128), 8));
  EXPECT_TRUE(fits_unsigned_bits(U256(255), 8));
  EXPECT_FALSE(fits_unsigned_bits(U256(256), 8));
  EXPECT_TRUE(fits_unsigned_bits(U256::max(), 256));
  EXPECT_TRUE(fits_signed_bits(U256(1) << 255, 256));
}

}  // namespace
}  // namespace pactum::eth
