#include "pactum/cli/environment.hpp"

extern char** environ;

namespace pactum::cli {

Environment Environment::from_process() {
  std::map<std::string, std::string, std::less<>> vars;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    vars.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return Environment(std::move(vars));
}

std::optional<std::string> Environment::get(std::string_view name) const {
  const auto it = vars_.find(name);
  if (it == vars_.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Environment Environment::with(std::string name, std::string value) const {
  Environment copy = *this;
  copy.vars_[std::move(name)] = std::move(value);
  return copy;
}

}  // namespace pactum::cli
