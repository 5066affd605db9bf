// The edx-proctoring endpoints for timed exams (api/special_exam_routes.h).
#include "larch/api/special_exam_routes.h"

#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/common/clock.h"
#include "larch/http/error_mapping.h"
#include "larch/keys/keys.h"
#include "special_exam_bodies.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;
using special_exams::Allowance;
using special_exams::Attempt;
using special_exams::Exam;

constexpr char kStaffOnly[] = "Must be a Staff User to Perform this request.";

// A DateTimeField(format=None) as DRF's encoder writes it: ISO 8601 with
// milliseconds when there are any, "Z" for UTC.
json DrfTime(const std::optional<int64_t>& micros) {
  if (!micros.has_value()) return nullptr;
  std::string text = FormatIso8601(*micros);
  size_t dot = text.find('.');
  if (dot != std::string::npos && text.size() > dot + 4) text = text.substr(0, dot + 4) + "Z";
  return text;
}

// edx_proctoring.utils.humanized_time.
std::string HumanizedTime(int64_t minutes) {
  int64_t hours = minutes / 60;
  int64_t rest = minutes % 60;
  std::string out;
  if (hours == 1) out = "1 hour";
  if (hours >= 2) out = std::to_string(hours) + " hours";
  if (rest == 0) {
    if (hours == 0) out = "0 minutes";
  } else {
    out += (hours > 0 ? " and " : "") + std::to_string(rest) + (rest == 1 ? " minute" : " minutes");
  }
  return out;
}

std::string AccessibilityTime(int64_t seconds) {
  if (seconds < 60) return "you have less than a minute remaining";
  int64_t minutes = (seconds + 30) / 60;
  return "you have " + HumanizedTime(minutes) + " remaining";
}

// ProctoredExamSerializer.
json ExamJson(const Exam& e) {
  return json{{"id", e.id},
              {"course_id", e.course_key},
              {"content_id", e.content_id},
              {"external_id", e.external_id ? json(*e.external_id) : json(nullptr)},
              {"exam_name", e.exam_name},
              {"time_limit_mins", e.time_limit_mins},
              {"is_proctored", e.is_proctored},
              {"is_practice_exam", e.is_practice_exam},
              {"is_active", e.is_active},
              {"due_date", DrfTime(e.due_date)},
              {"hide_after_due", e.hide_after_due},
              {"backend", e.backend ? json(*e.backend) : json(nullptr)}};
}

// get_exam_type: timed, practice or proctored.
std::pair<std::string, std::string> ExamType(const Exam& e) {
  if (!e.is_proctored && !e.is_practice_exam) return {"timed", "a timed exam"};
  if (e.is_proctored && e.is_practice_exam) return {"practice", "a practice exam"};
  return {"proctored", "a proctored exam"};
}

Response Error(const Request& request, const Status& status) {
  switch (status.code()) {
    case StatusCode::kPermissionDenied:
      return internal::Detail(403, status.message());
    case StatusCode::kNotFound:
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
      return internal::Detail(400, status.message());
    default:
      return http::ErrorResponse(status, request.request_id());
  }
}

Response Unauthenticated() {
  return internal::Detail(401, "Authentication credentials were not provided.");
}

class SpecialExamRoutes {
 public:
  explicit SpecialExamRoutes(SpecialExamRoutesContext& ctx) : ctx_(ctx) {}

  // ProctoredExamAttemptView.get.
  Response ExamAttempt(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return Unauthenticated();
    StatusOr<int64_t> user_id = SubjectUser(*caller, request.Query("user_id"));
    if (!user_id.ok()) return Error(request, user_id.status());
    bool mfe = IsLearningMfe(request);
    StatusOr<json> active = ActiveAttemptData(request, *user_id, mfe);
    if (!active.ok()) return Error(request, active.status());
    std::optional<std::string> content_id = request.Query("content_id");
    json exam = json::object();
    if (content_id.has_value() && !content_id->empty()) {
      StatusOr<json> found = ExamWithAttempt(request, std::string(request.PathParam("course_id")),
                                             *content_id, *user_id, mfe);
      if (!found.ok()) return Error(request, found.status());
      exam = std::move(*found);
    }
    return Response::Json(200, {{"exam", exam}, {"active_attempt", *active}});
  }

