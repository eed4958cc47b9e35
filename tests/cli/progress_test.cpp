#include "pactum/cli/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace pactum::cli {
namespace {

TEST(Progress, FormatsBytes) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(12ull << 20), "12.0 MiB");
  EXPECT_EQ(format_bytes(3ull << 30), "3.0 GiB");
}

TEST(Progress, LineShowsDoneTotalPercentRateEta) {
  EXPECT_EQ(ProgressReporter::format_line("upload", 12ull << 20, 48ull << 20, 3.0),
            "upload  12.0 MiB / 48.0 MiB  25%  4.0 MiB/s  ETA 0:09");
  EXPECT_EQ(ProgressReporter::format_line("download", 1024, std::nullopt, 1.0),
            "download  1.0 KiB  1.0 KiB/s");
  EXPECT_EQ(ProgressReporter::format_line("x", 0, 100, 0.0), "x  0 B / 100 B  0%");
}

// A controllable clock: redraws are throttled to ten a second, the last state always drawn.
TEST(Progress, ThrottlesRedrawsAndFinishesTheLine) {
  std::ostringstream out;
  auto now = std::chrono::steady_clock::time_point{};
  ProgressReporter p(out, true, "up", 1000, [&] { return now; });
  p.advance(100);  // first draw
  now += std::chrono::milliseconds(10);
  p.advance(100);  // too soon: not drawn
  now += std::chrono::milliseconds(200);
  p.advance(100);  // drawn
  p.finish();
  const std::string text = out.str();
  std::size_t draws = 0;
  for (char c : text) draws += c == '\r';
  EXPECT_EQ(draws, 3u) << text;
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("300 B / 1000 B  30%"), std::string::npos) << text;
}

TEST(Progress, DisabledWritesNothing) {
  std::ostringstream out;
  {
    ProgressReporter p(out, false, "up", 10);
    p.advance(5);
    p.finish();
  }
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace pactum::cli
