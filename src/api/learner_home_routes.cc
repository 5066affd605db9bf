#include "larch/api/learner_home_routes.h"

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/http/error_mapping.h"
#include "larch/http/url.h"
#include "larch/keys/keys.h"

namespace larch::api {
namespace {

// cert_info: the learner holds a downloadable certificate (shown once the
// course lets certificates be seen).
bool CertificateEarned(const learner_home::CourseCard& card) {
  return card.certificate.has_value() &&
         card.certificate->status == certificates::status::kDownloadable;
}

using http::Request;
using http::Response;
using nlohmann::json;

json Time(const std::optional<int64_t>& micros) {
  return micros.has_value() ? json(FormatIso8601(*micros)) : json(nullptr);
}

// A string setting in an object, or `fallback`.
json StringIn(const json& object, const char* key, const json& fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? *it : fallback;
}

// DecimalField(max_digits=5, decimal_places=2), which DRF writes as a string.
json Decimal2(const std::optional<double>& value) {
  if (!value.has_value()) return nullptr;
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.2f", *value);
  return std::string(buffer);
}

// CourseOverview.course_image_url: the stored asset URL, or upstream's
// default image.
std::string CourseImage(const courses::CourseOverview& course) {
  return course.course_image.value_or("/static/images/pencils.jpg");
}

// display_number_with_default / display_org_with_default.
std::string DisplayNumber(const courses::CourseOverview& course) {
  json value = StringIn(course.advanced, "display_coursenumber", "");
  std::string text = value.get<std::string>();
  return text.empty() ? course.key.course : text;
}
std::string DisplayOrg(const courses::CourseOverview& course) {
  json value = StringIn(course.advanced, "display_organization", "");
  std::string text = value.get<std::string>();
  return text.empty() ? course.key.org : text;
}

// get_encoded_course_sharing_utm_params (COURSE_SHARING_UTM_PARAMETERS).
std::string UtmParams(std::string_view source) {
  return "utm_medium=social&utm_campaign=social-sharing-db&utm_source=" + std::string(source);
}

json SocialShareSettings(const config::Settings& settings) {
  const json& share = settings.social_sharing_settings;
  auto enabled = [&](const char* key) {
    auto it = share.find(key);
    return it != share.end() && it->is_boolean() && it->get<bool>();
  };
  return json{{"facebook",
               {{"isEnabled", enabled("DASHBOARD_FACEBOOK")},
                {"socialBrand", StringIn(share, "FACEBOOK_BRAND", "edX.org")},
                {"utmParams", UtmParams("facebook")}}},
              {"twitter",
               {{"isEnabled", enabled("DASHBOARD_TWITTER")},
                {"socialBrand", StringIn(share, "TWITTER_BRAND", "edX.org")},
                {"utmParams", UtmParams("twitter")}}}};
}

// EcommerceService.payment_page_url(), "" when ecommerce is off.
std::string PaymentPage(const config::Settings& settings) {
  if (settings.ecommerce_public_url_root.empty()) return "";
  std::string root = settings.ecommerce_public_url_root;
  while (!root.empty() && root.back() == '/') root.pop_back();
  return root + "/basket/add/";
}

json CourseRunJson(const learner_home::CourseCard& card, const std::string& payment_page) {
  const courses::CourseOverview& course = card.course;
  const std::string& key = card.enrollment.course_key;
  json upgrade = nullptr;
  if (!payment_page.empty() && card.upsell_mode.has_value() && card.upsell_mode->sku) {
    upgrade = payment_page + "?sku=" + http::PercentEncode(*card.upsell_mode->sku) +
              "&course_run_key=" + http::PercentEncode(key);
  }
  json resume = nullptr;
  if (card.resume_sequential.has_value()) {
    std::string url = "/learning/course/" + key + "/" + *card.resume_sequential;
    if (card.resume_vertical.has_value()) url += "/" + *card.resume_vertical;
    resume = url;
  }
  return json{{"isStarted", card.is_started},
              {"isArchived", card.is_archived},
              {"courseId", key},
              {"minPassingGrade", Decimal2(course.lowest_passing_grade)},
              {"startDate", Time(course.start)},
              {"advertisedStart", StringIn(course.advanced, "advertised_start", nullptr)},
              {"endDate", Time(course.end)},
              {"homeUrl", "/learning/course/" + key + "/home"},
              {"marketingUrl", "/courses/" + key + "/about"},
              {"progressUrl", "/learning/course/" + key + "/progress"},
              {"unenrollUrl", "/course_run/" + key + "/refund_status"},
              {"upgradeUrl", upgrade},
              {"resumeUrl", resume}};
}

json EnrollmentJson(const learner_home::CourseCard& card, bool can_upgrade) {
  const enrollment::Enrollment& e = card.enrollment;
  return json{{"accessExpirationDate", nullptr},
              {"isAudit", enrollment::IsAuditMode(e.mode)},
              {"hasStarted", card.resume_sequential.has_value()},
              {"coursewareAccess",
               {{"hasUnmetPrerequisites", card.has_unmet_prerequisites},
                {"isTooEarly", card.is_too_early},
                {"isStaff", card.is_staff}}},
              {"isVerified", enrollment::IsVerifiedMode(e.mode)},
              {"canUpgrade", can_upgrade},
              {"isAuditAccessExpired", false},
              {"isEmailEnabled", false},
              {"hasOptedOutOfEmail", false},
              {"lastEnrolled", FormatIso8601(e.created)},
              {"isEnrolled", e.is_active},
              {"mode", e.mode}};
}

// LearnerEnrollmentSerializer.
json CardJson(const learner_home::CourseCard& card, const std::string& payment_page) {
  const courses::CourseOverview& course = card.course;
  const bool can_upgrade =
      !payment_page.empty() && card.upsell_mode.has_value() && card.upsell_mode->sku.has_value();
  return json{{"course",
               {{"bannerImgSrc", CourseImage(course)},
                {"courseName", course.display_name},
                {"courseNumber", DisplayNumber(course)},
                {"socialShareUrl", StringIn(course.advanced, "social_sharing_url", nullptr)}}},
              {"courseProvider", {{"name", DisplayOrg(course)}}},
              {"courseRun", CourseRunJson(card, payment_page)},
              {"enrollment", EnrollmentJson(card, can_upgrade)},
              {"certificate",
               {{"availableDate", Time(card.certificate_available_date)},
                {"isRestricted", false},
                {"isEarned", CertificateEarned(card)},
                {"isDownloadable", CertificateEarned(card) && card.certificates_viewable},
                {"certPreviewUrl", CertificateEarned(card)
                                       ? json("/certificates/" + card.certificate->verify_uuid)
                                       : json(nullptr)}}},
              {"entitlement", json::object()},
              {"gradeData", {{"isPassing", card.is_passing}}},
              {"programs", {{"relatedPrograms", json::array()}}},
              {"credit", json::object()}};
}

json DashboardJson(const learner_home::Dashboard& dashboard, const config::Settings& settings) {
  const std::string payment_page = PaymentPage(settings);
  json courses = json::array();
  for (const learner_home::CourseCard& card : dashboard.cards) {
    courses.push_back(CardJson(card, payment_page));
  }
  const std::string& send_email_url = settings.activation_email_support_link.empty()
                                          ? settings.support_site_link
                                          : settings.activation_email_support_link;
  return json{{"emailConfirmation",
               {{"isNeeded", !dashboard.user.is_active}, {"sendEmailUrl", send_email_url}}},
              {"enterpriseDashboard", nullptr},
              {"platformSettings",
               {{"supportEmail", settings.default_feedback_email},
                {"billingEmail", settings.payment_support_email},
                {"courseSearchUrl", "/courses"}}},
              {"courses", std::move(courses)},
              {"socialShareSettings", SocialShareSettings(settings)},
              {"suggestedCourses", json::array()}};
}

// Django's HttpResponse: a text/html body, as change_enrollment answers.
Response Plain(int status, std::string body) {
  Response r = Response::Text(status, std::move(body));
  r.SetHeader("Content-Type", "text/html; charset=utf-8");
  return r;
}

class LearnerHomeRoutes {
 public:
  explicit LearnerHomeRoutes(LearnerHomeRoutesContext& ctx) : ctx_(ctx) {}

