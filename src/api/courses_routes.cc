// The helpers the course endpoint files share, and RegisterCourseRoutes.
#include <utility>

#include "courses_routes_internal.h"
#include "larch/common/strings.h"
#include "larch/http/error_mapping.h"

namespace larch::api {
namespace internal {
namespace {

using nlohmann::json;

std::string Scalar(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_null()) return "";
  return value.dump();
}

}  // namespace

Params::Params(const http::Request& request) {
  if (request.method() != "POST") {
    values_ = request.query_params();
    return;
  }
  if (request.MediaType() != "application/json") {
    values_ = request.FormValues();
    return;
  }
  StatusOr<json> body = request.JsonBody();
  if (!body.ok() || !body->is_object()) return;
  for (const auto& [name, value] : body->items()) {
    if (value.is_array()) {
      for (const json& item : value) values_.emplace_back(name, Scalar(item));
    } else {
      values_.emplace_back(name, Scalar(value));
    }
  }
}

std::optional<std::string> Params::Get(std::string_view name) const {
  for (const auto& [k, v] : values_) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Params::GetAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : values_) {
    if (k != name) continue;
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      if (comma == std::string::npos) comma = v.size();
      if (comma > start) out.push_back(v.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return out;
}

std::optional<bool> ParseBool(const std::optional<std::string>& value) {
  if (!value.has_value()) return std::nullopt;
  std::string s = AsciiLower(*value);
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  return std::nullopt;
}

std::optional<int64_t> ParsePositive(const std::string& text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int64_t value = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    value = value * 10 + (ch - '0');
  }
  if (value <= 0) return std::nullopt;
  return value;
}

http::Response StorageError(const Status& status) { return http::ErrorResponse(status, ""); }

json OptionalTime(const std::optional<int64_t>& micros) {
  return micros.has_value() ? json(FormatIso8601(*micros)) : json(nullptr);
}

json OptionalString(const std::optional<std::string>& value) {
  return value.has_value() ? json(*value) : json(nullptr);
}

EffectiveUser CallerUser(const http::Request& request) {
  EffectiveUser effective;
  if (const oauth::Principal* caller = CurrentPrincipal(request)) {
    effective.user =
        ViewUser{caller->user_id, caller->username, caller->is_staff, caller->is_superuser};
  }
  return effective;
}

StatusOr<ViewUser> FindNamedUser(CourseRoutesContext& ctx, const std::string& username) {
  StatusOr<accounts::User> user = ctx.accounts.GetUserByUsername(username);
  // The lookup ignores case; these endpoints name users exactly.
  if ((!user.ok() && user.status().code() == StatusCode::kNotFound) ||
      (user.ok() && user->username != username)) {
    return NotFoundError("user not found: " + username);
  }
  if (!user.ok()) return user.status();
  return ViewUser{user->id, user->username, user->is_staff, user->is_superuser};
}

StatusOr<EffectiveUser> ResolveUser(const http::Request& request, CourseRoutesContext& ctx,
                                    const std::string& username) {
  EffectiveUser effective;
  if (username.empty()) return effective;
  const oauth::Principal* caller = CurrentPrincipal(request);
  if (caller != nullptr && caller->username == username) return CallerUser(request);
  if (caller == nullptr || !(caller->is_staff || caller->is_superuser)) {
    return PermissionDeniedError("You do not have permission to perform this action.");
  }
  LARCH_ASSIGN_OR_RETURN(ViewUser user, FindNamedUser(ctx, username));
  effective.user = std::move(user);
  return effective;
}

http::Response UserError(const Status& status) {
  if (status.code() == StatusCode::kPermissionDenied) {
    return DeveloperError(403, "You do not have permission to perform this action.");
  }
  if (status.code() == StatusCode::kNotFound) return DeveloperError(404, status.message());
  return StorageError(status);
}

bool IsCourseStaff(CourseRoutesContext& ctx, const EffectiveUser& effective,
                   const std::string& course_key) {
  if (!effective.user.has_value()) return false;
  return ctx.gate.RolesFor(effective.user->id, effective.global_staff(), course_key).staff;
}

http::Response AsDeveloperError(http::Response response) {
  json body = json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("detail") && body["detail"].is_string()) {
    response.body = json{{"developer_message", body["detail"]}}.dump();
  }
  return response;
}

}  // namespace internal

void RegisterCourseRoutes(http::Router& router, CourseRoutesContext& context) {
  internal::RegisterCourseListRoutes(router, context);
  internal::RegisterBlocksRoutes(router, context);
  if (context.milestones == nullptr) return;
  internal::RegisterMilestoneAdminRoutes(router, context, *context.milestones);
}

}  // namespace larch::api
