// Courses: the published courses of this Larch, stored from OLX exports.
//
// CourseImporter turns an OLX export (olx::ReadCourse) into database rows:
// the course overview (`courses`), every block (`course_blocks`), the about/
// info/tab texts and the raw policy files (`course_texts`), the static files
// (`course_assets`, each pointing at a content-addressed blob of the file
// store, storage/file_store.h) and search rows. A re-import replaces the
// course atomically: everything, the new files' blobs included, is written in
// one transaction, which also drops the blobs nothing refers to any more, so
// readers on any node see the old version or the new one and a failed import
// leaves the old version untouched. Unchanged files keep their blob. Nothing
// is kept in a data directory. CourseStore reads the rows back (the catalog
// view the Courses and Blocks APIs serve is courses::CourseCatalog,
// course_catalog.h); ExportCourse writes them out again as OLX.
//
// Thread safety: CourseStore is stateless; CourseImporter may be used from
// several threads (imports of one course serialize on the database's write
// lock).
#ifndef LARCH_COURSES_COURSES_H_
#define LARCH_COURSES_COURSES_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/keys/keys.h"
#include "larch/olx/olx.h"
#include "larch/storage/database.h"
#include "larch/storage/file_store.h"
#include "nlohmann/json.hpp"

namespace larch::courses {

// One `courses` row, parsed. Timestamps are micros since the epoch.
struct CourseOverview {
  keys::CourseKey key;
  std::string display_name;
  std::optional<int64_t> start;
  std::optional<int64_t> end;
  std::optional<int64_t> enrollment_start;
  std::optional<int64_t> enrollment_end;
  bool self_paced = false;
  std::string catalog_visibility = "both";
  bool invitation_only = false;
  std::optional<int64_t> max_student_enrollments_allowed;
  std::optional<std::string> language;
  std::optional<std::string> effort;
  std::optional<std::string> short_description;
  std::optional<std::string> overview_html;
  // Asset URLs ("/asset-v1:Org+Course+Run+type@asset+block@images_course_image.jpg").
  std::optional<std::string> course_image;
  std::optional<std::string> banner_image;
  // about/video.html as written (usually a YouTube iframe).
  std::optional<std::string> course_video;
  std::optional<std::string> certificates_display_behavior;
  std::optional<int64_t> certificate_available_date;
  bool mobile_available = false;
  std::optional<double> lowest_passing_grade;
  // Course settings other modules read: badges_enabled (issue_badges),
  // entrance_exam_enabled, entrance_exam_minimum_score_pct, entrance_exam_id,
  // pre_requisite_courses (list of course keys), license,
  // days_early_for_beta, cert_html_view_enabled, catalog_visibility, and
  // for the web certificate certificates ({"certificates": [...]}),
  // cert_name_short, cert_name_long, display_organization,
  // display_coursenumber when the course sets them.
  nlohmann::json advanced = nlohmann::json::object();
  // olx::EffectiveGradingPolicy of the course (GRADER, GRADE_CUTOFFS).
  nlohmann::json grading_policy = nlohmann::json::object();
  int64_t version = 1;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct CourseText {
  std::string kind;  // "about", "info", "tab", or "policy" (raw policy files)
  std::string name;
  int64_t position = 0;
  std::string title;
  std::string content;
};

struct CourseAsset {
  std::string path;  // relative to static/, '/'-separated
  std::string content_type;
  int64_t size = 0;
  bool locked = false;
  // The content's blob (lowercase hex SHA-256); empty for an asset imported
  // before the file store existed (re-import the course).
  std::string sha256;
  // When the blob was first stored, micros since the epoch (0 when unknown).
  int64_t modified_at = 0;

