#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "enrollment_routes_internal.h"
#include "larch/common/strings.h"
#include "larch/http/url.h"
#include "larch/keys/keys.h"
#include "larch/oauth/jwt.h"

namespace larch::api::internal {
namespace {

constexpr const char* kPrefix = kEnrollmentPrefix;

constexpr char kNoPermission[] = "You do not have permission to perform this action.";

// request.data: a JSON object body, or the form fields as strings.
json RequestData(const http::Request& req) {
  auto parsed = req.JsonBody();
  if (parsed.ok() && parsed->is_object()) return *parsed;
  json out = json::object();
  for (const auto& [name, value] : FormMap(req)) out[name] = value;
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
    return ErrorBody(developer_errors ? ErrorShape::kDeveloperMessage : ErrorShape::kDetail, 403,
                     kNoPermission);
  }
  return std::nullopt;
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
    out = SplitToStrings(*text, ',');
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
      return ErrorBody(ErrorShape::kDeveloperMessage, 404, "Invalid cursor");
    }
  }
  auto page = st.ctx.enrollments.ListEnrollments(filter, kEnrollmentsPageSize, cursor);
  if (!page.ok()) {
    spdlog::error("enrollment: listing enrollments failed: {}", page.status().ToString());
    return ErrorBody(ErrorShape::kDeveloperMessage, 500, "Internal error.");
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
    return Detail(403, kNoPermission);
  }
  auto service = st.ctx.accounts.IsServiceUser(principal.user_id);
  if (!service.ok()) return http::Response::Json(500, service.status().message());
  if (!*service) return Detail(403, kNoPermission);
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
    if (!rows.ok()) return ErrorBody(ErrorShape::kDetail, 500, "A server error occurred.");
    json out = json::array();
    for (const auto& a : *rows) out.push_back(AllowanceJson(a));
    return http::Response::Json(200, out);
  }
  const json data = RequestData(req);
  const std::string email = DataText(data, "email").value_or("");
  const std::string course_id = DataText(data, "course_id").value_or("");
  if (email.empty() || course_id.empty()) {
    return ErrorBody(ErrorShape::kMessage, 400,
                     "Please provide a value for 'email' and 'course_id' in the request data.");
  }
  if (!keys::CourseKey::Parse(course_id).ok()) {
    return ErrorBody(ErrorShape::kMessage, 400, "'" + course_id + "' is not a valid course id.");
  }
  if (method == "POST") {
    auto created =
        st.ctx.enrollments.CreateAllowance(email, course_id, DataBool(data, "auto_enroll"));
    if (!created.ok()) {
      if (created.status().code() == StatusCode::kAlreadyExists) {
        return ErrorBody(ErrorShape::kMessage, 409,
                         "An enrollment allowed with email " + email + " and course " + course_id +
                             " already exists.");
      }
      return ErrorBody(ErrorShape::kDetail, 500, "A server error occurred.");
    }
    return http::Response::Json(201, AllowanceJson(*created));
  }
  Status deleted = st.ctx.enrollments.DeleteAllowance(email, course_id);
  if (deleted.code() == StatusCode::kNotFound) {
    return ErrorBody(ErrorShape::kMessage, 404,
                     "An enrollment allowed with email " + email + " and course " + course_id +
                         " doesn't exists.");
  }
  if (!deleted.ok()) return ErrorBody(ErrorShape::kDetail, 500, "A server error occurred.");
  http::Response r;
  r.status = 204;
  return r;
}

}  // namespace

void RegisterEnrollmentStaffRoutes(http::Router& router, const std::shared_ptr<RouteState>& st) {
  for (const char* path : {"/enrollments", "/enrollments/"}) {
    router.Get(std::string(kPrefix) + path,
               [st](http::Request& req) { return AllEnrollments(*st, req); });
  }
  router.Post(std::string(kPrefix) + "/unenroll/",
              [st](http::Request& req) { return UnenrollAll(*st, req); });
  router.Get(std::string(kPrefix) + "/enrollment_allowed/",
             [st](http::Request& req) { return EnrollmentAllowed(*st, req); });
  router.Post(std::string(kPrefix) + "/enrollment_allowed/",
              [st](http::Request& req) { return EnrollmentAllowed(*st, req); });
  router.Add("DELETE", std::string(kPrefix) + "/enrollment_allowed/",
             [st](http::Request& req) { return EnrollmentAllowed(*st, req); });
}

}  // namespace larch::api::internal
