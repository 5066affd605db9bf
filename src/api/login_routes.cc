// Registration, login, logout and the CSRF token endpoint (user_authn).
#include <spdlog/spdlog.h>

#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "account_routes_internal.h"
#include "larch/api/csrf.h"
#include "larch/http/hosts.h"

namespace larch::api::internal {
namespace {

using http::Request;
using http::Response;

std::string HttpDate(int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

class LoginRoutes {
 public:
  explicit LoginRoutes(std::shared_ptr<AccountRouteState> state)
      : state_(std::move(state)), ctx_(state_->ctx) {}

  Response RegistrationForm(Request& request) {
    Response response = Response::Json(200, ctx_.accounts.RegistrationForm());
    EnsureCsrfCookie(request, response, ctx_);
    return response;
  }

  Response Register(Request& request) {
    if (!state_->limiters.registration->Allow(request.client_address())) {
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
    if (Status st = StartSession(ctx_, request, response, user); !st.ok()) {
      return StatusError(request, st);
    }
    return response;
  }

  Response ValidateRegistration(Request& request) {
    return Response::Json(200, ctx_.accounts.ValidateRegistration(FormMap(request)));
  }

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
    EnsureCsrfCookie(request, response, ctx_);
    return response;
  }

  Response Login(Request& request, bool v2) {
    // csrf_protect: the login POST needs the token even without a session.
    if (auto reason = CheckCsrfOrigin(request, state_->allowed_hosts, state_->trusted_origins);
        reason) {
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
    if (!state_->limiters.login->Allow(request.client_address())) {
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
    if (Status st = StartSession(ctx_, request, response, *user); !st.ok()) {
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
    auto expires_in = SetJwtCookies(request, response, ctx_, *user);
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
    if (next.has_value() &&
        http::RedirectIsSafe(*next, state_->allowed_hosts, request.is_secure())) {
      response = Response::Redirect(http::CleanRedirectTarget(*next));
    } else {
      response = Response::Html(200,
                                "<!DOCTYPE html><html><head><title>Signed Out</title></head>"
                                "<body><p>You have signed out.</p></body></html>");
    }
    DeleteLoginCookies(response, ctx_);
    return response;
  }

  Response CsrfToken(Request& request) {
    Response response = Response::Json(200, nlohmann::json::object());
    std::string secret = EnsureCsrfCookie(request, response, ctx_);
    response.body = nlohmann::json{{"csrfToken", MaskCsrfSecret(secret, ctx_.random)}}.dump();
    return response;
  }

 private:
  std::shared_ptr<AccountRouteState> state_;
  AccountRoutesContext& ctx_;
};

}  // namespace

void RegisterLoginRoutes(http::Router& router, const std::shared_ptr<AccountRouteState>& state) {
  auto routes = std::make_shared<LoginRoutes>(state);
  for (const char* path :
       {"/api/user/v1/account/registration/", "/user_api/v1/account/registration/",
        "/api/user/v2/account/registration/", "/user_api/v2/account/registration/",
        "/create_account"}) {
    router.Get(path, BindRoute(routes, &LoginRoutes::RegistrationForm));
    router.Post(path, BindRoute(routes, &LoginRoutes::Register));
  }
  router.Post("/api/user/v1/validation/registration/",
              BindRoute(routes, &LoginRoutes::ValidateRegistration));

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
  router.Post("/login_refresh", BindRoute(routes, &LoginRoutes::LoginRefresh));
  router.Get("/logout", BindRoute(routes, &LoginRoutes::Logout));
  router.Post("/logout", BindRoute(routes, &LoginRoutes::Logout));
  router.Get("/csrf/api/v1/token", BindRoute(routes, &LoginRoutes::CsrfToken));
}

}  // namespace larch::api::internal
