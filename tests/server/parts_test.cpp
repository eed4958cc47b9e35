// The server's parts without a socket: router, ranges, error mapping, metrics text, log lines.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pactum/server/http.hpp"
#include "pactum/server/log.hpp"
#include "pactum/server/metrics.hpp"
#include "pactum/server/range.hpp"
#include "pactum/server/router.hpp"

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

// A fresh directory for one test's log files, removed afterwards.
class LogDir {
 public:
  LogDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("pactum-log-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~LogDir() { std::filesystem::remove_all(path_); }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

std::vector<std::string> lines_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(FileLogger, RotatesBySizeKeepingTheNewestFiles) {
  LogDir dir;
  const auto path = dir.path() / "node.log";
  auto logger = FileLogger::open({path, LogLevel::kInfo, StreamLogger::Format::kJson,
                                  /*max_size=*/4096, /*keep=*/2});
  ASSERT_TRUE(logger.ok()) << logger.error().message();
  EXPECT_EQ(std::filesystem::status(path).permissions(), std::filesystem::perms(0600));
  for (int i = 0; i < 400; ++i)
    (*logger)->info("request", {{"n", i}, {"pad", std::string(40, 'x')}});
  (*logger)->debug("below the level");

  // node.log, node.log.1 and node.log.2; the oldest lines were deleted with node.log.3.
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "node.log.3"));
  std::vector<int> seen;
  for (const auto& name : {"node.log.2", "node.log.1", "node.log"}) {
    const auto file = dir.path() / name;
    ASSERT_TRUE(std::filesystem::exists(file)) << name;
    EXPECT_LE(std::filesystem::file_size(file), 4096u) << name;
    for (const auto& line : lines_of(file)) {
      auto j = nlohmann::json::parse(line);  // whole lines only: no line is split by a rotation
      EXPECT_EQ(j["msg"], "request");
      seen.push_back(j["n"].get<int>());
    }
  }
  // The newest lines, in order, up to the last one written.
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 399);
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i], seen[i - 1] + 1);
  EXPECT_GT(seen.size(), 50u);
  EXPECT_EQ((*logger)->lost_lines(), 0u);
}

TEST(FileLogger, AppendsToAnExistingFileAndReopensAfterAnOutsideRotation) {
  LogDir dir;
  const auto path = dir.path() / "node.log";
  std::ofstream(path) << "an earlier line\n";
  auto logger = FileLogger::open({path, LogLevel::kInfo, StreamLogger::Format::kText, 0, 1});
  ASSERT_TRUE(logger.ok());
  (*logger)->info("first");
  // logrotate's "create": the file is moved away, a new one is made, and the node told (SIGHUP).
  std::filesystem::rename(path, dir.path() / "node.log.old");
  (*logger)->info("second");  // still into the moved file: nobody said to reopen
  ASSERT_TRUE((*logger)->reopen().ok());
  (*logger)->info("third");
  auto old_lines = lines_of(dir.path() / "node.log.old");
  ASSERT_EQ(old_lines.size(), 3u);
  EXPECT_EQ(old_lines[0], "an earlier line");
  EXPECT_NE(old_lines[1].find(" info first"), std::string::npos) << old_lines[1];
  EXPECT_NE(old_lines[2].find(" info second"), std::string::npos);
  auto new_lines = lines_of(path);
  ASSERT_EQ(new_lines.size(), 1u);
  EXPECT_NE(new_lines[0].find(" info third"), std::string::npos);
}

TEST(FileLogger, BadPathsAndOptionsAreClearErrors) {
  LogDir dir;
  auto missing_dir = FileLogger::open({dir.path() / "no" / "such" / "node.log"});
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing_dir.error().message().find("no/such/node.log"), std::string::npos);
  auto a_directory = FileLogger::open({dir.path()});
  ASSERT_FALSE(a_directory.ok());
  auto keep_none = FileLogger::open(
      {dir.path() / "x.log", LogLevel::kInfo, StreamLogger::Format::kJson, 4096, 0});
  ASSERT_FALSE(keep_none.ok());
  EXPECT_EQ(keep_none.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "x.log"));
}

// Lines that cannot be written (here: past RLIMIT_FSIZE, as on a full disk) are counted and
// reported by the next line that can be. In a child process: the limit is the process's.
TEST(FileLogger, LinesLostToAFullDiskAreCountedAndReported) {
  LogDir dir;
  const auto path = dir.path() / "node.log";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead
    auto logger = FileLogger::open({path, LogLevel::kInfo, StreamLogger::Format::kJson, 0, 1});
    if (!logger.ok()) ::_exit(10);
    (*logger)->info("before");
    rlimit full{};
    ::getrlimit(RLIMIT_FSIZE, &full);
    rlimit tight = full;
    tight.rlim_cur = std::filesystem::file_size(path);
    if (::setrlimit(RLIMIT_FSIZE, &tight) != 0) ::_exit(11);
    for (int i = 0; i < 3; ++i) (*logger)->info("lost");
    if ((*logger)->lost_lines() != 3) ::_exit(12);
    if (::setrlimit(RLIMIT_FSIZE, &full) != 0) ::_exit(13);
    (*logger)->info("after");
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto lines = lines_of(path);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["msg"], "before");
  auto note = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(note["msg"], "log lines were lost");
  EXPECT_EQ(note["lost"], 3);
  EXPECT_EQ(note["level"], "warn");
  EXPECT_EQ(nlohmann::json::parse(lines[2])["msg"], "after");
}

}  // namespace
}  // namespace pactum::server
