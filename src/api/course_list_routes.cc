// The Courses API: the course list, course detail and course_ids.
#include <time.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "courses_routes_internal.h"
#include "larch/common/strings.h"
#include "larch/http/error_mapping.h"
#include "larch/http/url.h"
#include "larch/keys/keys.h"

namespace larch::api::internal {
namespace {

using courses::CourseSummary;
using http::Request;
using http::Response;
using nlohmann::json;

// Open edX's DEFAULT_START_DATE: a course without a real start.
constexpr int64_t kDefaultStartMicros = 1'893'456'000'000'000;  // 2030-01-01T00:00:00Z
constexpr int kDefaultPageSize = 10;

std::string WithPage(const Request& request, const std::string& base_url, int64_t page) {
  std::string query;
  for (const auto& [name, value] : request.query_params()) {
    if (name == "page") continue;
    query +=
        (query.empty() ? "" : "&") + http::PercentEncode(name) + "=" + http::PercentEncode(value);
  }
  if (page > 1) query += (query.empty() ? "" : "&") + std::string("page=") + std::to_string(page);
  std::string url = base_url + std::string(request.path());
  if (!query.empty()) url += "?" + query;
  return url;
}

// NamespacedPageNumberPagination over `items`; nullopt page means 404.
std::optional<Response> Paginate(const Request& request, const Params& params,
                                 const std::string& base_url, const std::vector<json>& items,
                                 int64_t max_page_size) {
  int64_t page_size = kDefaultPageSize;
  if (auto size = params.Get("page_size")) {
    if (auto parsed = ParsePositive(*size)) page_size = std::min(*parsed, max_page_size);
  }
  int64_t page = 1;
  if (auto text = params.Get("page")) {
    std::optional<int64_t> parsed =
        *text == "last" ? std::optional<int64_t>(-1) : ParsePositive(*text);
    if (!parsed.has_value()) return std::nullopt;
    page = *parsed;
  }
  const int64_t count = static_cast<int64_t>(items.size());
  const int64_t num_pages = count == 0 ? 1 : (count + page_size - 1) / page_size;
  if (page == -1) page = num_pages;
  if (page > num_pages) return std::nullopt;
  json results = json::array();
  for (int64_t i = (page - 1) * page_size; i < std::min(count, page * page_size); ++i) {
    results.push_back(items[static_cast<size_t>(i)]);
  }
  json pagination{{"next", page < num_pages ? json(WithPage(request, base_url, page + 1)) : json()},
                  {"previous", page > 1 ? json(WithPage(request, base_url, page - 1)) : json()},
                  {"count", count},
                  {"num_pages", num_pages}};
  return Response::Json(200, json{{"results", std::move(results)}, {"pagination", pagination}});
}

std::string ShortDate(int64_t micros) {
  time_t seconds = static_cast<time_t>(micros / 1'000'000);
  struct tm tm_value {};
  gmtime_r(&seconds, &tm_value);
  char buffer[64];
  size_t n = strftime(buffer, sizeof(buffer), "%b %d, %Y", &tm_value);
  return std::string(buffer, n);
}

std::string CourseImageUri(const CourseSummary& course, const std::string& name) {
  if (!name.empty() && (name[0] == '/' || name.rfind("http", 0) == 0)) return name;
  StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(course.course_key);
  if (!key.ok()) return "/static/" + name;
  StatusOr<keys::AssetKey> asset = key->MakeAssetKey(keys::AssetNameForStaticPath(name));
  if (!asset.ok()) return "/static/" + name;
  return "/" + asset->ToString();
}

bool IsHidden(const CourseSummary& course) {
  if (course.catalog_visibility == "about" || course.catalog_visibility == "none") return true;
  return course.course_key.rfind("course-v1:", 0) != 0 &&
         course.course_key.rfind("ccx-v1:", 0) != 0;
}

// CourseSerializer.
json SerializeCourse(const CourseSummary& course, const std::string& base_url) {
  std::string image = course.course_image.has_value() ? CourseImageUri(course, *course.course_image)
                                                      : std::string("/static/images/pencils.jpg");
  std::string image_absolute = base_url + image;
  json banner = json::object();
  if (course.banner_image.has_value()) {
    std::string uri = CourseImageUri(course, *course.banner_image);
    banner = json{{"uri", uri}, {"uri_absolute", base_url + uri}};
  } else {
    banner = json{{"uri", image}, {"uri_absolute", image_absolute}};
  }
  std::string start_type = "empty";
  json start_display = nullptr;
  auto advertised = course.advanced.find("advertised_start");
  if (advertised != course.advanced.end() && advertised->is_string() &&
      !advertised->get<std::string>().empty()) {
    start_type = "string";
    start_display = *advertised;
  } else if (course.start.has_value() && *course.start != kDefaultStartMicros) {
    start_type = "timestamp";
    start_display = ShortDate(*course.start);
  }
  std::string blocks_url =
      base_url + "/api/courses/v1/blocks/?course_id=" + http::PercentEncode(course.course_key);
  return json{
      {"blocks_url", blocks_url},
      {"effort", OptionalString(course.effort)},
      {"end", OptionalTime(course.end)},
      {"enrollment_start", OptionalTime(course.enrollment_start)},
      {"enrollment_end", OptionalTime(course.enrollment_end)},
      {"id", course.course_key},
      {"media",
       {{"banner_image", banner},
        {"course_image", {{"uri", image}}},
        {"course_video", {{"uri", OptionalString(course.course_video)}}},
        {"image",
         {{"raw", image_absolute}, {"small", image_absolute}, {"large", image_absolute}}}}},
      {"name", course.display_name},
      {"number", course.number},
      {"org", course.org},
      {"short_description", OptionalString(course.short_description)},
      {"start", OptionalTime(course.start)},
      {"start_display", start_display},
      {"start_type", start_type},
      {"pacing", course.self_paced ? "self" : "instructor"},
      {"mobile_available", course.mobile_available},
      {"hidden", IsHidden(course)},
      {"invitation_only", course.invitation_only},
      {"course_id", course.course_key},
  };
}

class CourseRoutes {
 public:
  explicit CourseRoutes(CourseRoutesContext& ctx) : ctx_(ctx) {}

