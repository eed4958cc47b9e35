// The HTTP server's edge against hostile clients (#18): trickled bodies, connection floods,
// descriptor exhaustion, bodies of routes the client may not use, RFC 9112 framing faults and
// oversized log fields. Every test talks to a real server over loopback.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pactum/server/http_server.hpp"
#include "pactum/server/system_routes.hpp"
#include "support/net/test_client.hpp"

namespace pactum::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Method;
using testing::StringResponse;
using testing::TestClient;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kBlobSize = 8 * 1024 * 1024;

// True when the client's socket has bytes to read (or was closed) within `wait`.
bool readable_within(TestClient& c, milliseconds wait) {
  pollfd p{c.native_handle(), POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(wait.count())) > 0;
}

std::size_t count_events(const MemoryLogger& logger, std::string_view msg) {
  std::size_t n = 0;
  for (const auto& e : logger.events()) n += e.msg == msg ? 1 : 0;
  return n;
}

class HttpEdgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("POST", "/echo", [this](Request& r) -> Result<Response> {
      ++echoed_;
      return Response::text(r.body);
    });
    router_.add("GET", "/count", [this](Request&) -> Result<Response> {
      ++counted_;
      return Response::text("counted");
    });
    router_.add("GET", "/blob", [](Request&) -> Result<Response> {
      auto sent = std::make_shared<std::size_t>(0);
      return Response::streamed(StreamBody{kBlobSize, [sent]() -> Result<std::optional<Bytes>> {
                                             if (*sent == kBlobSize) return std::optional<Bytes>();
                                             std::size_t n = std::min<std::size_t>(
                                                 256 * 1024, kBlobSize - *sent);
                                             *sent += n;
                                             return std::optional<Bytes>(Bytes(n, 0x5a));
                                           }});
    });
    // A route that lets in only requests with "X-Key: open", before reading the body.
    router_.add_checked("PUT", "/guarded", [this](Request& head) -> Result<Handler> {
      ++checked_;
      auto key = head.headers.get("X-Key");
      if (!key || *key != "open") return permission_denied("no key");
      std::string who(*key);
      return Handler([who](Request& r) -> Result<Response> {
        return Response::text(who + ":" + std::to_string(r.body.size()));
      });
    });
    router_.add_upload(
        "PUT", "/upload",
        [](Request&) -> Result<std::unique_ptr<BodySink>> {
          struct Discard final : BodySink {
            Status write(ByteView) override { return ok_status(); }
            Result<Response> finish() override { return Response::text("stored", 201); }
          };
          return std::unique_ptr<BodySink>(std::make_unique<Discard>());
        },
        RouteOptions{std::uint64_t{1} << 30});
    add_system_routes(router_, SystemInfo{"pactumd", "0.1.0-test", 31337}, metrics_);
  }

  // Two I/O threads unless the test asks for more.
  void start(HttpServerOptions options) {
    if (options.threads == 0) options.threads = 2;
    server_ = std::make_unique<HttpServer>(options, router_, logger_, metrics_);
    ASSERT_TRUE(server_->start().ok());
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (!HasFailure()) return;
    for (const auto& e : logger_.events()) std::fprintf(stderr, "log: %s\n", e.msg.c_str());
  }

  std::uint16_t port() const { return server_->port(); }

  Router router_;
  MemoryLogger logger_;
  MetricsRegistry metrics_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> echoed_{0};
  std::atomic<int> counted_{0};
  std::atomic<int> checked_{0};
};

