// Turns a forge artifact into the Contract model: C++ types for ABI types, names that are valid
// and unique C++ identifiers, NatSpec text, selectors and topics computed here once.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

#include "model.hpp"
#include "pactum/eth/abi.hpp"
#include "pactum/eth/keccak.hpp"

namespace pactum::abigen {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::set<std::string>& cpp_keywords() {
  static const std::set<std::string> k = {"alignas",
                                          "alignof",
                                          "and",
                                          "and_eq",
                                          "asm",
                                          "auto",
                                          "bitand",
                                          "bitor",
                                          "bool",
                                          "break",
                                          "case",
                                          "catch",
                                          "char",
                                          "class",
                                          "compl",
                                          "concept",
                                          "const",
                                          "consteval",
                                          "constexpr",
                                          "constinit",
                                          "const_cast",
                                          "continue",
                                          "co_await",
                                          "co_return",
                                          "co_yield",
                                          "decltype",
                                          "default",
                                          "delete",
                                          "do",
                                          "double",
                                          "else",
                                          "enum",
                                          "explicit",
                                          "export",
                                          "extern",
                                          "false",
                                          "float",
                                          "for",
                                          "friend",
                                          "goto",
                                          "if",
                                          "inline",
                                          "int",
                                          "long",
                                          "mutable",
                                          "namespace",
                                          "new",
                                          "noexcept",
                                          "not",
                                          "not_eq",
                                          "nullptr",
                                          "operator",
                                          "or",
                                          "or_eq",
                                          "private",
                                          "protected",
                                          "public",
                                          "register",
                                          "reinterpret_cast",
                                          "requires",
                                          "return",
                                          "short",
                                          "signed",
                                          "sizeof",
                                          "static",
                                          "static_assert",
                                          "static_cast",
                                          "struct",
                                          "switch",
                                          "template",
                                          "this",
                                          "thread_local",
                                          "throw",
                                          "true",
                                          "try",
                                          "typedef",
                                          "typeid",
                                          "typename",
                                          "union",
                                          "unsigned",
                                          "using",
                                          "virtual",
                                          "void",
                                          "volatile",
                                          "wchar_t",
                                          "while",
                                          "xor",
                                          "xor_eq",
                                          "type",
                                          "value",
                                          "address"};
  // The last three are not keywords: `type` and `value` are the parameters of the generated
  // structs' to_abi/from_abi, and address() is a member of every generated class. The generated
  // code's own locals all start with "abi_", which Solidity names do not in practice.
  return k;
}

std::string read_file(const fs::path& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string strip_last_array(const std::string& text) {
  if (text.empty() || text.back() != ']') return text;
  auto pos = text.rfind('[');
  return pos == std::string::npos ? text : text.substr(0, pos);
}

// The text after the last '.' (or the whole text), for "struct IAgreementEngine.Payment".
std::string last_component(const std::string& qualified) {
  auto pos = qualified.rfind('.');
  return pos == std::string::npos ? qualified : qualified.substr(pos + 1);
}

class Resolver {
 public:
  Resolver(fs::path artifacts_dir, std::string contract_name)
      : artifacts_dir_(std::move(artifacts_dir)), contract_name_(std::move(contract_name)) {
    used_type_names_.insert(contract_name_);
  }

  Result<Type> resolve(const json& param, const std::string& context) {
    std::string type = param.value("type", "");
    std::string internal = param.value("internalType", "");
    if (!type.empty() && type.back() == ']') {
      auto pos = type.rfind('[');
      std::string suffix = type.substr(pos);
      json inner = param;
      inner["type"] = type.substr(0, pos);
      if (!internal.empty() && internal.back() == ']')
        inner["internalType"] = strip_last_array(internal);
      PACTUM_TRY(Type element, resolve(inner, context));
      Type out;
      out.canonical = element.canonical + suffix;
      if (suffix == "[]") {
        out.cpp = "std::vector<" + element.cpp + ">";
      } else {
        out.cpp = "std::array<" + element.cpp + ", " + suffix.substr(1, suffix.size() - 2) + ">";
      }
      return out;
    }
    if (type == "tuple") return resolve_tuple(param, context);
    if (type == "address") return Type{"eth::Address", "address", false};
    if (type == "bool") return Type{"bool", "bool", true};
    if (type == "string") return Type{"std::string", "string", false};
    if (type == "bytes") return Type{"Bytes", "bytes", false};
    if (type.rfind("bytes", 0) == 0) {
      std::string n = type.substr(5);
      return Type{n == "32" ? "Hash32" : "FixedBytes<" + n + ">", type, false};
    }
    bool is_uint = type.rfind("uint", 0) == 0;
    bool is_int = !is_uint && type.rfind("int", 0) == 0;
    if (is_uint || is_int) {
      std::string digits = type.substr(is_uint ? 4 : 3);
      unsigned bits = digits.empty() ? 256 : static_cast<unsigned>(std::stoul(digits));
      std::string canonical = (is_uint ? "uint" : "int") + std::to_string(bits);
      if (is_uint && bits == 8 && internal.rfind("enum ", 0) == 0) {
        PACTUM_TRY(std::optional<std::string> name, resolve_enum(internal.substr(5)));
        if (name) return Type{*name, canonical, true};
      }
      std::string prefix = is_uint ? "std::uint" : "std::int";
      if (bits == 8 || bits == 16 || bits == 32 || bits == 64) {
        return Type{prefix + std::to_string(bits) + "_t", canonical, true};
      }
      if (bits < 64) return Type{prefix + "64_t", canonical, true};
      return Type{"eth::U256", canonical, false};
    }
    return invalid_argument("unsupported ABI type \"" + type + "\" in " + context);
  }

  // Names for a parameter list: snake_case, keyword-safe, unique; unnamed ones get `fallback`i.
  static std::vector<std::string> field_names(const json& params, const std::string& fallback) {
    std::vector<std::string> names;
    std::set<std::string> used;
    for (std::size_t i = 0; i < params.size(); ++i) {
      std::string n = snake_case(params[i].value("name", ""));
      if (n.empty()) n = fallback + std::to_string(i);
      if (cpp_keywords().count(n) != 0) n += "_";
      while (used.count(n) != 0) n += "_" + std::to_string(i);
      used.insert(n);
      names.push_back(n);
    }
    return names;
  }

  Result<std::vector<Field>> fields(const json& params, const std::string& context,
                                    const std::string& fallback) {
    std::vector<Field> out;
    auto names = field_names(params, fallback);
    for (std::size_t i = 0; i < params.size(); ++i) {
      Field f;
      f.name = names[i];
      f.abi_name = params[i].value("name", "");
      PACTUM_TRY(f.type, resolve(params[i], context + camel_case(f.abi_name.empty()
                                                                     ? fallback + std::to_string(i)
                                                                     : f.abi_name)));
      out.push_back(std::move(f));
    }
    return out;
  }

  // Registers a generated struct (e.g. a multi-output result) under a fresh name.
  std::string add_struct(Struct s) {
    s.name = fresh_type_name(s.name);
    std::string name = s.name;
    structs_.push_back(std::move(s));
    return name;
  }

  std::string fresh_type_name(const std::string& wanted) {
    std::string name = wanted;
    for (int i = 2; used_type_names_.count(name) != 0; ++i) name = wanted + std::to_string(i);
    used_type_names_.insert(name);
    return name;
  }

  std::vector<Enum> take_enums() { return std::move(enums_); }
  std::vector<Struct> take_structs() { return std::move(structs_); }

 private:
  Result<Type> resolve_tuple(const json& param, const std::string& context) {
    std::string internal = param.value("internalType", "");
    std::string wanted =
        internal.rfind("struct ", 0) == 0 ? last_component(internal.substr(7)) : context;
    PACTUM_TRY(std::vector<Field> fs,
               fields(param.value("components", json::array()), wanted, "field"));
    std::string canonical = "(";
    for (std::size_t i = 0; i < fs.size(); ++i) {
      if (i > 0) canonical += ",";
      canonical += fs[i].type.canonical;
    }
    canonical += ")";
    // The same Solidity struct appears in many signatures: one C++ struct for it.
    std::string key = internal + "|" + canonical;
    if (auto it = struct_by_key_.find(key); it != struct_by_key_.end() && !internal.empty()) {
      return Type{it->second, canonical, false};
    }
    Struct s;
    s.name = wanted;
    s.origin = internal.empty() ? "tuple" : internal;
    s.fields = std::move(fs);
    s.canonical = canonical;
    std::string name = add_struct(std::move(s));
    struct_by_key_[key] = name;
    return Type{name, canonical, false};
  }

  // The C++ enum for "IAgreementEngine.ConditionType", from the ASTs; nullopt without them.
  Result<std::optional<std::string>> resolve_enum(const std::string& canonical_name) {
    if (auto it = enum_by_canonical_.find(canonical_name); it != enum_by_canonical_.end()) {
      return std::optional<std::string>(it->second);
    }
    load_asts();
    auto it = ast_enums_.find(canonical_name);
    if (it == ast_enums_.end()) return std::optional<std::string>();
    Enum e;
    e.name = fresh_type_name(last_component(canonical_name));
    e.origin = "enum " + canonical_name;
    e.members = it->second;
    enum_by_canonical_[canonical_name] = e.name;
    std::string name = e.name;
    enums_.push_back(std::move(e));
    return std::optional<std::string>(name);
  }

  void load_asts() {
    if (asts_loaded_) return;
    asts_loaded_ = true;
    std::error_code ec;
    if (artifacts_dir_.empty() || !fs::is_directory(artifacts_dir_, ec)) return;
    for (const auto& entry : fs::recursive_directory_iterator(artifacts_dir_, ec)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
      if (entry.path().parent_path().filename() == "build-info") continue;
      bool ok = false;
      std::string text = read_file(entry.path(), &ok);
      if (!ok) continue;
      json doc = json::parse(text, nullptr, false);
      if (doc.is_discarded() || !doc.is_object() || !doc.contains("ast")) continue;
      collect_enums(doc["ast"]);
    }
  }

  void collect_enums(const json& node) {
    if (node.is_object()) {
      if (node.value("nodeType", "") == "EnumDefinition" && node.contains("canonicalName")) {
        std::vector<std::string> members;
        for (const auto& m : node.value("members", json::array())) {
          members.push_back(m.value("name", ""));
        }
        ast_enums_[node["canonicalName"].get<std::string>()] = members;
      }
      for (const auto& [key, value] : node.items()) {
        if (value.is_structured()) collect_enums(value);
      }
    } else if (node.is_array()) {
      for (const auto& value : node) collect_enums(value);
    }
  }

  fs::path artifacts_dir_;
  std::string contract_name_;
  std::set<std::string> used_type_names_;
  std::map<std::string, std::string> struct_by_key_;
  std::map<std::string, std::string> enum_by_canonical_;
  std::map<std::string, std::vector<std::string>> ast_enums_;
  bool asts_loaded_ = false;
  std::vector<Enum> enums_;
  std::vector<Struct> structs_;
};

std::string join_types(const std::vector<Field>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ",";
    out += fields[i].type.canonical;
  }
  return out;
}

// NatSpec for one member: notice (userdoc), details (devdoc), and per-parameter text.
struct Doc {
  std::string text;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> returns;
};

Doc member_doc(const json& userdoc, const json& devdoc, const char* section,
               const std::string& signature) {
  Doc d;
  auto pick = [&](const json& doc) -> json {
    if (!doc.is_object() || !doc.contains(section)) return json::object();
    const json& s = doc[section];
    if (!s.contains(signature)) return json::object();
    json entry = s[signature];
    if (entry.is_array()) entry = entry.empty() ? json::object() : entry[0];  // errors
    return entry.is_object() ? entry : json::object();
  };
  json u = pick(userdoc);
  json v = pick(devdoc);
  if (u.contains("notice") && u["notice"].is_string())
    d.text += "@notice " + u["notice"].get<std::string>();
  if (v.contains("details") && v["details"].is_string()) {
    if (!d.text.empty()) d.text += "\n";
    d.text += "@dev " + v["details"].get<std::string>();
  }
  if (v.contains("params") && v["params"].is_object()) {
    for (const auto& [k, val] : v["params"].items()) {
      if (val.is_string()) d.params[k] = val.get<std::string>();
    }
  }
  if (v.contains("returns") && v["returns"].is_object()) {
    for (const auto& [k, val] : v["returns"].items()) {
      if (val.is_string()) d.returns[k] = val.get<std::string>();
    }
  }
  return d;
}

void attach_param_docs(std::vector<Field>& fields, const std::map<std::string, std::string>& docs) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    auto it = docs.find(fields[i].abi_name);
    if (it == docs.end()) it = docs.find("_" + std::to_string(i));
    if (it != docs.end()) fields[i].doc = it->second;
  }
}

