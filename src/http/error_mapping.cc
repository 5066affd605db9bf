#include "larch/http/error_mapping.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace larch::http {

namespace {

struct Mapping {
  StatusCode code;
  int http_status;
  std::string_view error_code;
  std::string_view user_message;
};

// THE table. kFailedPrecondition is 400, not 412: Open edX (DRF) answers
// "enrollment closed", "course not started" and similar state checks with
// 400 and a reason in the body, and clients rely on that; 412 is reserved
// for conditional-request headers. 413 never comes from here: the server's
// body limit produces it directly.
constexpr Mapping kTable[] = {
    {StatusCode::kOk, 200, "ok", "OK."},
    {StatusCode::kInvalidArgument, 400, "invalid_argument", "The request is invalid."},
    {StatusCode::kOutOfRange, 400, "out_of_range", "The request is invalid."},
    {StatusCode::kFailedPrecondition, 400, "failed_precondition",
     "The request cannot be completed in the current state."},
    {StatusCode::kUnauthenticated, 401, "unauthenticated", "Authentication is required."},
    {StatusCode::kPermissionDenied, 403, "permission_denied",
     "You do not have permission to perform this action."},
    {StatusCode::kNotFound, 404, "not_found", "The requested resource was not found."},
    {StatusCode::kAlreadyExists, 409, "already_exists", "The resource already exists."},
    {StatusCode::kAborted, 409, "aborted", "The request conflicted with another; try again."},
    {StatusCode::kResourceExhausted, 429, "resource_exhausted",
     "Too many requests or a limit was reached; try again later."},
    {StatusCode::kUnimplemented, 501, "unimplemented", "This operation is not supported."},
    {StatusCode::kUnavailable, 503, "unavailable",
     "The service is temporarily unavailable; try again later."},
    {StatusCode::kDeadlineExceeded, 504, "deadline_exceeded",
     "The request took too long; try again later."},
    {StatusCode::kInternal, 500, "internal", "An unexpected error occurred."},
    {StatusCode::kDataLoss, 500, "data_loss", "An unexpected error occurred."},
};

constexpr Mapping kUnknown = {StatusCode::kInternal, 500, "internal",
                              "An unexpected error occurred."};

const Mapping& Find(StatusCode code) {
  for (const Mapping& m : kTable) {
    if (m.code == code) return m;
  }
  return kUnknown;
}

}  // namespace

int HttpStatusForCode(StatusCode code) { return Find(code).http_status; }

std::string_view DefaultErrorCode(StatusCode code) { return Find(code).error_code; }

std::string_view GenericUserMessage(StatusCode code) { return Find(code).user_message; }

Response ErrorResponse(const Status& status, std::string_view request_id) {
  const Mapping& m = status.ok() ? kUnknown : Find(status.code());
  nlohmann::json body;
  body["error_code"] =
      status.error_code().empty() || status.ok() ? std::string(m.error_code) : status.error_code();
  if (m.http_status >= 500) {
    spdlog::error("request {} failed: {}", request_id,
                  status.ok() ? "ErrorResponse called with OK status" : status.ToString());
    body["developer_message"] =
        "Internal error; see the server log for request id " + std::string(request_id) + ".";
  } else {
    body["developer_message"] = status.message();
  }
  body["user_message"] =
      status.user_message().empty() ? std::string(m.user_message) : status.user_message();
  return Response::Json(m.http_status, body);
}

}  // namespace larch::http
