// Time as a dependency: retries, backoff and receipt polling read the time and wait only through a
// Clock, so tests substitute a fake one and never sleep.
//
// Thread safety: implementations must be safe to call from several threads.
#pragma once

#include <chrono>

namespace pactum::rpc {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual ~Clock() = default;

  // Returns the current monotonic time.
  [[nodiscard]] virtual TimePoint now() = 0;
  // Blocks the calling thread for `duration` (a fake may just advance its time).
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

// The real steady clock and std::this_thread::sleep_for. Stateless.
class SystemClock final : public Clock {
 public:
  [[nodiscard]] TimePoint now() override;
  void sleep_for(std::chrono::milliseconds duration) override;
};

}  // namespace pactum::rpc
