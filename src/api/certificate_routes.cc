// The certificates REST API v0 (lms/djangoapps/certificates/apis/v0/views.py):
// CertificatesDetailView and CertificatesListView. Who may read what is
// decided here (JWT_RESTRICTED_APPLICATION_OR_USER_ACCESS, IsStaff,
// IsOwnerOrPublicCertificates); which certificates count comes from
// certificates::CertificateService (eligible_certificates).
#include "larch/api/certificate_routes.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/common/clock.h"
#include "larch/http/error_mapping.h"
#include "larch/http/url.h"
#include "larch/keys/keys.h"
#include "larch/oauth/principal.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

constexpr char kNoPermission[] = "You do not have permission to perform this action.";
// required_scopes of both views.
constexpr char kRequiredScope[] = "certificates:read";
// The preference IsOwnerOrPublicCertificates reads.
constexpr char kVisibilityPreference[] = "visibility.course_certificates";
constexpr char kAllUsers[] = "all_users";

Response ErrorCode(std::string_view code) {
  return Response::Json(404, json{{"error_code", code}});
}

bool IsStaff(const oauth::Principal& caller) { return caller.is_staff || caller.is_superuser; }

// JwtRestrictedApplication: a JWT of a RestrictedApplication.
bool IsRestrictedJwt(const oauth::Principal& caller) {
  return caller.is_restricted && caller.auth_method == "jwt";
}

bool HasScope(const oauth::Principal& caller, std::string_view scope) {
  return std::find(caller.scopes.begin(), caller.scopes.end(), scope) != caller.scopes.end();
}

// JwtHasScope & JwtHasUserFilterForRequestedUser. The principal does not
// carry the token's filters; every restricted token Larch issues to a user
// has "user:me", so the URL's user must be the token's (IsUserInUrl's
// case-insensitive comparison).
bool RestrictedMayReadUser(const oauth::Principal& caller, std::string_view username) {
  return HasScope(caller, kRequiredScope) && http::EqualsIgnoreCase(caller.username, username);
}

// The URL of a downloadable certificate (get_certificate_url with HTML
// certificates), a legacy PDF URL as stored; null otherwise.
json DownloadUrl(const certificates::Certificate& cert) {
  if (cert.status != certificates::status::kDownloadable) return nullptr;
  if (!cert.download_url.empty()) return cert.download_url;
  if (cert.verify_uuid.empty()) return "";
  return "/certificates/" + cert.verify_uuid;
}

// display_org_with_default.
std::string DisplayOrg(const courses::CourseSummary& course) {
  auto it = course.advanced.find("display_organization");
  if (it != course.advanced.end() && it->is_string() && !it->get<std::string>().empty()) {
    return it->get<std::string>();
  }
  return course.org;
}

class CertificateRoutes {
 public:
  explicit CertificateRoutes(CertificateRoutesContext& context) : ctx_(context) {}

  // CertificatesDetailView.get.
  Response Detail(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    const oauth::Principal& caller = *auth.principal;
    const std::string username(request.PathParam("username"));
    // Permissions come before the key is parsed, as DRF checks them first.
    if (IsRestrictedJwt(caller)) {
      // _JWT_RESTRICTED_PERMISSIONS also needs a content_org filter naming
      // the course's org, which no Larch token carries.
      return internal::Detail(403, kNoPermission);
    }
    if (!IsStaff(caller) && !http::EqualsIgnoreCase(caller.username, username)) {
      return internal::Detail(403, kNoPermission);
    }
    StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(request.PathParam("course_id"));
    if (!key.ok()) return ErrorCode("course_id_not_valid");
    StatusOr<std::optional<certificates::Certificate>> cert =
        EligibleCertificate(username, key->ToString());
    if (!cert.ok()) return Error(request, cert.status());
    if (!cert->has_value()) return ErrorCode("no_certificate_for_user");
    // _format_certificate_for_user: without a PDF URL the course must exist.
    if ((*cert)->download_url.empty()) {
      StatusOr<courses::CourseSummary> course = ctx_.catalog.GetCourse((*cert)->course_key);
      if (!course.ok() && course.status().code() != StatusCode::kNotFound) {
        return Error(request, course.status());
      }
      if (!course.ok()) return ErrorCode("no_certificate_for_user");
    }
    // TODO(issue 12): 404 {"error_code": "no_certificate_configuration_for_course"}
    // when the course has no active web certificate configuration
    // (has_any_active_web_certificate); it needs the course's configurations.
    const certificates::Certificate& c = **cert;
    return Response::Json(200, json{{"username", username},
                                    {"course_id", c.course_key},
                                    {"certificate_type", c.mode},
                                    {"created_date", FormatIso8601(c.created)},
                                    {"status", c.status},
                                    {"is_passing", certificates::IsPassingStatus(c.status)},
                                    {"download_url", DownloadUrl(c)},
                                    {"grade", c.grade}});
  }