  // StudentProctoredExamAttemptCollection.get.
  Response ActiveStatus(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return Unauthenticated();
    StatusOr<json> active = ActiveAttemptData(request, caller->user_id, false);
    if (!active.ok()) return Error(request, active.status());
    if (active->empty())
      return Response::Json(200, {{"in_timed_exam", false}, {"is_proctored", false}});
    return Response::Json(200, *active);
  }

  // ProctoredExamActiveAttemptView.get.
  Response ActiveAttempt(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return Unauthenticated();
    StatusOr<int64_t> user_id = SubjectUser(*caller, request.Query("user_id"));
    if (!user_id.ok()) return Error(request, user_id.status());
    StatusOr<json> active = ActiveAttemptData(request, *user_id, true);
    if (!active.ok()) return Error(request, active.status());
    return Response::Json(200, *active);
  }

  // StudentProctoredExamAttemptCollection.post.
  Response Create(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return Unauthenticated();
    StatusOr<internal::CreateAttemptBody> body =
        internal::ParseCreateAttemptBody(internal::FormMap(request));
    if (!body.ok()) return Error(request, body.status());
    StatusOr<Exam> exam = ctx_.exams.GetExam(body->exam_id);
    if (!exam.ok()) return Error(request, exam.status());
    StatusOr<bool> allowed = MayTake(*caller, exam->course_key);
    if (!allowed.ok()) return Error(request, allowed.status());
    if (!*allowed) {
      return internal::Detail(403, "You do not have permission to perform this action.");
    }
    StatusOr<int64_t> id = ctx_.exams.CreateAttempt(exam->id, caller->user_id, body->start_clock);
    if (!id.ok()) return Error(request, id.status());
    return Response::Json(200, {{"exam_attempt_id", *id}});
  }

  // StudentProctoredExamAttempt.get.
  Response GetAttempt(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return Unauthenticated();
    StatusOr<int64_t> id = internal::ParseId(request.PathParam("attempt_id"), "attempt_id");
    if (!id.ok()) return Error(request, id.status());
    StatusOr<Attempt> attempt = ctx_.exams.GetAttempt(*id);
    if (!attempt.ok()) return Error(request, attempt.status());
    if (attempt->user_id != caller->user_id) {
      return internal::Detail(403, "user_id=" + std::to_string(caller->user_id) +
                                       " attempted to get attempt_id=" + std::to_string(*id) +
                                       " but does not have authorization.");
    }
    StatusOr<Exam> exam = ctx_.exams.GetExam(attempt->exam_id);
    if (!exam.ok()) return Error(request, exam.status());
    int64_t remaining = attempt->SecondsRemaining(ctx_.clock.NowMicros());
    json out = AttemptJson(*attempt, *exam, UserJson(attempt->user_id));
    out["time_remaining_seconds"] = remaining;
    out["accessibility_time_string"] = AccessibilityTime(remaining);
    return Response::Json(200, out);
  }

  // StudentProctoredExamAttempt.put.
  Response UpdateAttempt(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return Unauthenticated();
    StatusOr<int64_t> id = internal::ParseId(request.PathParam("attempt_id"), "attempt_id");
    if (!id.ok()) return Error(request, id.status());
    std::map<std::string, std::string> form = internal::FormMap(request);
    StatusOr<internal::AttemptActionBody> body = internal::ParseAttemptActionBody(form);
    if (!body.ok()) return Error(request, body.status());
    // Only staff marking a proctored attempt ready to resume may act for
    // another learner upstream; Larch runs no proctored attempts.
    if (body->user_id.has_value()) {
      return internal::Detail(403, "user_id=" + std::to_string(caller->user_id) +
                                       " attempted to update attempt_id=" + std::to_string(*id) +
                                       " but does not have access to it. (action=" + body->action +
                                       ")");
    }
    StatusOr<int64_t> done = ctx_.exams.ApplyAction(*id, caller->user_id, body->action);
    if (!done.ok()) return Error(request, done.status());
    return Response::Json(200, {{"exam_attempt_id", *done}});
  }

