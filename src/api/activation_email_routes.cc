// POST /api/send_account_activation_email: the learning micro-frontend's
// "resend the activation mail" button (user_authn api
// SendAccountActivationEmail). Session callers only, inactive accounts
// included (SessionAuthenticationAllowInactiveUser); the CSRF check of the
// authentication filter applies. An inactive account gets a new activation
// key by mail through the mail.send job; an active one gets nothing. The
// reply is an empty 200 either way.
//
// Refusals as upstream: no session (anonymous, or a JWT / Bearer token,
// which this view does not accept) 403 {"detail": "Authentication
// credentials were not provided."}; a failure 500 with an empty body.
#include <memory>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/api/learning_routes.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;

Response Empty(int status) {
  Response response = Response::Text(status, "");
  response.SetHeader("Content-Type", "application/json");
  return response;
}

}  // namespace

void RegisterActivationEmailRoute(http::Router& router, LearningRoutesContext& context) {
  LearningRoutesContext* ctx = &context;
  router.Post("/api/send_account_activation_email", [ctx](Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr || caller->auth_method != "session") {
      return internal::Detail(403, "Authentication credentials were not provided.");
    }
    StatusOr<bool> sent = ctx->accounts.ResendActivationEmail(caller->user_id);
    return Empty(sent.ok() ? 200 : 500);
  });
}

}  // namespace larch::api
