// Environment: the process environment as a value, so that commands never read `environ`
// themselves and tests can run a command in-process with PACTUM_HOME and friends of their own.
//
// Thread safety: a value; const methods may be called from several threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pactum::cli {

class Environment {
 public:
  Environment() = default;
  explicit Environment(std::map<std::string, std::string, std::less<>> vars)
      : vars_(std::move(vars)) {}

  // A snapshot of the current process environment.
  [[nodiscard]] static Environment from_process();

  // The variable's value; an unset variable and one set to "" are both nullopt, because an empty
  // PACTUM_HOME or PACTUM_RPC is never meant as a value.
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const;

  // Returns a copy with `name` set to `value` (for tests and for children's environments).
  [[nodiscard]] Environment with(std::string name, std::string value) const;

  [[nodiscard]] const std::map<std::string, std::string, std::less<>>& vars() const {
    return vars_;
  }

 private:
  std::map<std::string, std::string, std::less<>> vars_;
};

}  // namespace pactum::cli
