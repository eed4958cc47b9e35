#include "guarded_json.hpp"

#include <string>
#include <unordered_set>
#include <vector>

namespace pactum::json {
namespace {

using Json = nlohmann::json;

// Thrown from inside the parser's callback to stop it at once; never leaves this file.
struct Refusal {
  Error error;
};

std::string shown(std::string_view key) {
  std::string out(key.substr(0, 64));
  if (key.size() > 64) out += "...";
  return out;
}

}  // namespace

Result<Json> parse(std::string_view text, const Limits& limits, std::string_view what) {
  if (text.size() > limits.max_bytes) {
    return resource_exhausted(std::string(what) + " is " + std::to_string(text.size()) +
                              " bytes, more than " + std::to_string(limits.max_bytes));
  }
  // The keys seen in each object being parsed, innermost last.
  std::vector<std::unordered_set<std::string>> keys;
  Json::parser_callback_t check = [&](int depth, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        // `depth` counts the containers around this one.
        if (static_cast<std::size_t>(depth) + 1 > limits.max_depth) {
          throw Refusal{invalid_argument(std::string(what) + " nests deeper than " +
                                         std::to_string(limits.max_depth) + " levels")};
        }
        if (event == Json::parse_event_t::object_start && limits.reject_duplicate_keys) {
          keys.emplace_back();
        }
        break;
      case Json::parse_event_t::object_end:
        if (limits.reject_duplicate_keys && !keys.empty()) keys.pop_back();
        break;
      case Json::parse_event_t::key:
        if (limits.reject_duplicate_keys && !keys.empty()) {
          const auto& key = parsed.get_ref<const std::string&>();
          if (!keys.back().insert(key).second) {
            throw Refusal{invalid_argument(std::string(what) + " repeats the key \"" + shown(key) +
                                           "\" in one object")};
          }
        }
        break;
      default:
        break;
    }
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), check, /*allow_exceptions=*/true,
                       /*ignore_comments=*/false);
  } catch (const Refusal& refusal) {
    return refusal.error;
  } catch (const Json::exception& e) {
    // nlohmann's message names the byte offset and what it expected.
    std::string why = e.what();
    if (why.size() > 200) why = why.substr(0, 200) + "...";
    return invalid_argument(std::string(what) + " is not JSON: " + why);
  } catch (const std::bad_alloc&) {
    return resource_exhausted(std::string(what) + ": out of memory while parsing");
  }
}

}  // namespace pactum::json
