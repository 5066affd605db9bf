// Private to the enrollment endpoints (enrollment_routes.cc: the v1
// enrollment API; enrollment_staff_routes.cc: the staff listing, allowances
// and retirement; enrollment_bulk_routes.cc: the instructor's bulk
// enrollment): response helpers, the course details cache and the throttle
// the route files share.
//
// Thread safety: CourseDetailsCache and EnrollmentThrottle are thread-safe;
// the rest are pure functions.
#ifndef LARCH_API_ENROLLMENT_ROUTES_INTERNAL_H_
#define LARCH_API_ENROLLMENT_ROUTES_INTERNAL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/enrollment_routes.h"
#include "larch/api/rate_limiter.h"
#include "larch/common/mutex.h"

namespace larch::api::internal {

using json = nlohmann::json;

inline constexpr char kEnrollmentPrefix[] = "/api/enrollment/v1";

// The one place that says which body shape each enrollment endpoint answers
// errors with (upstream's views differ) and how a failed domain call becomes
// an answer (enrollment_errors.cc).
enum class ErrorShape {
  kMessage,           // {"message": ...}: the v1 enrollment views
  kDeveloperMessage,  // {"developer_message": ...}: DeveloperErrorViewMixin views
  kDetail,            // {"detail": ...}: DRF's default (permissions, EnrollmentAllowedView 500s)
  kJsonString,        // a bare JSON string: UnenrollmentView's Response("...")
  kPlainText,         // text/plain: the instructor dashboard's HttpResponseBadRequest
};
http::Response ErrorBody(ErrorShape shape, int status, std::string text);
// Failures of the server rather than of the request: storage outages (lost
// connection, busy writer after the retries, disk full, corruption) and
// internal errors.
bool IsServerFailure(const Status& status);
// A failed domain call: a server failure becomes the standard error response
// (http/error_mapping: 503 for kUnavailable, ...; logged with the request id
// and `what`); anything else ErrorBody(shape, status, text).
http::Response Failure(const http::Request& req, const Status& failure, std::string_view what,
                       ErrorShape shape, int status, std::string text);

// DRF's DateTimeField output: ISO 8601 with "Z" for UTC.
json Iso(const std::optional<int64_t>& micros);
json Message(std::string text);
// 200 / 404 with a JSON content type and no body.
http::Response EmptyOk();
http::Response EmptyNotFound();
std::string Dump(const json& value);
http::Response JsonText(int status, std::string body);
// The Enrollment API's course details; kNotFound for an unknown course.
StatusOr<json> CourseDetails(EnrollmentRoutesContext& ctx, const std::string& course_key,
                             bool include_expired);
// DRF's SimpleRateThrottle.parse_rate: "N/unit" where only the unit's first
// letter counts (s, m, h, d).
std::optional<Rate> ParseDrfRate(const std::string& text);

// Course details shared by every enrollment of a course, kept for a short
// time so listing a learner's enrollments reads no course rows.
class CourseDetailsCache {
 public:
  struct Entry {
    Entry(json v, int64_t expires_at)
        : value(std::move(v)),
          text(value.dump(-1, ' ', false, json::error_handler_t::replace)),
          expires(expires_at) {}
    json value;
    std::string text;  // value.dump()
    int64_t expires = 0;
  };

  CourseDetailsCache(EnrollmentRoutesContext& ctx, int64_t ttl_seconds)
      : ctx_(ctx), ttl_micros_(ttl_seconds * 1'000'000) {}

  // Drops both cached forms of `course_key` (a re-import, a mode change).
  void Forget(std::string_view course_key) {
    MutexLock lock(mu_);
    entries_.erase("0" + std::string(course_key));
    entries_.erase("1" + std::string(course_key));
  }

  StatusOr<std::shared_ptr<const Entry>> Get(const std::string& course_key, bool include_expired) {
    const int64_t now = ctx_.clock.NowMicros();
    const std::string key = (include_expired ? "1" : "0") + course_key;
    if (ttl_micros_ > 0) {
      MutexLock lock(mu_);
      auto it = entries_.find(key);
      if (it != entries_.end() && it->second->expires > now) return it->second;
    }
    LARCH_ASSIGN_OR_RETURN(json value, CourseDetails(ctx_, course_key, include_expired));
    auto entry = std::make_shared<const Entry>(std::move(value), now + ttl_micros_);
    if (ttl_micros_ > 0) {
      MutexLock lock(mu_);
      // Courses are few; a size bound only guards against unbounded keys.
      if (entries_.size() >= kMaxEntries) entries_.clear();
      entries_[key] = entry;
    }
    return entry;
  }

