#include "pactum/cli/home.hpp"

#include <unistd.h>

#include <system_error>

namespace pactum::cli {

Status Home::ensure_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  const auto status = std::filesystem::status(dir, ec);
  if (std::filesystem::exists(status)) {
    if (!std::filesystem::is_directory(status)) {
      return invalid_argument(dir.string() + " exists and is not a directory");
    }
  } else {
    std::filesystem::create_directories(dir, ec);
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
