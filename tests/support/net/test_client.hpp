// A tiny HTTP/1.1 client for the server and node tests: one connection, every operation bounded
// by a deadline (the tests wait on sockets, never on the clock).
//
// Beast stays in test_client.cpp, compiled once per build tree: a test that includes this header
// parses no Boost header and instantiates none of Beast's templates (that was five seconds of
// every server and node test's compile time; ARCHITECTURE.md, "Build and test trees").
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pactum::server::testing {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kOptions, kPatch };

// One response as the client read it.
class StringResponse {
 public:
  StringResponse(int status, std::vector<std::pair<std::string, std::string>> headers,
                 std::string body, bool keep_alive)
      : status_(status),
        headers_(std::move(headers)),
        body_(std::move(body)),
        keep_alive_(keep_alive) {}

  [[nodiscard]] int result_int() const { return status_; }
  [[nodiscard]] const std::string& body() const { return body_; }
  [[nodiscard]] bool keep_alive() const { return keep_alive_; }
  // The value of the first header called `name` (case-insensitive); empty when there is none.
  [[nodiscard]] std::string operator[](std::string_view name) const;
  // Every header field in the order received.
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& headers() const {
    return headers_;
  }

 private:
  int status_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_;
  bool keep_alive_;
};

class TestClient {
 public:
  // Connects to 127.0.0.1:`port`; connected() says whether it worked.
  explicit TestClient(std::uint16_t port,
                      std::chrono::milliseconds deadline = std::chrono::seconds(20));
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;
  ~TestClient();

  [[nodiscard]] bool connected() const;
  // The last operation's error in words ("Success" when it worked).
  [[nodiscard]] std::string last_error() const;
  // Whether the last read ended inside a message (the peer closed before its body was complete).
  [[nodiscard]] bool last_read_was_partial() const;
  // The socket's descriptor (to poll it).
  [[nodiscard]] int native_handle();

  // Writes raw bytes. Returns false on error.
  bool write_raw(std::string_view bytes);

  // Reads one response (body as a string). nullopt on error (see last_error()).
  std::optional<StringResponse> read_response(bool head_request = false);

  // Sends a request (Host and Content-Length added) and reads its response.
  std::optional<StringResponse> request(
      Method method, std::string target, std::string body = {},
      std::initializer_list<std::pair<std::string, std::string>> headers = {});

  std::optional<StringResponse> get(std::string target) {
    return request(Method::kGet, std::move(target));
  }

  // Waits until the server closes the connection; true if it did before the deadline.
  bool wait_closed();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pactum::server::testing
