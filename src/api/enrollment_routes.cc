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
#include "enrollment_routes_internal.h"
#include "larch/api/account_routes.h"
#include "larch/api/rate_limiter.h"
#include "larch/events/event.h"
#include "larch/http/url.h"
#include "larch/keys/keys.h"
#include "larch/oauth/jwt.h"

namespace larch::api {
namespace internal {

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

namespace {

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

}  // namespace

StatusOr<json> CourseDetails(EnrollmentRoutesContext& ctx, const std::string& course_key,
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

}  // namespace internal

namespace {

using internal::CourseDetails;
using internal::CourseDetailsCache;
using internal::Dump;
using internal::EmptyNotFound;
using internal::EmptyOk;
using internal::ErrorBody;
using internal::ErrorShape;
using internal::Failure;
using internal::Iso;
using internal::JsonText;
using internal::Message;
using internal::RouteState;
using json = nlohmann::json;

constexpr const char* kPrefix = internal::kEnrollmentPrefix;

StatusOr<json> EnrollmentJson(EnrollmentRoutesContext& ctx, const enrollment::Enrollment& e,
                              const std::string& username) {
  LARCH_ASSIGN_OR_RETURN(json details, CourseDetails(ctx, e.course_key, false));
  return json{{"created", Iso(e.created)},
              {"mode", e.mode},
              {"is_active", e.is_active},
              {"user", username},
              {"course_details", std::move(details)}};
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
std::optional<http::Response> Authorize(EnrollmentRoutesContext& ctx, const http::Request& req,
                                        Caller& caller) {
  caller.principal = CurrentPrincipal(req);
  auto key = req.Header("X-Edx-Api-Key");
  caller.api_key = !ctx.edx_api_key.empty() && key.has_value() && *key == ctx.edx_api_key;
  if (caller.api_key || caller.principal != nullptr) return std::nullopt;
  return RequireUser(req).error;
}

http::Response GetOne(RouteState& st, const Caller& caller, const http::Request& req,
                      const std::string& username, const std::string& course_id) {
  EnrollmentRoutesContext& ctx = st.ctx;
  if (username != caller.username() && !caller.privileged()) return EmptyNotFound();
  auto retrieve_error = [&](const Status& s) {
    return Failure(req, s, "reading an enrollment", ErrorShape::kMessage, 400,
                   "An error occurred while retrieving enrollments for user '" + username +
                       "' in course '" + course_id + "'");
  };
  auto user = ctx.accounts.GetUserByUsername(username);
  if (!user.ok()) {
    if (user.status().code() == StatusCode::kNotFound) return EmptyOk();
    return retrieve_error(user.status());
  }
  auto e = ctx.enrollments.Get(user->id, course_id);
  if (!e.ok()) return retrieve_error(e.status());
  if (!e->has_value()) return EmptyOk();
  auto body = EnrollmentText(st, **e, user->username);
  if (!body.ok()) return retrieve_error(body.status());
  return JsonText(200, std::move(*body));
}

http::Response ListEnrollments(RouteState& st, const Caller& caller, const http::Request& req) {
  EnrollmentRoutesContext& ctx = st.ctx;
  std::string username = req.Query("user").value_or(caller.username());
  if (username.empty()) username = caller.username();
  auto error = [&](const Status& s) {
    return Failure(req, s, "listing enrollments", ErrorShape::kMessage, 400,
                   "An error occurred while retrieving enrollments for user '" + username + "'");
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
      return user.status().code() == StatusCode::kNotFound ? JsonText(200, "[]")
                                                           : error(user.status());
    }
    user_id = user->id;
    user_name = user->username;
  }
  auto list = ctx.enrollments.ListActive(user_id);
  if (!list.ok()) return error(list.status());
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
      return error(item.status());
    }
    if (out.size() > 1) out += ',';
    out += *item;
  }
  out += ']';
  return JsonText(200, std::move(out));
}

// What EnrollmentListView.post reads from its body, checked in upstream's
// order: the course, then who is enrolled, then the flags.
struct CreateBody {
  std::string course_id;
  std::string username;
  std::optional<std::string> mode;
  std::optional<accounts::User> user;
  enrollment::CreateEnrollmentRequest request;
};

std::string TextField(const json& body, const char* name) {
  return body.contains(name) && body[name].is_string() ? body[name].get<std::string>() : "";
}

// The course id and the user the enrollment is for, with the caller's right
// to ask for them.
std::optional<http::Response> ResolveTarget(EnrollmentRoutesContext& ctx, const Caller& caller,
                                            const http::Request& req, const json& body,
                                            CreateBody& in) {
  if (body.contains("course_details") && body["course_details"].is_object() &&
      body["course_details"].contains("course_id") &&
      body["course_details"]["course_id"].is_string()) {
    in.course_id = body["course_details"]["course_id"].get<std::string>();
  }
  if (in.course_id.empty()) {
    return ErrorBody(ErrorShape::kMessage, 400,
                     "Course ID must be specified to create a new enrollment.");
  }
  if (!keys::CourseKey::Parse(in.course_id).ok()) {
    return ErrorBody(ErrorShape::kMessage, 400,
                     "No course '" + in.course_id + "' found for enrollment");
  }
  in.username = TextField(body, "user");
  const std::string email = TextField(body, "email");
  if (body.contains("mode") && body["mode"].is_string()) in.mode = body["mode"].get<std::string>();
  if (in.username.empty() && !email.empty()) {
    if (!caller.privileged()) return EmptyNotFound();
    auto by_email = ctx.accounts.GetUserByEmail(email);
    if (!by_email.ok()) {
      return Failure(req, by_email.status(), "reading a user", ErrorShape::kMessage, 406,
                     "The user with the email address " + email + " does not exist.");
    }
    in.user = *by_email;
    in.username = in.user->username;
  }
  if (in.username.empty()) in.username = caller.username();
  if (in.username != caller.username() && !caller.privileged()) return EmptyNotFound();
  if (in.mode.has_value() && *in.mode != enrollment::kModeAudit &&
      *in.mode != enrollment::kModeHonor && !caller.privileged()) {
    return ErrorBody(
        ErrorShape::kMessage, 403,
        "User does not have permission to create enrollment with mode [" + *in.mode + "].");
  }
  if (!in.user.has_value()) {
    auto by_name = ctx.accounts.GetUserByUsername(in.username);
    if (!by_name.ok()) {
      return Failure(req, by_name.status(), "reading a user", ErrorShape::kMessage, 406,
                     "The user " + in.username + " does not exist.");
    }
    in.user = *by_name;
  }
  return std::nullopt;
}

// is_active, force_enrollment and enrollment_attributes into the request.
std::optional<http::Response> ReadFlags(const Caller& caller, const json& body, CreateBody& in) {
  enrollment::CreateEnrollmentRequest& r = in.request;
  if (body.contains("is_active") && !body["is_active"].is_null()) {
    if (!body["is_active"].is_boolean()) {
      return ErrorBody(ErrorShape::kMessage, 400,
                       "'" + internal::PythonStr(body["is_active"]) +
                           "' is an invalid enrollment activation status.");
    }
    r.is_active = body["is_active"].get<bool>();
  }
  if (body.contains("force_enrollment") && !body["force_enrollment"].is_null()) {
    if (!body["force_enrollment"].is_boolean()) {
      return ErrorBody(ErrorShape::kMessage, 400,
                       "'" + internal::PythonStr(body["force_enrollment"]) +
                           "' is an invalid force enrollment status.");
    }
    // Only global staff may skip the enrollment checks.
    r.check_access = !(body["force_enrollment"].get<bool>() && caller.principal != nullptr &&
                       caller.principal->is_staff);
  }
  if (body.contains("enrollment_attributes") && body["enrollment_attributes"].is_array()) {
    for (const json& a : body["enrollment_attributes"]) {
      if (a.is_object() && a.contains("namespace") && a.contains("name") &&
          a["namespace"].is_string() && a["name"].is_string()) {
        enrollment::EnrollmentAttribute attribute{a["namespace"].get<std::string>(),
                                                  a["name"].get<std::string>(), ""};
        if (a.contains("value") && a["value"].is_string()) {
          attribute.value = a["value"].get<std::string>();
        }
        r.attributes.push_back(std::move(attribute));
      }
    }
  }
  return std::nullopt;
}

// EnrollmentListView.post: the checks above, then one service call.
http::Response CreateEnrollment(EnrollmentRoutesContext& ctx, const Caller& caller,
                                const http::Request& req) {
  auto parsed = req.JsonBody();
  const json body = parsed.ok() && parsed->is_object() ? *parsed : json::object();
  CreateBody in;
  if (auto refused = ResolveTarget(ctx, caller, req, body, in)) return *refused;
  if (auto refused = ReadFlags(caller, body, in)) return *refused;
  enrollment::CreateEnrollmentRequest& r = in.request;
  r.user_id = in.user->id;
  r.course_key = in.course_id;
  r.mode = in.mode;
  r.privileged = caller.privileged();
  r.include_expired_modes = caller.api_key;
  if (caller.principal != nullptr) r.actor_user_id = caller.principal->user_id;
  const std::string creation_error =
      "An error occurred while creating the new course enrollment for user '" + in.username +
      "' in course '" + in.course_id + "'";
  auto created = ctx.enrollments.CreateEnrollment(r);
  if (!created.ok()) {
    const Status& s = created.status();
    if (s.error_code() == "course-not-found") {
      return ErrorBody(ErrorShape::kMessage, 400,
                       "No course '" + in.course_id + "' found for enrollment");
    }
    if (s.error_code() == "mode-unavailable") {
      json out = Message(s.message());
      auto details = CourseDetails(ctx, in.course_id, false);
      out["course_details"] = details.ok() ? *details : json(nullptr);
      return http::Response::Json(400, out);
    }
    if (s.error_code() == "mode-mismatch" || s.error_code() == "missing-attributes") {
      return ErrorBody(ErrorShape::kMessage, 400, s.message());
    }
    if (s.code() != StatusCode::kFailedPrecondition) {
      spdlog::error("enrollment: POST for {} in {} failed: {}", in.username, in.course_id,
                    s.ToString());
    }
    return Failure(req, s, "creating an enrollment", ErrorShape::kMessage, 400, creation_error);
  }
  auto out = EnrollmentJson(ctx, *created, in.user->username);
  if (!out.ok()) {
    return Failure(req, out.status(), "reading the new enrollment", ErrorShape::kMessage, 400,
                   creation_error);
  }
  return http::Response::Json(200, *out);
}

http::Response Roles(EnrollmentRoutesContext& ctx, const http::Request& req) {
  AuthResult auth = RequireUser(req);
  if (auth.principal == nullptr) return auth.error;
  const std::optional<std::string> course_id = req.Query("course_id");
  auto grants = ctx.roles.RolesFor(auth.principal->user_id);
  if (!grants.ok()) {
    return ErrorBody(ErrorShape::kMessage, 500, "An error occurred while retrieving roles.");
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

}  // namespace

void RegisterEnrollmentRoutes(http::Router& router, EnrollmentRoutesContext& context) {
  auto st = std::make_shared<RouteState>(context);
  if (context.invalidations != nullptr) {
    std::weak_ptr<RouteState> weak = st;
    context.invalidations->Subscribe(kInvalidateCourse, [weak](std::string_view course_key) {
      if (std::shared_ptr<RouteState> state = weak.lock()) state->cache.Forget(course_key);
    });
  }
  EnrollmentRoutesContext* ctx = &context;
  // Authentication (ApiKeyHeaderPermissionIsAuthenticated), then the throttle.
  auto authorize = [st](http::Request& req, Caller& caller) -> std::optional<http::Response> {
    if (auto denied = Authorize(st->ctx, req, caller)) return denied;
    return st->throttle.Check(req, caller.principal, caller.api_key);
  };
  router.Get(std::string(kPrefix) + "/enrollment/{username},{course_id:course_key}",
             [st, authorize](http::Request& req) {
               Caller caller;
               if (auto denied = authorize(req, caller)) return *denied;
               return GetOne(*st, caller, req, std::string(req.PathParam("username")),
                             std::string(req.PathParam("course_id")));
             });
  router.Get(std::string(kPrefix) + "/enrollment/{course_id:course_key}", [st, authorize](
                                                                              http::Request& req) {
    Caller caller;
    if (auto denied = authorize(req, caller)) return *denied;
    return GetOne(*st, caller, req, caller.username(), std::string(req.PathParam("course_id")));
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
  router.Get(std::string(kPrefix) + "/course/{course_id:course_key}", [st](http::Request& req) {
    // No authentication: anonymous, throttled per client IP.
    if (auto throttled = st->throttle.Check(req, nullptr, false)) return *throttled;
    const std::string course_id(req.PathParam("course_id"));
    auto details = st->cache.Get(course_id, !req.Query("include_expired").value_or("").empty());
    if (!details.ok()) {
      return Failure(req, details.status(), "reading course details", ErrorShape::kMessage, 400,
                     "No course found for course ID '" + course_id + "'");
    }
    return JsonText(200, (*details)->text);
  });
  router.Get(std::string(kPrefix) + "/roles/", [st, authorize](http::Request& req) {
    Caller caller;
    if (auto denied = authorize(req, caller)) return *denied;
    return Roles(st->ctx, req);
  });
  internal::RegisterEnrollmentStaffRoutes(router, st);
  internal::RegisterBulkEnrollmentRoutes(router, context);
}

}  // namespace larch::api
