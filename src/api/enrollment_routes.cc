#include "larch/api/enrollment_routes.h"

#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/events/event.h"
#include "larch/keys/keys.h"

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

StatusOr<json> EnrollmentJson(EnrollmentApiContext& ctx, const enrollment::Enrollment& e,
                              const std::string& username) {
  LARCH_ASSIGN_OR_RETURN(json details, CourseDetails(ctx, e.course_key, false));
  return json{{"created", Iso(e.created)},
              {"mode", e.mode},
              {"is_active", e.is_active},
              {"user", username},
              {"course_details", std::move(details)}};
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

http::Response GetOne(EnrollmentApiContext& ctx, const Caller& caller, const std::string& username,
                      const std::string& course_id) {
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
  auto body = EnrollmentJson(ctx, **e, user->username);
  if (!body.ok()) return retrieve_error();
  return http::Response::Json(200, *body);
}

http::Response ListEnrollments(EnrollmentApiContext& ctx, const Caller& caller,
                               const http::Request& req) {
  std::string username = req.Query("user").value_or(caller.username());
  if (username.empty()) username = caller.username();
  auto error = [&] {
    return http::Response::Json(
        400, Message("An error occurred while retrieving enrollments for user `" + username + "`"));
  };
  json out = json::array();
  auto user = ctx.accounts.GetUserByUsername(username);
  if (!user.ok()) {
    return user.status().code() == StatusCode::kNotFound ? http::Response::Json(200, out) : error();
  }
  auto list = ctx.enrollments.ListActive(user->id);
  if (!list.ok()) return error();
  const bool see_all = username == caller.username() || caller.privileged();
  for (const auto& e : *list) {
    if (!see_all) {
      auto staff =
          ctx.roles.HasRole(caller.principal->user_id, e.course_key, accounts::CourseRole::kStaff);
      if (!staff.ok() || !*staff) continue;
    }
    auto item = EnrollmentJson(ctx, e, user->username);
    if (!item.ok()) {
      // The course was deleted: upstream drops such enrollments.
      if (item.status().code() == StatusCode::kNotFound) continue;
      return error();
    }
    out.push_back(std::move(*item));
  }
  return http::Response::Json(200, out);
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

}  // namespace

void RegisterEnrollmentRoutes(http::Router& router, EnrollmentApiContext& context) {
  EnrollmentApiContext* ctx = &context;
  router.Get(std::string(kPrefix) + "/enrollment/{username},{course_id:course_key}",
             [ctx](http::Request& req) {
               Caller caller;
               if (auto denied = Authorize(*ctx, req, caller)) return *denied;
               return GetOne(*ctx, caller, std::string(req.PathParam("username")),
                             std::string(req.PathParam("course_id")));
             });
  router.Get(
      std::string(kPrefix) + "/enrollment/{course_id:course_key}", [ctx](http::Request& req) {
        Caller caller;
        if (auto denied = Authorize(*ctx, req, caller)) return *denied;
        return GetOne(*ctx, caller, caller.username(), std::string(req.PathParam("course_id")));
      });
  router.Get(std::string(kPrefix) + "/enrollment", [ctx](http::Request& req) {
    Caller caller;
    if (auto denied = Authorize(*ctx, req, caller)) return *denied;
    return ListEnrollments(*ctx, caller, req);
  });
  router.Post(std::string(kPrefix) + "/enrollment", [ctx](http::Request& req) {
    Caller caller;
    if (auto denied = Authorize(*ctx, req, caller)) return *denied;
    return CreateEnrollment(*ctx, caller, req);
  });
  router.Get(std::string(kPrefix) + "/course/{course_id:course_key}", [ctx](http::Request& req) {
    const std::string course_id(req.PathParam("course_id"));
    auto details = CourseDetails(*ctx, course_id, req.Query("include_expired") == "1");
    if (!details.ok()) {
      return http::Response::Json(400,
                                  Message("No course found for course ID '" + course_id + "'"));
    }
    return http::Response::Json(200, *details);
  });
  router.Get(std::string(kPrefix) + "/roles/",
             [ctx](http::Request& req) { return Roles(*ctx, req); });
  router.Post("/courses/{course_id:course_key}/instructor/api/students_update_enrollment",
              [ctx](http::Request& req) { return StudentsUpdateEnrollment(*ctx, req); });
}

}  // namespace larch::api