  Response ListCourses(Request& request) {
    Params params(request);
    std::vector<keys::CourseKey> wanted_keys;
    for (const std::string& text : params.GetAll("course_keys")) {
      StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(text);
      if (!key.ok()) return FieldError("course_keys", "'" + text + "' is not a valid course key.");
      wanted_keys.push_back(*key);
    }
    StatusOr<EffectiveUser> effective =
        ResolveUser(request, ctx_, params.Get("username").value_or(""));
    if (!effective.ok()) return UserError(effective.status());
    StatusOr<std::vector<CourseSummary>> courses = ctx_.catalog.ListCourses();
    if (!courses.ok()) return StorageError(courses.status());

    std::optional<std::string> org = params.Get("org");
    std::optional<bool> mobile = ParseBool(params.Get("mobile"));
    std::optional<bool> active_only = ParseBool(params.Get("active_only"));
    std::string search = AsciiLower(params.Get("search_term").value_or(""));
    std::set<std::string> key_set;
    for (const keys::CourseKey& key : wanted_keys) key_set.insert(key.ToString());
    const int64_t now = ctx_.clock.NowMicros();
    const std::string base = AbsoluteBaseUrl(request, ctx_.settings);

    std::vector<json> items;
    for (const CourseSummary& course : *courses) {
      if (org.has_value() && !org->empty() && AsciiLower(*org) != AsciiLower(course.org)) continue;
      if (mobile.value_or(false) && !course.mobile_available) continue;
      if (active_only.value_or(false) && course.end.has_value() && *course.end <= now) continue;
      if (!key_set.empty() && key_set.count(course.course_key) == 0) continue;
      if (!search.empty()) {
        std::string haystack = AsciiLower(course.display_name + " " + course.course_key + " " +
                                          course.short_description.value_or("") + " " + course.org);
        if (haystack.find(search) == std::string::npos) continue;
      }
      if (course.catalog_visibility != "both" &&
          !IsCourseStaff(ctx_, *effective, course.course_key)) {
        continue;
      }
      items.push_back(SerializeCourse(course, base));
    }
    std::optional<Response> page = Paginate(request, params, base, items, 100);
    if (!page.has_value()) return DeveloperError(404, "Invalid page.");
    return std::move(*page);
  }

