#include "pactum/core/result.hpp"

namespace pactum {

std::string_view error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kFailedPrecondition: return "failed_precondition";
    case ErrorCode::kAborted: return "aborted";
    case ErrorCode::kOutOfRange: return "out_of_range";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kDeadlineExceeded: return "deadline_exceeded";
    case ErrorCode::kResourceExhausted: return "resource_exhausted";
    case ErrorCode::kDataLoss: return "data_loss";
    case ErrorCode::kUnimplemented: return "unimplemented";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

Error Error::with_context(std::string_view context) const {
  std::string message(context);
  message += ": ";
  message += message_;
  return Error(code_, std::move(message));
}

std::string Error::to_string() const {
  std::string out(error_code_name(code_));
  out += ": ";
  out += message_;
  return out;
}

Error invalid_argument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
Error not_found(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
Error already_exists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
Error permission_denied(std::string m) { return {ErrorCode::kPermissionDenied, std::move(m)}; }
Error unauthenticated(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
Error failed_precondition(std::string m) {
  return {ErrorCode::kFailedPrecondition, std::move(m)};
}
Error aborted(std::string m) { return {ErrorCode::kAborted, std::move(m)}; }
Error out_of_range(std::string m) { return {ErrorCode::kOutOfRange, std::move(m)}; }
Error unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
Error deadline_exceeded(std::string m) { return {ErrorCode::kDeadlineExceeded, std::move(m)}; }
Error resource_exhausted(std::string m) { return {ErrorCode::kResourceExhausted, std::move(m)}; }
Error data_loss(std::string m) { return {ErrorCode::kDataLoss, std::move(m)}; }
Error unimplemented(std::string m) { return {ErrorCode::kUnimplemented, std::move(m)}; }
Error internal_error(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

}  // namespace pactum
