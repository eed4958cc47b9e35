#include "pactum/eth/abi_json.hpp"

#include <nlohmann/json.hpp>

#include "pactum/eth/keccak.hpp"

namespace pactum::eth {
namespace {

using Json = nlohmann::json;

Error json_error(const std::string& where, const std::string& what) {
  return invalid_argument("abi_json: " + where + ": " + what);
}

// Reads an optional string field; empty when absent. Errors: present but not a string.
Result<std::string> string_field(const Json& obj, const char* key, const std::string& where) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return json_error(where, std::string("'") + key + "' is not a string");
  return it->get<std::string>();
}

Result<std::vector<AbiParam>> params_field(const Json& obj, const char* key,
                                           const std::string& where, std::size_t depth);

Result<AbiParam> parse_param(const Json& j, const std::string& where, std::size_t depth) {
  if (!j.is_object()) return json_error(where, "parameter is not an object");
  if (depth > kAbiMaxTypeDepth) return json_error(where, "components nested too deeply");
  AbiParam p;
  PACTUM_TRY(p.name, string_field(j, "name", where));
  PACTUM_TRY(p.internal_type, string_field(j, "internalType", where));
  PACTUM_TRY(std::string type, string_field(j, "type", where));
  if (type.empty()) return json_error(where, "parameter without 'type'");
  if (const auto it = j.find("indexed"); it != j.end()) {
    if (!it->is_boolean()) return json_error(where, "'indexed' is not a boolean");
    p.indexed = it->get<bool>();
  }
  std::string canonical = type;
  if (type.starts_with("tuple")) {
    PACTUM_TRY(p.components, params_field(j, "components", where + "." + p.name, depth + 1));
    if (p.components.empty()) return json_error(where, "tuple without components");
    canonical = "(";
    for (std::size_t i = 0; i < p.components.size(); ++i) {
      if (i != 0) canonical += ',';
      canonical += p.components[i].type.canonical();
    }
    canonical += ")" + type.substr(5);  // keep the array suffixes
  }
  auto parsed = AbiType::parse(canonical);
  if (!parsed.ok()) return parsed.error().with_context("abi_json: " + where);
  p.type = std::move(parsed).value();
  return p;
}

Result<std::vector<AbiParam>> params_field(const Json& obj, const char* key,
                                           const std::string& where, std::size_t depth) {
  std::vector<AbiParam> out;
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) return json_error(where, std::string("'") + key + "' is not an array");
  for (std::size_t i = 0; i < it->size(); ++i) {
    PACTUM_TRY(AbiParam p,
               parse_param((*it)[i], where + "." + key + "[" + std::to_string(i) + "]", depth));
    out.push_back(std::move(p));
  }
  return out;
}

Result<StateMutability> mutability(const Json& entry, const std::string& where) {
  PACTUM_TRY(std::string m, string_field(entry, "stateMutability", where));
  if (m == "pure") return StateMutability::kPure;
  if (m == "view") return StateMutability::kView;
  if (m == "payable") return StateMutability::kPayable;
  if (m == "nonpayable") return StateMutability::kNonPayable;
  if (!m.empty()) return json_error(where, "unknown stateMutability '" + m + "'");
  // Pre-0.5 ABIs: "constant" and "payable" booleans.
  if (const auto it = entry.find("constant");
      it != entry.end() && it->is_boolean() && it->get<bool>()) {
    return StateMutability::kView;
  }
  if (const auto it = entry.find("payable");
      it != entry.end() && it->is_boolean() && it->get<bool>()) {
    return StateMutability::kPayable;
  }
  return StateMutability::kNonPayable;
}

std::vector<AbiType> types_of(const std::vector<AbiParam>& params) {
  std::vector<AbiType> out;
  out.reserve(params.size());
  for (const AbiParam& p : params) out.push_back(p.type);
  return out;
}

