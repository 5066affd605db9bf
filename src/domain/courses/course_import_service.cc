#include "larch/courses/course_import_service.h"

#include <stdlib.h>

#include <system_error>
#include <utility>

#include <spdlog/spdlog.h>

#include "larch/courses/courses.h"
#include "larch/courses/import_tasks.h"

namespace larch::courses {
namespace {

namespace fs = std::filesystem;

// A temporary folder removed when this goes out of scope.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "larch-import-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

CourseImportService::CourseImportService(storage::Database& db, const Clock& clock,
                                         storage::FileStore& files, AfterImport after_import)
    : db_(db), clock_(clock), files_(files), after_import_(std::move(after_import)) {}

Status CourseImportService::RunImportJob(const nlohmann::json& payload) {
  if (!payload.is_object() || !payload.value("course_key", nlohmann::json()).is_string() ||
      !payload.value("archive", nlohmann::json()).is_string()) {
    return InvalidArgumentError("courses.import payload needs course_key and archive");
  }
  const std::string archive = payload["archive"].get<std::string>();
  // Only uploads the import API stored under imports/ are read; the name
  // check refuses anything that could leave the store.
  if (!archive.starts_with(kImportsPrefix) || !storage::ValidateFileName(archive).ok()) {
    return InvalidArgumentError("courses.import archive outside the imports folder");
  }
  auto key = keys::CourseKey::Parse(payload["course_key"].get<std::string>());
  if (!key.ok()) return key.status();
  ScratchDir scratch;
  if (scratch.path().empty()) return UnavailableError("cannot create a temporary folder");
  // The OLX reader takes a path; the copy keeps the uploaded file's name.
  const fs::path local = scratch.path() / fs::path(archive).filename();
  Status copied = files_.CopyToPath(archive, local);
  StatusOr<ImportResult> result = copied;
  if (copied.ok()) {
    CourseImporter importer(db_, clock_);
    ImportOptions options;
    options.target_course_key = *key;
    result = importer.Import(local, options);
  }
  // The upload is dropped whatever the outcome (the job is not retried).
  if (Status dropped = files_.Delete(archive);
      !dropped.ok() && dropped.code() != StatusCode::kNotFound) {
    spdlog::warn("course import {}: cannot delete the upload {}: {}", key->ToString(), archive,
                 dropped.ToString());
  }
  if (!result.ok()) {
    // The full message (server paths included) goes to the log; the task's
    // message, shown to the course author, names files inside the archive.
    spdlog::warn("course import {} failed: {}", key->ToString(), result.status().ToString());
    return Status(result.status().code(), PublicImportMessage(result.status().message(), local));
  }
  spdlog::info("course import {}: version {} with {} blocks", key->ToString(), result->version,
               result->blocks);
  if (!after_import_) return OkStatus();
  return after_import_(result->course_key);
}

}  // namespace larch::courses
