#include "larch/api/instructor_routes.h"

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/http/error_mapping.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

// modify_access's ROLES that Larch keeps (ccx_coach and data_researcher
// are not kept yet and answer as unknown).
std::optional<accounts::CourseRole> RoleNamed(std::string_view name) {
  if (name == "instructor") return accounts::CourseRole::kInstructor;
  if (name == "staff") return accounts::CourseRole::kStaff;
  if (name == "beta") return accounts::CourseRole::kBetaTester;
  return std::nullopt;
}

// get_student_from_identifier: a username, else an email address.
StatusOr<accounts::User> FindUser(accounts::AccountService& accounts, const std::string& id) {
  StatusOr<accounts::User> user = accounts.GetUserByUsername(id);
  if (user.ok() || user.status().code() != StatusCode::kNotFound) return user;
  return accounts.GetUserByEmail(id);
}

Response ModifyAccess(const InstructorRoutesContext& ctx, Request& request) {
  const oauth::Principal* caller = CurrentPrincipal(request);
  if (caller == nullptr) {
    return internal::Detail(401, "Authentication credentials were not provided.");
  }
  std::string course_key(request.PathParam("course_id"));
  auto tree = ctx.catalog.GetTree(course_key);
  if (!tree.ok()) return http::ErrorResponse(tree.status(), request.request_id());
  if (!caller->is_staff && !caller->is_superuser) {
    auto instructor =
        ctx.roles.HasRole(caller->user_id, course_key, accounts::CourseRole::kInstructor);
    if (!instructor.ok()) return http::ErrorResponse(instructor.status(), request.request_id());
    if (!*instructor) {
      return internal::Detail(403, "You do not have permission to perform this action.");
    }
  }
  std::map<std::string, std::string> form = internal::FormMap(request);
  // AccessSerializer: every field is required.
  json missing = json::object();
  for (const char* name : {"unique_student_identifier", "rolename", "action"}) {
    if (form.find(name) == form.end()) missing[name] = json::array({"This field is required."});
  }
  if (!missing.empty()) return Response::Json(400, missing);
  const std::string& identifier = form["unique_student_identifier"];
  StatusOr<accounts::User> user = FindUser(ctx.accounts, identifier);
  if (!user.ok()) {
    if (user.status().code() != StatusCode::kNotFound) {
      return http::ErrorResponse(user.status(), request.request_id());
    }
    return Response::Json(
        200, json{{"unique_student_identifier", identifier}, {"userDoesNotExist", true}});
  }
  if (!user->is_active) {
    return Response::Json(
        200, json{{"unique_student_identifier", user->username}, {"inactiveUser", true}});
  }
  const std::string& rolename = form["rolename"];
  const std::string& action = form["action"];
  std::optional<accounts::CourseRole> role = RoleNamed(rolename);
  if (!role.has_value()) {
    return Response::Text(400, "unknown rolename '" + rolename + "'");
  }
  json reply = {
      {"unique_student_identifier", user->username}, {"rolename", rolename}, {"action", action}};
  if (rolename == "instructor" && user->id == caller->user_id && action != "allow") {
    reply["removingSelfAsInstructor"] = true;
    return Response::Json(200, reply);
  }
  Status changed;
  if (action == "allow") {
    changed = ctx.roles.Grant(user->id, course_key, *role);
  } else if (action == "revoke") {
    changed = ctx.roles.Revoke(user->id, course_key, *role);
  } else {
    return Response::Text(400, "unrecognized action u'" + action + "'");
  }
  if (!changed.ok()) return http::ErrorResponse(changed, request.request_id());
  reply["success"] = "yes";
  return Response::Json(200, reply);
}

}  // namespace

void RegisterInstructorRoutes(http::Router& router, const InstructorRoutesContext& context) {
  auto ctx = std::make_shared<InstructorRoutesContext>(context);
  router.Post("/courses/{course_id:course_key}/instructor/api/modify_access",
              [ctx](Request& request) { return ModifyAccess(*ctx, request); });
}

}  // namespace larch::api
