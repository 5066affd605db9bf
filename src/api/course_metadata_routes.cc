// GET /api/courseware/course/{course_key} (courseware_api CoursewareMeta /
// CourseInfoSerializer) and GET /api/course_home/v1/course_metadata/{course}
// (course_home_api CourseHomeMetadataView / CourseHomeMetadataSerializer).
//
// Both answer a signed-in caller who is not enrolled with 200 and say so
// (enrollment.is_active false, is_enrolled, course_access with
// "enrollment_required"), as upstream: the MFE shows the enroll page from
// them. An unknown course is 404 {"detail": "Not found."}.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/api/learning_routes.h"
#include "learning_common.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using learning::CourseViewer;
using nlohmann::json;

// "%b %d, %Y" (SHORT_DATE): "Jan 01, 2020".
std::string ShortDate(int64_t micros) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string iso = FormatIso8601(micros);
  int month = std::stoi(iso.substr(5, 2));
  return std::string(kMonths[month - 1]) + " " + iso.substr(8, 2) + ", " + iso.substr(0, 4);
}

json OptionalText(const std::optional<std::string>& text) {
  return text ? json(*text) : json(nullptr);
}

class CourseMetadataRoutes {
 public:
  explicit CourseMetadataRoutes(LearningRoutesContext& ctx) : ctx_(ctx) {}

  Response Courseware(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return learning::Unauthenticated();
    StatusOr<CourseViewer> viewer =
        learning::LoadViewer(ctx_, *caller, request.PathParam("course_key"));
    if (!viewer.ok()) return learning::ErrorFor(request, viewer.status());
    const courses::CourseSummary& course = viewer->course;
    const courses::CatalogBlock& root = Root(*viewer);
    std::string base = internal::AbsoluteBaseUrl(request, ctx_.settings);
    json tabs = json::array();
    for (json tab : learning::CourseTabs(*viewer, base)) {
      tabs.push_back({{"title", tab["title"]},
                      {"slug", tab["tab_id"]},
                      {"priority", tab["priority"]},
                      {"type", tab["type"]},
                      {"url", tab["url"]}});
    }
    json access = learning::CourseAccessJson(*viewer, ctx_.clock.NowMicros());
    const bool passing = PassingGrade(*viewer);
    json body = {
        {"access_expiration", nullptr},
        {"can_show_upgrade_sock", false},
        {"content_type_gating_enabled", false},
        {"course_goals", {{"selected_goal", nullptr}, {"weekly_learning_goal_enabled", false}}},
        {"effort", OptionalText(course.effort)},
        {"end", learning::Time(course.end)},
        {"enrollment",
         {{"mode", viewer->enrollment ? json(viewer->enrollment->mode) : json(nullptr)},
          {"is_active", viewer->enrolled()}}},
        {"enrollment_start", learning::Time(course.enrollment_start)},
        {"enrollment_end", learning::Time(course.enrollment_end)},
        {"entrance_exam_data", EntranceExamData(*viewer)},
        {"id", course.course_key},
        {"language", root.fields.contains("language") ? root.fields["language"] : json(nullptr)},
        {"license",
         course.advanced.contains("license") ? course.advanced["license"] : json(nullptr)},
        {"media", Media(course, base)},
        {"name", course.display_name},
        {"number", course.number},
        {"offer", nullptr},
        {"org", course.org},
        {"related_programs", nullptr},
        {"short_description", OptionalText(course.short_description)},
        {"start", learning::Time(course.start)},
        {"start_display", course.start ? json(ShortDate(*course.start)) : json(nullptr)},
        {"start_type", course.start ? "timestamp" : "empty"},
        {"pacing", course.self_paced ? "self" : "instructor"},
        {"tabs", tabs},
        {"user_timezone", learning::UserTimezone(ctx_, caller->user_id)},
        {"verified_mode", nullptr},
        {"show_calculator", learning::SettingTrue(root, "show_calculator")},
        {"original_user_is_staff", viewer->staff},
        {"is_staff", viewer->staff},
        {"course_access", access},
        {"can_load_courseware", access},
        {"notes",
         {{"enabled", false}, {"visible", root.fields.value("edxnotes_visibility", true)}}},
        {"marketing_url", nullptr},
        {"celebrations", Celebrations()},
        {"user_has_passing_grade", passing},
        {"course_exit_page_is_active", false},
        {"certificate_data",
         learning::CertificateData(ctx_.certificates, ctx_.settings, viewer->caller->user_id,
                                   viewer->course.course_key, viewer->enrollment, passing,
                                   ctx_.clock.NowMicros())},
        {"verify_identity_url", nullptr},
        {"verification_status", "none"},
        {"linkedin_add_to_profile_url", nullptr},
        {"is_integrity_signature_enabled", false},
        {"user_needs_integrity_signature", false},
        {"learning_assistant_enabled", false},
        {"is_mfe_special_exams_enabled", SpecialExamsEnabled(*viewer)},
        {"is_mfe_proctored_exams_enabled", ProctoredExamsEnabled(*viewer)},
        {"can_access_proctored_exams", false}};
    return Response::Json(200, body);
  }

