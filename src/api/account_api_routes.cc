// The user_api accounts endpoints (me, list, detail, merge-patch) and
// DeactivateLogoutView.
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "account_routes_internal.h"
#include "larch/common/strings.h"

namespace larch::api::internal {
namespace {

using http::Request;
using http::Response;

Response ViewerError(const Request& request, const Status& status) {
  if (status.code() == StatusCode::kNotFound) {
    return Detail(401, "User not found.");
  }
  return StatusError(request, status);
}

class AccountApiRoutes {
 public:
  explicit AccountApiRoutes(std::shared_ptr<AccountRouteState> state)
      : state_(std::move(state)), ctx_(state_->ctx) {}

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
                                          AbsoluteBaseUrl(request, ctx_.settings));
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
    // The comma-separated values, empty ones skipped.
    auto split = [](const std::string& text) {
      std::vector<std::string> parts = SplitToStrings(text, ',');
      std::erase(parts, std::string());
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
                                            AbsoluteBaseUrl(request, ctx_.settings));
      if (!json.ok()) return StatusError(request, json.status());
      list.push_back(*std::move(json));
    }
    return Response::Json(200, list);
  }

  Response PatchAccount(Request& request) {
    MergePatch input = ReadMergePatch(ctx_, request);
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
        DeleteLoginCookies(response, ctx_);
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

 private:
  std::shared_ptr<AccountRouteState> state_;
  AccountRoutesContext& ctx_;
};

}  // namespace

void RegisterAccountApiRoutes(http::Router& router,
                              const std::shared_ptr<AccountRouteState>& state) {
  auto routes = std::make_shared<AccountApiRoutes>(state);
  router.Post("/api/user/v1/accounts/deactivate_logout/",
              BindRoute(routes, &AccountApiRoutes::DeactivateLogout));
  router.Get("/api/user/v1/me", BindRoute(routes, &AccountApiRoutes::Me));
  router.Get("/api/user/v1/accounts", BindRoute(routes, &AccountApiRoutes::ListAccounts));
  router.Get("/api/user/v1/accounts/{username}", BindRoute(routes, &AccountApiRoutes::GetAccount));
  router.Patch("/api/user/v1/accounts/{username}",
               BindRoute(routes, &AccountApiRoutes::PatchAccount));
}

}  // namespace larch::api::internal
