// pactum-abigen's model of one contract: what the forge artifact says, resolved into the C++
// types, names and documentation the emitter writes out.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"

namespace pactum::abigen {

// A resolved ABI type: its C++ spelling and its canonical ABI text.
struct Type {
  std::string cpp;        // "std::vector<eth::Address>", "AgreementParams"
  std::string canonical;  // "address[]", "(bytes32,uint64)"
  bool by_value = false;  // passed by value (bool, integers, enums) rather than by const&
};

struct Field {
  std::string name;      // the C++ name (snake_case, keyword-safe, unique in its list)
  std::string abi_name;  // the Solidity name ("" when unnamed)
  Type type;
  std::string doc;  // @param text, when any
};

struct Struct {
  std::string name;
  std::string origin;  // "struct IAgreementEngine.Payment", or what the struct stands for
  std::vector<Field> fields;
  std::string canonical;  // the tuple's canonical type
};

struct Enum {
  std::string name;
  std::string origin;  // "enum IAgreementEngine.ConditionType"
  std::vector<std::string> members;
};

struct Function {
  std::string name;       // Solidity name
  std::string cpp_name;   // name plus an overload suffix
  std::string signature;  // canonical "name(types)"
  FixedBytes<4> selector{};
  std::string mutability;
  std::vector<Field> inputs;
  std::vector<Field> outputs;
  // The C++ result type of decode_<fn>_result: "Status" (no outputs), the single output's
  // type, or a generated "<Fn>Result" struct.
  std::string result_type;
  std::string doc;
};

struct Event {
  std::string name;      // Solidity name
  std::string cpp_name;  // struct name (name, or name + "Event" on a clash)
  std::string signature;
  Hash32 topic{};
  bool anonymous = false;
  std::vector<Field> params;  // an indexed dynamic parameter is a Hash32 (its topic)
  std::vector<bool> indexed;
  std::vector<std::string> abi_types;  // the declared canonical type of each parameter
  std::string doc;
};

struct CustomError {
  std::string name;
  std::string signature;
  FixedBytes<4> selector{};
  std::vector<Field> params;
  std::string doc;
};

struct Contract {
  std::string name;
  std::string file_stem;  // "agreement_engine"
  std::string doc;
  std::vector<Enum> enums;
  std::vector<Struct> structs;  // in dependency order
  std::vector<Function> functions;
  std::vector<Event> events;
  std::vector<CustomError> errors;
  std::optional<Function> constructor;  // inputs only
  Bytes creation_code;                  // empty for abstract contracts and interfaces
};

// Reads `<artifacts>/<Name>.sol/<Name>.json` (or the first `<artifacts>/*/<Name>.json`) and
// resolves it. Enum member names come from the ASTs of the artifacts in `artifacts` (forge
// --ast); without them an enum is a plain std::uint8_t.
// Errors: kNotFound for a missing artifact; kInvalidArgument for an ABI this generator does not
// support (function types, library link references), with the entry named.
[[nodiscard]] Result<Contract> load_contract(const std::filesystem::path& artifacts,
                                             const std::string& name);

// Reads an artifact given by path (a forge artifact, or a bare {"abi": [...]} fixture).
[[nodiscard]] Result<Contract> load_contract_file(const std::filesystem::path& artifact,
                                                  const std::filesystem::path& artifacts_dir,
                                                  const std::string& name);

// "AgreementEngine" → "agreement_engine", "tokenURI" → "token_uri", "ERC1155" → "erc1155".
[[nodiscard]] std::string snake_case(const std::string& name);
// "getTemplate" → "GetTemplate".
[[nodiscard]] std::string camel_case(const std::string& name);

// The header and source text for a contract.
[[nodiscard]] std::string emit_header(const Contract& contract);
[[nodiscard]] std::string emit_source(const Contract& contract);

}  // namespace pactum::abigen
