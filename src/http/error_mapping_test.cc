#include "larch/http/error_mapping.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace larch::http {
namespace {

TEST(ErrorMappingTest, TableMapsEveryCode) {
  struct Row {
    StatusCode code;
    int http;
    const char* name;
  };
  const Row rows[] = {
      {StatusCode::kOk, 200, "ok"},
      {StatusCode::kInvalidArgument, 400, "invalid_argument"},
      {StatusCode::kFailedPrecondition, 400, "failed_precondition"},
      {StatusCode::kOutOfRange, 400, "out_of_range"},
      {StatusCode::kUnauthenticated, 401, "unauthenticated"},
      {StatusCode::kPermissionDenied, 403, "permission_denied"},
      {StatusCode::kNotFound, 404, "not_found"},
      {StatusCode::kAlreadyExists, 409, "already_exists"},
      {StatusCode::kAborted, 409, "aborted"},
      {StatusCode::kResourceExhausted, 429, "resource_exhausted"},
      {StatusCode::kUnimplemented, 501, "unimplemented"},
      {StatusCode::kUnavailable, 503, "unavailable"},
      {StatusCode::kDeadlineExceeded, 504, "deadline_exceeded"},
      {StatusCode::kInternal, 500, "internal"},
      {StatusCode::kDataLoss, 500, "data_loss"},
      {static_cast<StatusCode>(99), 500, "internal"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(HttpStatusForCode(row.code), row.http) << static_cast<int>(row.code);
    EXPECT_EQ(DefaultErrorCode(row.code), row.name) << static_cast<int>(row.code);
    EXPECT_FALSE(GenericUserMessage(row.code).empty());
  }
}

TEST(ErrorMappingTest, ClientErrorCarriesMessagesAndCustomCode) {
  Response response = ErrorResponse(
      NotFoundError("course X missing").WithErrorCode("course-not-found").WithUserMessage("Nope"),
      "rid-1");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.Header("content-type"), "application/json");
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error_code"], "course-not-found");
  EXPECT_EQ(body["developer_message"], "course X missing");
  EXPECT_EQ(body["user_message"], "Nope");
}

TEST(ErrorMappingTest, DefaultsWhenStatusHasNoExtras) {
  nlohmann::json body = nlohmann::json::parse(ErrorResponse(PermissionDeniedError("no"), "r").body);
  EXPECT_EQ(body["error_code"], "permission_denied");
  EXPECT_EQ(body["user_message"], GenericUserMessage(StatusCode::kPermissionDenied));
}

TEST(ErrorMappingTest, ServerErrorsHideInternals) {
  Response response = ErrorResponse(InternalError("SELECT secret FROM x failed"), "req-42");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("secret"), std::string::npos);
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_NE(body["developer_message"].get<std::string>().find("req-42"), std::string::npos);
  EXPECT_EQ(body["error_code"], "internal");
}

TEST(ErrorMappingTest, OkStatusIsTreatedAsBug) {
  EXPECT_EQ(ErrorResponse(OkStatus(), "r").status, 500);
}

}  // namespace
}  // namespace larch::http