  Response CourseHome(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return learning::Unauthenticated();
    StatusOr<CourseViewer> viewer =
        learning::LoadViewer(ctx_, *caller, request.PathParam("course_key"));
    if (!viewer.ok()) return learning::ErrorFor(request, viewer.status());
    const courses::CourseSummary& course = viewer->course;
    std::string base = internal::AbsoluteBaseUrl(request, ctx_.settings);
    json tabs = json::array();
    for (json tab : learning::CourseTabs(*viewer, base)) {
      tabs.push_back({{"tab_id", tab["tab_id"]}, {"title", tab["title"]}, {"url", tab["url"]}});
    }
    json modes = json::array();
    StatusOr<std::vector<enrollment::CourseMode>> listed =
        ctx_.enrollments.ModesForCourse(course.course_key);
    if (listed.ok()) {
      for (const enrollment::CourseMode& mode : *listed) {
        modes.push_back({{"slug", mode.slug}, {"name", mode.name}});
      }
    }
    json access = learning::CourseAccessJson(*viewer, ctx_.clock.NowMicros());
    json body = {
        {"course_id", course.course_key},
        {"username", caller->username},
        // `enrollment and enrollment.is_active`: null without an enrollment.
        {"is_enrolled", viewer->enrollment ? json(viewer->enrollment->is_active) : json(nullptr)},
        {"is_self_paced", course.self_paced},
        {"is_staff", viewer->staff},
        {"original_user_is_staff", viewer->staff},
        {"number", course.number},
        {"org", course.org},
        {"start", learning::Time(course.start)},
        {"tabs", tabs},
        {"title", course.display_name},
        {"course_access", access},
        {"can_load_courseware", access},
        {"celebrations", Celebrations()},
        {"user_timezone", learning::UserTimezone(ctx_, caller->user_id)},
        {"can_view_certificate", false},
        {"course_modes", modes},
        {"has_course_author_access", viewer->staff},
        {"studio_access", viewer->staff},
        {"is_new_discussion_sidebar_view_enabled", false},
        {"is_mfe_special_exams_enabled", SpecialExamsEnabled(*viewer)},
        {"is_mfe_proctored_exams_enabled", ProctoredExamsEnabled(*viewer)},
        {"verified_mode", nullptr},
        {"course_theme_variant", nullptr}};
    return Response::Json(200, body);
  }

 private:
  // ENABLE_SPECIAL_EXAMS and a course with timed exams (its
  // enable_timed_exams / enable_proctored_exams setting, which is what makes
  // its time-limited subsections exams; special_exams.h).
  bool SpecialExamsEnabled(const CourseViewer& viewer) const {
    if (ctx_.exams == nullptr) return false;
    StatusOr<bool> has_exams = ctx_.exams->HasExams(*viewer.tree);
    return has_exams.ok() && *has_exams;
  }
  bool ProctoredExamsEnabled(const CourseViewer& viewer) const {
    return ctx_.exams != nullptr && learning::SettingTrue(Root(viewer), "enable_proctored_exams");
  }

