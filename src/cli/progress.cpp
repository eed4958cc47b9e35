#include "pactum/cli/progress.hpp"

#include <array>
#include <cmath>
#include <cstdio>

namespace pactum::cli {
namespace {

// Ten redraws a second look smooth and cost nothing next to the transfer itself.
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<std::uint64_t>(seconds + 0.5);
  char buf[32];
  if (total >= 3600) {
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu",
                  static_cast<unsigned long long>(total / 3600),
                  static_cast<unsigned long long>(total / 60 % 60),
                  static_cast<unsigned long long>(total % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(total / 60),
                  static_cast<unsigned long long>(total % 60));
  }
  return buf;
}

}  // namespace

std::string format_bytes(std::uint64_t bytes) {
  static constexpr std::array<const char*, 5> kUnits = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < kUnits.size()) {
    value /= 1024.0;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", value, kUnits[unit]);
  return buf;
}

ProgressReporter::ProgressReporter(std::ostream& out, bool enabled, std::string label,
                                   std::optional<std::uint64_t> total, Clock clock)
    : out_(&out),
      enabled_(enabled),
      label_(std::move(label)),
      total_(total),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      start_(clock_()),
      last_draw_(start_) {}

ProgressReporter::~ProgressReporter() {
  if (drawn_ && !finished_) finish();
}

void ProgressReporter::advance(std::uint64_t bytes) {
  set(done_ + bytes);
}

void ProgressReporter::set(std::uint64_t done) {
  done_ = done;
  if (!enabled_ || finished_) return;
  const auto now = clock_();
  if (drawn_ && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  draw(false);
}

void ProgressReporter::finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  draw(true);
}

void ProgressReporter::draw(bool final) {
  const double elapsed = std::chrono::duration<double>(clock_() - start_).count();
  // "\r" returns to the start of the line and "\x1b[K" clears what a longer previous line left.
  *out_ << '\r' << format_line(label_, done_, total_, elapsed) << "\x1b[K";
  if (final) *out_ << '\n';
  out_->flush();
  drawn_ = true;
}

std::string ProgressReporter::format_line(std::string_view label, std::uint64_t done,
                                          std::optional<std::uint64_t> total,
                                          double seconds_elapsed) {
  std::string line(label);
  line += "  " + format_bytes(done);
  if (total) line += " / " + format_bytes(*total);
  if (total && *total > 0) {
    const auto percent = static_cast<unsigned>(
        std::min<double>(100.0, 100.0 * static_cast<double>(done) / static_cast<double>(*total)));
    line += "  " + std::to_string(percent) + "%";
  }
  if (seconds_elapsed > 0) {
    const double rate = static_cast<double>(done) / seconds_elapsed;
    line += "  " + format_bytes(static_cast<std::uint64_t>(rate)) + "/s";
    if (total && rate > 0 && done < *total) {
      line += "  ETA " + format_duration(static_cast<double>(*total - done) / rate);
    }
  }
  return line;
}

}  // namespace pactum::cli
