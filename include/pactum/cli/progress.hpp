// ProgressReporter: one line on stderr that shows how far a transfer is (bytes, total, percent,
// rate, ETA), redrawn in place. Used by every command that moves a file (publish, download).
//
// It draws only when told to (Invocation::progress() enables it when stderr is a terminal and
// --json is off), so machine output and logs never receive carriage returns. Redraws are
// throttled so that a fast transfer does not spend its time printing.
//
// Thread safety: one object is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

namespace pactum::cli {

class ProgressReporter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `out` must outlive this object. When `enabled` is false every call is a no-op. `total` is
  // the expected number of bytes, when known (percent and ETA are shown only then). `clock`
  // is a seam for tests; by default the steady clock.
  ProgressReporter(std::ostream& out, bool enabled, std::string label,
                   std::optional<std::uint64_t> total, Clock clock = {});
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;
  ProgressReporter(ProgressReporter&&) = default;
  ProgressReporter& operator=(ProgressReporter&&) = delete;
  // Finishes the line if finish() was not called, so the shell prompt starts on a fresh line.
  ~ProgressReporter();

  // Adds `bytes` to the amount done and redraws when the last redraw is old enough.
  void advance(std::uint64_t bytes);
  // Sets the amount done (for transfers that report positions) and redraws when due.
  void set(std::uint64_t done);
  // Draws the final state and ends the line. Later calls are no-ops.
  void finish();

  [[nodiscard]] std::uint64_t done() const noexcept { return done_; }

  // The text of one progress line (without the leading "\r" and line clearing), e.g.
  // "upload  12.0 MiB / 48.0 MiB  25%  4.0 MiB/s  ETA 0:09"; exposed for tests.
  [[nodiscard]] static std::string format_line(std::string_view label, std::uint64_t done,
                                               std::optional<std::uint64_t> total,
                                               double seconds_elapsed);

 private:
  void draw(bool final);

  std::ostream* out_;
  bool enabled_;
  std::string label_;
  std::optional<std::uint64_t> total_;
  Clock clock_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::uint64_t done_ = 0;
  bool drawn_ = false;
  bool finished_ = false;
};

// "0 B", "512 B", "1.5 KiB", "12.0 MiB", "3.2 GiB": binary units, one decimal.
[[nodiscard]] std::string format_bytes(std::uint64_t bytes);

}  // namespace pactum::cli