  static const courses::CatalogBlock& Root(const CourseViewer& viewer) {
    return viewer.tree->blocks[static_cast<size_t>(viewer.tree->root)];
  }

  static json Celebrations() {
    return {{"first_section", false},
            {"streak_length_to_celebrate", nullptr},
            {"streak_discount_enabled", false},
            {"weekly_goal", false}};
  }

  static json Media(const courses::CourseSummary& course, const std::string& base) {
    json image = course.course_image ? json(base + *course.course_image) : json(nullptr);
    return {{"course_image",
             {{"uri", course.course_image ? json(*course.course_image) : json(nullptr)}}},
            {"course_video", {{"uri", nullptr}}},
            {"image", {{"raw", image}, {"small", image}, {"large", image}}}};
  }

  bool PassingGrade(const CourseViewer& viewer) {
    StatusOr<grades::CourseGradeReport> report =
        ctx_.grades.Compute(viewer.caller->user_id, viewer.course.course_key);
    if (!report.ok()) return false;
    std::optional<double> passing = report->policy.PassingCutoff();
    return passing.has_value() && report->grade.percent >= *passing;
  }

  // entrance_exam_data as courseware_api's CoursewareMeta builds it.
  json EntranceExamData(const CourseViewer& viewer) {
    const json& advanced = viewer.course.advanced;
    bool enabled = advanced.value("entrance_exam_enabled", false) == true;
    std::string exam_id = advanced.value("entrance_exam_id", "");
    double minimum = 0.5;  // ENTRANCE_EXAM_MIN_SCORE_PCT = 50
    if (auto pct = advanced.find("entrance_exam_minimum_score_pct");
        pct != advanced.end() && pct->is_number()) {
      minimum = pct->get<double>();
    }
    // An integral value is a percentage (get_entrance_exam_minimum_score_pct).
    if (minimum == static_cast<double>(static_cast<int64_t>(minimum))) minimum /= 100.0;
    double score = 0;
    bool passed = true;
    if (enabled && !exam_id.empty()) {
      passed =
          viewer.staff || viewer.access.milestones != content_gate::MilestoneGate::kEntranceExam;
      StatusOr<grades::CourseGradeReport> report =
          ctx_.grades.Compute(viewer.caller->user_id, viewer.course.course_key);
      if (report.ok()) {
        double earned = 0, possible = 0;
        for (const grades::SectionGrade& section : report->sections) {
          if (section.usage_key != exam_id) continue;
          for (const grades::SubsectionGrade& sub : section.subsections) {
            earned += sub.earned_all;
            possible += sub.possible_all;
          }
        }
        score = possible > 0 ? earned / possible : 0;
      }
    }
    return {{"entrance_exam_current_score", score},
            {"entrance_exam_enabled", enabled},
            {"entrance_exam_id", exam_id},
            {"entrance_exam_minimum_score_pct", minimum},
            {"entrance_exam_passed", passed}};
  }

  LearningRoutesContext& ctx_;
};

}  // namespace

void RegisterCourseMetadataRoutes(http::Router& router, LearningRoutesContext& context) {
  auto routes = std::make_shared<CourseMetadataRoutes>(context);
  // The router also matches each path without its trailing slash.
  router.Get("/api/courseware/course/{course_key:course_key}/",
             [routes](Request& request) { return routes->Courseware(request); });
  for (const char* prefix :
       {"/api/course_home/v1/course_metadata/", "/api/course_home/course_metadata/"}) {
    router.Get(std::string(prefix) + "{course_key:course_key}/",
               [routes](Request& request) { return routes->CourseHome(request); });
  }
}

}  // namespace larch::api