  Response Init(const Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) {
      return internal::Detail(401, "Authentication credentials were not provided.");
    }
    std::optional<std::string> other = request.Query("user");
    // A learner may name themselves; anyone else needs global staff
    // (get_masquerade_user).
    const bool masquerade =
        other.has_value() && !other->empty() && !http::EqualsIgnoreCase(*other, caller->username);
    if (masquerade && !caller->is_staff && !caller->is_superuser) {
      spdlog::info("learner_home: {} attempted to masquerade but is not staff", caller->username);
      return internal::Detail(403, "You do not have permission to perform this action.");
    }
    StatusOr<learner_home::Dashboard> dashboard = masquerade
                                                      ? ctx_.learner_home.ForLogin(*other)
                                                      : ctx_.learner_home.ForUser(caller->user_id);
    if (!dashboard.ok()) {
      if (dashboard.status().code() == StatusCode::kNotFound) {
        return internal::Detail(404, "Not found.");
      }
      return http::ErrorResponse(dashboard.status(), request.request_id());
    }
    return Response::Json(200, DashboardJson(*dashboard, ctx_.settings));
  }

  Response ChangeEnrollment(const Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return Plain(403, "");
    const std::map<std::string, std::string> form = internal::FormMap(request);
    auto field = [&](const char* name) -> std::optional<std::string> {
      auto it = form.find(name);
      if (it == form.end()) return std::nullopt;
      return it->second;
    };
    std::optional<std::string> course_id = field("course_id");
    const std::string action = field("enrollment_action").value_or("");
    if (!course_id.has_value()) return Plain(400, "Course id not specified");
    StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(*course_id);
    if (!key.ok()) {
      spdlog::warn("User {} tried to {} with invalid course id: {}", caller->username, action,
                   *course_id);
      return Plain(400, "Invalid course id");
    }
    const std::string course_key = key->ToString();
    if (action == "enroll") return Enroll(request, *caller, course_key);
    if (action == "unenroll") return Unenroll(request, *caller, course_key);
    return Plain(400, "Enrollment action is invalid");
  }