FixedBytes<4> selector_of(const std::string& signature) {
  Hash32 h = eth::keccak256(as_bytes(signature));
  return {h[0], h[1], h[2], h[3]};
}

// Checks a canonical type list with the same parser the generated code will use at run time.
Status check_types(const std::string& types, const std::string& where) {
  if (types.empty()) return ok_status();
  auto parsed = eth::parse_abi_types("(" + types + ")");
  if (!parsed.ok()) return parsed.error().with_context(where);
  return ok_status();
}

}  // namespace

std::string snake_case(const std::string& name) {
  std::string out;
  std::size_t start = 0;
  while (start < name.size() && name[start] == '_') ++start;  // "_owner" → "owner"
  for (std::size_t i = start; i < name.size(); ++i) {
    char c = name[i];
    bool upper = std::isupper(static_cast<unsigned char>(c)) != 0;
    if (upper && i > start) {
      char prev = name[i - 1];
      bool prev_lower_or_digit = std::islower(static_cast<unsigned char>(prev)) != 0 ||
                                 std::isdigit(static_cast<unsigned char>(prev)) != 0;
      bool next_lower =
          i + 1 < name.size() && std::islower(static_cast<unsigned char>(name[i + 1]));
      bool prev_upper = std::isupper(static_cast<unsigned char>(prev)) != 0;
      if ((prev_lower_or_digit && !std::isdigit(static_cast<unsigned char>(prev))) ||
          (prev_upper && next_lower) ||
          (std::isdigit(static_cast<unsigned char>(prev)) && next_lower)) {
        if (!out.empty() && out.back() != '_') out += '_';
      }
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string camel_case(const std::string& name) {
  std::string out;
  bool up = true;
  for (char c : name) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

Result<Contract> load_contract(const fs::path& artifacts, const std::string& name) {
  fs::path direct = artifacts / (name + ".sol") / (name + ".json");
  std::error_code ec;
  if (fs::exists(direct, ec)) return load_contract_file(direct, artifacts, name);
  for (const auto& entry : fs::directory_iterator(artifacts, ec)) {
    fs::path candidate = entry.path() / (name + ".json");
    if (fs::exists(candidate, ec)) return load_contract_file(candidate, artifacts, name);
  }
  return not_found("no artifact for contract " + name + " in " + artifacts.string() +
                   " (expected " + direct.string() + "; did forge build run?)");
}

Result<Contract> load_contract_file(const fs::path& artifact, const fs::path& artifacts_dir,
                                    const std::string& name) {
  bool ok = false;
  std::string text = read_file(artifact, &ok);
  if (!ok) return not_found("cannot read " + artifact.string());
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("abi") || !doc["abi"].is_array()) {
    return invalid_argument(artifact.string() + ": not a forge artifact (no \"abi\" array)");
  }
  json userdoc = json::object();
  json devdoc = json::object();
  if (doc.contains("metadata") && doc["metadata"].is_object() &&
      doc["metadata"].contains("output")) {
    userdoc = doc["metadata"]["output"].value("userdoc", json::object());
    devdoc = doc["metadata"]["output"].value("devdoc", json::object());
  }
  if (doc.contains("userdoc")) userdoc = doc["userdoc"];
  if (doc.contains("devdoc")) devdoc = doc["devdoc"];

  Contract c;
  c.name = name;
  c.file_stem = snake_case(name);
  {
    std::string d;
    if (devdoc.contains("title") && devdoc["title"].is_string())
      d += "@title " + devdoc["title"].get<std::string>();
    if (userdoc.contains("notice") && userdoc["notice"].is_string()) {
      d += (d.empty() ? "" : "\n") + std::string("@notice ") + userdoc["notice"].get<std::string>();
    }
    if (devdoc.contains("details") && devdoc["details"].is_string()) {
      d += (d.empty() ? "" : "\n") + std::string("@dev ") + devdoc["details"].get<std::string>();
    }
    c.doc = d;
  }

  Resolver r(artifacts_dir, name);
  const json& abi = doc["abi"];

  // Overloads get a suffix: the arity when that tells them apart, else their position.
  std::map<std::string, std::vector<const json*>> by_name;
  for (const auto& entry : abi) {
    if (entry.value("type", "") == "function") by_name[entry.value("name", "")].push_back(&entry);
  }

  for (const auto& entry : abi) {
    std::string kind = entry.value("type", "");
    std::string entry_name = entry.value("name", "");
    if (kind == "function") {
      Function f;
      f.name = entry_name;
      f.cpp_name = entry_name;
      const auto& overloads = by_name[entry_name];
      if (overloads.size() > 1) {
        std::set<std::size_t> arities;
        for (const json* o : overloads) arities.insert((*o)["inputs"].size());
        std::size_t index = 0;
        while (overloads[index] != &entry) ++index;
        f.cpp_name += arities.size() == overloads.size()
                          ? "_" + std::to_string(entry["inputs"].size())
                          : "_" + std::to_string(index);
      }
      PACTUM_TRY(f.inputs,
                 r.fields(entry.value("inputs", json::array()), camel_case(f.cpp_name), "arg"));
      PACTUM_TRY(f.outputs, r.fields(entry.value("outputs", json::array()),
                                     camel_case(f.cpp_name) + "Result", "out"));
      f.signature = f.name + "(" + join_types(f.inputs) + ")";
      f.selector = selector_of(f.signature);
      f.mutability = entry.value("stateMutability", "nonpayable");
      PACTUM_TRY_STATUS(check_types(join_types(f.inputs), f.signature));
      PACTUM_TRY_STATUS(check_types(join_types(f.outputs), f.signature + " outputs"));
      Doc d = member_doc(userdoc, devdoc, "methods", f.signature);
      f.doc = d.text;
      attach_param_docs(f.inputs, d.params);
      attach_param_docs(f.outputs, d.returns);
      if (f.outputs.empty()) {
        f.result_type = "Status";
      } else if (f.outputs.size() == 1) {
        f.result_type = f.outputs[0].type.cpp;
      } else {
        Struct s;
        s.name = camel_case(f.cpp_name) + "Result";
        s.origin = "the outputs of " + f.signature;
        s.fields = f.outputs;
        s.canonical = "(" + join_types(f.outputs) + ")";
        f.result_type = r.add_struct(std::move(s));
      }
      c.functions.push_back(std::move(f));
    } else if (kind == "constructor") {
      Function f;
      f.name = "constructor";
      f.cpp_name = "deploy_data";
      PACTUM_TRY(f.inputs, r.fields(entry.value("inputs", json::array()), "Constructor", "arg"));
      f.signature = "constructor(" + join_types(f.inputs) + ")";
      f.mutability = entry.value("stateMutability", "nonpayable");
      PACTUM_TRY_STATUS(check_types(join_types(f.inputs), f.signature));
      Doc d = member_doc(userdoc, devdoc, "methods", "constructor");
      f.doc = d.text;
      attach_param_docs(f.inputs, d.params);
      c.constructor = std::move(f);
    } else if (kind == "event") {
      Event e;
      e.name = entry_name;
      e.anonymous = entry.value("anonymous", false);
      PACTUM_TRY(e.params,
                 r.fields(entry.value("inputs", json::array()), camel_case(entry_name), "arg"));
      const json& inputs = entry["inputs"];
      for (std::size_t i = 0; i < e.params.size(); ++i) {
        bool indexed = inputs[i].value("indexed", false);
        e.indexed.push_back(indexed);
        e.abi_types.push_back(e.params[i].type.canonical);
        PACTUM_TRY(auto t, eth::AbiType::parse(e.params[i].type.canonical));
        // An indexed bytes/string/array/tuple is only its keccak256 in the topic.
        if (indexed && t.is_dynamic()) e.params[i].type = Type{"Hash32", "bytes32", false};
      }
      e.signature = e.name + "(";
      for (std::size_t i = 0; i < e.abi_types.size(); ++i) {
        e.signature += (i > 0 ? "," : "") + e.abi_types[i];
      }
      e.signature += ")";
      e.topic = eth::keccak256(as_bytes(e.signature));
      Doc d = member_doc(userdoc, devdoc, "events", e.signature);
      e.doc = d.text;
      attach_param_docs(e.params, d.params);
      c.events.push_back(std::move(e));
    } else if (kind == "error") {
      CustomError e;
      e.name = entry_name;
      PACTUM_TRY(e.params,
                 r.fields(entry.value("inputs", json::array()), camel_case(entry_name), "arg"));
      e.signature = e.name + "(" + join_types(e.params) + ")";
      e.selector = selector_of(e.signature);
      PACTUM_TRY_STATUS(check_types(join_types(e.params), e.signature));
      Doc d = member_doc(userdoc, devdoc, "errors", e.signature);
      e.doc = d.text;
      attach_param_docs(e.params, d.params);
      c.errors.push_back(std::move(e));
    }
    // "fallback" and "receive" need no binding: they take plain value transfers.
  }
  // Event structs come last so that a Solidity struct keeps its own name on a clash.
  for (auto& e : c.events) e.cpp_name = r.fresh_type_name(e.name);
  for (auto& e : c.events) {
    if (e.cpp_name != e.name) {
      // fresh_type_name appended a number; "Event" reads better.
      e.cpp_name = r.fresh_type_name(e.name + "Event");
    }
  }
  c.enums = r.take_enums();
  c.structs = r.take_structs();

  if (doc.contains("bytecode")) {
    const json& bc = doc["bytecode"];
    std::string hex = bc.is_object()   ? bc.value("object", "")
                      : bc.is_string() ? bc.get<std::string>()
                                       : "";
    if (bc.is_object() && bc.contains("linkReferences") && !bc["linkReferences"].empty()) {
      return invalid_argument(name +
                              ": the creation code needs linked libraries, which "
                              "pactum-abigen does not support");
    }
    if (!hex.empty() && hex != "0x") {
      auto bytes = from_hex(hex);
      if (!bytes.ok()) return bytes.error().with_context(name + " bytecode");
      c.creation_code = std::move(bytes).value();
    }
  }
  return c;
}

}  // namespace pactum::abigen
