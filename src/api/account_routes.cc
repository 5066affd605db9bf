#include "larch/api/account_routes.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <memory>

#include "api_internal.h"
#include "larch/api/csrf.h"
#include "larch/common/strings.h"
#include "larch/http/error_mapping.h"
#include "larch/http/hosts.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using internal::Detail;
using internal::FormMap;

constexpr char kMergePatch[] = "application/merge-patch+json";
// Open edX's RATELIMIT_RATE for the token endpoint.
constexpr char kTokenRate[] = "120/m";

std::unique_ptr<RateLimiter> MakeLimiter(std::string_view setting, std::string_view text,
                                         std::string_view fallback, const Clock& clock) {
  StatusOr<Rate> rate = ParseRate(text);
  if (!rate.ok()) {
    spdlog::warn("{}: {}; using {}", setting, rate.status().message(), fallback);
    rate = ParseRate(fallback);
  }
  return std::make_unique<RateLimiter>(*rate, clock);
}

std::string HttpDate(int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

Response StatusError(const Request& request, const Status& status) {
  return http::ErrorResponse(status, request.request_id());
}

class Routes {
 public:
  explicit Routes(ApiContext& context) : ctx_(context) {
    const config::Settings& s = context.settings;
    limiters_.login = MakeLimiter("LOGISTRATION_RATELIMIT_RATE", s.logistration_ratelimit_rate,
                                  "100/5m", context.clock);
    limiters_.registration =
        MakeLimiter("REGISTRATION_RATELIMIT", s.registration_ratelimit, "60/7d", context.clock);
    limiters_.token = MakeLimiter("token rate", kTokenRate, kTokenRate, context.clock);
    limiters_.password_reset_ip =
        MakeLimiter("PASSWORD_RESET_IP_RATE", s.password_reset_ip_rate, "1/m", context.clock);
    limiters_.password_reset_email =
        MakeLimiter("PASSWORD_RESET_EMAIL_RATE", s.password_reset_email_rate, "2/h", context.clock);
  }

  // --- Registration ---------------------------------------------------

  Response RegistrationForm(Request& request) {
    Response response = Response::Json(200, ctx_.accounts.RegistrationForm());
    internal::EnsureCsrfCookie(request, response, ctx_);
    return response;
  }

  Response Register(Request& request) {
    if (!limiters_.registration->Allow(request.remote_address())) {
      return Response::Json(403, {{"error_code", "forbidden-request"}});
    }
    std::map<std::string, std::string> form = FormMap(request);
    if (form.count("honor_code") != 0 && form.count("terms_of_service") == 0) {
      form["terms_of_service"] = form["honor_code"];
    }
    accounts::AccountService::RegistrationErrors errors;
    auto result = ctx_.accounts.Register(form, &errors);
    if (!result.ok()) {
      const Status& status = result.status();
      switch (status.code()) {
        case StatusCode::kInvalidArgument:
        case StatusCode::kAlreadyExists: {
          nlohmann::json body = nlohmann::json::object();
          for (const auto& [field, message] : errors.fields) {
            body[field] = nlohmann::json::array({{{"user_message", message}}});
          }
          bool duplicate = status.code() == StatusCode::kAlreadyExists;
          if (duplicate || !errors.username_suggestions.empty()) {
            body["username_suggestions"] = errors.username_suggestions;
          }
          std::string code = errors.error_code;
          if (code.empty()) code = status.error_code();
          if (code.empty()) code = duplicate ? "duplicate" : "validation-error";
          body["error_code"] = code;
          return Response::Json(duplicate ? 409 : 400, body);
        }
        case StatusCode::kPermissionDenied:
          return Response::Text(403, status.user_message().empty() ? "Account creation not allowed."
                                                                   : status.user_message());
        default:
          return StatusError(request, status);
      }
    }
    const accounts::User& user = result->user;
    // RegistrationView's success body (user_authn/views/register.py).
    Response response = Response::Json(
        200,
        {{"authenticated_user",
          {{"username", user.username}, {"full_name", result->profile.name}, {"user_id", user.id}}},
         {"success", true},
         {"redirect_url", ctx_.settings.lms_base_url + "/dashboard"}});
    // Open edX logs the new user in, active or not.
    if (Status st = StartSession(request, response, user); !st.ok()) {
      return StatusError(request, st);
    }
    return response;
  }

  Response ValidateRegistration(Request& request) {
    return Response::Json(200, ctx_.accounts.ValidateRegistration(FormMap(request)));
  }

  // --- Login / logout ---------------------------------------------------

  Response LoginForm(Request& request, bool v2) {
    nlohmann::json email_field = {{"name", v2 ? "email_or_username" : "email"},
                                  {"label", v2 ? "Username or email" : "Email"},
                                  {"type", v2 ? "text" : "email"},
                                  {"required", true},
                                  {"placeholder", v2 ? "" : "username@domain.com"},
                                  {"instructions", "The email address you used to register with " +
                                                       ctx_.settings.platform_name},
                                  {"restrictions", {{"min_length", 3}, {"max_length", 254}}},
                                  {"errorMessages", nlohmann::json::object()},
                                  {"defaultValue", ""},
                                  {"supplementalLink", ""},
                                  {"supplementalText", ""},
                                  {"loginIssueSupportLink", ""}};
    nlohmann::json password_field = {{"name", "password"},
                                     {"label", "Password"},
                                     {"type", "password"},
                                     {"required", true},
                                     {"placeholder", ""},
                                     {"instructions", ""},
                                     {"restrictions", {{"max_length", 5000}}},
                                     {"errorMessages", nlohmann::json::object()},
                                     {"defaultValue", ""},
                                     {"supplementalLink", ""},
                                     {"supplementalText", ""},
                                     {"loginIssueSupportLink", ""}};
    nlohmann::json form = {{"method", "post"},
                           {"submit_url", v2 ? "/api/user/v2/account/login_session/"
                                             : "/api/user/v1/account/login_session/"},
                           {"fields", nlohmann::json::array({email_field, password_field})}};
    Response response = Response::Json(200, form);
    internal::EnsureCsrfCookie(request, response, ctx_);
    return response;
  }

  Response Login(Request& request, bool v2) {
    // csrf_protect: the login POST needs the token even without a session.
    if (auto reason = CheckCsrfOrigin(request, allowed_hosts_, trusted_origins_); reason) {
      return CsrfFailure(*reason);
    }
    if (auto reason = CheckCsrf(request, ctx_.settings.csrf_cookie_name); reason) {
      return CsrfFailure(*reason);
    }
    std::map<std::string, std::string> form = FormMap(request);
    const std::string login_key = v2 ? "email_or_username" : "email";
    auto login_it = form.find(login_key);
    if (login_it == form.end() && v2) login_it = form.find("email");
    auto password_it = form.find("password");
    std::string login = login_it != form.end() ? login_it->second : "";
    auto failure = [&login](std::string_view message) {
      return nlohmann::json{{"success", false}, {"value", message}, {"email", login}};
    };
    if (!limiters_.login->Allow(request.remote_address())) {
      return Response::Json(400, failure("Too many failed login attempts. Try again later."));
    }
    if (login_it == form.end() || password_it == form.end()) {
      return Response::Json(
          400, failure("There was an error receiving your login information. Please email us."));
    }
    accounts::AccountService::LoginFailure counts;
    auto user = ctx_.accounts.Authenticate(login, password_it->second, v2, &counts);
    if (!user.ok()) {
      const Status& status = user.status();
      switch (status.code()) {
        case StatusCode::kUnauthenticated:
        case StatusCode::kPermissionDenied:
        case StatusCode::kFailedPrecondition:
        case StatusCode::kNotFound:
        case StatusCode::kInvalidArgument: {
          nlohmann::json body =
              failure(status.user_message().empty() ? "Email or password is incorrect."
                                                    : status.user_message());
          if (!status.error_code().empty()) body["error_code"] = status.error_code();
          if (status.error_code() == "account-locked-out") {
            body["context"] = {{"locked_out_period",
                                ctx_.settings.max_failed_login_attempts_lockout_period_secs / 60}};
          } else if (status.error_code() == "inactive-user") {
            body["context"] = {{"platformName", ctx_.settings.platform_name}, {"supportLink", ""}};
          } else if (status.error_code() == "failed-login-attempt") {
            // _handle_failed_authentication's context; the authn MFE reads it.
            body["context"] = {{"remaining_attempts", counts.remaining_attempts},
                               {"allowed_failure_attempts", counts.allowed_failure_attempts},
                               {"failure_count", counts.failure_count}};
          } else if (status.error_code() == "incorrect-email-or-password") {
            body["context"] = {{"failure_count", counts.failure_count}};
          }
          return Response::Json(400, body);
        }
        default:
          return StatusError(request, status);
      }
    }
    Response response = Response::Json(200, {{"success", true}, {"redirect_url", nullptr}});
    if (Status st = StartSession(request, response, *user); !st.ok()) {
      return StatusError(request, st);
    }
    return response;
  }

  Response LoginRefresh(Request& request) {
    const oauth::Principal* principal = CurrentPrincipal(request);
    if (principal == nullptr || principal->auth_method != "session") {
      return Response::Json(401, "Unauthorized");
    }
    auto user = ctx_.accounts.GetUserById(principal->user_id);
    if (!user.ok()) {
      if (user.status().code() == StatusCode::kNotFound) return Response::Json(401, "Unauthorized");
      return StatusError(request, user.status());
    }
    Response response = Response::Json(200, nlohmann::json::object());
    auto expires_in = internal::SetJwtCookies(request, response, ctx_, *user);
    if (!expires_in.ok()) {
      spdlog::error("login_refresh: {}", expires_in.status().ToString());
      return Response::Json(400, {{"success", false}, {"value", "Could not create a JWT."}});
    }
    const double now = static_cast<double>(ctx_.clock.NowMicros()) / 1e6;
    const int64_t now_secs = ctx_.clock.NowMicros() / 1'000'000;
    const int64_t expires = now_secs + *expires_in;
    nlohmann::json body = {{"success", true},
                           {"user_id", user->id},
                           {"response_epoch_seconds", now},
                           {"response_http_date", HttpDate(now_secs)},
                           {"expires", HttpDate(expires)},
                           {"expires_epoch_seconds", expires}};
    response.body = body.dump();
    return response;
  }

  Response Logout(Request& request) {
    if (auto raw = request.Cookie(ctx_.settings.session_cookie_name); raw.has_value()) {
      if (Status st = ctx_.sessions.Delete(*raw); !st.ok()) return StatusError(request, st);
    }
    std::optional<std::string> next = request.Query("redirect_url");
    if (!next.has_value()) next = request.Query("next");
    Response response;
    // is_safe_login_or_logout_redirect: this site's hosts only, so /logout
    // cannot be used as an open redirect.
    if (next.has_value() && http::RedirectIsSafe(*next, allowed_hosts_, request.is_secure())) {
      response = Response::Redirect(http::CleanRedirectTarget(*next));
    } else {
      response = Response::Html(200,
                                "<!DOCTYPE html><html><head><title>Signed Out</title></head>"
                                "<body><p>You have signed out.</p></body></html>");
    }
    internal::DeleteLoginCookies(response, ctx_);
    return response;
  }

  Response CsrfToken(Request& request) {
    Response response = Response::Json(200, nlohmann::json::object());
    std::string secret = internal::EnsureCsrfCookie(request, response, ctx_);
    response.body = nlohmann::json{{"csrfToken", MaskCsrfSecret(secret, ctx_.random)}}.dump();
    return response;
  }

  // --- Activation and password reset --------------------------------------

  Response Activate(Request& request) {
    Status st = ctx_.accounts.Activate(request.PathParam("key"));
    std::string status;
    if (st.ok()) {
      status = "success";
    } else if (st.code() == StatusCode::kNotFound) {
      status = "error";
    } else {
      return StatusError(request, st);
    }
    return Response::Redirect(ctx_.settings.lms_base_url +
                              "/dashboard?account_activation_status=" + status);
  }

  Response PasswordReset(Request& request) {
    std::map<std::string, std::string> form = FormMap(request);
    auto it = form.find("email");
    // Both limits hold whether or not the address has an account, so being
    // limited tells nothing about which addresses exist. As upstream's
    // stacked decorators, a request refused per IP takes nothing from the
    // address's allowance.
    const std::string email_key = it == form.end() ? std::string() : AsciiLower(it->second);
    const bool allowed = limiters_.password_reset_ip->Allow(request.remote_address()) &&
                         (email_key.empty() || limiters_.password_reset_email->Allow(email_key));
    if (!allowed) {
      return Detail(403,
                    "Your previous request is in progress, please try again in a few moments.");
    }
    if (it != form.end() && !it->second.empty()) {
      if (Status st = ctx_.accounts.RequestPasswordReset(it->second); !st.ok()) {
        // Answered like a success: the client must not learn which emails exist.
        spdlog::error("password reset request failed: {}", st.ToString());
      }
    }
    return Response::Json(
        200, {{"success", true},
              {"value", "Check your email account for instructions to reset your password."}});
  }

  Response PasswordResetConfirm(Request& request) {
    std::map<std::string, std::string> form = FormMap(request);
    std::string token =
        std::string(request.PathParam("uidb36")) + "-" + std::string(request.PathParam("token"));
    const std::string& p1 = form["new_password1"];
    const std::string& p2 = form["new_password2"];
    if (p1 != p2) {
      return Response::Json(400, {{"reset_status", false},
                                  {"err_msg", "The two password fields didn\u2019t match."}});
    }
    std::vector<std::string> policy_errors;
    Status st = ctx_.accounts.ResetPassword(token, p1, &policy_errors);
    if (st.ok()) return Response::Json(200, {{"reset_status", true}});
    if (st.code() == StatusCode::kNotFound) {
      return Response::Json(
          400, {{"reset_status", false},
                {"token_invalid", true},
                {"err_msg",
                 "The password reset link was invalid, possibly because the link has already "
                 "been used. Please request a new password reset."}});
    }
    if (st.code() == StatusCode::kInvalidArgument) {
      std::string message;
      for (const std::string& e : policy_errors) message += (message.empty() ? "" : " ") + e;
      if (message.empty()) message = st.user_message().empty() ? st.message() : st.user_message();
      return Response::Json(400, {{"reset_status", false}, {"err_msg", message}});
    }
    return StatusError(request, st);
  }

  // --- OAuth2 -------------------------------------------------------------

  Response AccessToken(Request& request) {
    if (!limiters_.token->Allow(request.remote_address())) {
      return Response::Json(429, {{"error", "Too many requests"}});
    }
    std::map<std::string, std::string> form;
    for (const auto& [key, value] : request.FormValues()) form.emplace(key, value);
    auto result = ctx_.oauth.Token(form, request.Header("Authorization").value_or(""),
                                   request.Header("X-Token-Type").value_or(""));
    Response response = Response::Json(result.http_status, result.body);
    response.SetHeader("Cache-Control", "no-store");
    response.SetHeader("Pragma", "no-cache");
    return response;
  }

  Response RevokeToken(Request& request) {
    std::map<std::string, std::string> form;
    for (const auto& [key, value] : request.FormValues()) form.emplace(key, value);
    Status st = ctx_.oauth.Revoke(form, request.Header("Authorization").value_or(""));
    if (st.ok()) {
      Response response;
      response.status = 200;
      return response;
    }
    if (st.code() == StatusCode::kUnauthenticated) {
      return Response::Json(401, {{"error", "invalid_client"}});
    }
    if (st.code() == StatusCode::kInvalidArgument) {
      return Response::Json(400, {{"error", "invalid_request"}});
    }
    return StatusError(request, st);
  }

  Response Jwks(Request&) {
    Response response =
        Response::Json(200, ctx_.keys.Jwks(ctx_.oauth.options().jwt_signing_algorithm));
    response.SetHeader("Cache-Control", "public, max-age=3600");
    return response;
  }

  // --- Accounts API -------------------------------------------------------

  Response Me(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    return Response::Json(200, {{"username", auth.principal->username}});
  }

  Response GetAccount(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    auto viewer = ctx_.accounts.GetUserById(auth.principal->user_id);
    if (!viewer.ok()) return ViewerError(request, viewer.status());
    auto target = ctx_.accounts.GetUserByUsername(request.PathParam("username"));
    if (!target.ok()) {
      // AccountViewSet.retrieve answers an unknown user with an empty 404.
      if (target.status().code() == StatusCode::kNotFound) {
        Response missing;
        missing.status = 404;
        return missing;
      }
      return StatusError(request, target.status());
    }
    bool shared = request.Query("view").value_or("") == "shared";
    auto json = ctx_.accounts.AccountJson(*target, &*viewer, shared,
                                          internal::AbsoluteBaseUrl(request, ctx_.settings));
    if (!json.ok()) return StatusError(request, json.status());
    return Response::Json(200, *json);
  }

  Response ListAccounts(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    auto viewer = ctx_.accounts.GetUserById(auth.principal->user_id);
    if (!viewer.ok()) return ViewerError(request, viewer.status());
    const bool privileged = viewer->is_staff || viewer->is_superuser;
    std::vector<accounts::User> found;
    auto add = [&](StatusOr<accounts::User> user, bool self_only) -> std::optional<Response> {
      if (!user.ok()) {
        if (user.status().code() == StatusCode::kNotFound) return std::nullopt;
        return StatusError(request, user.status());
      }
      // Email and id lookups would let anyone probe which accounts exist.
      if (self_only && !privileged && user->id != viewer->id) return std::nullopt;
      found.push_back(*std::move(user));
      return std::nullopt;
    };
    auto split = [](const std::string& text) {
      std::vector<std::string> parts;
      size_t start = 0;
      while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        std::string part = text.substr(start, comma - start);
        if (!part.empty()) parts.push_back(part);
        start = comma + 1;
      }
      return parts;
    };
    if (auto usernames = request.Query("username"); usernames.has_value()) {
      for (const std::string& name : split(*usernames)) {
        if (auto err = add(ctx_.accounts.GetUserByUsername(name), false)) return *err;
      }
    } else if (auto email = request.Query("email"); email.has_value()) {
      if (auto err = add(ctx_.accounts.GetUserByEmail(*email), true)) return *err;
    } else if (auto ids = request.Query("lms_user_id"); ids.has_value()) {
      for (const std::string& id_text : split(*ids)) {
        char* end = nullptr;
        long long id = std::strtoll(id_text.c_str(), &end, 10);
        if (end == id_text.c_str() || *end != '\0') {
          return Detail(400, "lms_user_id must be a list of integers.");
        }
        if (auto err = add(ctx_.accounts.GetUserById(id), true)) return *err;
      }
    } else {
      return Detail(400, "Provide username, email or lms_user_id.");
    }
    if (found.empty()) return Detail(404, "Not found.");
    nlohmann::json list = nlohmann::json::array();
    for (const accounts::User& target : found) {
      auto json = ctx_.accounts.AccountJson(target, &*viewer, false,
                                            internal::AbsoluteBaseUrl(request, ctx_.settings));
      if (!json.ok()) return StatusError(request, json.status());
      list.push_back(*std::move(json));
    }
    return Response::Json(200, list);
  }

  Response PatchAccount(Request& request) {
    MergePatch input = ReadMergePatch(request);
    if (input.error.has_value()) return *std::move(input.error);
    auto& target = input.target;
    auto& patch = input.patch;
    nlohmann::json field_errors = nlohmann::json::object();
    auto updated = ctx_.accounts.UpdateAccount(*target, *patch, &field_errors);
    if (!updated.ok()) {
      if (updated.status().code() == StatusCode::kInvalidArgument) {
        if (field_errors.empty()) return Detail(400, updated.status().message());
        return Response::Json(400, {{"field_errors", field_errors}});
      }
      return StatusError(request, updated.status());
    }
    return Response::Json(200, *updated);
  }

  // DeactivateLogoutView: the signed-in learner asks for retirement
  // (password confirmed), which also logs them out everywhere.
  Response DeactivateLogout(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    std::map<std::string, std::string> form = FormMap(request);
    auto password = form.find("password");
    if (password == form.end()) {
      return Response::Json(400, "Could not verify user password: 'password'");
    }
    Status st = ctx_.accounts.RequestRetirement(auth.principal->user_id, password->second);
    switch (st.code()) {
      case StatusCode::kOk: {
        Response response = Response::NoContent();
        internal::DeleteLoginCookies(response, ctx_);
        return response;
      }
      case StatusCode::kUnauthenticated:
        return Response::Json(403, st.user_message());
      case StatusCode::kNotFound:
        return Response::Json(404, "The user \"" + auth.principal->username + "\" does not exist.");
      case StatusCode::kAlreadyExists:
        return Response::Json(
            500, "User " + auth.principal->username + " already has a retirement status row!");
      default:
        return StatusError(request, st);
    }
  }

  // --- Preferences --------------------------------------------------------

  Response GetPreferences(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    auto target = ReadableTarget(request, *auth.principal);
    if (!target.ok()) return TargetError(request, target.status());
    auto prefs = ctx_.accounts.GetPreferences(target->id);
    if (!prefs.ok()) return StatusError(request, prefs.status());
    nlohmann::json body = nlohmann::json::object();
    for (const auto& [key, value] : *prefs) body[key] = value;
    return Response::Json(200, body);
  }

  Response PatchPreferences(Request& request) {
    MergePatch input = ReadMergePatch(request);
    if (input.error.has_value()) return *std::move(input.error);
    auto& target = input.target;
    auto& patch = input.patch;
    nlohmann::json field_errors = nlohmann::json::object();
    for (const auto& [key, value] : patch->items()) {
      if (!value.is_null() && !value.is_string()) {
        std::string message = "Value '" + value.dump() + "' is not valid for preference '" + key +
                              "': Must be a string.";
        field_errors[key] = {{"developer_message", message}, {"user_message", message}};
      }
    }
    if (!field_errors.empty()) return Response::Json(400, {{"field_errors", field_errors}});
    for (const auto& [key, value] : patch->items()) {
      Status st = value.is_null()
                      ? ctx_.accounts.DeletePreference(target->id, key)
                      : ctx_.accounts.SetPreference(target->id, key, value.get<std::string>());
      if (st.code() == StatusCode::kNotFound && value.is_null()) continue;
      if (st.code() == StatusCode::kInvalidArgument) {
        return Response::Json(
            400, {{"field_errors",
                   {{key,
                     {{"developer_message", st.message()},
                      {"user_message",
                       st.user_message().empty() ? st.message() : st.user_message()}}}}}});
      }
      if (!st.ok()) return StatusError(request, st);
    }
    return Response::NoContent();
  }

  Response GetPreference(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    auto target = ReadableTarget(request, *auth.principal);
    if (!target.ok()) return TargetError(request, target.status());
    auto prefs = ctx_.accounts.GetPreferences(target->id);
    if (!prefs.ok()) return StatusError(request, prefs.status());
    auto it = prefs->find(std::string(request.PathParam("key")));
    if (it == prefs->end()) return Detail(404, "Not found.");
    return Response::Json(200, it->second);
  }

  Response PutPreference(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    auto target = OwnTarget(request, *auth.principal);
    if (!target.ok()) return TargetError(request, target.status());
    auto body = request.JsonBody();
    if (!body.ok() || !body->is_string()) {
      return Detail(400, "The body must be the preference value as a JSON string.");
    }
    std::string key(request.PathParam("key"));
    auto prefs = ctx_.accounts.GetPreferences(target->id);
    if (!prefs.ok()) return StatusError(request, prefs.status());
    bool existed = prefs->count(key) != 0;
    Status st = ctx_.accounts.SetPreference(target->id, key, body->get<std::string>());
    if (st.code() == StatusCode::kInvalidArgument) {
      std::string message = st.user_message().empty() ? st.message() : st.user_message();
      return Response::Json(400, {{"developer_message", st.message()}, {"user_message", message}});
    }
    if (!st.ok()) return StatusError(request, st);
    if (existed) return Response::NoContent();
    Response created;
    created.status = 201;
    return created;
  }

  Response DeletePreference(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    auto target = OwnTarget(request, *auth.principal);
    if (!target.ok()) return TargetError(request, target.status());
    Status st = ctx_.accounts.DeletePreference(target->id, request.PathParam("key"));
    if (st.code() == StatusCode::kNotFound) return Detail(404, "Not found.");
    if (!st.ok()) return StatusError(request, st);
    return Response::NoContent();
  }

 private:
  // Creates a fresh session (a login never reuses the presented session id:
  // session fixation) and sets every login cookie, rotating the CSRF token as
  // Django's login() does.
  Status StartSession(const Request& request, Response& response, const accounts::User& user) {
    if (auto old = request.Cookie(ctx_.settings.session_cookie_name); old.has_value()) {
      LARCH_RETURN_IF_ERROR(ctx_.sessions.Delete(*old));
    }
    LARCH_ASSIGN_OR_RETURN(std::string session, ctx_.sessions.Create(user.id));
    internal::SetLoginCookies(request, response, ctx_, user, session);
    internal::EnsureCsrfCookie(request, response, ctx_, /*rotate=*/true);
    return OkStatus();
  }

  Response ViewerError(const Request& request, const Status& status) {
    if (status.code() == StatusCode::kNotFound) {
      return Detail(401, "User not found.");
    }
    return StatusError(request, status);
  }

  // The user named in the URL when the caller may change it: only the owner.
  // Others get kPermissionDenied when staff (Open edX answers 403) and
  // kNotFound otherwise (existence stays hidden).
  // The common front of the merge-patch endpoints: a signed-in user,
  // application/merge-patch+json, the user's own account, a JSON object.
  struct MergePatch {
    std::optional<Response> error;
    std::optional<accounts::User> target;
    std::optional<nlohmann::json> patch;
  };
  MergePatch ReadMergePatch(Request& request) {
    MergePatch out;
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) {
      out.error = std::move(auth.error);
      return out;
    }
    if (request.MediaType() != kMergePatch) {
      out.error = Detail(415, "Unsupported media type \"" + request.MediaType() + "\" in request.");
      return out;
    }
    auto target = OwnTarget(request, *auth.principal);
    if (!target.ok()) {
      out.error = TargetError(request, target.status());
      return out;
    }
    auto patch = request.JsonBody();
    if (!patch.ok() || !patch->is_object()) {
      out.error = Detail(400, "The body must be a JSON object.");
      return out;
    }
    out.target = *std::move(target);
    out.patch = *std::move(patch);
    return out;
  }

  StatusOr<accounts::User> OwnTarget(const Request& request, const oauth::Principal& principal) {
    std::string_view username = request.PathParam("username");
    auto target = ctx_.accounts.GetUserByUsername(username);
    if (!target.ok()) return target.status();
    if (target->id == principal.user_id) return target;
    if (principal.is_staff || principal.is_superuser) {
      return PermissionDeniedError("only the owner may change this account");
    }
    return NotFoundError("no such user");
  }

  // The user named in the URL when the caller may read its preferences: the
  // owner or staff; others get kPermissionDenied.
  StatusOr<accounts::User> ReadableTarget(const Request& request,
                                          const oauth::Principal& principal) {
    std::string_view username = request.PathParam("username");
    bool privileged = principal.is_staff || principal.is_superuser;
    if (!privileged && !http::EqualsIgnoreCase(username, principal.username)) {
      return PermissionDeniedError("not your preferences");
    }
    return ctx_.accounts.GetUserByUsername(username);
  }

  Response TargetError(const Request& request, const Status& status) {
    switch (status.code()) {
      case StatusCode::kNotFound:
        return Detail(404, "Not found.");
      case StatusCode::kPermissionDenied:
        return Detail(403, "You do not have permission to perform this action.");
      default:
        return StatusError(request, status);
    }
  }

  ApiContext& ctx_;
  internal::Limiters limiters_;
  const std::vector<std::string> allowed_hosts_ = internal::AllowedHosts(ctx_.settings);
  const std::vector<std::string> trusted_origins_ = internal::TrustedOrigins(ctx_.settings);
};

}  // namespace

