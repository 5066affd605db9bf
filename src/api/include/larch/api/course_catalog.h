// larch::api::CourseCatalog: the read-only view of imported courses that the
// Courses and Blocks APIs serve. It reads the `courses` and `course_blocks`
// tables directly (the importer in larch::courses writes them) and keeps the
// parsed block tree of recently used courses in a small LRU keyed by
// (course_key, courses.version), so a Blocks API request costs one indexed
// read of the version instead of re-reading thousands of block rows. A new
// import bumps the version, which makes the cached tree stale on the next
// request.
//
// Thread safety: CourseCatalog is thread-safe; returned trees are immutable
// and shared.
#ifndef LARCH_API_COURSE_CATALOG_H_
#define LARCH_API_COURSE_CATALOG_H_

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::accounts {
class RoleStore;
}

namespace larch::api {

// One `courses` row with the columns the Courses API prints.
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

// One block of a published course tree, with what access checks need
// already parsed.
struct CatalogBlock {
  std::string usage_key;
  std::string type;
  std::string block_id;
  std::string display_name;
  int parent = -1;
  std::vector<int> children;
  nlohmann::json fields = nlohmann::json::object();
  nlohmann::json inherited = nlohmann::json::object();
  std::string data;
  // Inherited settings that decide visibility.
  std::optional<int64_t> start;
  bool visible_to_staff_only = false;
  int64_t days_early_for_beta = 0;
  bool hide_from_toc = false;
  // html blocks: `data` with /static/ links rewritten to the course's
  // /asset-v1: URLs (courses::RewriteStaticUrls), done once per load.
  std::string student_view_html;
  // JSON-escaped forms computed once at load, so the Blocks API writes its
  // per-block fixed fields without re-escaping: quoted strings for
  // usage_key/block_id/type/display_name, and the usage key without quotes
  // for use inside URLs.
  std::string json_usage_key;
  std::string json_block_id;
  std::string json_type;
  std::string json_display_name;
  std::string url_usage_key;
  // The `graded` and `format` fields as the Blocks API writes them ("true"/
  // "false"; the JSON value, empty when unset or null).
  bool graded = false;
  std::string json_format;
};

// `text` as a JSON string literal (quotes included); invalid UTF-8 becomes
// U+FFFD as in http::Response::Json.
std::string JsonQuote(std::string_view text);

struct CourseTree {
  std::string course_key;
  int64_t version = 0;
  // -1 when the course has no blocks.
  int root = -1;
  std::vector<CatalogBlock> blocks;
  std::unordered_map<std::string, int> index;
  // course_key JSON-escaped without quotes (for URLs inside strings).
  std::string url_course_key;

  // -1 when absent.
  int Find(std::string_view usage_key) const;
};

// A `users` row as the access rules need it.
// A user's standing in one course for the content access rules.
struct CourseAccess {
  bool staff = false;  // global staff, course staff or instructor
  bool beta_tester = false;
};

// Course grants, and org grants for the course's org (case-insensitively).
// A role lookup that fails counts as no role.
CourseAccess CourseAccessFor(accounts::RoleStore& roles, int64_t user_id, bool global_staff,
                             std::string_view course_key);

struct CatalogUser {
  int64_t id = 0;
  std::string username;
  bool is_staff = false;
  bool is_superuser = false;
};

class CourseCatalog {
 public:
  // `tree_cache_capacity` courses are kept parsed (at least 1).
  explicit CourseCatalog(storage::Database& db, size_t tree_cache_capacity = 32);

  // Every course, ordered by course_key. Errors are storage errors.
  StatusOr<std::vector<CourseSummary>> ListCourses();
  // kNotFound when there is no such course.
  StatusOr<CourseSummary> GetCourse(std::string_view course_key);
  // The published tree of the course's current version. kNotFound when the
  // course does not exist.
  StatusOr<std::shared_ptr<const CourseTree>> GetTree(std::string_view course_key);
  // kNotFound when there is no such user.
  StatusOr<CatalogUser> FindUser(std::string_view username);
  // nullopt when the user has no enrollment row; else its is_active.
  StatusOr<std::optional<bool>> EnrollmentActive(int64_t user_id, std::string_view course_key);
  // nullopt when the user has no enrollment row; else its mode (active or
  // not, as CourseEnrollment.enrollment_mode_for_user).
  StatusOr<std::optional<std::string>> EnrollmentMode(int64_t user_id, std::string_view course_key);

  // Number of times a tree was read from the database (cache misses).
  int64_t tree_loads_for_test() const;

 private:
  StatusOr<std::shared_ptr<const CourseTree>> LoadTree(std::string_view course_key);

  storage::Database& db_;
  size_t capacity_;
  mutable std::mutex mu_;
  // Most recently used first.
  std::list<std::shared_ptr<const CourseTree>> lru_;
  std::unordered_map<std::string, std::list<std::shared_ptr<const CourseTree>>::iterator> by_key_;
  int64_t loads_ = 0;
};

}  // namespace larch::api

#endif  // LARCH_API_COURSE_CATALOG_H_
