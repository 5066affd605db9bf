// larch::search index reads: course discovery (edx-search's
// course_discovery_search over the "course_info" index) and the text match
// behind courseware and dashboard search (perform_search over
// "courseware_content"). The rows come from the course_search and
// block_search tables that the courses importer fills on every import, so
// the index is always in step with the published course.
//
// Tables: search runs SQL on its index tables only. A discovery document's
// catalog columns (name, dates, visibility, language, ...) are the `courses`
// table's, read through courses::CourseStore in the same read-only
// transaction: the match gives the keys and scores, then one batch read
// (ListDiscoveryFacts or FindDiscoveryFacts) gives the facts of every match,
// so a query costs two statements rather than one per match. Enrolled course
// keys and course modes come from the enrollment module's stores
// (EnrollmentStore, CourseModeStore) the same way.
//
// This layer matches text and applies the catalog rules that need no user
// (enrollment window, catalog visibility, facets). Per-user block access
// (staff-only, start dates) is the caller's job, since it needs the course
// tree and roles.
//
// Thread safety: SearchIndex is stateless apart from its references and safe
// to use from any thread.
#ifndef LARCH_SEARCH_SEARCH_INDEX_H_
#define LARCH_SEARCH_SEARCH_INDEX_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::search {

// The facets edx-search offers by default (DEFAULT_FILTER_FIELDS).
const std::vector<std::string>& DefaultDiscoveryFacets();

// One course as the discovery index describes it.
struct CourseDocument {
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
  // The overview as plain text (course_search.content).
  std::string overview_text;
  // modes_for_course slugs (["audit"] when the course has none).
  std::vector<std::string> modes;
  double score = 0;
};

struct DiscoveryQuery {
  // Empty: every course (still subject to the rules below).
  std::string search_string;
  int64_t size = 20;
  int64_t from = 0;
  // Facet field ("org", "modes", "language") -> the value a course must have.
  std::vector<std::pair<std::string, std::string>> field_filters;
  // Facets to count.
  std::vector<std::string> facets = DefaultDiscoveryFacets();
};

struct FacetCounts {
  std::map<std::string, int64_t> terms;
  // Number of values counted (a course with two modes counts twice).
  int64_t total = 0;
  // Values left out by a size cap; always 0 (no cap).
  int64_t other = 0;
};

struct DiscoveryResult {
  // Matching courses, before pagination.
  int64_t total = 0;
  // Best score among all matches; nullopt when nothing matched.
  std::optional<double> max_score;
  // Courses [from, from + size), best first.
  std::vector<CourseDocument> page;
  // One entry per requested facet, counted over all matches.
  std::map<std::string, FacetCounts> facets;
};

// One indexed block that matched.
struct BlockMatch {
  std::string course_key;
  std::string usage_key;
  std::string block_type;
  std::string title;
  std::string content;
  double score = 0;
};

class SearchIndex {
 public:
  SearchIndex(storage::Database& db, const Clock& clock);

  // course_discovery_search: courses matching the text whose enrollment has
  // started (enrollment_start set and not in the future), has not ended
  // (enrollment_end unset or not passed) and whose catalog_visibility is
  // "both", filtered by `field_filters`, best score first (course key breaks
  // ties). Errors are storage errors.
  StatusOr<DiscoveryResult> DiscoverCourses(const DiscoveryQuery& query);

  // Blocks of the given courses whose title or text matches, best first,
  // limited to the types courseware search shows (sequential, vertical,
  // html, video, problem). Empty when the text holds no word. Errors are
  // storage errors.
  StatusOr<std::vector<BlockMatch>> MatchBlocks(const std::vector<std::string>& course_keys,
                                                std::string_view search_string);

  // Keys of the user's active enrollments, sorted.
  StatusOr<std::vector<std::string>> ActiveEnrollments(int64_t user_id);

 private:
  storage::Database& db_;
  const Clock& clock_;
};

}  // namespace larch::search

#endif  // LARCH_SEARCH_SEARCH_INDEX_H_
