#include "larch/api/course_home_routes.h"

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "completion_internal.h"
#include "larch/api/account_routes.h"
#include "larch/common/clock.h"
#include "larch/http/error_mapping.h"
#include "learning_common.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

json Time(const std::optional<int64_t>& micros) {
  return micros ? json(FormatIso8601(*micros)) : json(nullptr);
}

// A Python float as DRF's FloatField writes it.
// SubsectionScoresSerializer.get_override: the override's feature and
// reason, null without one.
json SubsectionOverride(const grades::SubsectionGrade& sub) {
  if (!sub.override) return nullptr;
  const grades::GradeOverride& o = *sub.override;
  return {{"system", o.system ? json(*o.system) : json(nullptr)},
          {"reason", o.reason ? json(*o.reason) : json(nullptr)}};
}

json Float(double value) { return value; }

json GradingPolicyJson(const grades::CourseGradeReport& report) {
  json policies = json::array();
  for (const grading::AssignmentType& type : report.policy.graders) {
    policies.push_back({{"num_droppable", type.drop_count},
                        {"num_total", Float(type.min_count)},
                        {"short_label", type.short_label},
                        {"type", type.type},
                        {"weight", type.weight}});
  }
  json range = json::object();
  for (const grading::GradeCutoff& cutoff : report.policy.cutoffs) {
    range[cutoff.letter] = cutoff.cutoff;
  }
  return {{"assignment_policies", policies}, {"grade_range", range}};
}

json SectionScores(const grades::CourseGradeReport& report, const std::string& base) {
  json sections = json::array();
  for (const grades::SectionGrade& section : report.sections) {
    json subsections = json::array();
    for (const grades::SubsectionGrade& sub : section.subsections) {
      json problems = json::array();
      for (const grades::ProblemScore& p : sub.problems) {
        problems.push_back({{"earned", Float(p.earned)}, {"possible", Float(p.possible)}});
      }
      subsections.push_back(
          {{"assignment_type", sub.format.empty() ? json(nullptr) : json(sub.format)},
           {"block_key", sub.usage_key},
           {"display_name", sub.display_name},
           {"due", Time(sub.due)},
           {"has_graded_assignment", sub.graded},
           {"override", SubsectionOverride(sub)},
           {"learner_has_access", true},
           {"num_points_earned", Float(sub.earned_graded)},
           {"num_points_possible", Float(sub.possible_graded)},
           {"percent_graded", Float(sub.percent_graded)},
           {"problem_scores", problems},
           {"show_correctness", sub.show_correctness},
           {"show_grades", sub.show_correctness != "never"},
           {"url", base + "/courses/" + report.course_key + "/jump_to/" + sub.usage_key}});
    }
    sections.push_back({{"display_name", section.display_name}, {"subsections", subsections}});
  }
  return sections;
}

json TypeSummary(const grades::CourseGradeReport& report) {
  json out = json::array();
  for (size_t i = 0; i < report.grade.by_type.size() && i < report.policy.graders.size(); ++i) {
    const grading::AssignmentTypeGrade& grade = report.grade.by_type[i];
    const grading::AssignmentType& type = report.policy.graders[i];
    out.push_back({{"type", type.type},
                   {"short_label", type.short_label},
                   {"weight", type.weight},
                   {"average_grade", grade.average},
                   {"weighted_grade", grade.average * type.weight},
                   {"num_droppable", type.drop_count},
                   {"num_total", type.min_count},
                   {"has_hidden_contribution", "none"},
                   {"last_grade_publish_date", nullptr}});
  }
  return out;
}

class CourseHomeRoutes {
 public:
  explicit CourseHomeRoutes(CourseHomeRoutesContext& ctx) : ctx_(ctx) {}

