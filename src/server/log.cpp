#include "pactum/server/log.hpp"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <ctime>
#include <nlohmann/json.hpp>

namespace pactum::server {

std::string_view log_level_name(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "unknown";
}

Result<LogLevel> parse_log_level(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn" || name == "warning") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  if (name == "off") return LogLevel::kOff;
  return invalid_argument("unknown log level '" + std::string(name) +
                          "' (expected debug, info, warn, error or off)");
}

std::string utc_timestamp_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = time_point_cast<seconds>(now);
  auto ms = duration_cast<milliseconds>(now - secs).count();
  std::time_t t = system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

namespace {

// A string as logged: at most kMaxLogFieldBytes of it, then how much was cut. Log fields carry
// what clients sent (methods, targets, header values): a 16 KB method must not become a 16 KB line.
std::string bounded(std::string_view text) {
  if (text.size() <= kMaxLogFieldBytes) return std::string(text);
  return std::string(text.substr(0, kMaxLogFieldBytes)) + "...(" +
         std::to_string(text.size() - kMaxLogFieldBytes) + " more bytes)";
}

nlohmann::json field_json(const LogField::Value& v) {
  return std::visit(
      [](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return nlohmann::json(bounded(x));
        } else {
          return nlohmann::json(x);
        }
      },
      v);
}

std::string field_text(const LogField::Value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          std::string b = bounded(x);
          bool plain = !b.empty() && b.find_first_of(" \"=\n\r\t") == std::string::npos &&
                       std::all_of(b.begin(), b.end(), [](char c) {
                         return static_cast<unsigned char>(c) >= 0x20 &&
                                static_cast<unsigned char>(c) < 0x7f;
                       });
          return plain ? b
                       : nlohmann::json(b).dump(-1, ' ', false,
                                                nlohmann::json::error_handler_t::replace);
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else {
          return nlohmann::json(x).dump();
        }
      },
      v);
}

}  // namespace

std::string format_json_line(std::string_view ts, LogLevel level, std::string_view msg,
                             const std::vector<LogField>& fields) {
  nlohmann::ordered_json j;
  j["ts"] = ts;
  j["level"] = log_level_name(level);
  j["msg"] = bounded(msg);
  for (const auto& f : fields) {
    // Reserved keys keep their meaning; a clashing field is renamed rather than dropped.
    std::string key =
        (f.key == "ts" || f.key == "level" || f.key == "msg") ? "field_" + f.key : f.key;
    j[key] = field_json(f.value);
  }
  std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  return line;
}

void StreamLogger::log(LogLevel level, std::string_view msg,
                       std::vector<LogField> fields) noexcept {
  try {
    std::string ts = utc_timestamp_now();
    std::string line;
    if (format_ == Format::kJson) {
      line = format_json_line(ts, level, msg, fields);
    } else {
      line = ts + " " + std::string(log_level_name(level)) + " " + bounded(msg);
      for (const auto& f : fields) line += " " + f.key + "=" + field_text(f.value);
      line.push_back('\n');
    }
    std::lock_guard lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
  } catch (...) {
    // A logger must not take the process down; the line is lost.
  }
}

void MemoryLogger::log(LogLevel level, std::string_view msg,
                       std::vector<LogField> fields) noexcept {
  try {
    std::lock_guard lock(mutex_);
    events_.push_back(Event{level, std::string(msg), std::move(fields)});
    changed_.notify_all();
  } catch (...) {
  }
}

bool MemoryLogger::wait_for(std::string_view msg, std::size_t count,
                            std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    std::size_t n = 0;
    for (const auto& e : events_) n += e.msg == msg ? 1 : 0;
    return n >= count;
  });
}

std::vector<MemoryLogger::Event> MemoryLogger::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

}  // namespace pactum::server
