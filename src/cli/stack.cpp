#include "pactum/cli/stack.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include "service.hpp"
#include "stack_internal.hpp"

namespace pactum::cli {
namespace {

nlohmann::json to_json(const ServiceRecord& s) {
  return {{"name", s.name}, {"pid", s.pid}, {"start_time", s.start_time}, {"log", s.log}};
}

Result<ServiceRecord> service_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("name") || !j.contains("pid")) {
    return data_loss("a service entry lacks name or pid");
  }
  ServiceRecord s;
  s.name = j.at("name").get<std::string>();
  s.pid = j.at("pid").get<int>();
  s.start_time = j.value("start_time", std::uint64_t{0});
  s.log = j.value("log", std::string());
  return s;
}

detail::ProcessId process_of(const ServiceRecord& s) {
  return {static_cast<pid_t>(s.pid), s.start_time};
}

bool any_running(const StackRecord& record) {
  if (record.supervisor && detail::is_running(process_of(*record.supervisor))) return true;
  for (const auto& s : record.services) {
    if (detail::is_running(process_of(s))) return true;
  }
  return false;
}

bool is_executable_file(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

}  // namespace

namespace detail {

std::filesystem::path stack_record_path(const Home& home) {
  return home.run_dir() / "stack.json";
}

Status write_stack_record(const Home& home, const StackRecord& record) {
  PACTUM_TRY_STATUS(Home::ensure_dir(home.run_dir()));
  nlohmann::json doc = {{"rpc_url", record.rpc_url},
                        {"chain_id", record.chain_id},
                        {"node_url", record.node_url ? nlohmann::json(*record.node_url) : nullptr},
                        {"detached", record.detached},
                        {"services", nlohmann::json::array()},
                        {"contracts", record.contracts ? *record.contracts : nullptr}};
  if (record.supervisor) doc["supervisor"] = to_json(*record.supervisor);
  for (const auto& s : record.services) doc["services"].push_back(to_json(s));
  // Plain pid files beside the record, for people and scripts ("kill $(cat run/anvil.pid)").
  std::vector<ServiceRecord> all = record.services;
  if (record.supervisor) all.push_back(*record.supervisor);
  for (const auto& s : all) {
    PACTUM_TRY_STATUS(
        write_file_atomically(home.run_dir() / (s.name + ".pid"), std::to_string(s.pid) + "\n"));
  }
  return write_file_atomically(stack_record_path(home), doc.dump(2) + "\n");
}

void remove_stack_record(const Home& home) {
  std::error_code ec;
  std::filesystem::remove(stack_record_path(home), ec);
  for (const char* name : {"anvil", "pactumd", "pactum"}) {
    std::filesystem::remove(home.run_dir() / (std::string(name) + ".pid"), ec);
  }
}

Result<StackRecord> parse_stack_record(const std::string& text, const std::string& where) {
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return data_loss(where + ": not a JSON object");
  try {
    StackRecord r;
    r.rpc_url = doc.at("rpc_url").get<std::string>();
    r.chain_id = doc.value("chain_id", std::uint64_t{0});
    if (doc.contains("node_url") && doc["node_url"].is_string()) {
      r.node_url = doc["node_url"].get<std::string>();
    }
    r.detached = doc.value("detached", false);
    if (doc.contains("supervisor")) {
      auto s = service_from_json(doc["supervisor"]);
      if (!s.ok()) return s.error().with_context(where);
      r.supervisor = std::move(s).value();
    }
    for (const auto& j : doc.at("services")) {
      auto s = service_from_json(j);
      if (!s.ok()) return s.error().with_context(where);
      r.services.push_back(std::move(s).value());
    }
    if (doc.contains("contracts") && !doc["contracts"].is_null()) r.contracts = doc["contracts"];
    return r;
  } catch (const nlohmann::json::exception& e) {
    return data_loss(where + ": " + e.what());
  }
}

}  // namespace detail

