#include "larch/api/instructor_routes.h"

#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/common/clock.h"
#include "larch/common/html.h"
#include "larch/events/event.h"
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

// submit_task: the task, or the reply when it cannot be created (one of
// the same kind already running: upstream's AlreadyRunningError, whose
// message is empty for problem tasks).
std::optional<Response> SubmitProblemTask(const InstructorRoutesContext& ctx,
                                          const Request& request, const std::string& course_key,
                                          const char* task_type, const std::string& block_key,
                                          bool only_if_higher) {
  const oauth::Principal* caller = CurrentPrincipal(request);
  StatusOr<instructor_tasks::Task> task = ctx.tasks.SubmitProblemTask(
      course_key, task_type, block_key, only_if_higher, caller ? caller->username : "");
  if (task.status().code() == StatusCode::kFailedPrecondition) return BadRequest(request, "");
  if (!task.ok()) return http::ErrorResponse(task.status(), request.request_id());
  return std::nullopt;
}

// reset_student_attempts: one learner in the request
// (enrollment.reset_student_attempts, as upstream), all learners as a task.
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
    if (!in.all_students) return Response::Text(400, "");
    // submit_reset_problem_attempts_for_all_students: a task over every
    // learner with state for the block.
    if (in.tree->Find(*block_key) < 0) return Response::Text(400, *block_key + " not found");
    if (auto refused = SubmitProblemTask(
            ctx, request, course_key, instructor_tasks::kResetProblemAttempts, *block_key, false)) {
      return std::move(*refused);
    }
    return Response::Json(200, json{{"problem_to_reset", in.problem_to_reset},
                                    {"task", "created"},
                                    {"student", "All Students"}});
  }
  Status reset = ctx.problems.ResetStudentAttempts(*in.tree, in.tree->Find(*block_key),
                                                   in.student->id, delete_module);
  if (reset.code() == StatusCode::kNotFound) return Response::Text(400, "Module does not exist.");
  if (!reset.ok()) return http::ErrorResponse(reset, request.request_id());
  return Response::Json(
      200, json{{"problem_to_reset", in.problem_to_reset}, {"student", in.student_identifier}});
}

// rescore_problem. For one learner upstream submits a background task and
// answers "created" at once; Larch grades in the request (one problem, one
// learner) and answers the same body, or 400 with the reason it could not.
// For all learners it is a task, as upstream.
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
  if (!in.student) {
    // submit_rescore_problem_for_all_students (check_arguments_for_rescoring first).
    int index = in.tree->Find(*block_key);
    if (index < 0) return Response::Text(400, *block_key + " not found");
    const courses::CatalogBlock& block = in.tree->blocks[static_cast<size_t>(index)];
    if (block.type != "problem") {
      return Response::Text(400, "Specified module " + *block_key + " of type " + block.type +
                                     " does not support rescoring.");
    }
    if (auto refused = SubmitProblemTask(ctx, request, course_key,
                                         only_if_higher ? instructor_tasks::kRescoreProblemIfHigher
                                                        : instructor_tasks::kRescoreProblem,
                                         *block_key, only_if_higher)) {
      return std::move(*refused);
    }
    return Response::Json(200,
                          json{{"problem_to_reset", in.problem_to_reset}, {"task", "created"}});
  }
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

// --- Instructor tasks and reports (instructor_task/views.py, api.py). ---

json OutputOf(const instructor_tasks::Task& task) {
  if (!task.task_output) return json();
  json parsed = json::parse(*task.task_output, nullptr, false);
  return parsed.is_discarded() ? json() : parsed;
}

