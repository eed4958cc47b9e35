#include "pactum/core/bytes.hpp"

#include <gtest/gtest.h>

namespace pactum {
namespace {

TEST(Hex, RoundTripsWithAndWithoutPrefix) {
  const Bytes data = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(to_hex(data), "0x0001abff");
  EXPECT_EQ(to_hex(data, false), "0001abff");
  EXPECT_EQ(from_hex("0x0001ABff").value(), data);
  EXPECT_EQ(from_hex("0001abff").value(), data);
  EXPECT_TRUE(from_hex("0x").value().empty());
  EXPECT_TRUE(from_hex("").value().empty());
}

TEST(Hex, RejectsOddLengthWithClearError) {
  auto r = from_hex("0xabc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("odd"), std::string::npos);
}

TEST(Hex, RejectsNonHexAndNamesPosition) {
  auto r = from_hex("0x00zz");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("position 4"), std::string::npos) << r.error().message();
  EXPECT_FALSE(from_hex("0x0g").ok());
  EXPECT_FALSE(from_hex("x0").ok());
}

TEST(Hex, FixedLengthIsEnforced) {
  EXPECT_TRUE(fixed_from_hex<2>("0xabcd").ok());
  auto r = fixed_from_hex<3>("0xabcd");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  const Bytes a = {1, 2, 3};
  const Bytes b = {1, 2, 4};
  EXPECT_TRUE(constant_time_equal(a, a));
  EXPECT_FALSE(constant_time_equal(a, b));
  EXPECT_FALSE(constant_time_equal(a, ByteView(a).first(2)));
}

TEST(SecureWipe, Zeroes) {
  Bytes secret = {9, 9, 9};
  secure_wipe(secret);
  EXPECT_EQ(secret, (Bytes{0, 0, 0}));
}

Result<int> parse_positive(int v) {
  if (v <= 0) return invalid_argument("not positive: " + std::to_string(v));
  return v;
}

Result<int> doubled(int v) {
  PACTUM_TRY(int x, parse_positive(v));
  return 2 * x;
}

Status check(int v) {
  PACTUM_TRY_STATUS(parse_positive(v));
  return ok_status();
}

TEST(Result, TryPropagatesErrorsWithTheirCode) {
  EXPECT_EQ(doubled(4).value(), 8);
  auto r = doubled(-1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "not positive: -1");
  EXPECT_TRUE(check(1).ok());
  EXPECT_EQ(check(0).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().with_context("doubling").to_string(),
            "invalid_argument: doubling: not positive: -1");
}

}  // namespace
}  // namespace pactum