  Response CourseDetail(Request& request) {
    std::string key_text(request.PathParam("course_key"));
    StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(key_text);
    if (!key.ok()) return FieldError("course_key", "'" + key_text + "' is not a valid course key.");
    Params params(request);
    StatusOr<EffectiveUser> effective =
        ResolveUser(request, ctx_, params.Get("username").value_or(""));
    if (!effective.ok()) return UserError(effective.status());
    StatusOr<CourseSummary> course = ctx_.catalog.GetCourse(key->ToString());
    if (!course.ok()) {
      if (course.status().code() == StatusCode::kNotFound) {
        return DeveloperError(404, "Course not found.");
      }
      return StorageError(course.status());
    }
    bool visible = course->catalog_visibility == "both" || course->catalog_visibility == "about" ||
                   IsCourseStaff(ctx_, *effective, course->course_key);
    if (!visible) return DeveloperError(404, "Course not found.");
    json body = SerializeCourse(*course, AbsoluteBaseUrl(request, ctx_.settings));
    body["overview"] = OptionalString(course->overview_html);
    if (effective->user.has_value()) {
      StatusOr<std::optional<enrollment::Enrollment>> enrolled =
          ctx_.enrollments.Get(effective->user->id, course->course_key);
      if (!enrolled.ok()) return StorageError(enrolled.status());
      body["is_enrolled"] = enrolled->has_value() && (*enrolled)->is_active;
    }
    return Response::Json(200, body);
  }

  Response CourseIds(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return AsDeveloperError(auth.error);
    Params params(request);
    std::string role = params.Get("role").value_or("");
    if (role.empty()) return FieldError("role", "This field is required.");
    std::string username = params.Get("username").value_or(auth.principal->username);
    StatusOr<EffectiveUser> effective = ResolveUser(request, ctx_, username);
    if (!effective.ok()) return UserError(effective.status());
    StatusOr<std::vector<CourseSummary>> courses = ctx_.catalog.ListCourses();
    if (!courses.ok()) return StorageError(courses.status());
    std::vector<json> items;
    if (effective->global_staff()) {
      for (const CourseSummary& course : *courses) items.push_back(course.course_key);
    } else if (effective->user.has_value()) {
      StatusOr<std::vector<accounts::RoleGrant>> grants = ctx_.roles.RolesFor(effective->user->id);
      if (!grants.ok()) return StorageError(grants.status());
      for (const CourseSummary& course : *courses) {
        for (const accounts::RoleGrant& grant : *grants) {
          bool role_matches =
              (role == "instructor" && grant.role == accounts::CourseRole::kInstructor) ||
              (role == "staff" && (grant.role == accounts::CourseRole::kStaff ||
                                   grant.role == accounts::CourseRole::kInstructor));
          bool course_matches = grant.course_id.empty()
                                    ? AsciiLower(grant.org) == AsciiLower(course.org)
                                    : grant.course_id == course.course_key;
          if (role_matches && course_matches) {
            items.push_back(course.course_key);
            break;
          }
        }
      }
    }
    std::optional<Response> page =
        Paginate(request, params, AbsoluteBaseUrl(request, ctx_.settings), items, 1000);
    if (!page.has_value()) return DeveloperError(404, "Invalid page.");
    return std::move(*page);
  }

 private:
  CourseRoutesContext& ctx_;
};

}  // namespace

void RegisterCourseListRoutes(http::Router& router, CourseRoutesContext& context) {
  auto routes = std::make_shared<CourseRoutes>(context);
  auto bind = [routes](Response (CourseRoutes::*method)(Request&)) {
    return [routes, method](Request& request) { return ((*routes).*method)(request); };
  };
  router.Get("/api/courses/v1/courses/", bind(&CourseRoutes::ListCourses));
  router.Post("/api/courses/v1/courses/", bind(&CourseRoutes::ListCourses));
  router.Get("/api/courses/v1/courses/{course_key:course_key}/", bind(&CourseRoutes::CourseDetail));
  // Anything else in that place is a bad key: 400 rather than the router's 404.
  router.Get("/api/courses/v1/courses/{course_key}/", bind(&CourseRoutes::CourseDetail));
  router.Get("/api/courses/v1/course_ids/", bind(&CourseRoutes::CourseIds));
}

}  // namespace larch::api::internal
