#include "pactum/server/log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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

// One event as a line in `format`, with the trailing '\n'.
std::string format_line(StreamLogger::Format format, LogLevel level, std::string_view msg,
                        const std::vector<LogField>& fields) {
  std::string ts = utc_timestamp_now();
  if (format == StreamLogger::Format::kJson) return format_json_line(ts, level, msg, fields);
  std::string line = ts + " " + std::string(log_level_name(level)) + " " + bounded(msg);
  for (const auto& f : fields) line += " " + f.key + "=" + field_text(f.value);
  line.push_back('\n');
  return line;
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
    std::string line = format_line(format_, level, msg, fields);
    std::lock_guard lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
  } catch (...) {
    // A logger must not take the process down; the line is lost.
  }
}

namespace {

Error open_error(const std::filesystem::path& path, int error) {
  std::string what = "log file " + path.string() + " cannot be opened: " + std::strerror(error);
  if (error == ENOENT || error == ENOTDIR) return not_found(what);
  if (error == EACCES || error == EPERM || error == EROFS) return permission_denied(what);
  return unavailable(what);
}

// Opens `path` for appending; the fd and the file's size, or the errno.
Result<std::pair<int, std::uint64_t>> open_append(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return open_error(path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int error = errno;
    ::close(fd);
    return invalid_argument("log file " + path.string() + " is not a regular file" +
                            (S_ISREG(st.st_mode) ? std::string(": ") + std::strerror(error) : ""));
  }
  return std::pair<int, std::uint64_t>{fd, static_cast<std::uint64_t>(st.st_size)};
}

}  // namespace

Result<std::unique_ptr<FileLogger>> FileLogger::open(Options options) {
  if (options.keep == 0) return invalid_argument("a rotating log keeps at least one old file");
  PACTUM_TRY(auto opened, open_append(options.path));
  return std::unique_ptr<FileLogger>(new FileLogger(std::move(options), opened.first,
                                                    opened.second));
}

FileLogger::FileLogger(Options options, int fd, std::uint64_t size)
    : options_(std::move(options)), fd_(fd), size_(size), next_rotation_(options_.max_size) {}

FileLogger::~FileLogger() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileLogger::reopen() {
  PACTUM_TRY(auto opened, open_append(options_.path));
  std::lock_guard lock(mutex_);
  ::close(fd_);
  fd_ = opened.first;
  size_ = opened.second;
  next_rotation_ = options_.max_size;
  return ok_status();
}

std::uint64_t FileLogger::lost_lines() const noexcept {
  std::lock_guard lock(mutex_);
  return lost_;
}

void FileLogger::rotate_locked() noexcept {
  // Oldest first, so that nothing is overwritten before it moved: path.<keep> goes, then
  // path.<keep-1> → path.<keep>, …, path → path.1.
  auto numbered = [&](unsigned n) {
    std::filesystem::path p = options_.path;
    p += "." + std::to_string(n);
    return p;
  };
  std::error_code ec;
  std::filesystem::remove(numbered(options_.keep), ec);
  for (unsigned n = options_.keep; n > 1; --n) {
    std::filesystem::rename(numbered(n - 1), numbered(n), ec);  // a missing one is fine
  }
  std::filesystem::rename(options_.path, numbered(1), ec);
  auto opened = ec ? Result<std::pair<int, std::uint64_t>>(unavailable("rename failed"))
                   : open_append(options_.path);
  if (!opened.ok()) {
    // Keep writing where we were, and try again after another max_size: a log that cannot be
    // rotated must not cost a rename per line.
    next_rotation_ = size_ + options_.max_size;
    return;
  }
  ::close(fd_);
  fd_ = opened->first;
  size_ = opened->second;
  next_rotation_ = options_.max_size;
}

bool FileLogger::write_locked(std::string_view line) noexcept {
  while (!line.empty()) {
    const ssize_t n = ::write(fd_, line.data(), line.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    size_ += static_cast<std::uint64_t>(n);
    line.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void FileLogger::log(LogLevel level, std::string_view msg, std::vector<LogField> fields) noexcept {
  try {
    std::string line = format_line(options_.format, level, msg, fields);
    std::lock_guard lock(mutex_);
    if (options_.max_size != 0 && size_ > 0 && size_ + line.size() > next_rotation_) {
      rotate_locked();
    }
    if (lost_ > lost_reported_) {
      const std::uint64_t lost = lost_ - lost_reported_;
      std::string note = format_line(options_.format, LogLevel::kWarn, "log lines were lost",
                                     {{"lost", lost}, {"reason", "the log file could not be written"}});
      if (!write_locked(note)) {
        ++lost_;
        return;
      }
      lost_reported_ = lost_;
    }
    if (!write_locked(line)) ++lost_;
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
