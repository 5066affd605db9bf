// Serves course static files: GET /asset-v1:Org+Course+Run+type@asset+block@name
// and the deprecated /c4x/Org/Course/asset/name, from the blob of the
// course's current version in the database (storage/file_store.h), so every
// node sharing the database answers alike, with http::ServeContent: the
// SHA-256 as ETag, Last-Modified (when the blob was stored), 304, Range/206/416.
//
// Thread safety: the registered handlers are thread-safe.
#ifndef LARCH_APP_COURSE_ASSETS_H_
#define LARCH_APP_COURSE_ASSETS_H_

#include <string>

#include "larch/accounts/roles.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/router.h"
#include "larch/storage/database.h"

namespace larch::app {

// Who may read a locked asset; both must outlive the router.
struct AssetAccess {
  accounts::RoleStore& roles;
  enrollment::EnrollmentService& enrollments;
};

// Adds the asset routes to `router`. `db` must outlive the router. Unknown
// courses/assets and malformed keys answer 404. A locked asset answers 403
// unless the caller (api::CurrentPrincipal) is global staff, staff or
// instructor of the course, or actively enrolled in it.
void RegisterCourseAssetRoutes(http::Router& router, storage::Database& db, AssetAccess access);

}  // namespace larch::app

#endif  // LARCH_APP_COURSE_ASSETS_H_
