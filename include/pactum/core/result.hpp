// Errors as values: every fallible call in Pactum returns Result<T>.
//
// The codes follow Abseil's canonical codes, chosen by what the *caller* should do next:
//   kInvalidArgument    the input is wrong; fix it, retrying will not help
//   kNotFound           the thing named does not exist
//   kAlreadyExists      the thing to create exists already
//   kPermissionDenied   the caller is known but not allowed
//   kUnauthenticated    the caller could not be identified (bad or missing signature)
//   kFailedPrecondition the system is not in the state the call needs; fix state first
//   kAborted            a conflict (nonce race, reorg); retry the whole higher-level operation
//   kOutOfRange         a value or position past a valid range (offset past the data, ...)
//   kUnavailable        transient; retrying the same call with backoff may succeed
//   kDeadlineExceeded   the call took too long; it may or may not have taken effect
//   kResourceExhausted  a limit was hit (body too large, result set too large)
//   kDataLoss           stored or received data is corrupt (checksum mismatch, tampered chunk)
//   kUnimplemented      the operation is not supported here
//   kInternal           a broken invariant; a bug
// The mapping of codes to HTTP statuses, CLI exit codes and RPC retry decisions lives in exactly
// one place per edge (see ARCHITECTURE.md); core code never decides those.
//
// Thread safety: Error and Result are values; distinct objects may be used from distinct threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace pactum {

enum class ErrorCode : std::uint8_t {
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kUnauthenticated,
  kFailedPrecondition,
  kAborted,
  kOutOfRange,
  kUnavailable,
  kDeadlineExceeded,
  kResourceExhausted,
  kDataLoss,
  kUnimplemented,
  kInternal,
};

// Returns the code's stable lower-case name ("invalid_argument", ...), used in JSON errors.
[[nodiscard]] std::string_view error_code_name(ErrorCode code) noexcept;

// An error: a code for the program and a message for the person. Messages say what was wrong
// with which value ("RLP: list length 12 exceeds remaining 3 bytes"), never just "invalid".
class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  [[nodiscard]] ErrorCode code() const noexcept { return code_; }
  [[nodiscard]] const std::string& message() const noexcept { return message_; }

  // Returns a copy whose message is "context: message"; the code is kept.
  [[nodiscard]] Error with_context(std::string_view context) const;

  // "invalid_argument: message"
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const Error&, const Error&) = default;

 private:
  ErrorCode code_;
  std::string message_;
};

// Factories, one per code.
[[nodiscard]] Error invalid_argument(std::string message);
[[nodiscard]] Error not_found(std::string message);
[[nodiscard]] Error already_exists(std::string message);
[[nodiscard]] Error permission_denied(std::string message);
[[nodiscard]] Error unauthenticated(std::string message);
[[nodiscard]] Error failed_precondition(std::string message);
[[nodiscard]] Error aborted(std::string message);
[[nodiscard]] Error out_of_range(std::string message);
[[nodiscard]] Error unavailable(std::string message);
[[nodiscard]] Error deadline_exceeded(std::string message);
[[nodiscard]] Error resource_exhausted(std::string message);
[[nodiscard]] Error data_loss(std::string message);
[[nodiscard]] Error unimplemented(std::string message);
[[nodiscard]] Error internal_error(std::string message);

// Result<T>: either a T or an Error. Accessing value() of an error (or error() of a value) is a
// programming error and aborts; check ok() first, or use PACTUM_TRY.
template <class T>
class [[nodiscard]] Result {
 public:
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>, "Result<Error> is meaningless");

  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  // REQUIRES: ok()
  [[nodiscard]] T& value() & { return std::get<0>(state_); }
  [[nodiscard]] const T& value() const& { return std::get<0>(state_); }
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok()
  [[nodiscard]] const Error& error() const& { return std::get<1>(state_); }
  [[nodiscard]] Error&& error() && { return std::get<1>(std::move(state_)); }

  // Returns the value, or `fallback` when this is an error.
  [[nodiscard]] T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  // REQUIRES: !ok()
  [[nodiscard]] const Error& error() const& { return error_; }
  [[nodiscard]] Error&& error() && { return std::move(error_); }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;

// Success value for Result<void>.
[[nodiscard]] inline Status ok_status() { return {}; }

}  // namespace pactum

#define PACTUM_CONCAT_INNER_(a, b) a##b
#define PACTUM_CONCAT_(a, b) PACTUM_CONCAT_INNER_(a, b)

// PACTUM_TRY(auto x, expr): evaluates expr (a Result<T>); on error returns the error from the
// enclosing function, else declares `x` from the moved value.
#define PACTUM_TRY(decl, expr) PACTUM_TRY_IMPL_(PACTUM_CONCAT_(pactum_try_, __LINE__), decl, expr)
#define PACTUM_TRY_IMPL_(tmp, decl, expr)   \
  auto tmp = (expr);                        \
  if (!tmp.ok()) return std::move(tmp).error(); \
  decl = std::move(tmp).value()

// PACTUM_TRY_STATUS(expr): evaluates expr (a Result<void> or Result<T>); returns its error.
#define PACTUM_TRY_STATUS(expr)                                            \
  do {                                                                     \
    auto pactum_try_status_ = (expr);                                      \
    if (!pactum_try_status_.ok()) return std::move(pactum_try_status_).error(); \
  } while (false)
