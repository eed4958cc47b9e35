// libFuzzer target: whole requests, as bytes on a socket, against a real HttpServer — the
// request head, the body paths (buffered, checked-before-body, chunked, read straight into a
// sink's buffer, written piece by piece), query decoding and Range on a streamed download.
//
// One server is started for the whole run on 127.0.0.1 (port chosen by the kernel). Each input
// is written on a fresh connection, the write side shut, and the answer read until the server
// closes. Invariants: no crash and no sanitizer report in the server (its threads run in this
// process); whatever the server sends starts with "HTTP/1.1 " (it never writes anything that is
// not a response); the server still answers a plain request after each input.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "pactum/server/http_server.hpp"
#include "pactum/server/range.hpp"

namespace {

using namespace pactum;
using namespace pactum::server;

// A sink that offers its own buffer (the direct path) or takes write() pieces only.
class FuzzSink final : public BodySink {
 public:
  explicit FuzzSink(bool direct) : direct_(direct) {}
  Status write(ByteView piece) override {
    total_ += piece.size();
    return total_ > (1u << 20) ? resource_exhausted("fuzz sink full") : ok_status();
  }
  Result<std::span<std::uint8_t>> direct_buffer() override {
    if (!direct_) return std::span<std::uint8_t>{};
    return std::span<std::uint8_t>(buffer_.data(), buffer_.size());
  }
  Status wrote(std::size_t n) override {
    if (n == 0 || n > buffer_.size()) std::abort();  // the server's contract
    total_ += n;
    return ok_status();
  }
  Result<Response> finish() override { return Response::text(std::to_string(total_), 201); }

 private:
  bool direct_;
  std::uint64_t total_ = 0;
  std::array<std::uint8_t, 1000> buffer_{};
};

struct Fixture {
  Router router;
  NullLogger logger;
  MetricsRegistry metrics;
  std::unique_ptr<HttpServer> server;

  Fixture() {
    router.add("POST", "/echo", [](Request& r) -> Result<Response> {
      return Response::text(r.body.substr(0, 64));
    });
    router.add("GET", "/items/{id}", [](Request& r) -> Result<Response> {
      std::string out(r.param("id"));
      for (const auto& [k, v] : r.query) out += "&" + k + "=" + v;
      return Response::text(out);
    });
    router.add_checked("PUT", "/checked/{id}", [](Request& head) -> Result<Handler> {
      if (head.param("id") == "no") return permission_denied("refused on the head");
      return Handler([](Request& r) -> Result<Response> {
        return Response::text(std::to_string(r.body.size()));
      });
    });
    router.add_upload("PUT", "/direct", [](Request&) -> Result<std::unique_ptr<BodySink>> {
      return std::unique_ptr<BodySink>(std::make_unique<FuzzSink>(true));
    });
    router.add_upload("PUT", "/pieces", [](Request&) -> Result<std::unique_ptr<BodySink>> {
      return std::unique_ptr<BodySink>(std::make_unique<FuzzSink>(false));
    });
    router.add("GET", "/blob", [](Request& r) -> Result<Response> {
      return ranged_response(r, 5000, [](ByteRange range) -> Result<StreamBody> {
        auto left = std::make_shared<std::uint64_t>(range.length());
        return StreamBody{range.length(), [left]() -> Result<std::optional<Bytes>> {
                            if (*left == 0) return std::optional<Bytes>();
                            std::uint64_t n = std::min<std::uint64_t>(*left, 700);
                            *left -= n;
                            return std::optional<Bytes>(Bytes(n, 0x42));
                          }};
      });
    });
    HttpServerOptions o;
    o.threads = 2;
    o.max_body_size = 64 * 1024;
    o.read_timeout = std::chrono::milliseconds(500);
    o.body_grace = std::chrono::milliseconds(300);
    o.blocking_threads = 0;
    server = std::make_unique<HttpServer>(o, router, logger, metrics);
    if (!server->start().ok()) std::abort();
  }
};

Fixture* fixture = nullptr;

// Sends `bytes` on a new connection, shuts the write side and returns what the server sent.
std::string exchange(std::string_view bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) std::abort();
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(fixture->server->port());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) std::abort();
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server answered and closed early (413, a framing fault)
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buf[16 * 1024];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    if (answer.size() < 64 * 1024) answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fixture = new Fixture();  // lives for the whole run: the server's threads use it
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string answer = exchange(input);
  if (!answer.empty() && answer.rfind("HTTP/1.1 ", 0) != 0) std::abort();
  // The server is still there and serving.
  static unsigned n = 0;
  if (++n % 64 == 0) {
    const std::string ok = exchange("GET /items/x HTTP/1.1\r\nHost: f\r\n\r\n");
    if (ok.rfind("HTTP/1.1 200", 0) != 0) std::abort();
  }
  return 0;
}