  // ActiveExamsForUserView.get.
  Response ActiveExams(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return Unauthenticated();
    StatusOr<int64_t> user_id = SubjectUser(*caller, request.Query("user_id"));
    if (!user_id.ok()) return Error(request, user_id.status());
    std::optional<std::string> course = request.Query("course_id");
    if (course.has_value() && course->empty()) course.reset();
    auto active = ctx_.exams.ActiveAttempts(*user_id, course);
    if (!active.ok()) return Error(request, active.status());
    json out = json::array();
    json user = UserJson(*user_id);
    for (const special_exams::ExamAttempt& item : *active) {
      json allowances = json::array();
      for (const Allowance& a : item.allowances) allowances.push_back(AllowanceJson(a, item.exam));
      out.push_back({{"exam", ExamJson(item.exam)},
                     {"attempt", AttemptJson(item.attempt, item.exam, user)},
                     {"allowances", allowances}});
    }
    return Response::Json(200, out);
  }

  // ExamAllowanceView.get.
  Response ListAllowances(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return Unauthenticated();
    std::string course_key(request.PathParam("course_id"));
    if (!IsCourseStaff(*caller, course_key)) return internal::Detail(403, kStaffOnly);
    auto allowances = ctx_.exams.CourseAllowances(course_key);
    if (!allowances.ok()) return Error(request, allowances.status());
    json out = json::array();
    std::map<int64_t, Exam> exams;
    for (const Allowance& a : *allowances) {
      if (!exams.contains(a.exam_id)) {
        StatusOr<Exam> exam = ctx_.exams.GetExam(a.exam_id);
        if (!exam.ok()) return Error(request, exam.status());
        exams.emplace(a.exam_id, *exam);
      }
      out.push_back(AllowanceJson(a, exams.at(a.exam_id)));
    }
    return Response::Json(200, out);
  }

