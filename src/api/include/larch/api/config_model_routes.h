// The current configuration of a runtime configuration model, read and
// changed by staff (config_models' ConfigurationModelCurrentAPIView, which
// edx-platform mounts at /config/self_paced, /config/programs,
// /config/catalog and /config/forums):
//   GET  /config/{name}  -> the current row (a never-set model: its defaults,
//                           id null)
//   POST /config/{name}  -> 201 and the new current row; every field the
//                           body leaves out takes its default
// Only global staff and superusers may read or write (upstream needs the
// model's add permission for GET as well). Upstream authenticates by session
// only; Larch takes its usual JWT and bearer tokens too. A change is seen by
// every process at once (config_models.h, Redis when several run).
//
// Thread safety: register before serving; the handlers are then safe to run
// concurrently.
#ifndef LARCH_API_CONFIG_MODEL_ROUTES_H_
#define LARCH_API_CONFIG_MODEL_ROUTES_H_

#include "larch/config_models/config_models.h"
#include "larch/http/router.h"

namespace larch::api {

void RegisterConfigModelRoutes(http::Router& router, config_models::ConfigModels& models);

}  // namespace larch::api

#endif  // LARCH_API_CONFIG_MODEL_ROUTES_H_
