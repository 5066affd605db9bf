// Larch's course-team endpoints for web certificates, which Open edX keeps
// in Studio (the course's `certificates` field) and in the Django admin
// (CertificateGenerationCourseSetting):
//   GET/PUT /api/larch/v1/certificates/courses/{course_id}/configuration
//       {"certificates": [{id, name, description, course_title, is_active,
//       signatories: [{name, title, organization, signature_image_path}]}]};
//       the course's instructors and staff, and global staff.
//   GET/PUT /api/larch/v1/certificates/courses/{course_id}/settings
//       {self_generation_enabled, language_specific_templates_enabled,
//       include_hours_of_effort, max_effort, weeks_to_complete}; global
//       staff only. A PUT changes the fields it names.
// Anonymous callers get 401, others 403 {"detail"}; an unknown course 404
// and bad bodies 400 in the error table's shape.
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "instructor_certificate_internal.h"
#include "larch/api/account_routes.h"
#include "larch/http/error_mapping.h"
#include "larch/keys/keys.h"

namespace larch::api::internal {

StatusOr<bool> CertificateCourseExists(certificates::CertificateViews& views,
                                       const std::string& course_key) {
  StatusOr<std::vector<certificates::CourseCertificateConfig>> configs =
      views.CourseConfigs(course_key);
  if (configs.ok()) return true;
  const StatusCode code = configs.status().code();
  if (code == StatusCode::kNotFound || code == StatusCode::kInvalidArgument) return false;
  return configs.status();
}

StatusOr<bool> IsCourseInstructor(accounts::RoleStore& roles, const oauth::Principal& caller,
                                  const std::string& course_key) {
  if (caller.is_staff || caller.is_superuser) return true;
  return roles.HasRole(caller.user_id, course_key, accounts::CourseRole::kInstructor);
}

StatusOr<bool> IsCourseTeam(accounts::RoleStore& roles, const oauth::Principal& caller,
                            const std::string& course_key) {
  LARCH_ASSIGN_OR_RETURN(bool instructor, IsCourseInstructor(roles, caller, course_key));
  if (instructor) return true;
  return roles.HasRole(caller.user_id, course_key, accounts::CourseRole::kStaff);
}

namespace {

using http::Request;
using http::Response;
using nlohmann::json;

constexpr char kNoPermission[] = "You do not have permission to perform this action.";

json OptionalJson(const std::optional<int64_t>& value) {
  return value.has_value() ? json(*value) : json(nullptr);
}

json SettingsJson(const std::string& course_key, const certificates::CourseCertificateSettings& s) {
  return json{
      {"course_id", course_key},
      {"self_generation_enabled", s.self_generation_enabled},
      {"language_specific_templates_enabled", s.language_specific_templates_enabled},
      {"include_hours_of_effort",
       s.include_hours_of_effort.has_value() ? json(*s.include_hours_of_effort) : json(nullptr)},
      {"max_effort", OptionalJson(s.max_effort)},
      {"weeks_to_complete", OptionalJson(s.weeks_to_complete)}};
}

// Lays the fields of `body` over `s`; "" when they are all valid, else
// what is wrong.
std::string ApplySettings(const json& body, certificates::CourseCertificateSettings* s) {
  for (const auto& [name, value] : body.items()) {
    if (name == "self_generation_enabled" || name == "language_specific_templates_enabled") {
      if (!value.is_boolean()) return name + " must be true or false";
      (name == "self_generation_enabled" ? s->self_generation_enabled
                                         : s->language_specific_templates_enabled) =
          value.get<bool>();
    } else if (name == "include_hours_of_effort") {
      if (!value.is_boolean() && !value.is_null()) return name + " must be true, false or null";
      s->include_hours_of_effort =
          value.is_null() ? std::nullopt : std::optional<bool>(value.get<bool>());
    } else if (name == "max_effort" || name == "weeks_to_complete") {
      if (!value.is_null() && !(value.is_number_integer() && value.get<int64_t>() >= 0 &&
                                value.get<int64_t>() <= 1'000'000)) {
        return name + " must be a whole number from 0 to 1000000, or null";
      }
      std::optional<int64_t> number;
      if (!value.is_null()) number = value.get<int64_t>();
      (name == "max_effort" ? s->max_effort : s->weeks_to_complete) = number;
    } else if (name != "course_id") {
      return "unknown field " + name;
    }
  }
  return "";
}

class CertificateConfigRoutes {
 public:
  explicit CertificateConfigRoutes(InstructorCertificateRoutesContext& context) : ctx_(context) {}

  Response GetConfiguration(Request& request) {
    const std::string course_key = CourseKey(request);
    if (auto refused = Authorize(request, course_key, /*staff_only=*/false)) {
      return std::move(*refused);
    }
    return Configuration(request, course_key);
  }

