#include "pactum/store/env.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace pactum::store {
namespace {

Error os_error(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return not_found(std::move(msg));
  if (err == EEXIST) return already_exists(std::move(msg));
  if (err == ENOSPC || err == EDQUOT) return resource_exhausted(std::move(msg));
  return unavailable(std::move(msg));
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status append(ByteView data) override {
    const std::uint8_t* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return os_error("write", path_, errno);
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    written_ += data.size();
    // Start writeback of every full 8 MiB as it is written (without waiting for it), so the
    // disk works while the caller computes and sync() at the end has little left to do. A
    // hint only: its failure is ignored and sync() still reports errors.
    if (written_ - writeback_from_ >= kWritebackBytes) {
      ::sync_file_range(fd_, static_cast<off_t>(writeback_from_),
                        static_cast<off_t>(written_ - writeback_from_), SYNC_FILE_RANGE_WRITE);
      writeback_from_ = written_;
    }
    return ok_status();
  }
  Status sync() override {
    if (::fdatasync(fd_) != 0) return os_error("fdatasync", path_, errno);
    return ok_status();
  }
  Status close() override {
    const int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0) return os_error("close", path_, errno);
    return ok_status();
  }

 private:
  static constexpr std::uint64_t kWritebackBytes = 8u << 20;
  int fd_;
  std::string path_;
  std::uint64_t written_ = 0;
  std::uint64_t writeback_from_ = 0;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(int fd, std::string path, std::uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  Status read_at(std::uint64_t offset, std::span<std::uint8_t> out) const override {
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n =
          ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return os_error("read", path_, errno);
      }
      if (n == 0) {
        return data_loss(path_ + " ends at " + std::to_string(offset + done) + ", wanted " +
                         std::to_string(out.size() - done) + " more bytes");
      }
      done += static_cast<std::size_t>(n);
    }
    return ok_status();
  }
  std::uint64_t size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  std::uint64_t size_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // closing releases the flock

 private:
  int fd_;
};

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return os_error("create", path, errno);
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(fd, path));
  }
  Result<std::unique_ptr<RandomAccessFile>> open_random_access(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return os_error("open", path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return os_error("stat", path, err);
    }
    return std::unique_ptr<RandomAccessFile>(
        std::make_unique<PosixRandomAccessFile>(fd, path, static_cast<std::uint64_t>(st.st_size)));
  }
  Status create_dir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return os_error("mkdir", path, errno);
    return ok_status();
  }
  Result<std::vector<std::string>> list_dir(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return os_error("opendir", path, errno);
    std::vector<std::string> out;
    while (const dirent* e = ::readdir(dir)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") out.push_back(name);
    }
    ::closedir(dir);
    return out;
  }
  Status remove_file(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return os_error("unlink", path, errno);
    return ok_status();
  }
  Status remove_dir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return os_error("rmdir", path, errno);
    return ok_status();
  }
  Status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0)
      return os_error("rename", from + " to " + to, errno);
    return ok_status();
  }
  Status sync_dir(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return os_error("open directory", path, errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return os_error("fsync directory", path, err);
    return ok_status();
  }
  Result<bool> exists(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT) return false;
    return os_error("stat", path, errno);
  }
  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return os_error("open lock", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return failed_precondition(path + " is locked: another process uses this store");
      }
      return os_error("flock", path, err);
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(fd));
  }
  std::int64_t now_unix_seconds() override { return static_cast<std::int64_t>(::time(nullptr)); }
};

}  // namespace

Env& posix_env() {
  // Stateless: sharing one instance shares no mutable state.
  static PosixEnv env;
  return env;
}

Status remove_flat_dir(Env& env, const std::string& path) {
  auto names = env.list_dir(path);
  if (!names.ok()) {
    if (names.error().code() == ErrorCode::kNotFound) return ok_status();
    return std::move(names).error();
  }
  for (const std::string& name : *names) {
    auto st = env.remove_file(path + "/" + name);
    if (!st.ok() && st.error().code() != ErrorCode::kNotFound) return st;
  }
  auto st = env.remove_dir(path);
  if (!st.ok() && st.error().code() != ErrorCode::kNotFound) return st;
  return ok_status();
}

}  // namespace pactum::store
