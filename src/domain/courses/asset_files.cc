// Course assets as bytes or local files, read from their blobs.
#include "asset_files.h"

#include <unistd.h>

#include <atomic>
#include <string>
#include <system_error>

namespace larch::courses {
namespace {

namespace fs = std::filesystem;

Status NoBlob(const CourseAsset& asset) {
  return NotFoundError("asset " + asset.path + " has no stored content; re-import the course");
}

bool StaysInside(const std::string& path) {
  fs::path p(path);
  if (path.empty() || p.is_absolute()) return false;
  for (const fs::path& part : p) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

}  // namespace

Status WriteAssetFiles(storage::Database& db, const std::vector<CourseAsset>& assets,
                       const fs::path& dir) {
  std::error_code ec;
  for (const CourseAsset& asset : assets) {
    if (asset.sha256.empty()) return NoBlob(asset);
    if (!StaysInside(asset.path)) return InvalidArgumentError("bad asset path " + asset.path);
    fs::path to = dir / asset.path;
    fs::create_directories(to.parent_path(), ec);
    if (ec) return UnavailableError("cannot create " + to.parent_path().string());
    LARCH_RETURN_IF_ERROR(storage::CopyBlobToPath(db, asset.blob(), to));
  }
  return OkStatus();
}

StatusOr<std::string> ReadAssetContent(storage::Database& db, const CourseAsset& asset,
                                       uint64_t max_bytes) {
  if (asset.sha256.empty()) return NoBlob(asset);
  if (static_cast<uint64_t>(asset.size) > max_bytes) {
    return ResourceExhaustedError("asset " + asset.path + " is too large to read whole");
  }
  return storage::RunWithResult(db, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return storage::ReadBlob(txn, asset.blob(), 0, static_cast<uint64_t>(asset.size));
  });
}

StatusOr<fs::path> MaterializeAsset(storage::Database& db, const CourseAsset& asset,
                                    const fs::path& cache_dir) {
  if (asset.sha256.empty()) return NoBlob(asset);
  fs::path target = cache_dir / asset.sha256;
  std::error_code ec;
  if (fs::is_regular_file(target, ec) &&
      fs::file_size(target, ec) == static_cast<uint64_t>(asset.size)) {
    return target;
  }
  fs::create_directories(cache_dir, ec);
  if (ec) return UnavailableError("cannot create " + cache_dir.string() + ": " + ec.message());
  static std::atomic<uint64_t> counter{0};
  fs::path tmp = cache_dir / (asset.sha256 + "." + std::to_string(::getpid()) + "-" +
                              std::to_string(counter.fetch_add(1)) + ".part");
  Status copied = storage::CopyBlobToPath(db, asset.blob(), tmp);
  if (copied.ok()) fs::rename(tmp, target, ec);
  if (!copied.ok() || ec) {
    fs::remove(tmp, ec);
    return copied.ok() ? UnavailableError("cannot write " + target.string()) : copied;
  }
  return target;
}

}  // namespace larch::courses