void RegisterAccountRoutes(http::Router& router, ApiContext& context) {
  auto routes = std::make_shared<Routes>(context);
  router.AddFilter(internal::MakeAuthFilter(context));
  auto bind = [routes](Response (Routes::*method)(Request&)) {
    return [routes, method](Request& request) { return ((*routes).*method)(request); };
  };

  for (const char* path :
       {"/api/user/v1/account/registration/", "/user_api/v1/account/registration/",
        "/api/user/v2/account/registration/", "/user_api/v2/account/registration/",
        "/create_account"}) {
    router.Get(path, bind(&Routes::RegistrationForm));
    router.Post(path, bind(&Routes::Register));
  }
  router.Post("/api/user/v1/validation/registration/", bind(&Routes::ValidateRegistration));

  for (const auto& [path, v2] :
       std::vector<std::pair<const char*, bool>>{{"/api/user/v1/account/login_session/", false},
                                                 {"/user_api/v1/account/login_session/", false},
                                                 {"/api/user/v2/account/login_session/", true},
                                                 {"/user_api/v2/account/login_session/", true},
                                                 {"/login_ajax", false}}) {
    bool is_v2 = v2;
    router.Get(path, [routes, is_v2](Request& r) { return routes->LoginForm(r, is_v2); });
    router.Post(path, [routes, is_v2](Request& r) { return routes->Login(r, is_v2); });
  }
  router.Post("/login_refresh", bind(&Routes::LoginRefresh));
  router.Get("/logout", bind(&Routes::Logout));
  router.Post("/logout", bind(&Routes::Logout));
  router.Get("/csrf/api/v1/token", bind(&Routes::CsrfToken));

  router.Get("/activate/{key}", bind(&Routes::Activate));
  router.Post("/password_reset/", bind(&Routes::PasswordReset));
  router.Post("/password_reset_confirm/{uidb36}-{token}/", bind(&Routes::PasswordResetConfirm));
  // The authn MFE's endpoint for the same form.
  router.Post("/password/reset/{uidb36}-{token}/", bind(&Routes::PasswordResetConfirm));

  router.Post("/oauth2/access_token/", bind(&Routes::AccessToken));
  router.Post("/oauth2/revoke_token/", bind(&Routes::RevokeToken));
  router.Get("/auth/jwks.json", bind(&Routes::Jwks));

  router.Post("/api/user/v1/accounts/deactivate_logout/", bind(&Routes::DeactivateLogout));
  router.Get("/api/user/v1/me", bind(&Routes::Me));
  router.Get("/api/user/v1/accounts", bind(&Routes::ListAccounts));
  router.Get("/api/user/v1/accounts/{username}", bind(&Routes::GetAccount));
  router.Patch("/api/user/v1/accounts/{username}", bind(&Routes::PatchAccount));
  router.Get("/api/user/v1/preferences/{username}", bind(&Routes::GetPreferences));
  router.Patch("/api/user/v1/preferences/{username}", bind(&Routes::PatchPreferences));
  router.Get("/api/user/v1/preferences/{username}/{key}", bind(&Routes::GetPreference));
  router.Put("/api/user/v1/preferences/{username}/{key}", bind(&Routes::PutPreference));
  router.Delete("/api/user/v1/preferences/{username}/{key}", bind(&Routes::DeletePreference));
}

}  // namespace larch::api