  Response RefundStatus(const Request& request) {
    if (CurrentPrincipal(request) == nullptr) {
      return internal::Detail(401, "Authentication credentials were not provided.");
    }
    // No ecommerce, no refunds: every enrollment is non-refundable.
    return Response::Json(200, json{{"course_refundable_status", false}});
  }

 private:
  Response Enroll(const Request& request, const oauth::Principal& caller,
                  const std::string& course_key) {
    StatusOr<std::vector<enrollment::CourseMode>> modes = ctx_.enrollments.ModesForCourse(
        course_key, /*include_expired=*/false, /*only_selectable=*/true);
    StatusOr<enrollment::CourseInfo> course = ctx_.enrollments.GetCourse(course_key);
    if (!course.ok() || !modes.ok()) {
      Status s = course.ok() ? modes.status() : course.status();
      if (s.code() != StatusCode::kNotFound) return http::ErrorResponse(s, request.request_id());
      spdlog::warn("User {} tried to enroll in non-existent course {}", caller.username,
                   course_key);
      return Plain(400, "Course id is invalid");
    }
    bool professional = false, verified = false, audit = false, honor = false;
    for (const enrollment::CourseMode& m : *modes) {
      professional = professional || enrollment::IsProfessionalMode(m.slug);
      verified = verified || m.slug == enrollment::kModeVerified;
      audit = audit || m.slug == enrollment::kModeAudit;
      honor = honor || m.slug == enrollment::kModeHonor;
    }
    // CourseMode.can_auto_enroll / auto_enroll_mode: a free mode and no
    // professional paywall.
    if (!professional && (audit || honor)) {
      enrollment::EnrollOptions options;
      options.mode = audit ? enrollment::kModeAudit : enrollment::kModeHonor;
      options.actor_user_id = caller.user_id;
      StatusOr<enrollment::EnrollResult> enrolled =
          ctx_.enrollments.Enroll(caller.user_id, course_key, options);
      if (!enrolled.ok()) {
        if (enrolled.status().code() == StatusCode::kUnavailable) {
          return http::ErrorResponse(enrolled.status(), request.request_id());
        }
        return Plain(400, "Could not enroll");
      }
    }
    // Paid modes: the track choice page.
    if (verified || professional) return Plain(200, "/course_modes/choose/" + course_key + "/");
    return Plain(200, "");
  }

  Response Unenroll(const Request& request, const oauth::Principal& caller,
                    const std::string& course_key) {
    StatusOr<std::optional<enrollment::Enrollment>> existing =
        ctx_.enrollments.Get(caller.user_id, course_key);
    if (!existing.ok()) return http::ErrorResponse(existing.status(), request.request_id());
    if (!existing->has_value()) return Plain(400, "You are not enrolled in this course");
    StatusOr<enrollment::Enrollment> done =
        ctx_.enrollments.Unenroll(caller.user_id, course_key, caller.user_id);
    if (!done.ok()) return http::ErrorResponse(done.status(), request.request_id());
    return Plain(200, "");
  }

  LearnerHomeRoutesContext& ctx_;
};

}  // namespace

void RegisterLearnerHomeRoutes(http::Router& router, LearnerHomeRoutesContext& context) {
  auto routes = std::make_shared<LearnerHomeRoutes>(context);
  // The router also matches each path without its trailing slash.
  router.Get("/api/learner_home/init/",
             [routes](Request& request) { return routes->Init(request); });
  router.Post("/change_enrollment",
              [routes](Request& request) { return routes->ChangeEnrollment(request); });
  router.Get("/course_run/{course_id:course_key}/refund_status",
             [routes](Request& request) { return routes->RefundStatus(request); });
}

}  // namespace larch::api
