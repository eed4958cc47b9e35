// Env: every file-system and clock access of the asset store goes through this seam, so tests
// can inject failures (a failed fsync or rename) and stop a child process at an exact step to
// crash it there. SQLite does its own file I/O and is not routed through Env.
//
// Paths are plain strings; the store only ever builds them from validated components.
//
// Thread safety: posix_env() is stateless and safe to use from any thread. A WritableFile or
// RandomAccessFile is used by one thread at a time. EnvWrapper forwards and adds no state.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"

namespace pactum::store {

// A file being written from start to end. Destroying it closes it without syncing.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of `data`. Errors: kUnavailable on an I/O error (message has errno text);
  // kResourceExhausted when the disk is full.
  [[nodiscard]] virtual Status append(ByteView data) = 0;
  // Makes everything appended durable (fdatasync). Errors: kUnavailable.
  [[nodiscard]] virtual Status sync() = 0;
  // Closes the file. Errors: kUnavailable.
  [[nodiscard]] virtual Status close() = 0;
};

// A file read at arbitrary offsets; its size is taken when it is opened.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Fills `out` with the bytes at `offset`. Errors: kDataLoss when the file ends before
  // offset + out.size(); kUnavailable on an I/O error.
  [[nodiscard]] virtual Status read_at(std::uint64_t offset, std::span<std::uint8_t> out) const = 0;
  [[nodiscard]] virtual std::uint64_t size() const = 0;
};

// An exclusive advisory lock on a file, held until destroyed (or the process dies).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // Creates `path`, which must not exist. Errors: kAlreadyExists; kUnavailable.
  [[nodiscard]] virtual Result<std::unique_ptr<WritableFile>> new_writable_file(
      const std::string& path) = 0;
  // Opens `path` for reading. Errors: kNotFound; kUnavailable.
  [[nodiscard]] virtual Result<std::unique_ptr<RandomAccessFile>> open_random_access(
      const std::string& path) = 0;
  // Creates the directory `path`; ok when it exists already. Errors: kUnavailable.
  [[nodiscard]] virtual Status create_dir(const std::string& path) = 0;
  // Returns the names in directory `path` (no "." or ".."), unordered. Errors: kNotFound;
  // kUnavailable.
  [[nodiscard]] virtual Result<std::vector<std::string>> list_dir(const std::string& path) = 0;
  // Removes a file. Errors: kNotFound; kUnavailable.
  [[nodiscard]] virtual Status remove_file(const std::string& path) = 0;
  // Removes an empty directory. Errors: kNotFound; kUnavailable (also when not empty).
  [[nodiscard]] virtual Status remove_dir(const std::string& path) = 0;
  // Atomically renames `from` to `to` (rename(2): replaces an empty directory or a file).
  // Errors: kNotFound; kUnavailable.
  [[nodiscard]] virtual Status rename(const std::string& from, const std::string& to) = 0;
  // Makes the entries of directory `path` durable (fsync on the directory). Errors: kUnavailable.
  [[nodiscard]] virtual Status sync_dir(const std::string& path) = 0;
  // Returns whether `path` exists. Errors: kUnavailable.
  [[nodiscard]] virtual Result<bool> exists(const std::string& path) = 0;
  // Takes an exclusive lock on `path` (created if missing) without waiting.
  // Errors: kFailedPrecondition when another process (or another lock here) holds it;
  // kUnavailable.
  [[nodiscard]] virtual Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) = 0;
  // Seconds since the Unix epoch.
  [[nodiscard]] virtual std::int64_t now_unix_seconds() = 0;
};

// The real file system and clock. The object is stateless and lives for the whole program.
[[nodiscard]] Env& posix_env();

// Forwards every call to `target` (which must outlive it); override what a test changes.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env& target) : target_(target) {}
  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override {
    return target_.new_writable_file(path);
  }
  Result<std::unique_ptr<RandomAccessFile>> open_random_access(const std::string& path) override {
    return target_.open_random_access(path);
  }
  Status create_dir(const std::string& path) override { return target_.create_dir(path); }
  Result<std::vector<std::string>> list_dir(const std::string& path) override {
    return target_.list_dir(path);
  }
  Status remove_file(const std::string& path) override { return target_.remove_file(path); }
  Status remove_dir(const std::string& path) override { return target_.remove_dir(path); }
  Status rename(const std::string& from, const std::string& to) override {
    return target_.rename(from, to);
  }
  Status sync_dir(const std::string& path) override { return target_.sync_dir(path); }
  Result<bool> exists(const std::string& path) override { return target_.exists(path); }
  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) override {
    return target_.lock_file(path);
  }
  std::int64_t now_unix_seconds() override { return target_.now_unix_seconds(); }

 protected:
  Env& target() { return target_; }

 private:
  Env& target_;
};

// Removes directory `path` and the files in it (one level: the store's directories are flat).
// Ok when `path` does not exist. Errors: those of the Env calls.
[[nodiscard]] Status remove_flat_dir(Env& env, const std::string& path);

}  // namespace pactum::store
