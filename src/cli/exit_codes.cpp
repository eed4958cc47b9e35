#include "pactum/cli/exit_codes.hpp"

namespace pactum::cli {

int exit_code_for(ErrorCode code) noexcept {
  // Keep in sync with the table in docs/cli.md (tests/cli/exit_codes_test.cpp checks both).
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return kExitUsage;
    case ErrorCode::kNotFound:
      return 3;
    case ErrorCode::kAlreadyExists:
      return 4;
    case ErrorCode::kPermissionDenied:
      return 5;
    case ErrorCode::kUnauthenticated:
      return 6;
    case ErrorCode::kFailedPrecondition:
      return 7;
    case ErrorCode::kAborted:
      return 8;
    case ErrorCode::kOutOfRange:
      return 9;
    case ErrorCode::kUnavailable:
      return 10;
    case ErrorCode::kDeadlineExceeded:
      return 11;
    case ErrorCode::kResourceExhausted:
      return 12;
    case ErrorCode::kDataLoss:
      return 13;
    case ErrorCode::kUnimplemented:
      return 14;
    case ErrorCode::kInternal:
      return 1;
  }
  return 1;
}

}  // namespace pactum::cli