  storage::BlobRef blob() const { return storage::BlobRef{sha256, size, modified_at}; }
};

// One `courses` row with the columns the Courses API prints, read leniently:
// the key stays the stored text and unparsable JSON settings read as {}.
struct CourseSummary {
  std::string course_key;
  std::string org;
  std::string number;
  std::string run;
  std::string display_name;
  std::optional<int64_t> start;
  std::optional<int64_t> end;
  std::optional<int64_t> enrollment_start;
  std::optional<int64_t> enrollment_end;
  bool self_paced = false;
  std::string catalog_visibility = "both";
  bool invitation_only = false;
  // Empty texts read as unset.
  std::optional<std::string> effort;
  std::optional<std::string> short_description;
  std::optional<std::string> overview_html;
  std::optional<std::string> course_image;
  std::optional<std::string> banner_image;
  std::optional<std::string> course_video;
  bool mobile_available = false;
  // courses.advanced (policy settings) parsed; an object.
  nlohmann::json advanced = nlohmann::json::object();
  int64_t version = 1;
};

// The `courses` columns enrollment decides with (the enrollment window,
// invitation-only, the capacity) and prints (name, dates, pacing), by the
// stored key text. enrollment::CourseInfo is this struct.
struct CourseEnrollmentInfo {
  std::string course_key;
  std::string display_name;
  std::optional<int64_t> start;
  std::optional<int64_t> end;
  std::optional<int64_t> enrollment_start;
  std::optional<int64_t> enrollment_end;
  bool invitation_only = false;
  std::optional<int64_t> max_student_enrollments_allowed;
  bool self_paced = false;
};

// The `courses` columns course discovery (search::SearchIndex) prints and
// filters on, read as stored: NULL texts are unset, empty ones stay "".
struct CourseDiscoveryFacts {
  std::string course_key;
  std::string org;
  std::string number;
  std::string display_name;
  std::optional<int64_t> start;
  std::optional<int64_t> end;
  std::optional<int64_t> enrollment_start;
  std::optional<int64_t> enrollment_end;
  bool self_paced = false;
  bool invitation_only = false;
  std::string catalog_visibility;
  std::optional<std::string> language;
  std::optional<std::string> effort;
  std::optional<std::string> short_description;
  std::optional<std::string> course_image;
};

// One `course_blocks` row as the catalog tree is built from it; fields and
// inherited parsed leniently (an object, {} when the text is not one).
struct CatalogBlockRow {
  std::string usage_key;
  std::string type;
  std::string block_id;    // url_name
  std::string parent_key;  // "" for a root
  nlohmann::json fields = nlohmann::json::object();
  nlohmann::json inherited = nlohmann::json::object();
  std::string data;
};

struct OverviewFilter {
  std::optional<std::string> org;  // exact, case-insensitive
};

class CourseStore {
 public:
  // kNotFound when the course was never imported.
  static StatusOr<CourseOverview> GetOverview(storage::Executor& ex,
                                              const keys::CourseKey& course_key);
  // Sorted by course key.
  static StatusOr<std::vector<CourseOverview>> ListOverviews(storage::Executor& ex,
                                                             const OverviewFilter& filter = {});
  // The overviews of the courses stored under these key texts (duplicates
  // allowed), keyed by the stored key; unknown keys (and rows whose key does
  // not parse) are absent. A few hundred keys per statement.
  static StatusOr<std::unordered_map<std::string, CourseOverview>> FindOverviews(
      storage::Executor& ex, std::vector<std::string> course_keys);
  // The current version of a course; kNotFound when it was never imported.
  static StatusOr<int64_t> GetVersion(storage::Executor& ex, const keys::CourseKey& course_key);
  // The same by the stored key text (no parsing); kNotFound when absent.
  static StatusOr<int64_t> GetVersionByText(storage::Executor& ex, std::string_view course_key);
  // Every course as the Courses API lists it, by course key.
  static StatusOr<std::vector<CourseSummary>> ListSummaries(storage::Executor& ex);
  // kNotFound when there is no such course.
  static StatusOr<CourseSummary> GetSummary(storage::Executor& ex, std::string_view course_key);
  // Every course's discovery facts, by course key.
  static StatusOr<std::vector<CourseDiscoveryFacts>> ListDiscoveryFacts(storage::Executor& ex);
  // The discovery facts of the courses stored under these key texts
  // (duplicates allowed), keyed by course key; unknown keys are absent. A few
  // hundred keys per statement.
  static StatusOr<std::unordered_map<std::string, CourseDiscoveryFacts>> FindDiscoveryFacts(
      storage::Executor& ex, std::vector<std::string> course_keys);
  // The enrollment facts of the course stored under exactly this key text
  // (no parsing, so any text is a valid question); nullopt when there is
  // none. One primary-key read.
  static StatusOr<std::optional<CourseEnrollmentInfo>> FindEnrollmentInfo(
      storage::Executor& ex, std::string_view course_key);
  // The blocks of a context ordered by position then usage key (so each
  // parent's children come in order); empty when it has none.
  static StatusOr<std::vector<CatalogBlockRow>> ListCatalogBlocks(storage::Executor& ex,
                                                                  std::string_view context_key);
  // The stored tree of a course or library key string (context_key).
  // kNotFound when it has no blocks; kDataLoss for rows that do not parse.
  static StatusOr<olx::BlockTree> LoadTree(storage::Executor& ex, const std::string& context_key);
  // One block; kNotFound when absent.
  static StatusOr<olx::Block> GetBlock(storage::Executor& ex, const keys::UsageKey& usage_key);
  // block_type -> number of stored blocks of the context.
  static StatusOr<std::map<std::string, int64_t>> CountBlocks(storage::Executor& ex,
                                                              const std::string& context_key);
  // Texts of `kind` ("" for every kind), by kind then position then name.
  static StatusOr<std::vector<CourseText>> ListTexts(storage::Executor& ex,
                                                     const keys::CourseKey& course_key,
                                                     std::string_view kind = "");
  static StatusOr<std::vector<CourseAsset>> ListAssets(storage::Executor& ex,
                                                       const keys::CourseKey& course_key);
  // The asset named `name`: either its static path or the asset-key name
  // (path with '/' as '_'). kNotFound when absent.
  static StatusOr<CourseAsset> FindAsset(storage::Executor& ex, const keys::CourseKey& course_key,
                                         std::string_view name);
};

// The whole content of `asset` (at most `max_bytes`): kResourceExhausted when
// it is larger, kNotFound when it has no blob, storage errors otherwise.
StatusOr<std::string> ReadAssetContent(storage::Database& db, const CourseAsset& asset,
                                       uint64_t max_bytes);
// A local copy of `asset` for code that needs a path (the Python sandbox's
// python_lib.zip): <cache_dir>/<sha256>, written once (through a temporary
// name) and reused, so a node's cache never goes stale. kNotFound when the
// asset has no blob; kUnavailable when the cache cannot be written.
StatusOr<std::filesystem::path> MaterializeAsset(storage::Database& db, const CourseAsset& asset,
                                                 const std::filesystem::path& cache_dir);

// "/static/images/x.png" (in src/href attributes of html) ->
// "/asset-v1:Org+Course+Run+type@asset+block@images_x.png". Other URLs stay.
std::string RewriteStaticUrls(std::string_view html, const keys::CourseKey& course_key);

// The spoken text of a video transcript file, for search: SubRip (.srt)
// without cue numbers and timings, or an .srt.sjson's "text" lines, joined
// by spaces. Malformed input gives what could be read (possibly "").
enum class TranscriptFormat { kSrt, kSjson };
std::string TranscriptText(std::string_view content, TranscriptFormat format);
// A legacy .srt.sjson transcript ({"start": [ms], "end": [ms], "text": [..]})
// as SubRip, one numbered cue per complete start/end/text triple, as
// upstream's Transcript.convert(sjson -> srt). "" when it does not parse.
std::string SjsonToSrt(std::string_view content);

struct ImportResult {
  keys::CourseKey course_key;  // empty for a library
  std::string context_key;     // the course or library key
  int64_t version = 0;
  int64_t blocks = 0;
  int64_t static_files = 0;
  std::map<std::string, int64_t> block_counts;  // by type
};

struct ImportOptions {
  olx::ReadOptions read;
  // Import into this course run instead of the one the export names
  // (Studio's import into an existing course); courses only.
  std::optional<keys::CourseKey> target_course_key;
  // Called inside the transaction right before commit; a non-OK status
  // aborts the import (tests use it to prove atomicity).
  std::function<Status()> before_commit_for_test;
};

// The message of a failed import of `archive` as the course author may see
// it: the archive's own file name instead of its stored path, and any other
// absolute server path (scratch folders, the data dir) cut to the part
// inside the archive, or to its last component. The full message belongs in
// the server log only.
std::string PublicImportMessage(std::string_view message, const std::filesystem::path& archive);

class CourseImporter {
 public:
  CourseImporter(storage::Database& db, const Clock& clock);

