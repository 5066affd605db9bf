// django-oauth-toolkit's token and revocation endpoints ({"error": ...}
// bodies) and the JWKS of the signing keys (oauth_dispatch).
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "account_routes_internal.h"

namespace larch::api::internal {
namespace {

using http::Request;
using http::Response;

class OAuthRoutes {
 public:
  explicit OAuthRoutes(std::shared_ptr<AccountRouteState> state)
      : state_(std::move(state)), ctx_(state_->ctx) {}

  Response AccessToken(Request& request) {
    if (!state_->limiters.token->Allow(request.client_address())) {
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

 private:
  std::shared_ptr<AccountRouteState> state_;
  AccountRoutesContext& ctx_;
};

}  // namespace

void RegisterOAuthRoutes(http::Router& router, const std::shared_ptr<AccountRouteState>& state) {
  auto routes = std::make_shared<OAuthRoutes>(state);
  router.Post("/oauth2/access_token/", BindRoute(routes, &OAuthRoutes::AccessToken));
  router.Post("/oauth2/revoke_token/", BindRoute(routes, &OAuthRoutes::RevokeToken));
  router.Get("/auth/jwks.json", BindRoute(routes, &OAuthRoutes::Jwks));
}

}  // namespace larch::api::internal
