#include "larch/api/enrollment_routes.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/api/rate_limiter.h"
#include "larch/events/event.h"
#include "larch/http/url.h"
#include "larch/keys/keys.h"
#include "larch/oauth/jwt.h"

namespace larch::api {
namespace {

using nlohmann::json;

constexpr char kPrefix[] = "/api/enrollment/v1";

// DRF's DateTimeField output: ISO 8601 with "Z" for UTC.
json Iso(const std::optional<int64_t>& micros) {
  if (!micros.has_value()) return nullptr;
  std::string text = events::FormatEventTime(*micros);
  constexpr std::string_view kUtc = "+00:00";
  if (text.size() >= kUtc.size() &&
      text.compare(text.size() - kUtc.size(), kUtc.size(), kUtc) == 0) {
    text.replace(text.size() - kUtc.size(), kUtc.size(), "Z");
  }
  return text;
}

json Message(std::string text) { return json{{"message", std::move(text)}}; }

// How Python's str.format prints a request value in upstream's messages:
// a string without quotes ("'yes' is an invalid ..."), True/False/None, and
// numbers as JSON writes them.
std::string PythonStr(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
  if (value.is_null()) return "None";
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

http::Response EmptyOk() {
  http::Response r;
  r.status = 200;
  r.SetHeader("Content-Type", "application/json");
  return r;
}

http::Response EmptyNotFound() {
  http::Response r;
  r.status = 404;
  r.SetHeader("Content-Type", "application/json");
  return r;
}

json ModeJson(const enrollment::CourseMode& m) {
  auto opt = [](const std::optional<std::string>& v) -> json {
    return v.has_value() ? json(*v) : json(nullptr);
  };
  return json{{"slug", m.slug},
              {"name", m.name},
              {"min_price", m.min_price},
              {"suggested_prices", m.suggested_prices},
              {"currency", m.currency},
              {"expiration_datetime", Iso(m.expiration_datetime)},
              {"description", opt(m.description)},
              {"sku", opt(m.sku)},
              {"bulk_sku", opt(m.bulk_sku)}};
}

StatusOr<json> CourseDetails(EnrollmentApiContext& ctx, const std::string& course_key,
                             bool include_expired) {
  LARCH_ASSIGN_OR_RETURN(enrollment::CourseInfo course, ctx.enrollments.GetCourse(course_key));
  LARCH_ASSIGN_OR_RETURN(std::vector<enrollment::CourseMode> modes,
                         ctx.enrollments.ModesForCourse(course_key, include_expired,
                                                        /*only_selectable=*/false));
  json mode_list = json::array();
  for (const auto& m : modes) mode_list.push_back(ModeJson(m));
  return json{{"course_id", course.course_key},
              {"course_name", course.display_name},
              {"enrollment_start", Iso(course.enrollment_start)},
              {"enrollment_end", Iso(course.enrollment_end)},
              {"course_start", Iso(course.start)},
              {"course_end", Iso(course.end)},
              {"invite_only", course.invitation_only},
              {"course_modes", std::move(mode_list)},
              {"pacing_type", course.self_paced ? "Self Paced" : "Instructor Paced"}};
}

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

  CourseDetailsCache(EnrollmentApiContext& ctx, int64_t ttl_seconds)
      : ctx_(ctx), ttl_micros_(ttl_seconds * 1'000'000) {}

  StatusOr<std::shared_ptr<const Entry>> Get(const std::string& course_key, bool include_expired) {
    const int64_t now = ctx_.clock.NowMicros();
    const std::string key = (include_expired ? "1" : "0") + course_key;
    if (ttl_micros_ > 0) {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = entries_.find(key);
      if (it != entries_.end() && it->second->expires > now) return it->second;
    }
    LARCH_ASSIGN_OR_RETURN(json value, CourseDetails(ctx_, course_key, include_expired));
    auto entry = std::make_shared<const Entry>(std::move(value), now + ttl_micros_);
    if (ttl_micros_ > 0) {
      std::lock_guard<std::mutex> lock(mu_);
      // Courses are few; a size bound only guards against unbounded keys.
      if (entries_.size() >= kMaxEntries) entries_.clear();
      entries_[key] = entry;
    }
    return entry;
  }

 private:
  static constexpr size_t kMaxEntries = 10'000;
  EnrollmentApiContext& ctx_;
  const int64_t ttl_micros_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Entry>> entries_;
};

// DRF's SimpleRateThrottle.parse_rate: "N/unit" where only the unit's first
// letter counts (s, m, h, d).
std::optional<Rate> ParseDrfRate(const std::string& text) {
  size_t slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= text.size()) return std::nullopt;
  Rate rate;
  try {
    size_t used = 0;
    rate.count = std::stoll(text.substr(0, slash), &used);
    if (used != slash || rate.count <= 0) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  switch (text[slash + 1]) {
    case 's':
      rate.period_secs = 1;
      break;
    case 'm':
      rate.period_secs = 60;
      break;
    case 'h':
      rate.period_secs = 3600;
      break;
    case 'd':
      rate.period_secs = 86400;
      break;
    default:
      return std::nullopt;
  }
  return rate;
}

// EnrollmentUserThrottle (UserRateThrottle with a "staff" scope and an
// API-key exemption).
class EnrollmentThrottle {
 public:
  EnrollmentThrottle(const json& rates, const Clock& clock) {
    user_ = Make(rates, "user", "40/minute", clock, user_rate_);
    staff_ = Make(rates, "staff", "120/minute", clock, staff_rate_);
  }