Status parse_entry(const Json& entry, std::size_t index, ContractAbi& abi) {
  const std::string where = "entry " + std::to_string(index);
  if (!entry.is_object()) return json_error(where, "not an object");
  PACTUM_TRY(std::string type, string_field(entry, "type", where));
  if (type.empty()) type = "function";
  PACTUM_TRY(std::string name, string_field(entry, "name", where));
  const std::string named = name.empty() ? where : where + " (" + name + ")";
  if (type == "function") {
    if (name.empty()) return json_error(where, "function without a name");
    AbiFunctionDescriptor f;
    f.name = std::move(name);
    PACTUM_TRY(f.inputs, params_field(entry, "inputs", named, 0));
    PACTUM_TRY(f.outputs, params_field(entry, "outputs", named, 0));
    PACTUM_TRY(f.state_mutability, mutability(entry, named));
    abi.functions.push_back(std::move(f));
  } else if (type == "event") {
    if (name.empty()) return json_error(where, "event without a name");
    AbiEventDescriptor e;
    e.name = std::move(name);
    PACTUM_TRY(e.inputs, params_field(entry, "inputs", named, 0));
    if (const auto it = entry.find("anonymous"); it != entry.end()) {
      if (!it->is_boolean()) return json_error(named, "'anonymous' is not a boolean");
      e.anonymous = it->get<bool>();
    }
    abi.events.push_back(std::move(e));
  } else if (type == "error") {
    if (name.empty()) return json_error(where, "error without a name");
    AbiErrorDescriptor e;
    e.name = std::move(name);
    PACTUM_TRY(e.inputs, params_field(entry, "inputs", named, 0));
    abi.errors.push_back(std::move(e));
  } else if (type == "constructor") {
    PACTUM_TRY(std::vector<AbiParam> inputs, params_field(entry, "inputs", named, 0));
    abi.constructor_inputs = std::move(inputs);
    PACTUM_TRY(abi.constructor_mutability, mutability(entry, named));
  } else if (type == "fallback") {
    abi.has_fallback = true;
  } else if (type == "receive") {
    abi.has_receive = true;
  } else {
    return json_error(where, "unknown entry type '" + type + "'");
  }
  return ok_status();
}

}  // namespace

AbiSignature AbiFunctionDescriptor::signature() const {
  return {name, types_of(inputs)};
}

std::vector<AbiType> AbiFunctionDescriptor::output_types() const {
  return types_of(outputs);
}

AbiSignature AbiErrorDescriptor::signature() const {
  return {name, types_of(inputs)};
}

AbiEvent AbiEventDescriptor::event() const {
  AbiEvent e;
  e.name = name;
  e.anonymous = anonymous;
  for (const AbiParam& p : inputs) e.params.push_back({p.name, p.type, p.indexed});
  return e;
}

const AbiFunctionDescriptor* ContractAbi::find_function(std::string_view name) const {
  for (const auto& f : functions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const AbiFunctionDescriptor* ContractAbi::find_function_by_selector(const Selector& s) const {
  for (const auto& f : functions) {
    if (f.selector() == s) return &f;
  }
  return nullptr;
}

const AbiEventDescriptor* ContractAbi::find_event(std::string_view name) const {
  for (const auto& e : events) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const AbiEventDescriptor* ContractAbi::find_event_by_topic(const Hash32& topic) const {
  for (const auto& e : events) {
    if (!e.anonymous && e.event().topic() == topic) return &e;
  }
  return nullptr;
}

Result<ContractAbi> parse_abi_json(std::string_view json) {
  const Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return json_error("document", "not valid JSON");
  const Json* entries = &doc;
  if (doc.is_object()) {
    const auto it = doc.find("abi");
    if (it == doc.end()) return json_error("document", "an object without an 'abi' array");
    entries = &*it;
  }
  if (!entries->is_array()) return json_error("document", "the ABI is not an array");
  ContractAbi abi;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    PACTUM_TRY_STATUS(parse_entry((*entries)[i], i, abi));
  }
  return abi;
}

}  // namespace pactum::eth