  Response Progress(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) {
      return internal::Detail(401, "Authentication credentials were not provided.");
    }
    std::string course_key(request.PathParam("course_key"));
    StatusOr<std::shared_ptr<const courses::CourseTree>> tree = ctx_.catalog.GetTree(course_key);
    if (!tree.ok()) return Error(request, tree.status());
    bool global_staff = caller->is_staff || caller->is_superuser;
    bool staff = ctx_.gate.RolesFor(caller->user_id, global_staff, course_key).staff;
    int64_t student_id = caller->user_id;
    std::string username = caller->username;
    std::string_view id_text = request.PathParam("student_id");
    if (!id_text.empty()) {
      char* end = nullptr;
      std::string text(id_text);
      long long parsed = std::strtoll(text.c_str(), &end, 10);
      if (end == text.c_str() || *end != '\0') return NotFound(request);
      if (parsed != caller->user_id) {
        if (!staff) return NotFound(request);
        StatusOr<accounts::User> student = ctx_.accounts.GetUserById(parsed);
        if (!student.ok()) return Error(request, student.status());
        student_id = student->id;
        username = student->username;
      }
    }
    StatusOr<std::optional<enrollment::Enrollment>> enrolled =
        ctx_.enrollments.Get(student_id, course_key);
    if (!enrolled.ok()) return Error(request, enrolled.status());
    bool active = enrolled->has_value() && (*enrolled)->is_active;
    if (!active && !staff) return Response::Json(401, json("User not enrolled."));
    StatusOr<grades::CourseGradeReport> report = ctx_.grades.Compute(student_id, course_key);
    if (!report.ok()) return Error(request, report.status());
    std::optional<double> passing = report->policy.PassingCutoff();
    bool has_passing = passing.has_value() && report->grade.percent >= *passing;
    std::string base = internal::AbsoluteBaseUrl(request, ctx_.settings);
    json summary = {{"complete_count", 0}, {"incomplete_count", 0}, {"locked_count", 0}};
    if (ctx_.completion != nullptr) {
      StatusOr<json> counted =
          internal::CompletionSummary(*ctx_.completion, ctx_.gate, **tree, student_id);
      if (!counted.ok()) return Error(request, counted.status());
      summary = std::move(*counted);
    }
    json body = {
        {"access_expiration", nullptr},
        {"certificate_data", learning::CertificateData(ctx_.certificates, ctx_.settings, student_id,
                                                       course_key, *enrolled, report->grade.passed,
                                                       SystemClock::Default()->NowMicros())},
        {"completion_summary", std::move(summary)},
        {"course_grade",
         {{"letter_grade", report->grade.letter ? json(*report->grade.letter) : json(nullptr)},
          {"percent", Float(report->grade.percent)},
          {"is_passing", report->grade.passed}}},
        {"credit_course_requirements", nullptr},
        {"end", Time(report->course_end)},
        {"enrollment_mode", enrolled->has_value() ? json((*enrolled)->mode) : json(nullptr)},
        {"grading_policy", GradingPolicyJson(*report)},
        {"has_scheduled_content", false},
        {"section_scores", SectionScores(*report, base)},
        {"studio_url", nullptr},
        {"username", username},
        {"user_has_passing_grade", has_passing},
        {"verification_data", {{"link", nullptr}, {"status", "none"}, {"status_date", nullptr}}},
        {"disable_progress_graph", false},
        {"assignment_type_grade_summary", TypeSummary(*report)},
        {"final_grades", Float(report->grade.percent)},
        {"verified_mode", nullptr}};
    return Response::Json(200, body);
  }

 private:
  static Response NotFound(const Request& request) {
    return http::ErrorResponse(NotFoundError("not found"), request.request_id());
  }
  static Response Error(const Request& request, const Status& status) {
    if (status.code() == StatusCode::kNotFound) return NotFound(request);
    return http::ErrorResponse(status, request.request_id());
  }

  CourseHomeRoutesContext& ctx_;
};

}  // namespace

void RegisterCourseHomeRoutes(http::Router& router, CourseHomeRoutesContext& context) {
  auto routes = std::make_shared<CourseHomeRoutes>(context);
  for (const char* prefix : {"/api/course_home/v1/progress/", "/api/course_home/progress/"}) {
    std::string base = std::string(prefix) + "{course_key:course_key}";
    // The router also matches each path without its trailing slash.
    router.Get(base + "/", [routes](Request& request) { return routes->Progress(request); });
    router.Get(base + "/{student_id}/",
               [routes](Request& request) { return routes->Progress(request); });
  }
}

}  // namespace larch::api