int64_t Count(const json& output, const char* name) {
  auto it = output.find(name);
  return it != output.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

// get_task_completion_info: (succeeded, message) for problem tasks over all
// learners and for reports ("Status: ...").
std::pair<bool, std::string> CompletionInfo(const instructor_tasks::Task& task) {
  const std::string& state = task.task_state;
  if (state != instructor_tasks::kSuccess && state != instructor_tasks::kFailure &&
      state != instructor_tasks::kProgress) {
    return {false, "No status information available"};
  }
  json output = OutputOf(task);
  if (!output.is_object()) return {false, "No status information available"};
  if (state == instructor_tasks::kFailure) {
    return {false, output.value("message", std::string("No message provided"))};
  }
  if (!output.contains("action_name") || !output.contains("attempted") ||
      !output.contains("total")) {
    return {false, "No progress status information available"};
  }
  std::string action = output.value("action_name", "");
  int64_t attempted = Count(output, "attempted");
  int64_t total = Count(output, "total");
  int64_t succeeded = Count(output, "updated") + Count(output, "succeeded");
  int64_t skipped = Count(output, "skipped");
  json input = json::parse(task.task_input, nullptr, false);
  bool problem = input.is_object() && input.contains("problem_url");
  bool ok = false;
  std::string message;
  auto n = [](int64_t v) { return std::to_string(v); };
  if (state == instructor_tasks::kProgress) {
    message = "Progress: " + action + " " + n(succeeded) + " of " + n(attempted) + " so far";
  } else if (problem) {
    if (attempted == 0) {
      message = "Unable to find any students with submissions to be " + action;
    } else if (succeeded == 0) {
      message = "Problem failed to be " + action + " for any of " + n(attempted) + " students";
    } else if (succeeded == attempted) {
      ok = true;
      message = "Problem successfully " + action + " for " + n(attempted) + " students";
    } else {
      message = "Problem " + action + " for " + n(succeeded) + " of " + n(attempted) + " students";
    }
  } else {
    message = "Status: " + action + " " + n(succeeded) + " of " + n(attempted);
  }
  if (skipped > 0) message += " (skipping " + n(skipped) + ")";
  if (attempted != total) message += " (out of " + n(total) + ")";
  return {ok, message};
}

// extract_task_features.
json TaskFeatures(const instructor_tasks::Task& task) {
  json output = OutputOf(task);
  json duration = "unknown";
  if (output.is_object() && output.contains("duration_ms") && output["duration_ms"].is_number()) {
    duration = static_cast<int64_t>(output["duration_ms"].get<double>() / 1000.0);
  }
  auto [succeeded, message] = CompletionInfo(task);
  return json{{"task_type", task.task_type},   {"task_input", task.task_input},
              {"task_id", task.task_id},       {"requester", task.requester},
              {"task_state", task.task_state}, {"created", events::FormatEventTime(task.created)},
              {"duration_sec", duration},      {"status", succeeded ? "Complete" : "Incomplete"},
              {"task_message", message}};
}

// The course (404 as the other course views) and the caller's course staff
// standing, or the reply refusing them.
std::optional<Response> RequireStaffOf(const InstructorRoutesContext& ctx, const Request& request,
                                       const std::string& course_key) {
  auto tree = ctx.catalog.GetTree(course_key);
  if (!tree.ok()) return http::ErrorResponse(tree.status(), request.request_id());
  bool instructor = false;
  return RequireCourseStaff(ctx, request, CurrentPrincipal(request), course_key, instructor);
}

Response NoCache(Response response) {
  response.SetHeader("Cache-Control", "no-cache, no-store, must-revalidate");
  return response;
}

// list_instructor_tasks (SHOW_TASKS): running tasks, or the history of a
// problem's tasks (all learners, or one).
Response ListInstructorTasks(const InstructorRoutesContext& ctx, Request& request) {
  std::string course_key(request.PathParam("course_id"));
  if (auto refused = RequireStaffOf(ctx, request, course_key)) return std::move(*refused);
  std::map<std::string, std::string> form = internal::FormMap(request);
  if (request.method() == "GET") {
    form.clear();
    for (const char* name : {"problem_location_str", "unique_student_identifier"}) {
      if (auto value = request.Query(name)) form[name] = *value;
    }
  }
  std::string problem =
      Trim(form.count("problem_location_str") ? form["problem_location_str"] : "");
  std::optional<int64_t> user_id;
  if (auto it = form.find("unique_student_identifier"); it != form.end()) {
    StatusOr<accounts::User> user = FindUser(ctx.accounts, it->second);
    if (!user.ok()) {
      if (user.status().code() != StatusCode::kNotFound) {
        return http::ErrorResponse(user.status(), request.request_id());
      }
      return BadRequest(request, "User does not exist.");
    }
    user_id = user->id;
  }
  if (user_id && problem.empty()) {
    return Response::Text(400, "unique_student_identifier must accompany problem_location_str");
  }
  std::optional<std::string> key;
  if (!problem.empty()) {
    key = ProblemKeyIn(course_key, problem);
    if (!key) return Response::Text(400, "");
  }
  StatusOr<std::vector<instructor_tasks::Task>> tasks =
      key ? ctx.tasks.ListForProblem(course_key, *key, user_id) : ctx.tasks.ListRunning(course_key);
  if (!tasks.ok()) return http::ErrorResponse(tasks.status(), request.request_id());
  json list = json::array();
  for (const auto& task : *tasks) list.push_back(TaskFeatures(task));
  return NoCache(Response::Json(200, json{{"tasks", list}}));
}

// instructor_task_status: {} for an unknown task (upstream answers any
// caller; Larch only the staff of the task's course, see the docs).
Response InstructorTaskStatus(const InstructorRoutesContext& ctx, Request& request) {
  const oauth::Principal* caller = CurrentPrincipal(request);
  if (caller == nullptr) {
    return internal::Detail(401, "Authentication credentials were not provided.");
  }
  std::map<std::string, std::string> form = internal::FormMap(request);
  std::string task_id = request.Query("task_id").value_or(form["task_id"]);
  StatusOr<std::optional<instructor_tasks::Task>> found = ctx.tasks.Find(task_id);
  if (!found.ok()) return http::ErrorResponse(found.status(), request.request_id());
  if (!found->has_value()) return Response::Json(200, json::object());
  const instructor_tasks::Task& task = **found;
  bool instructor = false;
  if (RequireCourseStaff(ctx, request, caller, task.course_key, instructor)) {
    return Response::Json(200, json::object());
  }
  json status = {{"task_id", task.task_id},
                 {"task_state", task.task_state},
                 {"in_progress", !instructor_tasks::IsReady(task.task_state)}};
  if (task.task_output) status["task_progress"] = OutputOf(task);
  if (task.task_state != instructor_tasks::kQueued) {
    auto [succeeded, message] = CompletionInfo(task);
    status["message"] = message;
    status["succeeded"] = succeeded;
  }
  return Response::Json(200, status);
}

// calculate_grades_csv and get_students_features/csv (CAN_RESEARCH).
Response SubmitReport(const InstructorRoutesContext& ctx, Request& request, const char* type,
                      const std::string& report_type) {
  std::string course_key(request.PathParam("course_id"));
  if (auto refused = RequireStaffOf(ctx, request, course_key)) return std::move(*refused);
  StatusOr<instructor_tasks::Task> task =
      ctx.tasks.SubmitReport(course_key, type, CurrentPrincipal(request)->username);
  if (task.status().code() == StatusCode::kFailedPrecondition) {
    return BadRequest(request, "The " + report_type +
                                   " report is being created. To view the status of the report, "
                                   "see Pending Tasks below. You will be able to download the "
                                   "report when it is complete.");
  }
  if (!task.ok()) return http::ErrorResponse(task.status(), request.request_id());
  return NoCache(Response::Json(
      200, json{{"status", "The " + report_type +
                               " report is being created. To view the status of the report, see "
                               "Pending Tasks below."}}));
}

std::string ReportUrl(const std::string& course_key, const instructor_tasks::Report& report) {
  return "/courses/" + course_key + "/instructor/reports/" + std::to_string(report.id) + "/" +
         report.name;
}

// list_report_downloads (CAN_RESEARCH): newest first.
Response ListReportDownloads(const InstructorRoutesContext& ctx, Request& request) {
  std::string course_key(request.PathParam("course_id"));
  if (auto refused = RequireStaffOf(ctx, request, course_key)) return std::move(*refused);
  std::map<std::string, std::string> form = internal::FormMap(request);
  auto name = form.find("report_name");
  StatusOr<std::vector<instructor_tasks::Report>> reports = ctx.tasks.ListReports(course_key);
  if (!reports.ok()) return http::ErrorResponse(reports.status(), request.request_id());
  json downloads = json::array();
  for (const auto& report : *reports) {
    if (name != form.end() && name->second != report.name) continue;
    std::string url = ReportUrl(course_key, report);
    downloads.push_back(
        json{{"url", url},
             {"name", report.name},
             {"link", "<a href=\"" + url + "\">" + HtmlEscaped(report.name) + "</a>"}});
  }
  return NoCache(Response::Json(200, json{{"downloads", downloads}}));
}

// The report's CSV for the course's staff: anonymous 401, others 403, an
// unknown report (or one of another course) 404.
Response DownloadReport(const InstructorRoutesContext& ctx, Request& request) {
  std::string course_key(request.PathParam("course_id"));
  if (CurrentPrincipal(request) == nullptr) {
    return internal::Detail(401, "Authentication credentials were not provided.");
  }
  if (auto refused = RequireStaffOf(ctx, request, course_key)) return std::move(*refused);
  int64_t id = 0;
  std::string_view id_text = request.PathParam("report_id");
  auto parsed = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  std::optional<instructor_tasks::Report> report;
  if (parsed.ec == std::errc() && parsed.ptr == id_text.data() + id_text.size()) {
    StatusOr<std::optional<instructor_tasks::Report>> found = ctx.tasks.GetReport(course_key, id);
    if (!found.ok()) return http::ErrorResponse(found.status(), request.request_id());
    report = std::move(*found);
  }
  if (!report || report->name != request.PathParam("name")) {
    return internal::Detail(404, "Not found.");
  }
  Response response = Response::Text(200, std::move(report->content));
  response.SetHeader("Content-Type", "text/csv; charset=utf-8");
  response.SetHeader("Content-Disposition", "attachment; filename=\"" + report->name + "\"");
  return NoCache(std::move(response));
}

// get_student_progress_url (ENROLLMENT_REPORT): the learning app's progress
// tab for the learner.
Response GetStudentProgressUrl(const InstructorRoutesContext& ctx, Request& request) {
  std::string course_key(request.PathParam("course_id"));
  if (auto refused = RequireStaffOf(ctx, request, course_key)) return std::move(*refused);
  std::map<std::string, std::string> form = internal::FormMap(request);
  auto identifier = form.find("unique_student_identifier");
  if (identifier == form.end()) {
    return Response::Json(400,
                          json{{"error", "Missing required query parameter(s)"},
                               {"parameters", json::array({"unique_student_identifier"})},
                               {"info",
                                {{"unique_student_identifier",
                                  "email or username of student for whom to get progress url"}}}});
  }
  StatusOr<accounts::User> user = FindUser(ctx.accounts, identifier->second);
  if (!user.ok()) {
    if (user.status().code() != StatusCode::kNotFound) {
      return http::ErrorResponse(user.status(), request.request_id());
    }
    return BadRequest(request, "User does not exist.");
  }
  return NoCache(
      Response::Json(200, json{{"course_id", course_key},
                               {"progress_url", "/learning/course/" + course_key + "/progress/" +
                                                    std::to_string(user->id) + "/"}}));
}

void RegisterTaskViews(http::Router& router, const std::shared_ptr<InstructorRoutesContext>& ctx) {
  const std::string base = "/courses/{course_id:course_key}/instructor/api/";
  router.Post(base + "list_instructor_tasks",
              [ctx](Request& request) { return ListInstructorTasks(*ctx, request); });
  router.Get(base + "v0/tasks",
             [ctx](Request& request) { return ListInstructorTasks(*ctx, request); });
  auto status = [ctx](Request& request) { return InstructorTaskStatus(*ctx, request); };
  router.Get("/instructor_task_status/", status);
  router.Post("/instructor_task_status/", status);
  router.Post(base + "calculate_grades_csv", [ctx](Request& request) {
    return SubmitReport(*ctx, request, instructor_tasks::kGradeCourse, "grade");
  });
  router.Post(base + "get_students_features/csv", [ctx](Request& request) {
    return SubmitReport(*ctx, request, instructor_tasks::kProfileInfoCsv,
                        "enrolled learner profile");
  });
  router.Post(base + "list_report_downloads",
              [ctx](Request& request) { return ListReportDownloads(*ctx, request); });
  router.Get("/courses/{course_id:course_key}/instructor/reports/{report_id}/{name}",
             [ctx](Request& request) { return DownloadReport(*ctx, request); });
  router.Post(base + "get_student_progress_url",
              [ctx](Request& request) { return GetStudentProgressUrl(*ctx, request); });
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
  RegisterTaskViews(router, ctx);
}

}  // namespace larch::api
