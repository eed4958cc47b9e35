#include "pactum/eth/address.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

#include "support/process.hpp"

namespace pactum::eth {
namespace {

// The EIP-55 specification's examples (all-caps, all-lower and mixed groups).
TEST(Address, Eip55SpecExamples) {
  for (const char* text :
       {"0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"}) {
    auto a = Address::parse(text);
    ASSERT_TRUE(a.ok()) << text << ": " << a.error().to_string();
    // Mixed-case examples round-trip exactly; the single-case ones are checksummed on output.
    auto again = Address::parse(a->to_checksum_string());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *a);
  }
  EXPECT_EQ(Address::parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")->to_checksum_string(),
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
}

TEST(Address, AnvilDevAddressesRoundTrip) {
  for (const auto& text : testing::AnvilProcess::dev_addresses()) {
    auto a = Address::parse(text);
    ASSERT_TRUE(a.ok()) << text;
    EXPECT_EQ(a->to_checksum_string(), text);
  }
}

TEST(Address, PrefixOptionalAndLowerHex) {
  auto a = Address::parse("f39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->to_hex(), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  EXPECT_EQ(a->to_checksum_string(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  EXPECT_FALSE(a->is_zero());
  EXPECT_TRUE(Address().is_zero());
}

struct BadAddress {
  const char* text;
  const char* message_part;
};

TEST(Address, BadInputIsInvalidArgumentWithReason) {
  const BadAddress cases[] = {
      {"", "expected 40 hex digits, got 0"},
      {"0x", "expected 40 hex digits, got 0"},
      {"0xf39fd6e51aad88f6f4ce6ab8827279cfffb9226", "got 39"},
      {"0xf39fd6e51aad88f6f4ce6ab8827279cfffb922660", "got 41"},
      {"0xf39fd6e51aad88f6f4ce6ab8827279cfffb9226g", "non-hex character"},
      {"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267", "bad EIP-55 checksum"},
      {"0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "bad EIP-55 checksum"},
  };
  for (const auto& c : cases) {
    auto a = Address::parse(c.text);
    ASSERT_FALSE(a.ok()) << c.text;
    EXPECT_EQ(a.error().code(), ErrorCode::kInvalidArgument) << c.text;
    EXPECT_NE(a.error().message().find(c.message_part), std::string::npos)
        << c.text << " -> " << a.error().message();
  }
  EXPECT_EQ(Address::from_bytes(Bytes(19)).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Address::from_bytes(Bytes(20)).ok());
}

TEST(Address, OrderingAndHash) {
  auto a = *Address::parse("0x0000000000000000000000000000000000000001");
  auto b = *Address::parse("0x0000000000000000000000000000000000000002");
  EXPECT_LT(a, b);
  EXPECT_NE(a, b);
  std::unordered_set<Address> set{a, b, a};
  EXPECT_EQ(set.size(), 2u);
}

}  // namespace
}  // namespace pactum::eth