  // ExamAllowanceView.put and .delete.
  Response ChangeAllowance(Request& request, bool remove) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return Unauthenticated();
    StatusOr<internal::AllowanceBody> body =
        internal::ParseAllowanceBody(internal::FormMap(request), remove);
    if (!body.ok()) {
      // require_course_or_global_staff runs before the view reads the body.
      if (!caller->is_staff && !caller->is_superuser) return internal::Detail(403, kStaffOnly);
      return Error(request, body.status());
    }
    StatusOr<Exam> exam = ctx_.exams.GetExam(body->exam_id);
    if (!exam.ok()) {
      if (!caller->is_staff && !caller->is_superuser) return internal::Detail(403, kStaffOnly);
      return Error(request, exam.status());
    }
    if (!IsCourseStaff(*caller, exam->course_key)) return internal::Detail(403, kStaffOnly);
    StatusOr<int64_t> user_id =
        remove ? StatusOr<int64_t>(body->user_id) : FindUser(body->user_info);
    if (!user_id.ok()) return Error(request, user_id.status());
    Status changed = remove ? ctx_.exams.RemoveAllowance(exam->id, *user_id, body->key)
                            : ctx_.exams.AddAllowance(exam->id, *user_id, body->key, body->value);
    if (!changed.ok()) return Error(request, changed);
    // The views answer Response(None): an empty body.
    Response response = Response::Text(200, "");
    response.SetHeader("Content-Type", "application/json");
    return response;
  }

 private:
  static bool IsLearningMfe(const Request& request) {
    std::optional<std::string> value = request.Query("is_learning_mfe");
    return value.has_value() && (*value == "1" || *value == "true" || *value == "True");
  }

  // The learner a read is about: the caller, or `requested` for global staff.
  static StatusOr<int64_t> SubjectUser(const oauth::Principal& caller,
                                       const std::optional<std::string>& requested) {
    if (!requested.has_value() || requested->empty()) return caller.user_id;
    if (!caller.is_staff && !caller.is_superuser) return PermissionDeniedError(kStaffOnly);
    return internal::ParseId(*requested, "user_id");
  }

  bool IsCourseStaff(const oauth::Principal& caller, const std::string& course_key) {
    bool global_staff = caller.is_staff || caller.is_superuser;
    return global_staff || ctx_.gate.RolesFor(caller.user_id, global_staff, course_key).staff;
  }

  // Course staff, or a learner with an active enrollment.
  StatusOr<bool> MayTake(const oauth::Principal& caller, const std::string& course_key) {
    if (IsCourseStaff(caller, course_key)) return true;
    LARCH_ASSIGN_OR_RETURN(std::optional<enrollment::Enrollment> enrolled,
                           ctx_.enrollments.Get(caller.user_id, course_key));
    return enrolled.has_value() && enrolled->is_active;
  }

  // ProctoredExamStudentAllowance.add_allowance_for_user's user lookup: an
  // id, a username or an email.
  StatusOr<int64_t> FindUser(const std::string& user_info) {
    int64_t id = 0;
    auto [end, ec] = std::from_chars(user_info.data(), user_info.data() + user_info.size(), id);
    if (ec == std::errc() && end == user_info.data() + user_info.size()) {
      StatusOr<accounts::User> user = ctx_.accounts.GetUserById(id);
      if (user.ok()) return user->id;
    }
    StatusOr<accounts::User> user = ctx_.accounts.GetUserByUsername(user_info);
    if (!user.ok()) user = ctx_.accounts.GetUserByEmail(user_info);
    if (!user.ok()) {
      if (user.status().code() != StatusCode::kNotFound) return user.status();
      return InvalidArgumentError("Cannot find user against " + user_info);
    }
    return user->id;
  }

  // UserSerializer: {"id", "username", "email"}.
  json UserJson(int64_t user_id) {
    StatusOr<accounts::User> user = ctx_.accounts.GetUserById(user_id);
    if (!user.ok()) return {{"id", user_id}, {"username", ""}, {"email", ""}};
    return {{"id", user->id}, {"username", user->username}, {"email", user->email}};
  }

  // ProctoredExamStudentAttemptSerializer.
  static json AttemptJson(const Attempt& a, const Exam& exam, const json& user) {
    return json{{"id", a.id},
                {"created", DrfTime(a.created)},
                {"modified", DrfTime(a.modified)},
                {"user", user},
                {"started_at", DrfTime(a.started_at)},
                {"completed_at", DrfTime(a.completed_at)},
                {"external_id", a.external_id ? json(*a.external_id) : json(nullptr)},
                {"status", a.status},
                {"proctored_exam", ExamJson(exam)},
                {"allowed_time_limit_mins",
                 a.allowed_time_limit_mins ? json(*a.allowed_time_limit_mins) : json(nullptr)},
                {"attempt_code", a.attempt_code},
                {"is_sample_attempt", a.is_sample_attempt},
                {"taking_as_proctored", a.taking_as_proctored},
                {"review_policy_id", nullptr},
                {"is_status_acknowledged", a.is_status_acknowledged},
                {"time_remaining_seconds",
                 a.time_remaining_seconds ? json(*a.time_remaining_seconds) : json(nullptr)},
                {"is_resumable", false},
                {"ready_to_resume", false},
                {"resumed", false}};
  }

  json AllowanceJson(const Allowance& a, const Exam& exam) {
    return json{{"id", a.id},
                {"created", DrfTime(a.created)},
                {"modified", DrfTime(a.modified)},
                {"user", UserJson(a.user_id)},
                {"key", a.key},
                {"value", a.value},
                {"proctored_exam", ExamJson(exam)}};
  }

  // get_exam_attempt_data.
  StatusOr<json> AttemptData(const Request& request, const Exam& exam, const Attempt& attempt,
                             bool mfe) {
    int64_t remaining = attempt.SecondsRemaining(ctx_.clock.NowMicros());
    int64_t allowed = attempt.allowed_time_limit_mins.value_or(0);
    if (allowed == 0) {
      LARCH_ASSIGN_OR_RETURN(allowed, ctx_.exams.AllowedMinutes(exam, attempt.user_id));
    }
    int64_t limit = attempt.allowed_time_limit_mins.value_or(0);
    std::string url = mfe ? internal::AbsoluteBaseUrl(request, ctx_.settings) +
                                "/learning/course/" + exam.course_key + "/" + exam.content_id
                          : "/courses/" + exam.course_key + "/jump_to/" + exam.content_id;
    return json{{"in_timed_exam", true},
                {"taking_as_proctored", attempt.taking_as_proctored},
                {"exam_type", ExamType(exam).second},
                {"exam_display_name", exam.exam_name},
                {"exam_url_path", url},
                {"time_remaining_seconds", remaining},
                {"total_time", HumanizedTime(allowed)},
                {"low_threshold_sec", static_cast<int64_t>(0.2 * static_cast<double>(limit) * 60)},
                {"critically_low_threshold_sec",
                 static_cast<int64_t>(0.05 * static_cast<double>(limit) * 60)},
                {"course_id", exam.course_key},
                {"attempt_id", attempt.id},
                {"external_id", attempt.external_id ? json(*attempt.external_id) : json(nullptr)},
                {"accessibility_time_string",
                 "you have " + HumanizedTime((remaining + 30) / 60) + " remaining"},
                {"attempt_status", attempt.status},
                {"exam_started_poll_url",
                 "/api/edx_proctoring/v1/proctored_exam/attempt/" + std::to_string(attempt.id)},
                {"attempt_ready_to_resume", false},
                {"use_legacy_attempt_api", true},
                {"desktop_application_js_url", ""}};
  }

  // The first active attempt's data, {} when there is none.
  StatusOr<json> ActiveAttemptData(const Request& request, int64_t user_id, bool mfe) {
    LARCH_ASSIGN_OR_RETURN(auto active, ctx_.exams.ActiveAttempts(user_id, std::nullopt));
    if (active.empty()) return json::object();
    return AttemptData(request, active.front().exam, active.front().attempt, mfe);
  }

  // The exam of `content_id` with the learner's attempt, {} when the course
  // or the exam does not exist.
  StatusOr<json> ExamWithAttempt(const Request& request, const std::string& course_key,
                                 const std::string& content_id, int64_t user_id, bool mfe) {
    StatusOr<std::shared_ptr<const courses::CourseTree>> tree = ctx_.catalog.GetTree(course_key);
    if (!tree.ok()) {
      if (tree.status().code() == StatusCode::kNotFound) return json::object();
      return tree.status();
    }
    LARCH_ASSIGN_OR_RETURN(std::optional<Exam> exam, ctx_.exams.ExamForContent(**tree, content_id));
    if (!exam.has_value()) return json::object();
    json out = ExamJson(*exam);
    LARCH_ASSIGN_OR_RETURN(std::optional<Attempt> attempt,
                           ctx_.exams.CurrentAttempt(exam->id, user_id));
    json attempt_data = json::object();
    if (attempt.has_value()) {
      LARCH_ASSIGN_OR_RETURN(attempt_data, AttemptData(request, *exam, *attempt, mfe));
    } else {
      LARCH_ASSIGN_OR_RETURN(int64_t minutes, ctx_.exams.AllowedMinutes(*exam, user_id));
      out["total_time"] = HumanizedTime(minutes);
    }
    out["attempt"] = attempt_data;
    out["type"] = ExamType(*exam).first;
    out["passed_due_date"] = ctx_.exams.PassedDue(*exam);
    out["use_legacy_attempt_api"] = true;
    return out;
  }

  SpecialExamRoutesContext& ctx_;
};

}  // namespace

