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
using internal::Iso;
using internal::JsonText;
using internal::Message;
using internal::RouteState;
using json = nlohmann::json;

constexpr const char* kPrefix = internal::kEnrollmentPrefix;

StatusOr<json> EnrollmentJson(EnrollmentApiContext& ctx, const enrollment::Enrollment& e,
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
      return http::Response::Json(400, Message("'" + body["is_active"].dump() +
                                               "' is an invalid enrollment activation status."));
    }
    is_active = body["is_active"].get<bool>();
  }
  bool force = false;
  if (body.contains("force_enrollment") && !body["force_enrollment"].is_null()) {
    if (!body["force_enrollment"].is_boolean()) {
      return http::Response::Json(400, Message("'" + body["force_enrollment"].dump() +
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
  router.Get(std::string(kPrefix) + "/roles/", [st, authorize](http::Request& req) {
    Caller caller;
    if (auto denied = authorize(req, caller)) return *denied;
    return Roles(st->ctx, req);
  });
  internal::RegisterEnrollmentStaffRoutes(router, st);
  internal::RegisterBulkEnrollmentRoutes(router, context);
}

}  // namespace larch::api
