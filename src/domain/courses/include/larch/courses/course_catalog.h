// courses::CourseCatalog: the read-only view of imported courses that the
// Courses API, Blocks API, search and transcript routes serve. Rows come
// through CourseStore (the importer writes them); the parsed block tree of
// recently used courses stays in a small LRU keyed by (course_key,
// courses.version), so a Blocks API request costs one indexed read of the
// version instead of re-reading thousands of block rows. A new import bumps
// the version, which makes the cached tree stale on the next request.
//
// Thread safety: CourseCatalog is thread-safe; returned trees are immutable
// and shared.
#ifndef LARCH_COURSES_COURSE_CATALOG_H_
#define LARCH_COURSES_COURSE_CATALOG_H_

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/mutex.h"
#include "larch/common/status.h"
#include "larch/courses/courses.h"
#include "larch/storage/database.h"

namespace larch::courses {

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
  // /asset-v1: URLs (RewriteStaticUrls), done once per load.
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
  // The course's info/handouts.html with /static/ links rewritten
  // (get_course_info_section 'handouts'); nullopt when the course has none.
  std::optional<std::string> handouts_html;

  // -1 when absent.
  int Find(std::string_view usage_key) const;
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
  // GetTree when the caller already read the course's current `version`
  // (CourseOverview::version in its own transaction): a cached tree of that
  // version costs no query. kNotFound when the course does not exist.
  StatusOr<std::shared_ptr<const CourseTree>> GetTreeAtVersion(std::string_view course_key,
                                                               int64_t version);

  // Number of times a tree was read from the database (cache misses).
  int64_t tree_loads_for_test() const;

 private:
  StatusOr<std::shared_ptr<const CourseTree>> LoadTree(std::string_view course_key);

  storage::Database& db_;
  size_t capacity_;
  mutable Mutex mu_;
  // Most recently used first.
  std::list<std::shared_ptr<const CourseTree>> lru_ LARCH_GUARDED_BY(mu_);
  std::unordered_map<std::string, std::list<std::shared_ptr<const CourseTree>>::iterator> by_key_
      LARCH_GUARDED_BY(mu_);
  int64_t loads_ LARCH_GUARDED_BY(mu_) = 0;
};

}  // namespace larch::courses

#endif  // LARCH_COURSES_COURSE_CATALOG_H_