  // Imports a course export (folder or .tar.gz) and returns what was stored.
  // Errors: those of olx::ReadCourse (kInvalidArgument, kNotFound), storage
  // errors, kNotFound/kUnavailable when a static file cannot be read. On any
  // error the previously imported version stays as it was.
  StatusOr<ImportResult> Import(const std::filesystem::path& path,
                                const ImportOptions& options = {});
  // Imports a v1 content library export into content_libraries and
  // course_blocks (context_key = library key), replacing a previous one.
  StatusOr<ImportResult> ImportLibrary(const std::filesystem::path& path,
                                       const ImportOptions& options = {});

 private:
  storage::Database& db_;
  const Clock& clock_;
};

// Rebuilds the olx::Course of a stored course (tree, policies, texts) and
// writes its static files from the blob store into `static_dir` (created;
// course.static_dir then names it). kNotFound for an unknown course or an
// asset without a blob.
StatusOr<olx::Course> LoadCourse(storage::Database& db, const keys::CourseKey& course_key,
                                 const std::filesystem::path& static_dir);
// LoadCourse (static files through a temporary folder, removed again) +
// olx::WriteCourse into `out_dir`.
Status ExportCourse(storage::Database& db, const keys::CourseKey& course_key,
                    const std::filesystem::path& out_dir);

}  // namespace larch::courses

#endif  // LARCH_COURSES_COURSES_H_