// The attack of #18: 200 connections send a body one byte every few hundred ms. The read
// timeout (per piece) never fires; the pace check closes every one of them once its grace has
// passed, while a client that reads a whole blob at full speed is served meanwhile.
TEST_F(HttpEdgeTest, TrickledBodiesAreClosedAtTheirPaceWhileADownloadIsServed) {
  HttpServerOptions o;
  o.read_timeout = seconds(30);
  o.body_grace = milliseconds(1500);
  o.min_body_rate = 1024;
  start(o);
  constexpr int kTricklers = 200;
  std::vector<std::unique_ptr<TestClient>> tricklers;
  for (int i = 0; i < kTricklers; ++i) {
    auto c = std::make_unique<TestClient>(port(), seconds(20));
    ASSERT_TRUE(c->connected());
    // Half on a buffered route, half on an upload route (the direct-read path).
    std::string head = i % 2 == 0
                           ? "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n"
                           : "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n";
    ASSERT_TRUE(c->write_raw(head + "a"));
    tricklers.push_back(std::move(c));
  }
  const auto began = Clock::now();
  std::atomic<bool> trickling{true};
  std::atomic<int> still_open{kTricklers};
  std::thread trickle([&] {
    std::vector<bool> open(kTricklers, true);
    while (trickling && still_open > 0) {
      for (int i = 0; i < kTricklers; ++i) {
        if (open[i] && !tricklers[i]->write_raw("b")) {
          open[i] = false;
          --still_open;
        }
      }
      std::this_thread::sleep_for(milliseconds(300));
    }
  });
  // A paying consumer meanwhile: the whole blob, at once.
  {
    TestClient consumer(port(), seconds(20));
    auto r = consumer.get("/blob");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 200);
    EXPECT_EQ(r->body().size(), kBlobSize);
  }
  trickling = false;
  trickle.join();
  for (auto& c : tricklers) EXPECT_TRUE(c->wait_closed());
  const auto took = Clock::now() - began;
  // Each was closed at its pace deadline (1.5 s + a byte's worth), far inside the 30 s read
  // timeout; the bound leaves room for a loaded machine.
  EXPECT_LT(took, seconds(15));
  EXPECT_EQ(echoed_, 0);
  EXPECT_TRUE(server_ && TestClient(port()).get("/health"));
}

// Connections opened from several threads at once, each served by whichever I/O thread takes it:
// every coroutine frame is allocated on one thread and often freed on another. clang 16 at -O1
// cached Asio's thread-local frame cache across a co_await, so two threads shared one cache and
// freed the same frame twice (a double free 1 run in 50 of the test above under ASan): Asio's
// thread-local state is now reached through calls compiled apart (src/asio/). This test makes
// that hand-over as frequent as it can: 4 I/O threads, 8 clients, 1,600 connections.
TEST_F(HttpEdgeTest, ConnectionsFromManyThreadsAreEachServedOnce) {
  HttpServerOptions o;
  o.threads = 4;
  start(o);
  constexpr int kClients = 8;
  constexpr int kConnectionsEach = 200;
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&] {
      for (int i = 0; i < kConnectionsEach; ++i) {
        TestClient c(port(), seconds(20));
        auto r = c.get("/count");
        if (r && r->result_int() == 200 && r->body() == "counted") ++answered;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(answered, kClients * kConnectionsEach);
  EXPECT_EQ(counted_, kClients * kConnectionsEach);
}

// A body that keeps the pace is not cut, however long it takes in all.
TEST_F(HttpEdgeTest, ABodyThatKeepsThePaceIsServed) {
  HttpServerOptions o;
  o.body_grace = milliseconds(300);
  o.min_body_rate = 4096;
  o.max_body_size = 1 << 20;
  start(o);
  TestClient c(port());
  const std::size_t kSize = 48 * 1024;
  ASSERT_TRUE(c.write_raw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(kSize) + "\r\n\r\n"));
  // 8 KiB every 100 ms: 80 KiB/s, well above the 4 KiB/s asked for, over ~0.6 s.
  for (std::size_t sent = 0; sent < kSize; sent += 8192) {
    ASSERT_TRUE(c.write_raw(std::string(8192, 'p')));
    std::this_thread::sleep_for(milliseconds(100));
  }
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(r->body().size(), kSize);
}

