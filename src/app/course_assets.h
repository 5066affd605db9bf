// Serves course static files: GET /asset-v1:Org+Course+Run+type@asset+block@name
// and the deprecated /c4x/Org/Course/asset/name, from the folder of the
// course's current version (courses::StaticDirFor), with the ETag/Range
// handling of http::StaticFiles.
//
// Thread safety: the registered handlers are thread-safe.
#ifndef LARCH_APP_COURSE_ASSETS_H_
#define LARCH_APP_COURSE_ASSETS_H_

#include <string>

#include "larch/http/router.h"
#include "larch/storage/database.h"

namespace larch::app {

// Adds the asset routes to `router`. `db` must outlive the router. Unknown
// courses/assets and malformed keys answer 404; locked assets 403 (Larch
// does not yet check the enrollment Open edX requires for them).
void RegisterCourseAssetRoutes(http::Router& router, storage::Database& db,
                               const std::string& data_dir);

}  // namespace larch::app

#endif  // LARCH_APP_COURSE_ASSETS_H_
