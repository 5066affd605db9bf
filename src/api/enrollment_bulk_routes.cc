#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "enrollment_routes_internal.h"

namespace larch::api::internal {
namespace {

std::vector<std::string> SplitIdentifiers(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (c == ',' || c == '\n' || c == '\r' || c == ' ' || c == '\t') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

bool FormBool(const std::map<std::string, std::string>& form, const char* name) {
  auto it = form.find(name);
  if (it == form.end()) return false;
  std::string v = it->second;
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v == "true" || v == "1" || v == "on";
}

json StateJson(const enrollment::BulkState& s) {
  return json{{"user", s.user},
              {"enrollment", s.enrollment},
              {"allowed", s.allowed},
              {"auto_enroll", s.auto_enroll}};
}

http::Response StudentsUpdateEnrollment(EnrollmentRoutesContext& ctx, const http::Request& req) {
  AuthResult auth = RequireUser(req);
  if (auth.principal == nullptr) return auth.error;
  const std::string course_id(req.PathParam("course_id"));
  if (!auth.principal->is_staff) {
    bool allowed = false;
    for (auto role : {accounts::CourseRole::kInstructor, accounts::CourseRole::kStaff}) {
      auto has = ctx.roles.HasRole(auth.principal->user_id, course_id, role);
      if (has.ok() && *has) allowed = true;
    }
    if (!allowed) {
      return ErrorBody(ErrorShape::kDetail, 403,
                       "You do not have permission to perform this action.");
    }
  }
  const std::map<std::string, std::string> form = FormMap(req);
  auto action_it = form.find("action");
  const std::string action = action_it == form.end() ? "" : action_it->second;
  if (action != "enroll" && action != "unenroll") {
    return ErrorBody(ErrorShape::kPlainText, 400, "Unrecognized action '" + action + "'");
  }
  auto ids_it = form.find("identifiers");
  const std::vector<std::string> identifiers =
      SplitIdentifiers(ids_it == form.end() ? "" : ids_it->second);
  const bool auto_enroll = FormBool(form, "auto_enroll");
  auto results =
      ctx.enrollments.BulkUpdate(course_id, identifiers, action == "enroll", auto_enroll,
                                 FormBool(form, "email_students"), auth.principal->user_id);
  if (!results.ok()) {
    if (results.status().code() == StatusCode::kNotFound) {
      return ErrorBody(ErrorShape::kDetail, 404, "Course not found.");
    }
    spdlog::error("enrollment: bulk update of {} failed: {}", course_id,
                  results.status().ToString());
    return ErrorBody(ErrorShape::kDetail, 500, "An error occurred while updating enrollments.");
  }
  json rows = json::array();
  for (const auto& r : *results) {
    if (r.invalid_identifier) {
      rows.push_back({{"identifier", r.identifier}, {"invalidIdentifier", true}});
      continue;
    }
    rows.push_back({{"identifier", r.identifier},
                    {"before", StateJson(r.before)},
                    {"after", StateJson(r.after)}});
  }
  return http::Response::Json(
      200, json{{"action", action}, {"results", rows}, {"auto_enroll", auto_enroll}});
}

}  // namespace

void RegisterBulkEnrollmentRoutes(http::Router& router, EnrollmentRoutesContext& context) {
  EnrollmentRoutesContext* ctx = &context;
  router.Post("/courses/{course_id:course_key}/instructor/api/students_update_enrollment",
              [ctx](http::Request& req) { return StudentsUpdateEnrollment(*ctx, req); });
}

}  // namespace larch::api::internal
