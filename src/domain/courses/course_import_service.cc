#include "larch/courses/course_import_service.h"

#include <system_error>
#include <utility>

#include <spdlog/spdlog.h>

#include "larch/courses/courses.h"

namespace larch::courses {

CourseImportService::CourseImportService(storage::Database& db, const Clock& clock,
                                         std::string data_dir, AfterImport after_import)
    : db_(db),
      clock_(clock),
      data_dir_(std::move(data_dir)),
      after_import_(std::move(after_import)) {}

Status CourseImportService::RunImportJob(const nlohmann::json& payload) {
  if (!payload.is_object() || !payload.value("course_key", nlohmann::json()).is_string() ||
      !payload.value("archive", nlohmann::json()).is_string()) {
    return InvalidArgumentError("courses.import payload needs course_key and archive");
  }
  std::filesystem::path archive = payload["archive"].get<std::string>();
  std::filesystem::path imports = std::filesystem::path(data_dir_) / "imports";
  // Only files this process stored under <data_dir>/imports are read.
  if (archive.lexically_relative(imports).empty() ||
      *archive.lexically_relative(imports).begin() == "..") {
    return InvalidArgumentError("courses.import archive outside the imports folder");
  }
  auto key = keys::CourseKey::Parse(payload["course_key"].get<std::string>());
  if (!key.ok()) return key.status();
  CourseImporter importer(db_, clock_, data_dir_);
  ImportOptions options;
  options.target_course_key = *key;
  auto result = importer.Import(archive, options);
  // The upload is dropped whatever the outcome (the job is not retried).
  std::error_code ec;
  std::filesystem::remove_all(archive.parent_path(), ec);
  if (!result.ok()) {
    // The full message (server paths included) goes to the log; the task's
    // message, shown to the course author, names files inside the archive.
    spdlog::warn("course import {} failed: {}", key->ToString(), result.status().ToString());
    return Status(result.status().code(), PublicImportMessage(result.status().message(), archive));
  }
  spdlog::info("course import {}: version {} with {} blocks", key->ToString(), result->version,
               result->blocks);
  if (!after_import_) return OkStatus();
  return after_import_(result->course_key);
}

}  // namespace larch::courses
