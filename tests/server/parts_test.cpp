// The server's parts without a socket: router, ranges, error mapping, metrics text, log lines.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pactum/server/daemon.hpp"
#include "pactum/server/http.hpp"
#include "pactum/server/log.hpp"
#include "pactum/server/metrics.hpp"
#include "pactum/server/range.hpp"
#include "pactum/server/router.hpp"
#include "server/test_client.hpp"

namespace pactum::server {
namespace {

Handler named(std::string name) {
  return [name](Request&) -> Result<Response> { return Response::text(name); };
}

TEST(Router, MatchesLiteralsParamsAndMethods) {
  Router r;
  r.add("GET", "/assets/{did}", named("get-asset"));
  r.add("GET", "/assets/count", named("count"));
  r.add("PUT", "/assets/{did}/data", named("put-data"));
  r.add("GET", "/", named("root"));
  std::map<std::string, std::string, std::less<>> params;
  auto m = r.match("GET", "/assets/did%3Apactum%3A1", params);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->info.pattern, "/assets/{did}");
  EXPECT_EQ(params.at("did"), "did:pactum:1");
  EXPECT_EQ(r.match("GET", "/assets/count", params).route->info.pattern, "/assets/count");
  EXPECT_EQ(r.match("GET", "/", params).route->info.pattern, "/");
  // HEAD falls back to GET.
  EXPECT_EQ(r.match("HEAD", "/assets/x", params).route->info.pattern, "/assets/{did}");
  // Wrong method: 405 with the allowed ones.
  auto wrong = r.match("POST", "/assets/x/data", params);
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_TRUE(wrong.path_known);
  EXPECT_EQ(wrong.allow, "PUT");
  // Unknown: 404.
  for (const char* path : {"/assets", "/assets/", "/assets/x/y", "/nope", "/assets//data"}) {
    auto none = r.match("GET", path, params);
    EXPECT_EQ(none.route, nullptr) << path;
    EXPECT_FALSE(none.path_known) << path;
  }
  // A parameter that does not decode matches nothing.
  EXPECT_EQ(r.match("GET", "/assets/%zz", params).route, nullptr);
  EXPECT_EQ(r.match("GET", "/assets/a%00b", params).route, nullptr);
  auto listed = r.routes();
  ASSERT_EQ(listed.size(), 4u);
  EXPECT_EQ(listed[2].method, "PUT");
  EXPECT_EQ(listed[2].pattern, "/assets/{did}/data");
}

TEST(Router, BadPatternsAbort) {
  EXPECT_DEATH(Router().add("GET", "no-slash", named("x")), "must start with");
  EXPECT_DEATH(Router().add("GET", "/a{b}", named("x")), "whole segment");
  EXPECT_DEATH(Router().add("GET", "/{a}/{a}", named("x")), "duplicate");
  EXPECT_DEATH(
      {
        Router r;
        r.add("GET", "/a", named("x"));
        r.add("GET", "/a", named("y"));
      },
      "added twice");
}

TEST(ErrorMapping, EveryCodeHasItsStatus) {
  const std::pair<ErrorCode, int> table[] = {
      {ErrorCode::kInvalidArgument, 400},  {ErrorCode::kUnauthenticated, 401},
      {ErrorCode::kPermissionDenied, 403}, {ErrorCode::kNotFound, 404},
      {ErrorCode::kAlreadyExists, 409},    {ErrorCode::kFailedPrecondition, 409},
      {ErrorCode::kAborted, 409},          {ErrorCode::kResourceExhausted, 413},
      {ErrorCode::kOutOfRange, 416},       {ErrorCode::kUnimplemented, 501},
      {ErrorCode::kUnavailable, 503},      {ErrorCode::kDeadlineExceeded, 504},
      {ErrorCode::kDataLoss, 500},         {ErrorCode::kInternal, 500},
  };
  for (auto [code, status] : table) {
    EXPECT_EQ(http_status_for(code), status) << error_code_name(code);
    Response r = error_response(Error(code, "why \xff"));
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.headers.get("content-type"), "application/json");
    auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], std::string(error_code_name(code)));
    // Internal details stay in the log; other messages reach the client (invalid UTF-8 replaced).
    EXPECT_EQ(j["error"]["message"],
              code == ErrorCode::kInternal ? "internal error" : "why \xEF\xBF\xBD");
  }
}

TEST(PercentDecode, Table) {
  EXPECT_EQ(percent_decode("a%20b+c", false).value(), "a b+c");
  EXPECT_EQ(percent_decode("a%20b+c", true).value(), "a b c");
  EXPECT_EQ(percent_decode("%41%62", false).value(), "Ab");
  for (const char* bad : {"%", "%4", "%zz", "a%00"}) {
    EXPECT_FALSE(percent_decode(bad, false).ok()) << bad;
  }
}

