#include "larch/api/instructor_routes.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/http/error_mapping.h"
#include "larch/keys/keys.h"

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

// strip_if_string.
std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n\f\v");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n\f\v");
  return std::string(text.substr(begin, end - begin + 1));
}

// _get_boolean_param.
bool BooleanParam(const std::map<std::string, std::string>& form, const char* name) {
  auto it = form.find(name);
  return it != form.end() && (it->second == "true" || it->second == "True");
}

// HttpResponseBadRequest(message), or common_exceptions_400's
// JsonResponseBadRequest (a JSON string) for clients that ask for JSON.
Response BadRequest(const Request& request, const std::string& message) {
  std::string accept(request.Header("Accept").value_or(""));
  bool json_client = request.Header("X-Requested-With").value_or("") == "XMLHttpRequest" ||
                     accept.rfind("application/json", 0) == 0;
  if (json_client) return Response::Json(400, json(message));
  return Response::Text(400, message);
}

// Course staff, instructors and global staff (require_course_permission
// with GIVE_STUDENT_EXTENSION): the caller's standing, or the 403/error
// reply.
std::optional<Response> RequireCourseStaff(const InstructorRoutesContext& ctx,
                                           const Request& request, const oauth::Principal* caller,
                                           const std::string& course_key, bool& instructor) {
  instructor = false;
  if (caller == nullptr) return Response::Text(403, "");
  if (caller->is_staff || caller->is_superuser) {
    instructor = true;
    return std::nullopt;
  }
  auto is_instructor =
      ctx.roles.HasRole(caller->user_id, course_key, accounts::CourseRole::kInstructor);
  if (!is_instructor.ok()) return http::ErrorResponse(is_instructor.status(), request.request_id());
  instructor = *is_instructor;
  if (instructor) return std::nullopt;
  auto is_staff = ctx.roles.HasRole(caller->user_id, course_key, accounts::CourseRole::kStaff);
  if (!is_staff.ok()) return http::ErrorResponse(is_staff.status(), request.request_id());
  if (!*is_staff) return Response::Text(403, "");
  return std::nullopt;
}

// What reset_student_attempts and rescore_problem both read, checked in
// upstream's order: the course, course staff, problem_to_reset, instructor
// rights for all_students, and the learner named.
struct ProblemRequest {
  std::shared_ptr<const courses::CourseTree> tree;
  std::map<std::string, std::string> form;
  bool all_students = false;
  std::string problem_to_reset;
  std::optional<accounts::User> student;
  std::string student_identifier;  // as sent
};

std::variant<Response, ProblemRequest> ReadProblemRequest(const InstructorRoutesContext& ctx,
                                                          Request& request,
                                                          const std::string& course_key) {
  ProblemRequest out;
  auto tree = ctx.catalog.GetTree(course_key);
  if (!tree.ok()) return http::ErrorResponse(tree.status(), request.request_id());
  out.tree = std::move(*tree);
  bool instructor = false;
  if (auto refused =
          RequireCourseStaff(ctx, request, CurrentPrincipal(request), course_key, instructor)) {
    return *refused;
  }
  out.form = internal::FormMap(request);
  if (out.form.find("problem_to_reset") == out.form.end()) {
    return Response::Json(400, json{{"error", "Missing required query parameter(s)"},
                                    {"parameters", json::array({"problem_to_reset"})},
                                    {"info", {{"problem_to_reset", "problem urlname to reset"}}}});
  }
  out.all_students = BooleanParam(out.form, "all_students");
  if (out.all_students && !instructor) return Response::Text(403, "Requires instructor access.");
  out.problem_to_reset = Trim(out.form["problem_to_reset"]);
  auto identifier = out.form.find("unique_student_identifier");
  if (identifier != out.form.end()) {
    out.student_identifier = identifier->second;
    StatusOr<accounts::User> found = FindUser(ctx.accounts, Trim(identifier->second));
    if (!found.ok()) {
      if (found.status().code() != StatusCode::kNotFound) {
        return http::ErrorResponse(found.status(), request.request_id());
      }
      return BadRequest(request, "User does not exist.");
    }
    out.student = std::move(*found);
  }
  return out;
}

// The problem's usage key in `course_key`, or nullopt when either key does
// not parse or names a library block.
std::optional<std::string> ProblemKeyIn(const std::string& course_key, const std::string& problem) {
  StatusOr<keys::UsageKey> usage_key = keys::UsageKey::Parse(problem);
  StatusOr<keys::CourseKey> course = keys::CourseKey::Parse(course_key);
  if (!usage_key.ok() || usage_key->in_library() || !course.ok()) return std::nullopt;
  return usage_key->MapIntoCourse(*course).ToString();
}

