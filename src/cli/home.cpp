#include "pactum/cli/home.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <vector>

namespace pactum::cli {

Status Home::ensure_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  const auto status = std::filesystem::status(dir, ec);
  if (std::filesystem::exists(status)) {
    if (!std::filesystem::is_directory(status)) {
      return invalid_argument(dir.string() + " exists and is not a directory");
    }
  } else {
    // Every directory created here is 0700 (mkdir's mode, under the umask): a home holds keys,
    // agreement seeds and the node's store, and pid files that `down` signals.
    std::vector<std::filesystem::path> missing;
    for (auto p = dir; !p.empty() && !std::filesystem::exists(p, ec); p = p.parent_path()) {
      missing.push_back(p);
      if (p == p.root_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend() && !ec; ++it) {
      if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
        ec = std::error_code(errno, std::generic_category());
      }
    }
    if (ec) {
      if (ec == std::errc::permission_denied || ec == std::errc::read_only_file_system) {
        return permission_denied("cannot create " + dir.string() + ": " + ec.message());
      }
      // ENOTDIR: a parent is a regular file.
      return invalid_argument("cannot create " + dir.string() + ": " + ec.message());
    }
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return permission_denied(dir.string() + " is not writable");
  }
  return ok_status();
}

Result<Home> Home::open(const std::filesystem::path& root) {
  if (root.empty()) return invalid_argument("the home directory path is empty");
  std::error_code ec;
  auto absolute = std::filesystem::absolute(root, ec);
  if (ec) return invalid_argument("cannot resolve " + root.string() + ": " + ec.message());
  absolute = absolute.lexically_normal();
  PACTUM_TRY_STATUS(ensure_dir(absolute));
  // One that others may write to is refused: they could replace agreement files or the pid
  // files that `down` signals. One they may only read is the owner's choice.
  struct stat st {};
  if (::stat(absolute.c_str(), &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return permission_denied(absolute.string() + " has mode " + mode +
                             ": group or others may write to it; `chmod 700 " +
                             absolute.string() + "`");
  }
  return Home(std::move(absolute));
}

Result<Home> Home::resolve(const std::optional<std::string>& flag, const Environment& env) {
  if (flag) {
    auto home = open(*flag);
    if (!home.ok()) return home.error().with_context("--home " + *flag);
    return home;
  }
  if (auto from_env = env.get("PACTUM_HOME")) {
    auto home = open(*from_env);
    if (!home.ok()) return home.error().with_context("PACTUM_HOME=" + *from_env);
    return home;
  }
  if (auto user_home = env.get("HOME")) {
    auto home = open(std::filesystem::path(*user_home) / ".pactum");
    if (!home.ok()) return home.error().with_context("~/.pactum");
    return home;
  }
  return invalid_argument("neither PACTUM_HOME nor HOME is set: set PACTUM_HOME or pass --home");
}

}  // namespace pactum::cli
