#include "learning_common.h"

#include <map>
#include <utility>

#include "api_internal.h"
#include "larch/common/clock.h"
#include "larch/http/error_mapping.h"
#include "spdlog/spdlog.h"

namespace larch::api::learning {
namespace {

using nlohmann::json;

json AccessError(const std::string& code, const std::string& developer, const std::string& user) {
  return {{"has_access", false},
          {"error_code", code},
          {"developer_message", developer},
          {"user_message", user},
          {"additional_context_user_message", nullptr},
          {"user_fragment", nullptr}};
}

// One tab of the course's policy as get_course_tab_list shows it; empty
// when it is not shown to learners of this course.
json PolicyTab(const json& tab, const std::string& course_base) {
  if (!tab.is_object()) return json();
  if (tab.value("is_hidden", false) == true) return json();
  std::string type = tab.value("type", "");
  static const std::map<std::string, std::pair<std::string, std::string>> kFixed = {
      {"courseware", {"Course", "/home"}},
      {"progress", {"Progress", "/progress"}},
      {"dates", {"Dates", "/dates"}},
  };
  if (auto fixed = kFixed.find(type); fixed != kFixed.end()) {
    return {{"tab_id", type},
            {"title", fixed->second.first},
            {"type", type},
            {"url", "/course/" + course_base + fixed->second.second}};
  }
  if (type == "discussion") {
    return {{"tab_id", type},
            {"title", "Discussion"},
            {"type", type},
            {"url", "/courses/" + course_base + "/discussion/forum/"}};
  }
  if (type == "wiki") {
    return {{"tab_id", type},
            {"title", "Wiki"},
            {"type", type},
            {"url", "/courses/" + course_base + "/course_wiki"}};
  }
  if (type == "static_tab") {
    std::string slug = tab.value("url_slug", "");
    if (slug.empty()) return json();
    return {{"tab_id", "static_tab_" + slug},
            {"title", tab.value("name", "")},
            {"type", type},
            {"url", "/courses/" + course_base + "/" + slug}};
  }
  return json();
}

}  // namespace

StatusOr<CourseViewer> LoadViewer(LearningRoutesContext& ctx, const oauth::Principal& caller,
                                  std::string_view course_key) {
  CourseViewer viewer;
  viewer.caller = &caller;
  LARCH_ASSIGN_OR_RETURN(viewer.course, ctx.catalog.GetCourse(course_key));
  LARCH_ASSIGN_OR_RETURN(viewer.tree, ctx.catalog.GetTree(course_key));
  if (viewer.tree->root < 0) return NotFoundError("course has no blocks");
  viewer.global_staff = caller.is_staff || caller.is_superuser;
  viewer.staff = ctx.gate.RolesFor(caller.user_id, viewer.global_staff, course_key).staff;
  LARCH_ASSIGN_OR_RETURN(viewer.enrollment, ctx.enrollments.Get(caller.user_id, course_key));
  LARCH_ASSIGN_OR_RETURN(viewer.access,
                         ctx.gate.AccessFor(caller.user_id, viewer.global_staff, course_key));
  return viewer;
}

http::Response Unauthenticated() {
  return internal::Detail(401, "Authentication credentials were not provided.");
}

http::Response NotFoundDetail() { return internal::Detail(404, "Not found."); }

http::Response ErrorFor(const http::Request& request, const Status& status) {
  if (status.code() == StatusCode::kNotFound) return NotFoundDetail();
  return http::ErrorResponse(status, request.request_id());
}

json Time(const std::optional<int64_t>& micros) {
  return micros ? json(FormatIso8601(*micros)) : json(nullptr);
}

json CertificateData(certificates::CertificateViews* views, const config::Settings& settings,
                     int64_t user_id, std::string_view course_key,
                     const std::optional<enrollment::Enrollment>& enrollment, bool passing,
                     int64_t now) {
  if (views == nullptr || !enrollment.has_value()) return nullptr;
  auto data = views->CertDataFor(user_id, course_key, enrollment->mode, enrollment->is_active,
                                 passing, settings.Feature("DISABLE_HONOR_CERTIFICATES"), now);
  if (!data.ok()) {
    spdlog::warn("certificate_data of user {} in {}: {}", user_id, course_key,
                 data.status().ToString());
    return nullptr;
  }
  if (!data->has_value()) return nullptr;
  const certificates::CertData& d = **data;
  return {{"cert_status", d.cert_status},
          {"cert_web_view_url", d.cert_web_view_url ? json(*d.cert_web_view_url) : json(nullptr)},
          {"download_url", d.download_url ? json(*d.download_url) : json(nullptr)},
          {"certificate_available_date", Time(d.certificate_available_date)}};
}

course_view::Viewer ViewOf(const CourseViewer& viewer) {
  course_view::Viewer out;
  out.tree = viewer.tree.get();
  out.course = &viewer.course;
  out.access = viewer.access;
  out.staff = viewer.staff;
  out.enrolled = viewer.enrolled();
  out.mode = viewer.enrollment ? viewer.enrollment->mode : "";
  return out;
}

json CourseTabs(const CourseViewer& viewer, const std::string& base) {
  const courses::CatalogBlock& root = viewer.tree->blocks[static_cast<size_t>(viewer.tree->root)];
  json policy = root.fields.value("tabs", json::array());
  if (!policy.is_array() || policy.empty()) {
    policy = json::array({{{"type", "courseware"}}, {{"type", "progress"}}});
  }
  const std::string& key = viewer.tree->course_key;
  json tabs = json::array();
  bool has_dates = false;
  for (const json& entry : policy) {
    json tab = PolicyTab(entry, key);
    if (tab.is_null()) continue;
    has_dates = has_dates || tab["type"] == "dates";
    tabs.push_back(std::move(tab));
    // The dates tab is dynamic upstream: courses written before it existed
    // show it after the progress tab.
    if (!has_dates && tabs.back()["type"] == "progress") {
      tabs.push_back(PolicyTab({{"type", "dates"}}, key));
      has_dates = true;
    }
  }
  if (!has_dates) tabs.push_back(PolicyTab({{"type", "dates"}}, key));
  if (viewer.staff) {
    tabs.push_back({{"tab_id", "instructor"},
                    {"title", "Instructor"},
                    {"type", "instructor"},
                    {"url", "/courses/" + key + "/instructor"}});
  }
  int priority = 0;
  for (json& tab : tabs) {
    tab["priority"] = priority++;
    tab["url"] = base + tab["url"].get<std::string>();
  }
  return tabs;
}

json CourseAccessJson(const CourseViewer& viewer, int64_t now) {
  course_view::LoadAccess access = course_view::CourseLoadAccess(ViewOf(viewer), now);
  if (access.has_access) {
    return {{"has_access", true},
            {"error_code", nullptr},
            {"developer_message", nullptr},
            {"user_message", nullptr},
            {"additional_context_user_message", nullptr},
            {"user_fragment", nullptr}};
  }
  return AccessError(access.error_code, access.developer_message, access.user_message);
}

json UserTimezone(LearningRoutesContext& ctx, int64_t user_id) {
  StatusOr<std::map<std::string, std::string>> prefs = ctx.accounts.GetPreferences(user_id);
  if (!prefs.ok()) return nullptr;
  auto it = prefs->find("time_zone");
  return it == prefs->end() ? json(nullptr) : json(it->second);
}

}  // namespace larch::api::learning