 private:
  static constexpr size_t kMaxEntries = 10'000;
  EnrollmentRoutesContext& ctx_;
  const int64_t ttl_micros_;
  Mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Entry>> entries_ LARCH_GUARDED_BY(mu_);
};

// EnrollmentUserThrottle (UserRateThrottle with a "staff" scope and an
// API-key exemption).
class EnrollmentThrottle {
 public:
  EnrollmentThrottle(const json& rates, const Clock& clock, SharedRateCounter* shared) {
    user_ = Make(rates, "user", "40/minute", clock, shared, user_rate_);
    staff_ = Make(rates, "staff", "120/minute", clock, shared, staff_rate_);
  }

  // nullopt when the request may proceed, else DRF's 429.
  std::optional<http::Response> Check(const http::Request& req, const oauth::Principal* principal,
                                      bool api_key) {
    if (api_key) return std::nullopt;
    const bool staff = principal != nullptr && (principal->is_staff || principal->is_superuser);
    RateLimiter* limiter = staff ? staff_.get() : user_.get();
    if (limiter == nullptr) return std::nullopt;
    const std::string key = principal != nullptr ? "u" + std::to_string(principal->user_id)
                                                 : "ip" + req.client_address();
    if (limiter->Allow(key)) return std::nullopt;
    // The bucket is below one token; one token refills in period / count
    // seconds, the longest possible wait.
    const Rate& rate = staff ? staff_rate_ : user_rate_;
    const int64_t wait =
        std::max<int64_t>(1, static_cast<int64_t>(std::ceil(static_cast<double>(rate.period_secs) /
                                                            static_cast<double>(rate.count))));
    http::Response r = http::Response::Json(
        429, json{{"detail", "Request was throttled. Expected available in " +
                                 std::to_string(wait) + (wait == 1 ? " second." : " seconds.")}});
    r.SetHeader("Retry-After", std::to_string(wait));
    return r;
  }

 private:
  static std::unique_ptr<RateLimiter> Make(const json& rates, const char* scope,
                                           const char* fallback, const Clock& clock,
                                           SharedRateCounter* shared, Rate& out) {
    std::string text = fallback;
    if (rates.is_object() && rates.contains(scope)) {
      const json& value = rates[scope];
      if (value.is_null()) return nullptr;
      if (value.is_string()) {
        text = value.get<std::string>();
      } else {
        spdlog::error("ENROLLMENT_THROTTLE_RATES.{} must be a rate like \"40/minute\"; using {}",
                      scope, fallback);
      }
    }
    std::optional<Rate> rate = ParseDrfRate(text);
    if (!rate.has_value()) {
      spdlog::error("ENROLLMENT_THROTTLE_RATES.{}: invalid rate '{}'; using {}", scope, text,
                    fallback);
      rate = ParseDrfRate(fallback);
    }
    out = *rate;
    return std::make_unique<RateLimiter>(*rate, clock, 100'000, shared,
                                         std::string("enrollment_") + scope);
  }

  Rate user_rate_;
  Rate staff_rate_;
  std::unique_ptr<RateLimiter> user_;
  std::unique_ptr<RateLimiter> staff_;
};

struct RouteState {
  explicit RouteState(EnrollmentRoutesContext& c)
      : ctx(c),
        cache(c, c.course_details_cache_seconds),
        throttle(c.throttle_rates, c.clock, c.shared_rates) {}
  EnrollmentRoutesContext& ctx;
  CourseDetailsCache cache;
  EnrollmentThrottle throttle;
};

// The staff endpoints (enrollment_staff_routes.cc) and the instructor's
// bulk enrollment (enrollment_bulk_routes.cc).
void RegisterEnrollmentStaffRoutes(http::Router& router, const std::shared_ptr<RouteState>& st);
void RegisterBulkEnrollmentRoutes(http::Router& router, EnrollmentRoutesContext& context);

}  // namespace larch::api::internal

#endif  // LARCH_API_ENROLLMENT_ROUTES_INTERNAL_H_