  // nullopt when the request may proceed, else DRF's 429.
  std::optional<http::Response> Check(const http::Request& req, const oauth::Principal* principal,
                                      bool api_key) {
    if (api_key) return std::nullopt;
    const bool staff = principal != nullptr && (principal->is_staff || principal->is_superuser);
    RateLimiter* limiter = staff ? staff_.get() : user_.get();
    if (limiter == nullptr) return std::nullopt;
    const std::string key = principal != nullptr ? "u" + std::to_string(principal->user_id)
                                                 : "ip" + req.remote_address();
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
                                           const char* fallback, const Clock& clock, Rate& out) {
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
    return std::make_unique<RateLimiter>(*rate, clock);
  }

  Rate user_rate_;
  Rate staff_rate_;
  std::unique_ptr<RateLimiter> user_;
  std::unique_ptr<RateLimiter> staff_;
};

struct RouteState {
  explicit RouteState(EnrollmentApiContext& c)
      : ctx(c), cache(c, c.course_details_cache_seconds), throttle(c.throttle_rates, c.clock) {}
  EnrollmentApiContext& ctx;
  CourseDetailsCache cache;
  EnrollmentThrottle throttle;
};

StatusOr<json> EnrollmentJson(EnrollmentApiContext& ctx, const enrollment::Enrollment& e,
                              const std::string& username) {
  LARCH_ASSIGN_OR_RETURN(json details, CourseDetails(ctx, e.course_key, false));
  return json{{"created", Iso(e.created)},
              {"mode", e.mode},
              {"is_active", e.is_active},
              {"user", username},
              {"course_details", std::move(details)}};
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

http::Response JsonText(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.SetHeader("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

// The enrollment JSON (keys in nlohmann's sorted order, as EnrollmentJson
// prints them) around the cached course details.
StatusOr<std::string> EnrollmentText(RouteState& st, const enrollment::Enrollment& e,
                                     const std::string& username) {
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const CourseDetailsCache::Entry> details,
                         st.cache.Get(e.course_key, false));
  std::string out;
  out.reserve(details->text.size() + 128);
  out += "{\"course_details\":";
  out += details->text;
  out += ",\"created\":";
  out += Dump(Iso(e.created));
  out += ",\"is_active\":";
  out += e.is_active ? "true" : "false";
  out += ",\"mode\":";
  out += Dump(e.mode);
  out += ",\"user\":";
  out += Dump(username);
  out += '}';
  return out;
}

// Who is calling: the principal (may be null) and whether the request holds
// the server-to-server API key.
struct Caller {
  const oauth::Principal* principal = nullptr;
  bool api_key = false;
  bool privileged() const { return api_key || (principal != nullptr && principal->is_staff); }
  std::string username() const { return principal != nullptr ? principal->username : ""; }
};

// ApiKeyHeaderPermissionIsAuthenticated: an API key or an authenticated user.
std::optional<http::Response> Authorize(EnrollmentApiContext& ctx, const http::Request& req,
                                        Caller& caller) {
  caller.principal = CurrentPrincipal(req);
  auto key = req.Header("X-Edx-Api-Key");
  caller.api_key = !ctx.edx_api_key.empty() && key.has_value() && *key == ctx.edx_api_key;
  if (caller.api_key || caller.principal != nullptr) return std::nullopt;
  return RequireUser(req).error;
}

http::Response GetOne(RouteState& st, const Caller& caller, const std::string& username,
                      const std::string& course_id) {
  EnrollmentApiContext& ctx = st.ctx;
  if (username != caller.username() && !caller.privileged()) return EmptyNotFound();
  auto retrieve_error = [&] {
    return http::Response::Json(400, Message("An error occurred while retrieving enrollments for "
                                             "user '" +
                                             username + "' in course '" + course_id + "'"));
  };
  auto user = ctx.accounts.GetUserByUsername(username);
  if (!user.ok()) {
    if (user.status().code() == StatusCode::kNotFound) return EmptyOk();
    return retrieve_error();
  }
  auto e = ctx.enrollments.Get(user->id, course_id);
  if (!e.ok()) return retrieve_error();
  if (!e->has_value()) return EmptyOk();
  auto body = EnrollmentText(st, **e, user->username);
  if (!body.ok()) return retrieve_error();
  return JsonText(200, std::move(*body));
}

http::Response ListEnrollments(RouteState& st, const Caller& caller, const http::Request& req) {
  EnrollmentApiContext& ctx = st.ctx;
  std::string username = req.Query("user").value_or(caller.username());
  if (username.empty()) username = caller.username();
  auto error = [&] {
    return http::Response::Json(
        400, Message("An error occurred while retrieving enrollments for user '" + username + "'"));
  };
  int64_t user_id = 0;
  std::string user_name;
  if (caller.principal != nullptr && username == caller.principal->username) {
    // The caller's own list (the common case): the principal already names
    // the user, so no account read.
    user_id = caller.principal->user_id;
    user_name = caller.principal->username;
  } else {
    auto user = ctx.accounts.GetUserByUsername(username);
    if (!user.ok()) {
      return user.status().code() == StatusCode::kNotFound ? JsonText(200, "[]") : error();
    }
    user_id = user->id;
    user_name = user->username;
  }
  auto list = ctx.enrollments.ListActive(user_id);
  if (!list.ok()) return error();
  const bool see_all = username == caller.username() || caller.privileged();
  std::string out = "[";
  for (const auto& e : *list) {
    if (!see_all) {
      auto staff =
          ctx.roles.HasRole(caller.principal->user_id, e.course_key, accounts::CourseRole::kStaff);
      if (!staff.ok() || !*staff) continue;
    }
    auto item = EnrollmentText(st, e, user_name);
    if (!item.ok()) {
      // The course was deleted: upstream drops such enrollments.
      if (item.status().code() == StatusCode::kNotFound) continue;
      return error();
    }
    if (out.size() > 1) out += ',';
    out += *item;
  }
  out += ']';
  return JsonText(200, std::move(out));
}

http::Response CreateEnrollment(EnrollmentApiContext& ctx, const Caller& caller,
                                const http::Request& req) {
  auto parsed = req.JsonBody();
  json body = parsed.ok() && parsed->is_object() ? *parsed : json::object();
  std::string course_id;
  if (body.contains("course_details") && body["course_details"].is_object() &&
      body["course_details"].contains("course_id") &&
      body["course_details"]["course_id"].is_string()) {
    course_id = body["course_details"]["course_id"].get<std::string>();
  }
  if (course_id.empty()) {
    return http::Response::Json(400,
                                Message("Course ID must be specified to create a new enrollment."));
  }
  if (!keys::CourseKey::Parse(course_id).ok()) {
    return http::Response::Json(400, Message("No course '" + course_id + "' found for enrollment"));
  }
  auto text_field = [&](const char* name) -> std::string {
    return body.contains(name) && body[name].is_string() ? body[name].get<std::string>() : "";
  };
  std::string username = text_field("user");
  const std::string email = text_field("email");
  std::optional<std::string> mode;
  if (body.contains("mode") && body["mode"].is_string()) mode = body["mode"].get<std::string>();

  std::optional<accounts::User> user;
  if (username.empty() && !email.empty()) {
    if (!caller.privileged()) return EmptyNotFound();
    auto by_email = ctx.accounts.GetUserByEmail(email);
    if (!by_email.ok()) {
      return http::Response::Json(
          406, Message("The user with the email address " + email + " does not exist."));
    }
    user = *by_email;
    username = user->username;
  }
  if (username.empty()) username = caller.username();
  if (username != caller.username() && !caller.privileged()) return EmptyNotFound();
  if (mode.has_value() && *mode != enrollment::kModeAudit && *mode != enrollment::kModeHonor &&
      !caller.privileged()) {
    return http::Response::Json(
        403,
        Message("User does not have permission to create enrollment with mode [" + *mode + "]."));
  }
  if (!user.has_value()) {
    auto by_name = ctx.accounts.GetUserByUsername(username);
    if (!by_name.ok()) {
      return http::Response::Json(406, Message("The user " + username + " does not exist."));
    }
    user = *by_name;
  }
  std::optional<bool> is_active;
  if (body.contains("is_active") && !body["is_active"].is_null()) {
    if (!body["is_active"].is_boolean()) {
      return http::Response::Json(400, Message("'" + PythonStr(body["is_active"]) +
                                               "' is an invalid enrollment activation status."));
    }
    is_active = body["is_active"].get<bool>();
  }
  bool force = false;
  if (body.contains("force_enrollment") && !body["force_enrollment"].is_null()) {
    if (!body["force_enrollment"].is_boolean()) {
      return http::Response::Json(400, Message("'" + PythonStr(body["force_enrollment"]) +
                                               "' is an invalid force enrollment status."));
    }
    // Only global staff may skip the enrollment checks.
    force = body["force_enrollment"].get<bool>() && caller.principal != nullptr &&
            caller.principal->is_staff;
  }
  std::vector<std::string> attribute_names;
  std::vector<enrollment::EnrollmentAttribute> attributes;
  if (body.contains("enrollment_attributes") && body["enrollment_attributes"].is_array()) {
    for (const json& a : body["enrollment_attributes"]) {
      if (a.is_object() && a.contains("namespace") && a.contains("name") &&
          a["namespace"].is_string() && a["name"].is_string()) {
        enrollment::EnrollmentAttribute attribute{a["namespace"].get<std::string>(),
                                                  a["name"].get<std::string>(), ""};
        if (a.contains("value") && a["value"].is_string()) {
          attribute.value = a["value"].get<std::string>();
        }
        attribute_names.push_back(attribute.name_space + ":" + attribute.name);
        attributes.push_back(std::move(attribute));
      }
    }
  }
  const std::string creation_error =
      "An error occurred while creating the new course enrollment "
      "for user '" +
      username + "' in course '" + course_id + "'";
  auto respond = [&](const enrollment::Enrollment& e) {
    if (!attributes.empty()) {
      Status saved = ctx.enrollments.SetAttributes(user->id, course_id, attributes);
      if (!saved.ok()) return http::Response::Json(400, Message(creation_error));
    }
    auto out = EnrollmentJson(ctx, e, user->username);
    if (!out.ok()) return http::Response::Json(400, Message(creation_error));
    return http::Response::Json(200, *out);
  };
  auto map_error = [&](const Status& s) {
    if (s.error_code() == "course-not-found") {
      return http::Response::Json(400,
                                  Message("No course '" + course_id + "' found for enrollment"));
    }
    if (s.error_code() == "mode-unavailable") {
      json out = Message(s.message());
      auto details = CourseDetails(ctx, course_id, false);
      out["course_details"] = details.ok() ? *details : json(nullptr);
      return http::Response::Json(400, out);
    }
    if (s.code() != StatusCode::kFailedPrecondition) {
      spdlog::error("enrollment: POST for {} in {} failed: {}", username, course_id, s.ToString());
    }
    return http::Response::Json(400, Message(creation_error));
  };

  auto existing = ctx.enrollments.Get(user->id, course_id);
  if (!existing.ok()) return map_error(existing.status());
  const bool mode_changed = existing->has_value() && mode.has_value() && (*existing)->mode != *mode;
  const bool active_changed =
      existing->has_value() && is_active.has_value() && (*existing)->is_active != *is_active;
  const std::optional<int64_t> actor = caller.principal != nullptr
                                           ? std::optional<int64_t>(caller.principal->user_id)
                                           : std::nullopt;
  if (caller.privileged() && (mode_changed || active_changed)) {
    if (mode_changed && active_changed && !*is_active) {
      return http::Response::Json(
          400, Message("Enrollment mode mismatch: active mode=" + (*existing)->mode +
                       ", requested mode=" + *mode + ". Won't deactivate."));
    }
    if (mode.has_value() && enrollment::IsCreditMode(*mode) &&
        std::find(attribute_names.begin(), attribute_names.end(), "credit:provider_id") ==
            attribute_names.end()) {
      return http::Response::Json(400,
                                  Message("Missing enrollment attributes: requested mode=" + *mode +
                                          " required attributes=['credit:provider_id']"));
    }
    if (mode.has_value()) {
      // update_enrollment validates the mode, expired ones included for
      // the API key.
      auto modes = ctx.enrollments.ModesForCourse(course_id, caller.api_key, false);
      if (!modes.ok()) return map_error(modes.status());
      if (std::none_of(modes->begin(), modes->end(),
                       [&](const enrollment::CourseMode& m) { return m.slug == *mode; })) {
        return map_error(InvalidArgumentError("The [" + *mode +
                                              "] course mode is expired or otherwise unavailable "
                                              "for course run [" +
                                              course_id + "].")
                             .WithErrorCode("mode-unavailable"));
      }
    }
    auto updated = ctx.enrollments.Update(user->id, course_id, mode, is_active, actor);
    if (!updated.ok()) return map_error(updated.status());
    return respond(*updated);
  }
  enrollment::EnrollOptions options;
  options.mode = mode;
  options.check_access = !force;
  options.actor_user_id = actor;
  auto result = ctx.enrollments.Enroll(user->id, course_id, options);
  if (!result.ok()) return map_error(result.status());
  enrollment::Enrollment e = result->enrollment;
  if (!result->already_active && is_active.has_value() && !*is_active) {
    auto updated = ctx.enrollments.Update(user->id, course_id, std::nullopt, false, actor);
    if (!updated.ok()) return map_error(updated.status());
    e = *updated;
  }
  return respond(e);
}

http::Response Roles(EnrollmentApiContext& ctx, const http::Request& req) {
  AuthResult auth = RequireUser(req);
  if (auth.principal == nullptr) return auth.error;
  const std::optional<std::string> course_id = req.Query("course_id");
  auto grants = ctx.roles.RolesFor(auth.principal->user_id);
  if (!grants.ok()) {
    return http::Response::Json(500, Message("An error occurred while retrieving roles."));
  }
  json roles = json::array();
  for (const auto& g : *grants) {
    if (course_id.has_value() && !course_id->empty() && g.course_id != *course_id) continue;
    // Upstream prints the missing course key of an org-wide role with str(None).
    roles.push_back({{"org", g.org},
                     {"course_id", g.course_id.empty() ? "None" : g.course_id},
                     {"role", std::string(accounts::CourseRoleName(g.role))}});
  }
  return http::Response::Json(200, json{{"roles", roles}, {"is_staff", auth.principal->is_staff}});
}

std::vector<std::string> SplitIdentifiers(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (c == ',' || c == '\n' || c == '\r' || c == ' ' || c == '\t') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

bool FormBool(const std::map<std::string, std::string>& form, const char* name) {
  auto it = form.find(name);
  if (it == form.end()) return false;
  std::string v = it->second;
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v == "true" || v == "1" || v == "on";
}

json StateJson(const enrollment::BulkState& s) {
  return json{{"user", s.user},
              {"enrollment", s.enrollment},
              {"allowed", s.allowed},
              {"auto_enroll", s.auto_enroll}};
}

http::Response StudentsUpdateEnrollment(EnrollmentApiContext& ctx, const http::Request& req) {
  AuthResult auth = RequireUser(req);
  if (auth.principal == nullptr) return auth.error;
  const std::string course_id(req.PathParam("course_id"));
  if (!auth.principal->is_staff) {
    bool allowed = false;
    for (auto role : {accounts::CourseRole::kInstructor, accounts::CourseRole::kStaff}) {
      auto has = ctx.roles.HasRole(auth.principal->user_id, course_id, role);
      if (has.ok() && *has) allowed = true;
    }
    if (!allowed)
      return internal::Detail(403, "You do not have permission to perform this action.");
  }
  const std::map<std::string, std::string> form = internal::FormMap(req);
  auto action_it = form.find("action");
  const std::string action = action_it == form.end() ? "" : action_it->second;
  if (action != "enroll" && action != "unenroll") {
    return http::Response::Text(400, "Unrecognized action '" + action + "'");
  }
  auto ids_it = form.find("identifiers");
  const std::vector<std::string> identifiers =
      SplitIdentifiers(ids_it == form.end() ? "" : ids_it->second);
  const bool auto_enroll = FormBool(form, "auto_enroll");
  auto results =
      ctx.enrollments.BulkUpdate(course_id, identifiers, action == "enroll", auto_enroll,
                                 FormBool(form, "email_students"), auth.principal->user_id);
  if (!results.ok()) {
    if (results.status().code() == StatusCode::kNotFound) {
      return internal::Detail(404, "Course not found.");
    }
    spdlog::error("enrollment: bulk update of {} failed: {}", course_id,
                  results.status().ToString());
    return internal::Detail(500, "An error occurred while updating enrollments.");
  }
  json rows = json::array();
  for (const auto& r : *results) {
    if (r.invalid_identifier) {
      rows.push_back({{"identifier", r.identifier}, {"invalidIdentifier", true}});
      continue;
    }
    rows.push_back({{"identifier", r.identifier},
                    {"before", StateJson(r.before)},
                    {"after", StateJson(r.after)}});
  }
  return http::Response::Json(
      200, json{{"action", action}, {"results", rows}, {"auto_enroll", auto_enroll}});
}

constexpr char kNoPermission[] = "You do not have permission to perform this action.";

// request.data: a JSON object body, or the form fields as strings.
json RequestData(const http::Request& req) {
  auto parsed = req.JsonBody();
  if (parsed.ok() && parsed->is_object()) return *parsed;
  json out = json::object();
  for (const auto& [name, value] : internal::FormMap(req)) out[name] = value;
  return out;
}

// A request.data value as Python's truthiness of what Django stores.
std::optional<std::string> DataText(const json& data, const char* name) {
  if (!data.contains(name) || data[name].is_null()) return std::nullopt;
  if (data[name].is_string()) return data[name].get<std::string>();
  return Dump(data[name]);
}

bool DataBool(const json& data, const char* name) {
  if (!data.contains(name)) return false;
  const json& v = data[name];
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  if (v.is_string()) {
    std::string t = v.get<std::string>();
    std::transform(t.begin(), t.end(), t.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return t == "true" || t == "1" || t == "on" || t == "yes";
  }
  return false;
}

// IsAdminUser on a DeveloperErrorViewMixin view: errors as
// {"developer_message": ...}.
std::optional<http::Response> RequireAdmin(const http::Request& req, bool developer_errors,
                                           const oauth::Principal** principal) {
  AuthResult auth = RequireUser(req);
  *principal = auth.principal;
  if (auth.principal == nullptr) {
    if (!developer_errors) return auth.error;
    json body = json::parse(auth.error.body, nullptr, false);
    std::string detail = body.is_object() && body.contains("detail") && body["detail"].is_string()
                             ? body["detail"].get<std::string>()
                             : "Authentication credentials were not provided.";
    http::Response r = http::Response::Json(auth.error.status, json{{"developer_message", detail}});
    if (auto www = auth.error.Header("WWW-Authenticate")) r.SetHeader("WWW-Authenticate", *www);
    return r;
  }
  if (!auth.principal->is_staff) {
    return developer_errors ? http::Response::Json(403, json{{"developer_message", kNoPermission}})
                            : internal::Detail(403, kNoPermission);
  }
  return std::nullopt;
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    out.push_back(
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Django forms' CharField: surrounding whitespace stripped, empty = absent.
std::optional<std::string> FormField(const http::Request& req, const char* name) {
  std::optional<std::string> v = req.Query(name);
  if (!v.has_value()) return std::nullopt;
  size_t b = v->find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return std::nullopt;
  size_t e = v->find_last_not_of(" \t\r\n");
  return v->substr(b, e - b + 1);
}

// The registration form's validate_username (ASCII usernames).
std::optional<std::string> UsernameError(const std::string& username) {
  if (username.size() < 2 || username.size() > 30) {
    return "Username must be between 2 and 30 characters long.";
  }
  for (unsigned char c : username) {
    if (!std::isalnum(c) && c != '_' && c != '-') {
      return "Usernames can only contain letters (A-Z, a-z), numerals (0-9), underscores (_), and "
             "hyphens (-).";
    }
  }
  return std::nullopt;
}

constexpr size_t kMaxInputCount = 100;         // CourseEnrollmentsApiListForm.MAX_INPUT_COUNT
constexpr int64_t kEnrollmentsPageSize = 100;  // CourseEnrollmentsApiListPagination

std::string EncodeCursor(const enrollment::EnrollmentListItem& at, bool reverse) {
  std::string raw =
      (reverse ? "r=1&p=" : "p=") + std::to_string(at.created) + "_" + std::to_string(at.id);
  return oauth::Base64UrlEncode(raw);
}

std::optional<enrollment::EnrollmentCursor> DecodeCursor(const std::string& text) {
  auto raw = oauth::Base64UrlDecode(text);
  if (!raw.ok()) return std::nullopt;
  enrollment::EnrollmentCursor c;
  std::string_view v = *raw;
  if (v.substr(0, 4) == "r=1&") {
    c.reverse = true;
    v.remove_prefix(4);
  }
  if (v.substr(0, 2) != "p=") return std::nullopt;
  v.remove_prefix(2);
  size_t sep = v.find('_');
  if (sep == std::string_view::npos) return std::nullopt;
  try {
    size_t used = 0;
    std::string created(v.substr(0, sep));
    std::string id(v.substr(sep + 1));
    c.created = std::stoll(created, &used);
    if (used != created.size()) return std::nullopt;
    c.id = std::stoll(id, &used);
    if (used != id.size()) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return c;
}

std::string CursorUrl(const http::Request& req, const std::string& cursor) {
  std::string query;
  for (const auto& [name, value] : req.query_params()) {
    if (name == "cursor") continue;
    query +=
        (query.empty() ? "" : "&") + http::PercentEncode(name) + "=" + http::PercentEncode(value);
  }
  query += (query.empty() ? "" : "&") + std::string("cursor=") + http::PercentEncode(cursor);
  return "http://" + std::string(req.Header("Host").value_or("localhost")) +
         std::string(req.path()) + "?" + query;
}

// CourseEnrollmentsApiListView.
http::Response AllEnrollments(RouteState& st, const http::Request& req) {
  const oauth::Principal* principal = nullptr;
  if (auto denied = RequireAdmin(req, /*developer_errors=*/true, &principal)) return *denied;
  if (auto throttled = st.throttle.Check(req, principal, false)) {
    // The view's own exception handler answers without Retry-After.
    json body = json::parse(throttled->body);
    return http::Response::Json(429, json{{"developer_message", body["detail"]}});
  }
  enrollment::EnrollmentFilter filter;
  json field_errors = json::object();
  if (auto course_id = FormField(req, "course_id")) {
    if (keys::CourseKey::Parse(*course_id).ok()) {
      filter.course_key = *course_id;
    } else {
      field_errors["course_id"] = {
          {"developer_message", "'" + *course_id + "' is not a valid course id."}};
    }
  }
  auto list_field = [&](const char* name, const char* plural,
                        std::vector<std::string>& out) -> bool {
    auto text = FormField(req, name);
    if (!text.has_value()) return true;
    out = SplitCommas(*text);
    if (out.size() > kMaxInputCount) {
      field_errors[name] = {
          {"developer_message", "Too many " + std::string(plural) + " in a single request - " +
                                    std::to_string(out.size()) + ". A maximum of 100 is allowed"}};
      return false;
    }
    return true;
  };
  if (list_field("username", "usernames", filter.usernames)) {
    for (const std::string& u : filter.usernames) {
      if (auto problem = UsernameError(u)) {
        field_errors["username"] = {{"developer_message", *problem}};
        break;
      }
    }
  }
  list_field("course_ids", "course_ids", filter.course_key_substrings);
  list_field("email", "emails", filter.emails);
  if (!field_errors.empty()) {
    return http::Response::Json(400, json{{"field_errors", field_errors}});
  }
  std::optional<enrollment::EnrollmentCursor> cursor;
  if (auto text = req.Query("cursor"); text.has_value() && !text->empty()) {
    cursor = DecodeCursor(*text);
    if (!cursor.has_value()) {
      return http::Response::Json(404, json{{"developer_message", "Invalid cursor"}});
    }
  }
  auto page = st.ctx.enrollments.ListEnrollments(filter, kEnrollmentsPageSize, cursor);
  if (!page.ok()) {
    spdlog::error("enrollment: listing enrollments failed: {}", page.status().ToString());
    return http::Response::Json(500, json{{"developer_message", "Internal error."}});
  }
  json results = json::array();
  for (const auto& item : page->items) {
    results.push_back({{"created", Iso(item.created)},
                       {"mode", item.mode},
                       {"is_active", item.is_active},
                       {"user", item.username},
                       {"course_id", item.course_key}});
  }
  const bool reverse = cursor.has_value() && cursor->reverse;
  bool has_next = page->more;
  bool has_previous = false;
  if (cursor.has_value()) {
    has_next = reverse ? true : page->more;
    has_previous = reverse ? page->more : true;
  }
  json next = nullptr;
  json previous = nullptr;
  if (!page->items.empty()) {
    if (has_next) next = CursorUrl(req, EncodeCursor(page->items.back(), false));
    if (has_previous) previous = CursorUrl(req, EncodeCursor(page->items.front(), true));
  }
  return http::Response::Json(
      200, json{{"next", next}, {"previous", previous}, {"results", std::move(results)}});
}

// CanRetireUser: a superuser, or the RETIREMENT_SERVICE_WORKER_USERNAME
// account when an operator made it (create-service-user), never an account
// that merely carries the name.
std::optional<http::Response> RefuseUnlessCanRetire(RouteState& st,
                                                    const oauth::Principal& principal) {
  if (principal.is_superuser) return std::nullopt;
  if (st.ctx.retirement_service_worker_username.empty() ||
      !http::EqualsIgnoreCase(principal.username, st.ctx.retirement_service_worker_username)) {
    return internal::Detail(403, kNoPermission);
  }
  auto service = st.ctx.accounts.IsServiceUser(principal.user_id);
  if (!service.ok()) return http::Response::Json(500, service.status().message());
  if (!*service) return internal::Detail(403, kNoPermission);
  return std::nullopt;
}

// UnenrollmentView (IsAuthenticated + CanRetireUser): only learners who
// asked for retirement (a user_retirement_status row) can be unenrolled.
http::Response UnenrollAll(RouteState& st, const http::Request& req) {
  AuthResult auth = RequireUser(req);
  if (auth.principal == nullptr) return auth.error;
  if (auto refused = RefuseUnlessCanRetire(st, *auth.principal)) return *refused;
  const json data = RequestData(req);
  std::optional<std::string> username = DataText(data, "username");
  if (!data.contains("username")) return http::Response::Json(404, "Username not specified.");
  auto retirement = st.ctx.accounts.GetRetirementStatus(username.value_or(""));
  if (!retirement.ok()) {
    if (retirement.status().code() == StatusCode::kNotFound) {
      return http::Response::Json(404, "No retirement request status for username.");
    }
    return http::Response::Json(500, retirement.status().message());
  }
  // Upstream's dead-end RETIREMENT_STATES.
  const std::string& state = retirement->current_state;
  if (state == "COMPLETE" || state == "ERROR" || state == "ABORTED") {
    return http::Response::Json(500, retirement->original_username + " is in " + state +
                                         ", not a valid state to perform retirement actions on!");
  }
  const int64_t user_id = retirement->user_id;
  auto active = st.ctx.enrollments.ListActive(user_id);
  if (!active.ok()) return http::Response::Json(500, active.status().message());
  if (active->empty()) {
    http::Response r;
    r.status = 204;
    return r;
  }
  auto orgs = st.ctx.enrollments.UnenrollFromAllCourses(user_id, auth.principal->user_id);
  if (!orgs.ok()) return http::Response::Json(500, orgs.status().message());
  return http::Response::Json(200, *orgs);
}

json AllowanceJson(const enrollment::Allowance& a) {
  return json{{"email", a.email},
              {"course_id", a.course_key},
              {"auto_enroll", a.auto_enroll},
              {"user", a.user_id.has_value() ? json(*a.user_id) : json(nullptr)},
              {"created", Iso(a.created)}};
}

// EnrollmentAllowedView (IsAdminUser).
http::Response EnrollmentAllowed(RouteState& st, const http::Request& req) {
  const oauth::Principal* principal = nullptr;
  if (auto denied = RequireAdmin(req, /*developer_errors=*/false, &principal)) return *denied;
  if (auto throttled = st.throttle.Check(req, principal, false)) return *throttled;
  const std::string method(req.method());
  if (method == "GET") {
    std::string email = req.Query("email").value_or("");
    if (email.empty()) {
      auto me = st.ctx.accounts.GetUserByUsername(principal->username);
      if (me.ok()) email = me->email;
    }
    auto rows = st.ctx.enrollments.ListAllowances(email);
    if (!rows.ok()) return internal::Detail(500, "A server error occurred.");
    json out = json::array();
    for (const auto& a : *rows) out.push_back(AllowanceJson(a));
    return http::Response::Json(200, out);
  }
  const json data = RequestData(req);
  const std::string email = DataText(data, "email").value_or("");
  const std::string course_id = DataText(data, "course_id").value_or("");
  if (email.empty() || course_id.empty()) {
    return http::Response::Json(
        400, Message("Please provide a value for 'email' and 'course_id' in the request data."));
  }
  if (!keys::CourseKey::Parse(course_id).ok()) {
    return http::Response::Json(400, Message("'" + course_id + "' is not a valid course id."));
  }
  if (method == "POST") {
    auto created =
        st.ctx.enrollments.CreateAllowance(email, course_id, DataBool(data, "auto_enroll"));
    if (!created.ok()) {
      if (created.status().code() == StatusCode::kAlreadyExists) {
        return http::Response::Json(409, Message("An enrollment allowed with email " + email +
                                                 " and course " + course_id + " already exists."));
      }
      return internal::Detail(500, "A server error occurred.");
    }
    return http::Response::Json(201, AllowanceJson(*created));
  }
  Status deleted = st.ctx.enrollments.DeleteAllowance(email, course_id);
  if (deleted.code() == StatusCode::kNotFound) {
    return http::Response::Json(404, Message("An enrollment allowed with email " + email +
                                             " and course " + course_id + " doesn't exists."));
  }
  if (!deleted.ok()) return internal::Detail(500, "A server error occurred.");
  http::Response r;
  r.status = 204;
  return r;
}

}  // namespace

void RegisterEnrollmentRoutes(http::Router& router, EnrollmentApiContext& context) {
  auto st = std::make_shared<RouteState>(context);
  EnrollmentApiContext* ctx = &context;
  // Authentication (ApiKeyHeaderPermissionIsAuthenticated), then the throttle.
  auto authorize = [st](http::Request& req, Caller& caller) -> std::optional<http::Response> {
    if (auto denied = Authorize(st->ctx, req, caller)) return denied;
    return st->throttle.Check(req, caller.principal, caller.api_key);
  };
  router.Get(std::string(kPrefix) + "/enrollment/{username},{course_id:course_key}",
             [st, authorize](http::Request& req) {
               Caller caller;
               if (auto denied = authorize(req, caller)) return *denied;
               return GetOne(*st, caller, std::string(req.PathParam("username")),
                             std::string(req.PathParam("course_id")));
             });
  router.Get(std::string(kPrefix) + "/enrollment/{course_id:course_key}", [st, authorize](
                                                                              http::Request& req) {
    Caller caller;
    if (auto denied = authorize(req, caller)) return *denied;
    return GetOne(*st, caller, caller.username(), std::string(req.PathParam("course_id")));
  });
  router.Get(std::string(kPrefix) + "/enrollment", [st, authorize](http::Request& req) {
    Caller caller;
    if (auto denied = authorize(req, caller)) return *denied;
    return ListEnrollments(*st, caller, req);
  });
  router.Post(std::string(kPrefix) + "/enrollment", [ctx, authorize](http::Request& req) {
    Caller caller;
    if (auto denied = authorize(req, caller)) return *denied;
    return CreateEnrollment(*ctx, caller, req);
  });
  for (const char* path : {"/enrollments", "/enrollments/"}) {
    router.Get(std::string(kPrefix) + path,
               [st](http::Request& req) { return AllEnrollments(*st, req); });
  }
  router.Get(std::string(kPrefix) + "/course/{course_id:course_key}", [st](http::Request& req) {
    // No authentication: anonymous, throttled per client IP.
    if (auto throttled = st->throttle.Check(req, nullptr, false)) return *throttled;
    const std::string course_id(req.PathParam("course_id"));
    auto details = st->cache.Get(course_id, !req.Query("include_expired").value_or("").empty());
    if (!details.ok()) {
      return http::Response::Json(400,
                                  Message("No course found for course ID '" + course_id + "'"));
    }
    return JsonText(200, (*details)->text);
  });
  router.Post(std::string(kPrefix) + "/unenroll/",
              [st](http::Request& req) { return UnenrollAll(*st, req); });
  router.Get(std::string(kPrefix) + "/enrollment_allowed/",
             [st](http::Request& req) { return EnrollmentAllowed(*st, req); });
  router.Post(std::string(kPrefix) + "/enrollment_allowed/",
              [st](http::Request& req) { return EnrollmentAllowed(*st, req); });
  router.Add("DELETE", std::string(kPrefix) + "/enrollment_allowed/",
             [st](http::Request& req) { return EnrollmentAllowed(*st, req); });
  router.Get(std::string(kPrefix) + "/roles/", [st, authorize](http::Request& req) {
    Caller caller;
    if (auto denied = authorize(req, caller)) return *denied;
    return Roles(st->ctx, req);
  });
  router.Post("/courses/{course_id:course_key}/instructor/api/students_update_enrollment",
              [ctx](http::Request& req) { return StudentsUpdateEnrollment(*ctx, req); });
}

}  // namespace larch::api
