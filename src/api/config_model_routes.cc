#include "larch/api/config_model_routes.h"

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/config_models/model_kinds.h"
#include "larch/oauth/principal.h"
#include "spdlog/spdlog.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using internal::Detail;
using internal::FormMap;
using nlohmann::json;

constexpr char kPath[] = "/config/{name}";

// The model and the staff caller, or the response to send: 401 anonymous,
// 403 not staff, 404 an unknown model (after the permission check, so a
// learner cannot probe which models exist).
struct Target {
  const config_models::ModelKind* kind = nullptr;
  const oauth::Principal* principal = nullptr;
  std::optional<Response> error;
};

Target Resolve(const Request& request) {
  Target out;
  AuthResult auth = RequireUser(request);
  if (auth.principal == nullptr) {
    out.error = std::move(auth.error);
    return out;
  }
  if (!auth.principal->is_staff && !auth.principal->is_superuser) {
    out.error = Detail(403, "You do not have permission to perform this action.");
    return out;
  }
  out.principal = auth.principal;
  out.kind = config_models::FindModel(request.PathParam("name"));
  if (out.kind == nullptr) out.error = Detail(404, "Not found.");
  return out;
}

// The POST data as one JSON object: a JSON body, or a form's fields.
std::optional<json> PostData(const Request& request) {
  if (request.MediaType() == "application/json") {
    auto body = request.JsonBody();
    if (!body.ok()) return std::nullopt;
    return *body;
  }
  json out = json::object();
  for (const auto& [name, value] : FormMap(request)) out[name] = value;
  return out;
}

Response Get(config_models::ConfigModels& models, const Request& request) {
  Target target = Resolve(request);
  if (target.error.has_value()) return std::move(*target.error);
  auto current = models.Current(target.kind->model);
  if (!current.ok()) {
    spdlog::error("config model {}: {}", target.kind->model, current.status().ToString());
    return Detail(500, "A server error occurred.");
  }
  const storage::ConfigModelRow* row = current->has_value() ? &current->value() : nullptr;
  return Response::Json(200, config_models::Serialize(*target.kind, row));
}

Response Post(config_models::ConfigModels& models, const Request& request) {
  Target target = Resolve(request);
  if (target.error.has_value()) return std::move(*target.error);
  std::optional<json> data = PostData(request);
  if (!data.has_value()) return Detail(400, "JSON parse error - the body is not valid JSON.");
  bool enabled = false;
  auto value = config_models::ParseFields(*target.kind, *data, &enabled);
  if (!value.ok()) {
    return Response::Json(400, json::parse(value.status().message(), nullptr, false));
  }
  auto row = models.Set(target.kind->model, "", enabled, *value, target.principal->username);
  if (!row.ok()) {
    spdlog::error("config model {}: {}", target.kind->model, row.status().ToString());
    return Detail(500, "A server error occurred.");
  }
  spdlog::info("config model {} changed by {} (enabled: {})", target.kind->model,
               target.principal->username, enabled);
  return Response::Json(201, config_models::Serialize(*target.kind, &*row));
}

}  // namespace

void RegisterConfigModelRoutes(http::Router& router, config_models::ConfigModels& models) {
  config_models::ConfigModels* m = &models;
  router.Get(kPath, [m](Request& request) { return Get(*m, request); });
  router.Post(kPath, [m](Request& request) { return Post(*m, request); });
}

}  // namespace larch::api
