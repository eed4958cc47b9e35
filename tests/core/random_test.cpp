#include "pactum/core/random.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <vector>

namespace pactum {
namespace {

TEST(Random, FillsEveryByteAndNeverRepeatsA256BitDraw) {
  std::set<std::array<std::uint8_t, 32>> seen;
  std::array<int, 256> byte_counts{};
  for (int i = 0; i < 64; ++i) {
    std::array<std::uint8_t, 32> draw{};
    ASSERT_TRUE(random_bytes(draw).ok());
    EXPECT_TRUE(seen.insert(draw).second) << "a 256-bit draw repeated";
    for (auto b : draw) ++byte_counts[b];
  }
  // 2,048 bytes: a byte value that never occurs would be unlikely; one that takes a tenth of
  // them would mean the generator is broken (or unfilled: all zero).
  for (int count : byte_counts) EXPECT_LT(count, 205);
}

TEST(Random, FillsLargeAndEmptyBuffers) {
  std::vector<std::uint8_t> large(1 << 20, 0);
  ASSERT_TRUE(random_bytes(large).ok());
  std::size_t zeros = 0;
  for (auto b : large) zeros += b == 0 ? 1 : 0;
  EXPECT_LT(zeros, large.size() / 128);  // about 1/256 of them are zero
  std::vector<std::uint8_t> none;
  EXPECT_TRUE(random_bytes(none).ok());
}

}  // namespace
}  // namespace pactum
