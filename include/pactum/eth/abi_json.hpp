// Contract ABI descriptions read from the Solidity JSON ABI format (the `abi` array solc and
// forge write into their artifacts): functions, events, errors and the constructor, each
// parameter with its name, resolved AbiType and (for tuples) its named components, so that typed
// bindings can be generated from them.
//
// API boundary: JSON stays behind this header; nothing here exposes a JSON type.
//
// Thread safety: the descriptors are values; parse_abi_json is pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/core/result.hpp"
#include "pactum/eth/abi.hpp"

namespace pactum::eth {

// One parameter: `type` is resolved (tuples included); `components` repeats the tuple's fields
// with their names (empty unless the base type is a tuple); `internal_type` is solc's
// "struct Foo.Bar" / "contract IERC20" hint when present.
struct AbiParam {
  std::string name;
  AbiType type;
  bool indexed = false;  // events only
  std::string internal_type;
  std::vector<AbiParam> components;
};

enum class StateMutability : std::uint8_t { kPure, kView, kNonPayable, kPayable };

struct AbiFunctionDescriptor {
  std::string name;
  std::vector<AbiParam> inputs;
  std::vector<AbiParam> outputs;
  StateMutability state_mutability = StateMutability::kNonPayable;

  // The name and input types, for selector and call encoding.
  [[nodiscard]] AbiSignature signature() const;
  [[nodiscard]] Selector selector() const { return selector_of_canonical(signature().canonical()); }
  [[nodiscard]] std::vector<AbiType> output_types() const;
};

struct AbiEventDescriptor {
  std::string name;
  std::vector<AbiParam> inputs;
  bool anonymous = false;

  // The event as decode_log takes it.
  [[nodiscard]] AbiEvent event() const;
};

// A custom error (`error InsufficientBalance(address,uint256)`); revert data is its selector
// followed by the encoded inputs.
struct AbiErrorDescriptor {
  std::string name;
  std::vector<AbiParam> inputs;

  [[nodiscard]] AbiSignature signature() const;
  [[nodiscard]] Selector selector() const { return selector_of_canonical(signature().canonical()); }
};

struct ContractAbi {
  std::vector<AbiFunctionDescriptor> functions;
  std::vector<AbiEventDescriptor> events;
  std::vector<AbiErrorDescriptor> errors;
  std::optional<std::vector<AbiParam>> constructor_inputs;  // empty: no constructor entry
  StateMutability constructor_mutability = StateMutability::kNonPayable;
  bool has_fallback = false;
  bool has_receive = false;

  // The first function named `name`, or nullptr (overloads: use find_function_by_selector).
  // The pointer is valid while this ContractAbi is alive and unmodified.
  [[nodiscard]] const AbiFunctionDescriptor* find_function(std::string_view name) const;
  [[nodiscard]] const AbiFunctionDescriptor* find_function_by_selector(const Selector& s) const;
  // The event with this name, or nullptr; likewise by topic 0.
  [[nodiscard]] const AbiEventDescriptor* find_event(std::string_view name) const;
  [[nodiscard]] const AbiEventDescriptor* find_event_by_topic(const Hash32& topic) const;
};

// Parses a JSON ABI: either the array itself or an object with an "abi" array (a forge/solc
// artifact). Entries of unknown "type" are refused; entries without "type" are functions (as
// the format says).
// Errors: kInvalidArgument with "abi_json: " and the entry index and field at fault, for
// malformed JSON, a missing or mistyped field, or a type string that does not parse.
[[nodiscard]] Result<ContractAbi> parse_abi_json(std::string_view json);

}  // namespace pactum::eth