Result<std::optional<StackRecord>> read_stack_record(const Home& home) {
  const auto path = detail::stack_record_path(home);
  auto text = detail::read_small_file(path);
  if (!text.ok()) {
    if (text.error().code() == ErrorCode::kNotFound) return std::optional<StackRecord>();
    return text.error();
  }
  PACTUM_TRY(StackRecord record, detail::parse_stack_record(*text, path.string()));
  if (!any_running(record)) {
    detail::remove_stack_record(home);
    return std::optional<StackRecord>();
  }
  return std::optional<StackRecord>(std::move(record));
}

Result<std::filesystem::path> find_anvil(const Environment& env,
                                         const std::filesystem::path& executable) {
  if (auto configured = env.get("PACTUM_ANVIL")) {
    if (!is_executable_file(*configured)) {
      return not_found("PACTUM_ANVIL=" + *configured + " is not an executable file");
    }
    return std::filesystem::path(*configured);
  }
  std::vector<std::string> looked;
  for (auto dir = executable.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    const auto candidate = dir / "node_modules" / ".bin" / "anvil";
    if (is_executable_file(candidate)) return candidate;
    if (dir == dir.root_path()) break;
  }
  looked.push_back("node_modules/.bin/anvil above " + executable.parent_path().string());
  if (auto in_path = detail::find_in_path("anvil", env)) return *in_path;
  looked.push_back("PATH");
  std::string where;
  for (const auto& l : looked) where += (where.empty() ? "" : ", ") + l;
  return not_found("anvil not found (looked at " + where +
                   "); run `make deps` or set PACTUM_ANVIL");
}

Result<std::optional<std::filesystem::path>> find_node_binary(
    const Environment& env, const std::filesystem::path& executable) {
  using Found = std::optional<std::filesystem::path>;
  if (auto configured = env.get("PACTUM_NODE_BIN")) {
    if (!is_executable_file(*configured)) {
      return not_found("PACTUM_NODE_BIN=" + *configured + " is not an executable file");
    }
    return Found(std::filesystem::path(*configured));
  }
  const auto dir = executable.parent_path();
  for (const auto& candidate : {dir / ".." / "pactumd" / "pactumd", dir / "pactumd"}) {
    if (is_executable_file(candidate)) return Found(candidate.lexically_normal());
  }
  if (auto in_path = detail::find_in_path("pactumd", env)) return Found(*in_path);
  return Found();
}

Result<std::vector<std::string>> stop_stack(const Home& home, std::chrono::milliseconds grace) {
  auto text = detail::read_small_file(detail::stack_record_path(home));
  if (!text.ok()) {
    if (text.error().code() == ErrorCode::kNotFound) return std::vector<std::string>();
    return text.error();
  }
  PACTUM_TRY(StackRecord record,
             detail::parse_stack_record(*text, detail::stack_record_path(home).string()));
  std::vector<std::string> stopped;
  if (record.supervisor && detail::is_running(process_of(*record.supervisor))) {
    // The foreground `pactum up` stops its services in order and removes the record; give it
    // the time it would give them, plus its own.
    const auto id = process_of(*record.supervisor);
    ::kill(id.pid, SIGTERM);
    if (detail::wait_for_exit(id, grace * 2 + std::chrono::seconds(5))) {
      stopped.push_back("pactum up (pid " + std::to_string(id.pid) + ")");
    }
  }
  // Whatever still runs (a detached stack, or a supervisor that did not finish): node first,
  // so the chain outlives every client of it and dumps its final state.
  auto services = record.services;
  std::stable_sort(services.begin(), services.end(), [](const auto& a, const auto& b) {
    return a.name != "anvil" && b.name == "anvil";
  });
  for (const auto& s : services) {
    const auto id = process_of(s);
    if (!detail::is_running(id)) continue;
    PACTUM_TRY(bool killed, detail::stop_service(id, grace));
    stopped.push_back(s.name + " (pid " + std::to_string(s.pid) + (killed ? ", killed" : "") + ")");
  }
  detail::remove_stack_record(home);
  return stopped;
}

}  // namespace pactum::cli
