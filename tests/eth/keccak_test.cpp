#include "pactum/eth/keccak.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pactum::eth {
namespace {

// Published values: keccak256("") and keccak256("abc") as Ethereum uses them.
TEST(Keccak256, KnownVectors) {
  EXPECT_EQ(to_hex(keccak256(as_bytes(""))),
            "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(to_hex(keccak256(as_bytes("abc"))),
            "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  // The ERC-20 Transfer event topic.
  EXPECT_EQ(to_hex(keccak256(as_bytes("Transfer(address,address,uint256)"))),
            "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
}

TEST(Keccak256, IncrementalEqualsOneShotAcrossRateBoundaries) {
  std::string message;
  for (int i = 0; i < 1000; ++i) message += static_cast<char>(i * 7);
  Keccak256 h;
  for (std::size_t i = 0; i < message.size(); i += 135) {
    h.update(as_bytes(std::string_view(message).substr(i, 135)));
  }
  EXPECT_EQ(h.finish(), keccak256(as_bytes(message)));
  h.update(as_bytes("abc"));  // finish() reset the state
  EXPECT_EQ(h.finish(), keccak256(as_bytes("abc")));
}

}  // namespace
}  // namespace pactum::eth
