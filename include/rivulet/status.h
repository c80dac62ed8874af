#pragma once

// Errors are values inside the engine: every fallible function returns a Status or a
// Result<T>. Exceptions are translated into these once, at the edges (CLI main,
// third-party calls that throw).

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace rivulet {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kBusy,           // a resource (checkpoint lock) is held by someone else
  kCorruption,     // a file or message does not parse; never repaired silently
  kIOError,        // the message names the path
  kUserCodeError,  // user code (a Python source) raised; the message has its traceback
  kWorkerLost,     // a worker process died or closed its channel
  kCancelled,
  kInternal,
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status OK() { return {}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Busy(std::string m) { return {StatusCode::kBusy, std::move(m)}; }
  static Status Corruption(std::string m) {
    return {StatusCode::kCorruption, std::move(m)};
  }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status UserCodeError(std::string m) {
    return {StatusCode::kUserCodeError, std::move(m)};
  }
  static Status WorkerLost(std::string m) {
    return {StatusCode::kWorkerLost, std::move(m)};
  }
  static Status Cancelled(std::string m) {
    return {StatusCode::kCancelled, std::move(m)};
  }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "Corruption: offsets/3 is truncated"
  std::string ToString() const;
  // Prefixes context to the message, keeping the code: "reading offsets/3: ...".
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status)
      : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "a Result built from a Status must carry an error");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T ValueOrDie() && {
    assert(ok());
    return std::move(*value_);
  }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace rivulet

#define RIVULET_CONCAT_INNER(a, b) a##b
#define RIVULET_CONCAT(a, b) RIVULET_CONCAT_INNER(a, b)

#define RIVULET_RETURN_NOT_OK(expr) \
  do {                              \
    ::rivulet::Status _st = (expr); \
    if (!_st.ok()) return _st;      \
  } while (false)

// `lhs` may be a declaration ("auto x"), so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define RIVULET_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)

#define RIVULET_ASSIGN_OR_RETURN(lhs, expr) \
  RIVULET_ASSIGN_OR_RETURN_IMPL(RIVULET_CONCAT(_result_, __LINE__), lhs, expr)
