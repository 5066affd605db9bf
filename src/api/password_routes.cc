// Account activation and password reset links (student views and the authn
// MFE's reset form).
#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "account_routes_internal.h"
#include "larch/common/strings.h"

namespace larch::api::internal {
namespace {

using http::Request;
using http::Response;

class PasswordRoutes {
 public:
  explicit PasswordRoutes(std::shared_ptr<AccountRouteState> state)
      : state_(std::move(state)), ctx_(state_->ctx) {}

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
    const bool allowed =
        state_->limiters.password_reset_ip->Allow(request.client_address()) &&
        (email_key.empty() || state_->limiters.password_reset_email->Allow(email_key));
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

 private:
  std::shared_ptr<AccountRouteState> state_;
  AccountRoutesContext& ctx_;
};

}  // namespace

void RegisterPasswordRoutes(http::Router& router, const std::shared_ptr<AccountRouteState>& state) {
  auto routes = std::make_shared<PasswordRoutes>(state);
  router.Get("/activate/{key}", BindRoute(routes, &PasswordRoutes::Activate));
  router.Post("/password_reset/", BindRoute(routes, &PasswordRoutes::PasswordReset));
  router.Post("/password_reset_confirm/{uidb36}-{token}/",
              BindRoute(routes, &PasswordRoutes::PasswordResetConfirm));
  // The authn MFE's endpoint for the same form.
  router.Post("/password/reset/{uidb36}-{token}/",
              BindRoute(routes, &PasswordRoutes::PasswordResetConfirm));
}

}  // namespace larch::api::internal
