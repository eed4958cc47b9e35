// Structured logs: one event = level + message + typed fields. JsonLogger writes each event as
// one JSON line {"ts":"2026-11-25T18:30:00.123Z","level":"info","msg":"...",<fields>};
// TextLogger writes "ts level msg key=value ..." for people at a terminal.
//
// Loggers are passed in (no global logger). Thread safety: log() may be called from any
// number of threads at once; each line is written whole.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "pactum/core/result.hpp"

namespace pactum::server {

// The longest string a log line carries for one field (and for the message): longer ones are
// cut, with the number of bytes left out (format_json_line and the text format).
inline constexpr std::size_t kMaxLogFieldBytes = 1024;

enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarn, kError, kOff };

// "debug", "info", "warn", "error", "off".
[[nodiscard]] std::string_view log_level_name(LogLevel level) noexcept;
// Parses a level name (as above; also "warning"). Errors: kInvalidArgument naming the choices.
[[nodiscard]] Result<LogLevel> parse_log_level(std::string_view name);

struct LogField {
  using Value = std::variant<std::string, std::int64_t, std::uint64_t, double, bool>;
  std::string key;
  Value value;

  LogField(std::string k, std::string v) : key(std::move(k)), value(std::move(v)) {}
  LogField(std::string k, std::string_view v) : key(std::move(k)), value(std::string(v)) {}
  LogField(std::string k, const char* v) : key(std::move(k)), value(std::string(v)) {}
  LogField(std::string k, bool v) : key(std::move(k)), value(v) {}
  LogField(std::string k, double v) : key(std::move(k)), value(v) {}
  template <class I>
  requires std::is_integral_v<I> &&(!std::is_same_v<I, bool>)LogField(std::string k, I v)
      : key(std::move(k)) {
    if constexpr (std::is_signed_v<I>) {
      value = static_cast<std::int64_t>(v);
    } else {
      value = static_cast<std::uint64_t>(v);
    }
  }
};

class Logger {
 public:
  virtual ~Logger() = default;
  // True when an event at `level` would be written (skip building costly fields otherwise).
  [[nodiscard]] virtual bool enabled(LogLevel level) const noexcept = 0;
  // Writes one event; never throws (a failing sink drops the line).
  virtual void log(LogLevel level, std::string_view msg, std::vector<LogField> fields) noexcept = 0;

  void debug(std::string_view msg, std::vector<LogField> fields = {}) noexcept {
    if (enabled(LogLevel::kDebug)) log(LogLevel::kDebug, msg, std::move(fields));
  }
  void info(std::string_view msg, std::vector<LogField> fields = {}) noexcept {
    if (enabled(LogLevel::kInfo)) log(LogLevel::kInfo, msg, std::move(fields));
  }
  void warn(std::string_view msg, std::vector<LogField> fields = {}) noexcept {
    if (enabled(LogLevel::kWarn)) log(LogLevel::kWarn, msg, std::move(fields));
  }
  void error(std::string_view msg, std::vector<LogField> fields = {}) noexcept {
    if (enabled(LogLevel::kError)) log(LogLevel::kError, msg, std::move(fields));
  }
};

// Formats one event as a JSON line (with the trailing '\n'); `ts` is RFC 3339 UTC. Strings
// longer than kMaxLogFieldBytes are cut; bytes that are not UTF-8 are replaced.
[[nodiscard]] std::string format_json_line(std::string_view ts, LogLevel level,
                                           std::string_view msg,
                                           const std::vector<LogField>& fields);

// The current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ".
[[nodiscard]] std::string utc_timestamp_now();

// Writes events at `min_level` and above to a stdio stream (not owned; must outlive the logger).
class StreamLogger final : public Logger {
 public:
  enum class Format : std::uint8_t { kJson, kText };
  StreamLogger(std::FILE* out, LogLevel min_level, Format format)
      : out_(out), min_level_(min_level), format_(format) {}
  [[nodiscard]] bool enabled(LogLevel level) const noexcept override {
    return level >= min_level_ && level != LogLevel::kOff;
  }
  void log(LogLevel level, std::string_view msg, std::vector<LogField> fields) noexcept override;

 private:
  std::FILE* out_;
  LogLevel min_level_;
  Format format_;
  std::mutex mutex_;
};

// Writes events at `min_level` and above to a file it owns, and keeps that file to a size: when
// a line would take it past `max_size`, the file is renamed <path>.1 (<path>.1 to <path>.2, …,
// and <path>.<keep> is deleted) and a new one is started, so the logs never take more than about
// (keep + 1) × max_size. reopen() starts writing to <path> afresh, for an outside rotation
// (logrotate's "create", then SIGHUP to pactumd). Lines that cannot be written (disk full) are
// counted; the next line that can be is preceded by one saying how many were lost.
class FileLogger final : public Logger {
 public:
  struct Options {
    std::filesystem::path path;
    LogLevel min_level = LogLevel::kInfo;
    StreamLogger::Format format = StreamLogger::Format::kJson;
    std::uint64_t max_size = 64ull << 20;  // 0: never rotate
    unsigned keep = 5;                     // rotated files kept (at least 1)
  };
  // Opens `options.path` for appending (created mode 0600; its directory must exist).
  // Errors: kInvalidArgument for keep 0; kNotFound, kPermissionDenied or kUnavailable naming
  // the path when it cannot be opened.
  [[nodiscard]] static Result<std::unique_ptr<FileLogger>> open(Options options);
  ~FileLogger() override;
  FileLogger(const FileLogger&) = delete;
  FileLogger& operator=(const FileLogger&) = delete;

  [[nodiscard]] bool enabled(LogLevel level) const noexcept override {
    return level >= options_.min_level && level != LogLevel::kOff;
  }
  void log(LogLevel level, std::string_view msg, std::vector<LogField> fields) noexcept override;
  // Closes the file and opens `path` again (created when missing). On failure the old file is
  // kept. Errors: as open().
  [[nodiscard]] Status reopen();
  // Lines lost so far because the file could not be written.
  [[nodiscard]] std::uint64_t lost_lines() const noexcept;

 private:
  explicit FileLogger(Options options, int fd, std::uint64_t size);
  void rotate_locked() noexcept;
  bool write_locked(std::string_view line) noexcept;

  Options options_;
  mutable std::mutex mutex_;
  int fd_;
  std::uint64_t size_;            // bytes in the current file
  std::uint64_t next_rotation_;   // rotate once size_ would pass this (retries after a failure)
  std::uint64_t lost_ = 0;        // lines never written
  std::uint64_t lost_reported_ = 0;
};

// Drops everything.
class NullLogger final : public Logger {
 public:
  [[nodiscard]] bool enabled(LogLevel) const noexcept override { return false; }
  void log(LogLevel, std::string_view, std::vector<LogField>) noexcept override {}
};

// Keeps events in memory (tests, diagnostics).
class MemoryLogger final : public Logger {
 public:
  struct Event {
    LogLevel level;
    std::string msg;
    std::vector<LogField> fields;
  };
  [[nodiscard]] bool enabled(LogLevel) const noexcept override { return true; }
  void log(LogLevel level, std::string_view msg, std::vector<LogField> fields) noexcept override;
  // A copy of the events so far.
  [[nodiscard]] std::vector<Event> events() const;
  // Waits until at least `count` events with message `msg` were logged; false on timeout. Lets
  // tests wait for work a server finishes after its client already has the response.
  [[nodiscard]] bool wait_for(std::string_view msg, std::size_t count,
                              std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<Event> events_;
};

}  // namespace pactum::server
