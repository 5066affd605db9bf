#include "course_assets.h"

#include <memory>
#include <string>

#include "larch/accounts/roles.h"
#include "larch/api/account_routes.h"
#include "larch/api/asset_response.h"
#include "larch/courses/courses.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/error_mapping.h"
#include "larch/keys/keys.h"

namespace larch::app {
namespace {

struct Resolved {
  keys::CourseKey course;
  int64_t version = 0;
  courses::CourseAsset asset;
};

// Open edX's contentserver (is_user_authorized): a locked asset needs a
// signed-in user who is global staff or enrolled in the course; Larch also
// lets the course's staff and instructors in, who may not be enrolled.
StatusOr<bool> MayReadLocked(const http::Request& req, const keys::CourseKey& course,
                             const AssetAccess& access) {
  const oauth::Principal* principal = api::CurrentPrincipal(req);
  if (principal == nullptr) return false;
  if (principal->is_staff || principal->is_superuser) return true;
  const std::string course_id = course.ToString();
  for (accounts::CourseRole role :
       {accounts::CourseRole::kInstructor, accounts::CourseRole::kStaff}) {
    LARCH_ASSIGN_OR_RETURN(bool has, access.roles.HasRole(principal->user_id, course_id, role));
    if (has) return true;
  }
  LARCH_ASSIGN_OR_RETURN(std::optional<enrollment::Enrollment> enrolled,
                         access.enrollments.Get(principal->user_id, course_id));
  return enrolled.has_value() && enrolled->is_active;
}

http::Response ServeAsset(http::Request& req, storage::Database& db, const AssetAccess& access,
                          const std::string& key_text) {
  auto key = keys::AssetKey::Parse(key_text);
  if (!key.ok()) return http::ErrorResponse(NotFoundError("unknown asset"), req.request_id());
  auto resolved = storage::RunWithResult(
      db, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<Resolved> {
        Resolved r;
        keys::CourseKey course = key->course_key;
        if (course.run.empty()) {
          // /c4x/ URLs carry no run: take the course with that org and number.
          LARCH_ASSIGN_OR_RETURN(auto overviews,
                                 courses::CourseStore::ListOverviews(txn, {course.org}));
          bool found = false;
          for (const courses::CourseOverview& o : overviews) {
            if (o.key.course == course.course) {
              course = o.key;
              found = true;
              break;
            }
          }
          if (!found) return NotFoundError("no course for " + key_text);
        }
        LARCH_ASSIGN_OR_RETURN(r.version, courses::CourseStore::GetVersion(txn, course));
        LARCH_ASSIGN_OR_RETURN(r.asset, courses::CourseStore::FindAsset(txn, course, key->name));
        r.course = course;
        return r;
      });
  if (!resolved.ok()) return http::ErrorResponse(resolved.status(), req.request_id());
  if (resolved->asset.locked) {
    StatusOr<bool> allowed = MayReadLocked(req, resolved->course, access);
    if (!allowed.ok()) return http::ErrorResponse(allowed.status(), req.request_id());
    if (!*allowed) {
      return http::ErrorResponse(PermissionDeniedError("this asset is locked"), req.request_id());
    }
  }
  return api::ServeCourseAsset(req, db, resolved->asset);
}

}  // namespace

void RegisterCourseAssetRoutes(http::Router& router, storage::Database& db, AssetAccess access) {
  router.Get("/asset-v1:{rest:path}", [&db, access](http::Request& req) {
    return ServeAsset(req, db, access, "asset-v1:" + std::string(req.PathParam("rest")));
  });
  router.Get("/c4x/{rest:path}", [&db, access](http::Request& req) {
    return ServeAsset(req, db, access, "/c4x/" + std::string(req.PathParam("rest")));
  });
}

}  // namespace larch::app