TEST(ParseRange, Table) {
  struct Case {
    const char* header;
    std::uint64_t size;
    std::optional<ByteRange> want;
  };
  for (const Case& c :
       {Case{"bytes=0-9", 100, ByteRange{0, 9}}, Case{"bytes=90-", 100, ByteRange{90, 99}},
        Case{"bytes=-10", 100, ByteRange{90, 99}}, Case{"bytes=-1000", 100, ByteRange{0, 99}},
        Case{"bytes=50-1000", 100, ByteRange{50, 99}},
        Case{" bytes = 1 - 2 ", 100, ByteRange{1, 2}}, Case{"pages=1-2", 100, std::nullopt}}) {
    auto r = parse_range(c.header, c.size);
    ASSERT_TRUE(r.ok()) << c.header << ": " << r.error().to_string();
    EXPECT_EQ(*r, c.want) << c.header;
  }
  EXPECT_EQ(parse_range(std::nullopt, 5).value(), std::nullopt);
  for (const char* unsatisfiable : {"bytes=100-", "bytes=100-200", "bytes=-0"}) {
    auto r = parse_range(unsatisfiable, 100);
    ASSERT_FALSE(r.ok()) << unsatisfiable;
    EXPECT_EQ(r.error().code(), ErrorCode::kOutOfRange) << unsatisfiable;
  }
  EXPECT_EQ(parse_range("bytes=0-", 0).error().code(), ErrorCode::kOutOfRange);
  for (const char* malformed :
       {"bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=5-1", "bytes=1-2,4-5", "bytes=0x1-2",
        "bytes=+1-2", "bytes=18446744073709551616-"}) {
    auto r = parse_range(malformed, 100);
    ASSERT_FALSE(r.ok()) << malformed;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << malformed;
  }
}

TEST(Metrics, TextExposition) {
  MetricsRegistry m;
  auto& requests = m.counter("app_requests_total", "Requests.", {"route", "status"});
  requests.with({"/a", "200"}).inc();
  requests.with({"/a", "200"}).inc(2);
  requests.with({"/b\"\n", "404"}).inc();
  m.gauge("app_in_flight", "In flight.").with({}).set(-3);
  auto& h = m.histogram("app_seconds", "Latency.", {}, {0.005, 0.1}).with({});
  h.observe(0.001);
  h.observe(0.05);
  h.observe(7);
  EXPECT_EQ(&m.counter("app_requests_total", "Requests.", {"route", "status"}), &requests);
  EXPECT_EQ(m.render(),
            "# HELP app_in_flight In flight.\n"
            "# TYPE app_in_flight gauge\n"
            "app_in_flight -3\n"
            "# HELP app_requests_total Requests.\n"
            "# TYPE app_requests_total counter\n"
            "app_requests_total{route=\"/a\",status=\"200\"} 3\n"
            "app_requests_total{route=\"/b\\\"\\n\",status=\"404\"} 1\n"
            "# HELP app_seconds Latency.\n"
            "# TYPE app_seconds histogram\n"
            "app_seconds_bucket{le=\"0.005\"} 1\n"
            "app_seconds_bucket{le=\"0.1\"} 2\n"
            "app_seconds_bucket{le=\"+Inf\"} 3\n"
            "app_seconds_sum 7.051\n"
            "app_seconds_count 3\n");
}

TEST(Metrics, MisuseAborts) {
  MetricsRegistry m;
  m.counter("x_total", "x");
  EXPECT_DEATH(m.gauge("x_total", "x"), "another type");
  EXPECT_DEATH(m.counter("bad name", "x"), "invalid metric name");
  EXPECT_DEATH(m.counter("y_total", "y", {"a"}).with({}), "takes 1 labels");
}

TEST(Log, JsonLinesHaveTimestampLevelMessageAndTypedFields) {
  std::string line = format_json_line("2026-11-25T18:30:00.123Z", LogLevel::kWarn, "disk low",
                                      {{"free_bytes", std::uint64_t{42}},
                                       {"path", "/data"},
                                       {"ratio", 0.5},
                                       {"ok", false},
                                       {"msg", "clash"}});
  ASSERT_EQ(line.back(), '\n');
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["ts"], "2026-11-25T18:30:00.123Z");
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["msg"], "disk low");
  EXPECT_EQ(j["free_bytes"], 42);
  EXPECT_EQ(j["path"], "/data");
  EXPECT_EQ(j["ratio"], 0.5);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["field_msg"], "clash");
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(utc_timestamp_now().size(), 24u);
}

TEST(Log, StreamLoggerFiltersByLevel) {
  std::FILE* f = std::tmpfile();
  StreamLogger logger(f, LogLevel::kWarn, StreamLogger::Format::kJson);
  logger.info("hidden");
  logger.error("shown", {{"n", 1}});
  std::rewind(f);
  char buf[512] = {};
  std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::string text(buf, n);
  EXPECT_EQ(text.find("hidden"), std::string::npos);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["msg"], "shown");
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(parse_log_level("loud").error().code(), ErrorCode::kInvalidArgument);
}

TEST(NodeDaemonTest, ServesHealthOnAnAnyPortAndStops) {
  NodeSettings s;
  s.http_port = 0;
  s.http_threads = 1;
  s.chain_id = 5;
  s.data_dir =
      std::filesystem::temp_directory_path() / ("pactum-daemon-" + std::to_string(::getpid()));
  MemoryLogger logger;
  NodeDaemon daemon(s, logger, "1.2.3");
  ASSERT_TRUE(daemon.start().ok());
  EXPECT_TRUE(std::filesystem::is_directory(s.data_dir));
  {
    testing::TestClient c(daemon.port());
    auto r = c.get("/health");
    ASSERT_TRUE(r);
    auto j = nlohmann::json::parse(r->body());
    EXPECT_EQ(j["version"], "1.2.3");
    EXPECT_EQ(j["chain_id"], 5);
  }
  daemon.stop();
  std::filesystem::remove_all(s.data_dir);
}

}  // namespace
}  // namespace pactum::server
