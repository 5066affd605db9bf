// The user_api preferences endpoints: all of a user's preferences (read,
// merge-patch) and one preference (read, put, delete).
#include <memory>
#include <string>
#include <utility>

#include "account_routes_internal.h"

namespace larch::api::internal {
namespace {

using http::Request;
using http::Response;

class PreferenceRoutes {
 public:
  explicit PreferenceRoutes(std::shared_ptr<AccountRouteState> state)
      : state_(std::move(state)), ctx_(state_->ctx) {}

  Response GetPreferences(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    auto target = ReadableTarget(ctx_, request, *auth.principal);
    if (!target.ok()) return TargetError(request, target.status());
    auto prefs = ctx_.accounts.GetPreferences(target->id);
    if (!prefs.ok()) return StatusError(request, prefs.status());
    nlohmann::json body = nlohmann::json::object();
    for (const auto& [key, value] : *prefs) body[key] = value;
    return Response::Json(200, body);
  }

  Response PatchPreferences(Request& request) {
    MergePatch input = ReadMergePatch(ctx_, request);
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
    auto target = ReadableTarget(ctx_, request, *auth.principal);
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
    auto target = OwnTarget(ctx_, request, *auth.principal);
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
    auto target = OwnTarget(ctx_, request, *auth.principal);
    if (!target.ok()) return TargetError(request, target.status());
    Status st = ctx_.accounts.DeletePreference(target->id, request.PathParam("key"));
    if (st.code() == StatusCode::kNotFound) return Detail(404, "Not found.");
    if (!st.ok()) return StatusError(request, st);
    return Response::NoContent();
  }

 private:
  std::shared_ptr<AccountRouteState> state_;
  AccountRoutesContext& ctx_;
};

}  // namespace

void RegisterPreferenceRoutes(http::Router& router,
                              const std::shared_ptr<AccountRouteState>& state) {
  auto routes = std::make_shared<PreferenceRoutes>(state);
  router.Get("/api/user/v1/preferences/{username}",
             BindRoute(routes, &PreferenceRoutes::GetPreferences));
  router.Patch("/api/user/v1/preferences/{username}",
               BindRoute(routes, &PreferenceRoutes::PatchPreferences));
  router.Get("/api/user/v1/preferences/{username}/{key}",
             BindRoute(routes, &PreferenceRoutes::GetPreference));
  router.Put("/api/user/v1/preferences/{username}/{key}",
             BindRoute(routes, &PreferenceRoutes::PutPreference));
  router.Delete("/api/user/v1/preferences/{username}/{key}",
                BindRoute(routes, &PreferenceRoutes::DeletePreference));
}

}  // namespace larch::api::internal
