// DIDs: the one parser every edge uses (node routes, CLI arguments, DDOs). A table of texts it
// must refuse, round trips, and the cheap refusal of oversized input.
#include "pactum/sdk/did.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

namespace pactum::sdk {
namespace {

const std::string kHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

TEST(DidTest, ParsesAndFormatsLowerCase) {
  auto id = parse_did("did:pactum:0x" + kHex);
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  EXPECT_EQ(to_hex(*id), "0x" + kHex);
  EXPECT_EQ(format_did(*id), "did:pactum:0x" + kHex);
}

TEST(DidTest, AcceptsUpperCaseHexAndFormatsItLower) {
  std::string upper = kHex;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto id = parse_did("did:pactum:0x" + upper);
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  EXPECT_EQ(format_did(*id), "did:pactum:0x" + kHex);
}

TEST(DidTest, RoundTripsEveryByteValue) {
  Hash32 id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(i * 8 + 7);
  auto back = parse_did(format_did(id));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, id);
  EXPECT_EQ(format_did(id).size(), kDidLength);
}

TEST(DidTest, RefusesEverythingElse) {
  const std::vector<std::string> bad = {
      "",
      "did:pactum:",
      "did:pactum:0x",
      "did:pactum:0x1234",
      "did:pactum:0x" + kHex.substr(0, 63),
      "did:pactum:0x" + kHex + "0",
      "did:pactum:0x" + kHex.substr(0, 63) + "g",
      "did:pactum:0X" + kHex,
      "DID:pactum:0x" + kHex,
      "did:other:0x" + kHex,
      "did:pactum:" + kHex + "00",
      "did:pactum:0x0x" + kHex.substr(0, 62),
      "did:pactum:0x" + kHex.substr(0, 62) + " 0",
      " did:pactum:0x" + kHex.substr(1),
      kHex,
      "0x" + kHex,
      "../../etc/passwd",
  };
  for (const auto& text : bad) {
    auto r = parse_did(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << text;
    EXPECT_NE(r.error().message().find("is not a DID"), std::string::npos) << r.error().message();
  }
}

TEST(DidTest, OversizedTextIsRefusedWithoutEchoingIt) {
  const std::string huge = "did:pactum:0x" + std::string(1 << 20, 'a');
  auto r = parse_did(huge);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_LT(r.error().message().size(), 200u) << "the message must not quote megabytes";
  EXPECT_NE(r.error().message().find(std::to_string(huge.size())), std::string::npos);
}

}  // namespace
}  // namespace pactum::sdk
