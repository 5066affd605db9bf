// Status and StatusOr<T>: how every Larch layer reports an expected failure.
//
// Codes are abseil's canonical codes, each with a fixed meaning so that the
// HTTP layer can map them to one HTTP status in one table (http/error_mapping).
// A Status carries a developer message (for logs and the
// "developer_message" field) and, optionally, a user message and an Open edX
// style error code for the client.
//
// Thread safety: Status and StatusOr are values; distinct objects may be used
// from different threads, a single object needs external synchronization.
#ifndef LARCH_COMMON_STATUS_H_
#define LARCH_COMMON_STATUS_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace larch {

enum class StatusCode : int {
  kOk = 0,
  // The caller asked for something that cannot be done as written (bad field,
  // malformed body). Retrying the same request fails the same way.
  kInvalidArgument = 3,
  // The operation did not finish in time.
  kDeadlineExceeded = 4,
  // The named entity does not exist (or must look as if it did not).
  kNotFound = 5,
  // A create met an existing entity with the same unique key.
  kAlreadyExists = 6,
  // The caller is known but is not allowed to do this.
  kPermissionDenied = 7,
  // A quota, size limit, rate limit or the disk is exhausted.
  kResourceExhausted = 8,
  // The system is not in a state where the operation is allowed (unmigrated
  // database, referenced row missing, enrollment closed).
  kFailedPrecondition = 9,
  // A concurrent write conflicted (serialization failure, deadlock). Safe to
  // retry the whole transaction.
  kAborted = 10,
  kOutOfRange = 11,
  // The operation is not implemented or not supported in this configuration.
  kUnimplemented = 12,
  // An invariant broke: a bug or corrupt data. Never for bad input.
  kInternal = 13,
  // A dependency (database, SMTP, remote API) cannot be reached right now.
  kUnavailable = 14,
  kDataLoss = 15,
  // The caller did not prove who it is.
  kUnauthenticated = 16,
};

// Returns "INVALID_ARGUMENT" style names.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // Developer-facing text. Never contains secrets.
  const std::string& message() const;
  // Client-facing text; empty when the HTTP layer should pick a generic one.
  const std::string& user_message() const;
  // Machine-readable reason for clients ("course-full", "invalid-mode"...).
  const std::string& error_code() const;

  Status& WithUserMessage(std::string text) &;
  Status&& WithUserMessage(std::string text) &&;
  Status& WithErrorCode(std::string code) &;
  Status&& WithErrorCode(std::string code) &&;

  // "NOT_FOUND: no such course".
  std::string ToString() const;

  // Explicitly drops a status whose failure does not matter to the caller.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message();
  }

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::string user_message;
    std::string error_code;
  };
  // Copy-on-write would save little; statuses are copied rarely.
  std::shared_ptr<Rep> rep_;
};

inline Status OkStatus() { return Status(); }
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status PermissionDeniedError(std::string message);
Status ResourceExhaustedError(std::string message);
Status FailedPreconditionError(std::string message);
Status AbortedError(std::string message);
Status UnimplementedError(std::string message);
Status InternalError(std::string message);
Status UnavailableError(std::string message);
Status UnauthenticatedError(std::string message);
Status DeadlineExceededError(std::string message);
Status DataLossError(std::string message);

// Either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const Status& status) : data_(status) {  // NOLINT(google-explicit-constructor)
    if (status.ok()) {
      data_ = Status(StatusCode::kInternal, "StatusOr built from an OK status");
    }
  }
  StatusOr(Status&& status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(data_).ok()) {
      data_ = Status(StatusCode::kInternal, "StatusOr built from an OK status");
    }
  }
  template <typename U = T,
            typename = std::enable_if_t<std::is_convertible_v<U&&, T> &&
                                        !std::is_same_v<std::decay_t<U>, Status> &&
                                        !std::is_same_v<std::decay_t<U>, StatusOr<T>>>>
  StatusOr(U&& value) : data_(std::in_place_index<1>, std::forward<U>(value)) {}  // NOLINT

  bool ok() const { return data_.index() == 1; }
  Status status() const { return ok() ? Status() : std::get<0>(data_); }

  // REQUIRES: ok().
  T& value() & { return std::get<1>(data_); }
  const T& value() const& { return std::get<1>(data_); }
  T&& value() && { return std::get<1>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<Status, T> data_;
};

}  // namespace larch

#define LARCH_STATUS_CONCAT_INNER_(a, b) a##b
#define LARCH_STATUS_CONCAT_(a, b) LARCH_STATUS_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define LARCH_RETURN_IF_ERROR(expr)                        \
  do {                                                     \
    ::larch::Status larch_status_tmp_ = (expr);            \
    if (!larch_status_tmp_.ok()) return larch_status_tmp_; \
  } while (false)

// LARCH_ASSIGN_OR_RETURN(auto x, FunctionReturningStatusOr());
#define LARCH_ASSIGN_OR_RETURN(lhs, expr) \
  LARCH_ASSIGN_OR_RETURN_IMPL_(LARCH_STATUS_CONCAT_(larch_statusor_, __LINE__), lhs, expr)
// `lhs` may be a declaration ("auto x"), so it cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define LARCH_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

#endif  // LARCH_COMMON_STATUS_H_
