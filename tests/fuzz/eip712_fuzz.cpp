// libFuzzer target: parse and hash arbitrary EIP-712 typed-data JSON.
//
// Invariants checked: no crash, no sanitizer report, no stack exhaustion on deep or recursive
// types, never kInternal, and a parsed document's primary type has an encodeType.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pactum/eth/eip712.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto typed = pactum::eth::TypedData::parse_json(json);
  if (!typed.ok()) {
    if (typed.error().code() == pactum::ErrorCode::kInternal) std::abort();
    return 0;
  }
  if (!typed->encode_type(typed->primary_type()).ok()) std::abort();
  return 0;
}