void RegisterSpecialExamRoutes(http::Router& router, SpecialExamRoutesContext& context) {
  if (!context.settings.Feature("ENABLE_SPECIAL_EXAMS")) return;
  auto routes = std::make_shared<SpecialExamRoutes>(context);
  const std::string base = "/api/edx_proctoring/v1/proctored_exam";
  router.Get(base + "/attempt/course_id/{course_id:course_key}",
             [routes](Request& r) { return routes->ExamAttempt(r); });
  router.Get(base + "/attempt", [routes](Request& r) { return routes->ActiveStatus(r); });
  router.Post(base + "/attempt", [routes](Request& r) { return routes->Create(r); });
  router.Get(base + "/attempt/{attempt_id}",
             [routes](Request& r) { return routes->GetAttempt(r); });
  router.Put(base + "/attempt/{attempt_id}",
             [routes](Request& r) { return routes->UpdateAttempt(r); });
  router.Get(base + "/active_attempt", [routes](Request& r) { return routes->ActiveAttempt(r); });
  router.Get(base + "/active_exams_for_user",
             [routes](Request& r) { return routes->ActiveExams(r); });
  router.Get(base + "/{course_id:course_key}/allowance",
             [routes](Request& r) { return routes->ListAllowances(r); });
  router.Put(base + "/allowance",
             [routes](Request& r) { return routes->ChangeAllowance(r, false); });
  router.Delete(base + "/allowance",
                [routes](Request& r) { return routes->ChangeAllowance(r, true); });
}

}  // namespace larch::api
