// Private helpers shared by the ABI sources.
#pragma once

#include <string>
#include <string_view>

#include "pactum/core/result.hpp"

namespace pactum::eth::abi_detail {

// An error whose message is "abi <name>: <detail>" with the code `code`.
inline Error abi_error(std::string_view name, const std::string& detail,
                       ErrorCode code = ErrorCode::kInvalidArgument) {
  std::string message = "abi ";
  message += name;
  message += ": ";
  message += detail;
  return Error(code, std::move(message));
}

}  // namespace pactum::eth::abi_detail