// Past max_connections the server stops accepting: a new connection waits in the kernel's
// queue, unanswered, and is served as soon as one of the others closes.
TEST_F(HttpEdgeTest, ConnectionsPastTheCapWaitUntilOneCloses) {
  HttpServerOptions o;
  o.max_connections = 4;
  start(o);
  EXPECT_EQ(server_->max_connections(), 4u);
  std::vector<std::unique_ptr<TestClient>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<TestClient>(port()));
    ASSERT_TRUE(held.back()->get("/health"));  // accepted and served: it holds its slot
  }
  TestClient waiting(port());
  ASSERT_TRUE(waiting.connected());  // the kernel completes the handshake
  ASSERT_TRUE(waiting.write_raw("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(readable_within(waiting, milliseconds(700)));
  held.front().reset();  // one closes
  auto r = waiting.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
}

// One address may hold max_connections_per_address connections; one more gets 503 with
// Retry-After and is closed, and a slot freed is usable again.
TEST_F(HttpEdgeTest, AnAddressOverItsShareGets503) {
  HttpServerOptions o;
  o.max_connections_per_address = 3;
  start(o);
  std::vector<std::unique_ptr<TestClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<TestClient>(port()));
    ASSERT_TRUE(held.back()->get("/health"));
  }
  {
    TestClient extra(port());
    auto r = extra.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 503);
    EXPECT_EQ((*r)["Retry-After"], "1");
    EXPECT_NE(r->body().find("too many connections"), std::string::npos);
    EXPECT_TRUE(extra.wait_closed());
  }
  held.pop_back();
  // The freed slot is counted back once the server has seen the close.
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    TestClient again(port());
    auto r = again.get("/health");
    served = r && r->result_int() == 200;
    if (!served) std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(served);
}

// With no cap configured, the cap follows the open-file limit, less the reserve.
TEST_F(HttpEdgeTest, TheDefaultCapFollowsTheOpenFileLimit) {
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit lower = saved;
  lower.rlim_cur = 400;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lower), 0);
  HttpServerOptions o;
  o.fd_reserve = 256;
  start(o);
  EXPECT_EQ(server_->max_connections(), 144u);
  server_->stop();
  server_.reset();
  lower.rlim_cur = 200;  // below the reserve: a floor of 16
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lower), 0);
  start(o);
  EXPECT_EQ(server_->max_connections(), 16u);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
}

// When accept() itself runs out of descriptors (a cap set above what the process can open),
// the server backs off instead of spinning, logs it a bounded number of times, and serves
// again as soon as descriptors are free.
TEST_F(HttpEdgeTest, OutOfDescriptorsBacksOffAndRecovers) {
#if defined(PACTUM_SANITIZED)
  // The sanitizers' runtime needs descriptors of its own: before UBSan's vptr check trusts an
  // object it probes that the memory is readable by writing it into a pipe, and with the
  // descriptor table full the pipe cannot be made, so every check that misses its cache reports
  // "invalid vptr" (an asio strand's shared_ptr, an error_category; "memory cannot be
  // printed"). The release tree runs this test.
  GTEST_SKIP() << "needs a process without free descriptors, which the sanitizers cannot check";
#endif
  HttpServerOptions o;
  o.max_connections = 10'000;
  o.max_connections_per_address = 0;
  start(o);
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  // Room for a few more descriptors than the clients below take for themselves.
  std::size_t in_use = 0;
  for (int fd = 0; fd < 4096; ++fd) in_use += ::fcntl(fd, F_GETFD) != -1 ? 1 : 0;
  rlimit lower = saved;
  lower.rlim_cur = in_use + 60;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lower), 0);
  // Plain sockets (a TestClient also takes an epoll descriptor).
  std::vector<int> clients;
  for (int i = 0; i < 45; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) break;
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port());
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
      ::close(fd);
      break;
    }
    clients.push_back(fd);
  }
  EXPECT_GE(clients.size(), 30u);
  // Some of these cannot be accepted (the process is out of descriptors): let the loop fail
  // for a while.
  std::this_thread::sleep_for(milliseconds(1500));
  const std::size_t logged = count_events(logger_, "http accept failed");
  EXPECT_GE(logged, 1u);
  EXPECT_LE(logged, 2u);  // once per 5 s, not once per failure
  for (int fd : clients) ::close(fd);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  TestClient after(port(), seconds(10));
  auto r = after.get("/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
}