  // CertificatesListView.get.
  Response List(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    const oauth::Principal& caller = *auth.principal;
    const std::string username(request.PathParam("username"));
    if (IsRestrictedJwt(caller) && !RestrictedMayReadUser(caller, username)) {
      return internal::Detail(403, kNoPermission);
    }
    StatusOr<accounts::User> target = ctx_.accounts.GetUserByUsername(username);
    if (!target.ok() && target.status().code() != StatusCode::kNotFound) {
      return Error(request, target.status());
    }
    // Upstream fails with a 500 for an unknown user; staff get [] there.
    if (!target.ok()) return Response::Json(200, json::array());
    const bool is_owner = caller.username == username;
    if (!is_owner && !IsStaff(caller)) {
      // IsOwnerOrPublicCertificates.
      auto prefs = ctx_.accounts.GetPreferences(target->id);
      if (!prefs.ok()) return Error(request, prefs.status());
      auto it = prefs->find(kVisibilityPreference);
      if (it == prefs->end() || it->second != kAllUsers) {
        return internal::Detail(403, kNoPermission);
      }
      // _viewable_by_requestor: the profile must also share the field.
      StatusOr<bool> shared = SharesCertificates(*target, caller);
      if (!shared.ok()) return Error(request, shared.status());
      if (!*shared) return Response::Json(200, json::array());
    }
    StatusOr<json> items = ListItems(username, target->id);
    if (!items.ok()) return Error(request, items.status());
    return Response::Json(200, *items);
  }

 private:
  // get_certificate_for_user: the user's eligible (not audit_*) certificate
  // in the course; nullopt for none or an unknown user.
  StatusOr<std::optional<certificates::Certificate>> EligibleCertificate(
      const std::string& username, const std::string& course_key) {
    StatusOr<accounts::User> user = ctx_.accounts.GetUserByUsername(username);
    if (!user.ok() && user.status().code() == StatusCode::kNotFound) {
      return std::optional<certificates::Certificate>();
    }
    if (!user.ok()) return user.status();
    LARCH_ASSIGN_OR_RETURN(std::vector<certificates::Certificate> certs,
                           ctx_.certificates.ListForUser(user->id));
    for (certificates::Certificate& cert : certs) {
      if (cert.course_key == course_key) return std::optional(std::move(cert));
    }
    return std::optional<certificates::Certificate>();
  }

  // 'course_certificates' in visible_fields(target's profile): what the
  // accounts API shows `caller` of the target.
  StatusOr<bool> SharesCertificates(const accounts::User& target, const oauth::Principal& caller) {
    LARCH_ASSIGN_OR_RETURN(accounts::User viewer, ctx_.accounts.GetUserById(caller.user_id));
    LARCH_ASSIGN_OR_RETURN(json account,
                           ctx_.accounts.AccountJson(target, &viewer, /*view_shared=*/false));
    return account.contains("course_certificates");
  }

  // _get_certificates_for_user: the passing certificates of courses that
  // exist, oldest first, with the course's names.
  StatusOr<json> ListItems(const std::string& username, int64_t user_id) {
    LARCH_ASSIGN_OR_RETURN(std::vector<certificates::Certificate> certs,
                           ctx_.certificates.ListForUser(user_id));
    json items = json::array();
    for (const certificates::Certificate& c : certs) {
      if (!certificates::IsPassingStatus(c.status)) continue;
      StatusOr<courses::CourseSummary> course = ctx_.catalog.GetCourse(c.course_key);
      // A deleted course has no web certificate configuration upstream (its
      // pseudo overview), and Larch issues no PDF certificates.
      if (!course.ok() && course.status().code() == StatusCode::kNotFound) continue;
      if (!course.ok()) return course.status();
      // TODO(issue 12): also certificates_viewable_for_course (display
      // behavior, available date, end) and has_any_active_web_certificate;
      // the catalog's CourseSummary carries neither.
      items.push_back({{"username", username},
                       {"course_id", c.course_key},
                       {"course_display_name", course->display_name},
                       {"course_organization", DisplayOrg(*course)},
                       {"certificate_type", c.mode},
                       {"created_date", FormatIso8601(c.created)},
                       {"modified_date", FormatIso8601(c.modified)},
                       {"status", c.status},
                       {"is_passing", true},
                       {"download_url", DownloadUrl(c)},
                       {"grade", c.grade},
                       {"uuid", c.verify_uuid}});
    }
    return items;
  }

  static Response Error(const Request& request, const Status& status) {
    return http::ErrorResponse(status, request.request_id());
  }

  CertificateRoutesContext& ctx_;
};

}  // namespace

void RegisterCertificateRoutes(http::Router& router, CertificateRoutesContext& context) {
  auto routes = std::make_shared<CertificateRoutes>(context);
  // Any one segment reaches the view, so a bad key gets course_id_not_valid;
  // the second pattern takes the deprecated Org/Course/Run keys.
  router.Get("/api/certificates/v0/certificates/{username}/courses/{course_id}/",
             [routes](Request& request) { return routes->Detail(request); });
  router.Get("/api/certificates/v0/certificates/{username}/courses/{course_id:course_key}/",
             [routes](Request& request) { return routes->Detail(request); });
  router.Get("/api/certificates/v0/certificates/{username}/",
             [routes](Request& request) { return routes->List(request); });
}

}  // namespace larch::api
