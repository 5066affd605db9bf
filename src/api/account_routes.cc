#include "larch/api/account_routes.h"

#include <spdlog/spdlog.h>

#include <memory>

#include "account_routes_internal.h"
#include "larch/http/error_mapping.h"
#include "larch/http/hosts.h"

namespace larch::api {
namespace internal {
namespace {

constexpr char kMergePatch[] = "application/merge-patch+json";
// Open edX's RATELIMIT_RATE for the token endpoint.
constexpr char kTokenRate[] = "120/m";

std::unique_ptr<RateLimiter> MakeLimiter(std::string_view setting, std::string_view text,
                                         std::string_view fallback, const AccountRoutesContext& ctx,
                                         const char* name) {
  StatusOr<Rate> rate = ParseRate(text);
  if (!rate.ok()) {
    spdlog::warn("{}: {}; using {}", setting, rate.status().message(), fallback);
    rate = ParseRate(fallback);
  }
  return std::make_unique<RateLimiter>(*rate, ctx.clock, 100'000, ctx.shared_rates, name);
}

}  // namespace

AccountRouteState::AccountRouteState(AccountRoutesContext& context)
    : ctx(context),
      allowed_hosts(AllowedHosts(context.settings)),
      trusted_origins(TrustedOrigins(context.settings)) {
  const config::Settings& s = context.settings;
  limiters.login = MakeLimiter("LOGISTRATION_RATELIMIT_RATE", s.logistration_ratelimit_rate,
                               "100/5m", context, "login");
  limiters.registration = MakeLimiter("REGISTRATION_RATELIMIT", s.registration_ratelimit, "60/7d",
                                      context, "registration");
  limiters.token = MakeLimiter("token rate", kTokenRate, kTokenRate, context, "token");
  limiters.password_reset_ip = MakeLimiter("PASSWORD_RESET_IP_RATE", s.password_reset_ip_rate,
                                           "1/m", context, "password_reset_ip");
  limiters.password_reset_email =
      MakeLimiter("PASSWORD_RESET_EMAIL_RATE", s.password_reset_email_rate, "2/h", context,
                  "password_reset_email");
}

http::Response StatusError(const http::Request& request, const Status& status) {
  return http::ErrorResponse(status, request.request_id());
}

Status StartSession(AccountRoutesContext& ctx, const http::Request& request,
                    http::Response& response, const accounts::User& user) {
  if (auto old = request.Cookie(ctx.settings.session_cookie_name); old.has_value()) {
    LARCH_RETURN_IF_ERROR(ctx.sessions.Delete(*old));
  }
  LARCH_ASSIGN_OR_RETURN(std::string session, ctx.sessions.Create(user.id));
  SetLoginCookies(request, response, ctx, user, session);
  EnsureCsrfCookie(request, response, ctx, /*rotate=*/true);
  return OkStatus();
}

StatusOr<accounts::User> OwnTarget(AccountRoutesContext& ctx, const http::Request& request,
                                   const oauth::Principal& principal) {
  std::string_view username = request.PathParam("username");
  auto target = ctx.accounts.GetUserByUsername(username);
  if (!target.ok()) return target.status();
  if (target->id == principal.user_id) return target;
  if (principal.is_staff || principal.is_superuser) {
    return PermissionDeniedError("only the owner may change this account");
  }
  return NotFoundError("no such user");
}

StatusOr<accounts::User> ReadableTarget(AccountRoutesContext& ctx, const http::Request& request,
                                        const oauth::Principal& principal) {
  std::string_view username = request.PathParam("username");
  bool privileged = principal.is_staff || principal.is_superuser;
  if (!privileged && !http::EqualsIgnoreCase(username, principal.username)) {
    return PermissionDeniedError("not your preferences");
  }
  return ctx.accounts.GetUserByUsername(username);
}

http::Response TargetError(const http::Request& request, const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return Detail(404, "Not found.");
    case StatusCode::kPermissionDenied:
      return Detail(403, "You do not have permission to perform this action.");
    default:
      return StatusError(request, status);
  }
}

MergePatch ReadMergePatch(AccountRoutesContext& ctx, http::Request& request) {
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
  auto target = OwnTarget(ctx, request, *auth.principal);
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

}  // namespace internal

void RegisterAccountRoutes(http::Router& router, AccountRoutesContext& context) {
  auto state = std::make_shared<internal::AccountRouteState>(context);
  router.AddFilter(internal::MakeAuthFilter(context));
  internal::RegisterLoginRoutes(router, state);
  internal::RegisterPasswordRoutes(router, state);
  internal::RegisterOAuthRoutes(router, state);
  internal::RegisterAccountApiRoutes(router, state);
  internal::RegisterPreferenceRoutes(router, state);
}

}  // namespace larch::api