// A checked route refuses on the head: the answer comes at once, no body byte is read and the
// connection is closed; an accepted head gets its body and what the check learnt.
TEST_F(HttpEdgeTest, ACheckedRouteRefusesBeforeReadingTheBody) {
  HttpServerOptions o;
  o.read_timeout = seconds(20);
  o.max_body_size = 1 << 20;
  start(o);
  {
    TestClient c(port(), seconds(5));
    // A head that announces 1 MB, and not one byte of it.
    ASSERT_TRUE(c.write_raw("PUT /guarded HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 403);
    EXPECT_TRUE(c.wait_closed());
  }
  {
    TestClient c(port());
    auto r = c.request(Method::kPut, "/guarded", std::string(5000, 'd'), {{"X-Key", "open"}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 200);
    EXPECT_EQ(r->body(), "open:5000");
  }
  EXPECT_EQ(checked_, 2);
}

// RFC 9112 §6.3: a Transfer-Encoding that does not end in chunked leaves the body's length
// unknown — answered 400 and closed, so the "body" is never run as a second request.
TEST_F(HttpEdgeTest, TransferEncodingNotEndingInChunkedIs400AndClosed) {
  start({});
  TestClient c(port());
  ASSERT_TRUE(
      c.write_raw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
                  "GET /count HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 400);
  EXPECT_NE(r->body().find("chunked"), std::string::npos);
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(counted_, 0);
  EXPECT_EQ(echoed_, 0);
}

TEST_F(HttpEdgeTest, FramingFaultsAreAnswered) {
  start({});
  struct Case {
    const char* name;
    std::string raw;
    int status;
  };
  const std::vector<Case> cases = {
      {"gzip before chunked",
       "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501},
      {"chunked twice",
       "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
       400},
      {"identity", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n", 400},
      {"no Host on 1.1", "GET /count HTTP/1.1\r\n\r\n", 400},
      {"two Hosts", "GET /count HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"bad chunk size",
       "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
       400},
      {"chunk size overflow",
       "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
       "chunked\r\n\r\nfffffffffffffffffff\r\nab\r\n",
       400},
      {"chunk without CRLF",
       "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXX0\r\n\r\n",
       400},
      {"bad chunk to an upload",
       "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nq\r\n",
       400},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    TestClient c(port(), seconds(5));
    ASSERT_TRUE(c.write_raw(tc.raw));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), tc.status);
    EXPECT_TRUE(c.wait_closed());
  }
  EXPECT_EQ(counted_, 0);
  EXPECT_EQ(echoed_, 0);
  // HTTP/1.0 needs no Host; a well-framed chunked body is served.
  TestClient old(port());
  ASSERT_TRUE(old.write_raw("GET /count HTTP/1.0\r\n\r\n"));
  auto r = old.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  TestClient chunked(port());
  ASSERT_TRUE(chunked.write_raw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
  r = chunked.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(r->body(), "abc");
}

// A 12 KB method name is answered and logged bounded, not whole.
TEST_F(HttpEdgeTest, AHugeMethodIsLoggedBounded) {
  start({});
  TestClient c(port());
  ASSERT_TRUE(c.write_raw(std::string(12000, 'M') + " /count HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_GE(r->result_int(), 400);
  ASSERT_TRUE(logger_.wait_for("http request", 1, seconds(10)));
  for (const auto& e : logger_.events()) {
    if (e.msg != "http request") continue;
    std::string line = format_json_line("2026-12-02T00:00:00.000Z", e.level, e.msg, e.fields);
    EXPECT_LT(line.size(), 3000u) << line.substr(0, 200);
    for (const auto& f : e.fields) {
      if (f.key == "method") {
        EXPECT_LE(std::get<std::string>(f.value).size(), 32u);
      }
    }
  }
}

TEST(LogFields, LongStringsAreCutWithTheirLength) {
  std::string line = format_json_line("t", LogLevel::kInfo, std::string(5000, 'm'),
                                      {{"target", std::string(20000, 't')}, {"n", 1}});
  EXPECT_LT(line.size(), 2 * kMaxLogFieldBytes + 200);
  EXPECT_NE(line.find("(18976 more bytes)"), std::string::npos);
  EXPECT_NE(line.find("(3976 more bytes)"), std::string::npos);
  EXPECT_NE(line.find("\"n\":1"), std::string::npos);
}

}  // namespace
}  // namespace pactum::server