// reset_student_attempts for one learner (enrollment.reset_student_attempts
// runs in the request, as upstream; the whole-course form is a task there
// and not served here).
Response ResetStudentAttempts(const InstructorRoutesContext& ctx, Request& request) {
  std::string course_key(request.PathParam("course_id"));
  std::variant<Response, ProblemRequest> read = ReadProblemRequest(ctx, request, course_key);
  if (Response* refused = std::get_if<Response>(&read)) return std::move(*refused);
  ProblemRequest& in = std::get<ProblemRequest>(read);
  bool delete_module = BooleanParam(in.form, "delete_module");
  if (in.all_students && in.student) {
    return Response::Text(400,
                          "all_students and unique_student_identifier are mutually exclusive.");
  }
  if (in.all_students && delete_module) {
    return Response::Text(400, "all_students and delete_module are mutually exclusive.");
  }
  std::optional<std::string> block_key = ProblemKeyIn(course_key, in.problem_to_reset);
  if (!block_key) return Response::Text(400, "");
  if (!in.student) {
    if (in.all_students) {
      return Response::Text(400, "Resetting the attempts of all learners is not supported yet.");
    }
    return Response::Text(400, "");
  }
  Status reset = ctx.problems.ResetStudentAttempts(*in.tree, in.tree->Find(*block_key),
                                                   in.student->id, delete_module);
  if (reset.code() == StatusCode::kNotFound) return Response::Text(400, "Module does not exist.");
  if (!reset.ok()) return http::ErrorResponse(reset, request.request_id());
  return Response::Json(
      200, json{{"problem_to_reset", in.problem_to_reset}, {"student", in.student_identifier}});
}

// rescore_problem for one learner. Upstream submits a background task and
// answers "created" at once; Larch grades in the request (one problem, one
// learner) and answers the same body, or 400 with the reason it could not.
Response RescoreProblem(const InstructorRoutesContext& ctx, Request& request) {
  std::string course_key(request.PathParam("course_id"));
  std::variant<Response, ProblemRequest> read = ReadProblemRequest(ctx, request, course_key);
  if (Response* refused = std::get_if<Response>(&read)) return std::move(*refused);
  ProblemRequest& in = std::get<ProblemRequest>(read);
  bool only_if_higher = BooleanParam(in.form, "only_if_higher");
  if (in.problem_to_reset.empty() || (!in.all_students && !in.student)) {
    return Response::Text(400, "Missing query parameters.");
  }
  if (in.all_students && in.student) {
    return Response::Text(400, "Cannot rescore with all_students and unique_student_identifier.");
  }
  std::optional<std::string> block_key = ProblemKeyIn(course_key, in.problem_to_reset);
  if (!block_key) return Response::Text(400, "Unable to parse problem id");
  if (!in.student) return Response::Text(400, "Rescoring all learners is not supported yet.");
  StatusOr<bool> rescored = ctx.problems.RescoreProblem(*in.tree, in.tree->Find(*block_key),
                                                        in.student->id, only_if_higher);
  if (!rescored.ok()) {
    switch (rescored.status().code()) {
      case StatusCode::kNotFound:
        return Response::Text(400, *block_key + " not found");
      case StatusCode::kUnimplemented:
      case StatusCode::kFailedPrecondition:
        return Response::Text(400, std::string(rescored.status().message()));
      default:
        return http::ErrorResponse(rescored.status(), request.request_id());
    }
  }
  return Response::Json(200, json{{"problem_to_reset", in.problem_to_reset},
                                  {"student", in.student_identifier},
                                  {"task", "created"}});
}

}  // namespace

void RegisterInstructorRoutes(http::Router& router, const InstructorRoutesContext& context) {
  auto ctx = std::make_shared<InstructorRoutesContext>(context);
  router.Post("/courses/{course_id:course_key}/instructor/api/modify_access",
              [ctx](Request& request) { return ModifyAccess(*ctx, request); });
  router.Post("/courses/{course_id:course_key}/instructor/api/reset_student_attempts",
              [ctx](Request& request) { return ResetStudentAttempts(*ctx, request); });
  router.Post("/courses/{course_id:course_key}/instructor/api/rescore_problem",
              [ctx](Request& request) { return RescoreProblem(*ctx, request); });
}

}  // namespace larch::api
