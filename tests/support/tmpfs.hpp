// A small tmpfs mounted for one test, to run code against a real full disk (no fault-injection
// layer between the code and the kernel's ENOSPC). Needs CAP_SYS_ADMIN (root, as `make test`
// runs on a fresh machine and in CI); where mounting is not permitted, available() is false and
// the test skips saying why.
//
// Header-only: tests/support/*.cpp go into every test binary.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

namespace pactum::testing {

class Tmpfs {
 public:
  // Mounts a tmpfs of `bytes` at `where` (created if missing).
  Tmpfs(const std::filesystem::path& where, std::size_t bytes) : path_(where) {
    std::error_code ec;
    std::filesystem::create_directories(where, ec);
    const std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
    if (::mount("tmpfs", where.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      why_ = std::string("cannot mount a tmpfs at ") + where.string() + ": " + std::strerror(errno);
    }
  }
  ~Tmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;

  [[nodiscard]] bool available() const { return mounted_; }
  [[nodiscard]] const std::string& why_not() const { return why_; }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  // Writes a file until the file system refuses (ENOSPC); returns the bytes written.
  std::size_t fill(const std::string& name = "filler") const {
    const int fd = ::open((path_ / name).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return 0;
    char block[4096] = {};
    std::size_t written = 0;
    for (;;) {
      const ssize_t n = ::write(fd, block, sizeof block);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    // The last page or so: smaller writes until not even one byte fits.
    while (::write(fd, block, 1) == 1) ++written;
    ::close(fd);
    return written;
  }

  // Frees what fill() wrote.
  void unfill(const std::string& name = "filler") const {
    std::error_code ec;
    std::filesystem::remove(path_ / name, ec);
  }

 private:
  std::filesystem::path path_;
  bool mounted_ = false;
  std::string why_;
};

}  // namespace pactum::testing
