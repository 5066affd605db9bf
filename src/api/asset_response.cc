#include "larch/api/asset_response.h"

#include <string>

#include "larch/http/content_response.h"
#include "larch/http/error_mapping.h"
#include "larch/storage/file_store.h"

namespace larch::api {

http::Response ServeCourseAsset(const http::Request& request, storage::Database& db,
                                const courses::CourseAsset& asset) {
  if (asset.sha256.empty()) {
    return http::ErrorResponse(NotFoundError("asset has no stored content"), request.request_id());
  }
  http::ContentMeta meta;
  meta.size = static_cast<uint64_t>(asset.size);
  meta.etag = "\"" + asset.sha256 + "\"";
  if (asset.modified_at > 0) meta.last_modified = asset.modified_at / 1'000'000;
  meta.content_type = asset.content_type;
  storage::BlobRef blob = asset.blob();
  // Only the requested bytes are read: a range of a large video costs a
  // few chunks.
  return http::ServeContent(request, meta, [&db, &blob](uint64_t offset, uint64_t length) {
    return storage::RunWithResult(db, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
      return storage::ReadBlob(txn, blob, offset, length);
    });
  });
}

}  // namespace larch::api
