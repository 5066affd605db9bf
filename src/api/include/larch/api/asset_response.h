// The HTTP answer carrying a course asset's content from its blob
// (storage/file_store.h): http::ServeContent with the SHA-256 as ETag, the
// blob's time as Last-Modified and the asset's content type. Used by the
// asset routes (app/course_assets.cc) and the transcript download.
//
// Thread safety: safe from any thread; `db` must outlive the response's
// construction only.
#ifndef LARCH_API_ASSET_RESPONSE_H_
#define LARCH_API_ASSET_RESPONSE_H_

#include "larch/courses/courses.h"
#include "larch/http/request.h"
#include "larch/http/response.h"
#include "larch/storage/database.h"

namespace larch::api {

// 200/206/304/416 as the request asks; 404 when the asset has no blob
// (imported before the file store); a storage error's mapped status.
http::Response ServeCourseAsset(const http::Request& request, storage::Database& db,
                                const courses::CourseAsset& asset);

}  // namespace larch::api

#endif  // LARCH_API_ASSET_RESPONSE_H_