  Response PutConfiguration(Request& request) {
    const std::string course_key = CourseKey(request);
    if (auto refused = Authorize(request, course_key, /*staff_only=*/false)) {
      return std::move(*refused);
    }
    StatusOr<json> body = request.JsonBody();
    if (!body.ok()) {
      return BadRequest(request, "The body must be JSON: {\"certificates\": [...]} (" +
                                     std::string(body.status().message()) + ")");
    }
    if (!body->is_array() && !(body->is_object() && body->contains("certificates"))) {
      return BadRequest(request, "certificates is required: {\"certificates\": [...]}");
    }
    Status saved = ctx_.views.SetCourseConfigs(
        course_key, *body, CurrentPrincipal(request)->user_id, ctx_.clock.NowMicros());
    if (!saved.ok()) return Error(request, saved);
    return Configuration(request, course_key);
  }

  Response GetSettings(Request& request) {
    const std::string course_key = CourseKey(request);
    if (auto refused = Authorize(request, course_key, /*staff_only=*/true)) {
      return std::move(*refused);
    }
    StatusOr<certificates::CourseCertificateSettings> settings = ctx_.views.Settings(course_key);
    if (!settings.ok()) return Error(request, settings.status());
    return Response::Json(200, SettingsJson(course_key, *settings));
  }

  Response PutSettings(Request& request) {
    const std::string course_key = CourseKey(request);
    if (auto refused = Authorize(request, course_key, /*staff_only=*/true)) {
      return std::move(*refused);
    }
    StatusOr<json> body = request.JsonBody();
    if (!body.ok() || !body->is_object()) {
      return BadRequest(request, "The body must be a JSON object of settings.");
    }
    StatusOr<certificates::CourseCertificateSettings> settings = ctx_.views.Settings(course_key);
    if (!settings.ok()) return Error(request, settings.status());
    const std::string problem = ApplySettings(*body, &*settings);
    if (!problem.empty()) return BadRequest(request, problem);
    Status saved = ctx_.views.SetSettings(course_key, *settings, ctx_.clock.NowMicros());
    if (!saved.ok()) return Error(request, saved);
    return Response::Json(200, SettingsJson(course_key, *settings));
  }

 private:
  // The key as the course stores it (a key that does not parse stays as
  // sent and is then an unknown course).
  static std::string CourseKey(const Request& request) {
    const std::string sent(request.PathParam("course_id"));
    StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(sent);
    return key.ok() ? key->ToString() : sent;
  }

  // 401 anonymous, 403 a caller who may not, 404 an unknown course.
  std::optional<Response> Authorize(const Request& request, const std::string& course_key,
                                    bool staff_only) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return std::move(auth.error);
    const oauth::Principal& caller = *auth.principal;
    StatusOr<bool> allowed = staff_only ? StatusOr<bool>(caller.is_staff || caller.is_superuser)
                                        : IsCourseTeam(ctx_.roles, caller, course_key);
    if (!allowed.ok()) return Error(request, allowed.status());
    if (!*allowed) return Detail(403, kNoPermission);
    StatusOr<bool> exists = CertificateCourseExists(ctx_.views, course_key);
    if (!exists.ok()) return Error(request, exists.status());
    if (!*exists) return Error(request, NotFoundError("no course " + course_key));
    return std::nullopt;
  }

  Response Configuration(const Request& request, const std::string& course_key) {
    auto configs = ctx_.views.CourseConfigs(course_key);
    if (!configs.ok()) return Error(request, configs.status());
    return Response::Json(200, certificates::CourseCertificatesJson(*configs));
  }

  static Response BadRequest(const Request& request, const std::string& message) {
    return Error(request, InvalidArgumentError(message));
  }
  static Response Error(const Request& request, const Status& status) {
    return http::ErrorResponse(status, request.request_id());
  }

  InstructorCertificateRoutesContext& ctx_;
};

}  // namespace

void RegisterCertificateConfigRoutes(http::Router& router,
                                     InstructorCertificateRoutesContext& context) {
  auto routes = std::make_shared<CertificateConfigRoutes>(context);
  const std::string base = "/api/larch/v1/certificates/courses/{course_id:course_key}/";
  router.Get(base + "configuration",
             [routes](Request& request) { return routes->GetConfiguration(request); });
  router.Put(base + "configuration",
             [routes](Request& request) { return routes->PutConfiguration(request); });
  router.Get(base + "settings",
             [routes](Request& request) { return routes->GetSettings(request); });
  router.Put(base + "settings",
             [routes](Request& request) { return routes->PutSettings(request); });
}

}  // namespace larch::api::internal
