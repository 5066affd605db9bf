#include <string>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "enrollment_routes_internal.h"
#include "larch/http/error_mapping.h"

namespace larch::api::internal {

http::Response ErrorBody(ErrorShape shape, int status, std::string text) {
  switch (shape) {
    case ErrorShape::kMessage:
      return http::Response::Json(status, Message(std::move(text)));
    case ErrorShape::kDeveloperMessage:
      return http::Response::Json(status, json{{"developer_message", std::move(text)}});
    case ErrorShape::kDetail:
      return Detail(status, text);
    case ErrorShape::kJsonString:
      return http::Response::Json(status, json(std::move(text)));
    case ErrorShape::kPlainText:
      return http::Response::Text(status, std::move(text));
  }
  return Detail(500, "A server error occurred.");
}

bool IsServerFailure(const Status& status) {
  switch (status.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kAborted:
    case StatusCode::kResourceExhausted:
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
    case StatusCode::kDeadlineExceeded:
      return true;
    default:
      return false;
  }
}

http::Response Failure(const http::Request& req, const Status& failure, std::string_view what,
                       ErrorShape shape, int status, std::string text) {
  if (IsServerFailure(failure)) {
    spdlog::error("enrollment: {} failed (request {}): {}", what, req.request_id(),
                  failure.ToString());
    return http::ErrorResponse(failure, req.request_id());
  }
  return ErrorBody(shape, status, std::move(text));
}

}  // namespace larch::api::internal
