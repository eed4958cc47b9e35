// A real HTTP/1.1 server on 127.0.0.1 port 0 for the RPC tests, answering each request with
// whatever the test's handler scripts: a status and body, raw bytes, a closed connection, or no
// answer at all (to trip the client's timeout without anyone sleeping).
//
// Beast stays in scripted_server.cpp (see test_client.hpp for why).
//
// Thread safety: the handler runs on the server's own thread, one request at a time; counters
// may be read from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pactum/rpc/clock.hpp"

namespace pactum::rpc::testing {

struct Reply {
  int status = 200;
  std::string body;
  // When set, these bytes are written as they are (no HTTP framing added) and the connection is
  // closed: for answers that are not HTTP at all.
  std::string raw;
  // Never answer; the connection stays open until the server stops.
  bool hang = false;
  // Close the connection after this answer (without telling the client in a header).
  bool close_after = false;
  std::string content_type = "application/json";
};

class ScriptedServer {
 public:
  using Handler = std::function<Reply(const std::string& request_body)>;

  // Listens at once and serves on its own thread until destroyed.
  explicit ScriptedServer(Handler handler);
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;
  ~ScriptedServer();

  [[nodiscard]] std::string url() const;
  [[nodiscard]] int requests() const;
  [[nodiscard]] int connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A Clock whose sleeps only record the delay and advance its time.
class FakeClock final : public Clock {
 public:
  [[nodiscard]] TimePoint now() override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void sleep_for(std::chrono::milliseconds duration) override {
    std::lock_guard lock(mutex_);
    sleeps_.push_back(duration);
    now_ += duration;
  }
  [[nodiscard]] std::vector<std::chrono::milliseconds> sleeps() {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }

 private:
  std::mutex mutex_;
  TimePoint now_{};
  std::vector<std::chrono::milliseconds> sleeps_;
};

}  // namespace pactum::rpc::testing
