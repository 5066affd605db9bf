#include "larch/search/search_index.h"

#include <algorithm>
#include <utility>

#include "larch/enrollment/course_modes.h"
#include "larch/search/query.h"

namespace larch::search {
namespace {

// The courses columns a discovery document needs, then the overview text and
// the score. Both dialects return the same columns.
#define LARCH_SEARCH_COURSE_COLUMNS                                                           \
  "c.course_key, c.org, c.number, c.display_name, c.start_at, c.end_at, c.enrollment_start, " \
  "c.enrollment_end, c.self_paced, c.invitation_only, c.catalog_visibility, c.language, "     \
  "c.effort, c.short_description, c.course_image, "

constexpr storage::Query kAllCourses{"search.all_courses",
                                     "SELECT " LARCH_SEARCH_COURSE_COLUMNS
                                     "COALESCE(s.content, ''), 1.0 FROM courses c "
                                     "LEFT JOIN course_search s ON s.course_key = c.course_key"};

// bm25() is lower-is-better; negate it so a higher score is better, as with
// ts_rank and Elasticsearch.
constexpr storage::Query kMatchCourses{
    "search.match_courses",
    "SELECT " LARCH_SEARCH_COURSE_COLUMNS
    "course_search.content, -bm25(course_search) FROM course_search "
    "JOIN courses c ON c.course_key = course_search.course_key WHERE course_search MATCH ?",
    "WITH q AS (SELECT to_tsquery('simple', ?) AS tsq) SELECT " LARCH_SEARCH_COURSE_COLUMNS
    "s.content, CAST(ts_rank(s.document, q.tsq) AS DOUBLE PRECISION) FROM course_search s "
    "JOIN courses c ON c.course_key = s.course_key CROSS JOIN q WHERE s.document @@ q.tsq"};

#undef LARCH_SEARCH_COURSE_COLUMNS

constexpr storage::Query kMatchBlocks{
    "search.match_blocks",
    "SELECT course_key, usage_key, block_type, title, content, -bm25(block_search) "
    "FROM block_search WHERE block_search MATCH ? AND course_key = ? "
    "AND block_type IN ('sequential', 'vertical', 'html', 'video', 'problem')",
    "WITH q AS (SELECT to_tsquery('simple', ?) AS tsq) "
    "SELECT b.course_key, b.usage_key, b.block_type, b.title, b.content, "
    "CAST(ts_rank(b.document, q.tsq) AS DOUBLE PRECISION) FROM block_search b CROSS JOIN q "
    "WHERE b.document @@ q.tsq AND b.course_key = ? "
    "AND b.block_type IN ('sequential', 'vertical', 'html', 'video', 'problem')"};

constexpr storage::Query kActiveEnrollments{
    "search.active_enrollments",
    "SELECT course_key FROM enrollments WHERE user_id = ? AND is_active = 1 ORDER BY course_key"};

CourseDocument ReadCourse(const storage::Row& row) {
  CourseDocument doc;
  doc.course_key = row.GetText(0);
  doc.org = row.GetText(1);
  doc.number = row.GetText(2);
  doc.display_name = row.GetText(3);
  doc.start = row.GetOptionalInt(4);
  doc.end = row.GetOptionalInt(5);
  doc.enrollment_start = row.GetOptionalInt(6);
  doc.enrollment_end = row.GetOptionalInt(7);
  doc.self_paced = row.GetBool(8);
  doc.invitation_only = row.GetBool(9);
  doc.catalog_visibility = row.GetText(10);
  doc.language = row.GetOptionalText(11);
  doc.effort = row.GetOptionalText(12);
  doc.short_description = row.GetOptionalText(13);
  doc.course_image = row.GetOptionalText(14);
  doc.overview_text = row.GetText(15);
  doc.score = row.GetDouble(16);
  return doc;
}

// The values a course has for a facet field.
std::vector<std::string> FieldValues(const CourseDocument& doc, const std::string& field) {
  if (field == "org") return {doc.org};
  if (field == "modes") return doc.modes;
  if (field == "language") {
    if (doc.language.has_value() && !doc.language->empty()) return {*doc.language};
    return {};
  }
  return {};
}

// Upstream (edx-search course_discovery_search with LMS's filter generator
// and SEARCH_SKIP_SHOW_IN_CATALOG_FILTERING off): the enrollment window must
// be open and the course listed in the catalog.
bool Discoverable(const CourseDocument& doc, int64_t now) {
  if (!doc.enrollment_start.has_value() || *doc.enrollment_start > now) return false;
  if (doc.enrollment_end.has_value() && *doc.enrollment_end < now) return false;
  return doc.catalog_visibility == "both";
}

bool BetterFirst(const CourseDocument& a, const CourseDocument& b) {
  if (a.score != b.score) return a.score > b.score;
  return a.course_key < b.course_key;
}

}  // namespace

const std::vector<std::string>& DefaultDiscoveryFacets() {
  static const auto* facets = new std::vector<std::string>{"org", "modes", "language"};
  return *facets;
}

SearchIndex::SearchIndex(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

StatusOr<DiscoveryResult> SearchIndex::DiscoverCourses(const DiscoveryQuery& query) {
  TextQuery text = ParseSearchText(query.search_string);
  DiscoveryResult result;
  for (const std::string& facet : query.facets) result.facets[facet];
  if (text.matches_nothing()) return result;
  int64_t now = clock_.NowMicros();
  std::vector<CourseDocument> matches;
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> Status {
        storage::ResultSet rows;
        if (text.match_all) {
          LARCH_ASSIGN_OR_RETURN(rows, txn.Execute(kAllCourses));
        } else {
          std::string expression = txn.backend() == storage::Backend::kPostgres
                                       ? TsQueryExpression(text)
                                       : Fts5Expression(text);
          LARCH_ASSIGN_OR_RETURN(rows, txn.Execute(kMatchCourses, {storage::Text(expression)}));
        }
        matches.clear();
        for (const storage::Row& row : rows.rows) {
          CourseDocument doc = ReadCourse(row);
          if (!Discoverable(doc, now)) continue;
          LARCH_ASSIGN_OR_RETURN(
              std::vector<enrollment::CourseMode> modes,
              enrollment::CourseModeStore::ModesForCourse(txn, doc.course_key, now));
          for (const enrollment::CourseMode& mode : modes) doc.modes.push_back(mode.slug);
          matches.push_back(std::move(doc));
        }
        return OkStatus();
      }));

  std::erase_if(matches, [&](const CourseDocument& doc) {
    for (const auto& [field, wanted] : query.field_filters) {
      std::vector<std::string> values = FieldValues(doc, field);
      if (std::find(values.begin(), values.end(), wanted) == values.end()) return true;
    }
    return false;
  });
  std::sort(matches.begin(), matches.end(), BetterFirst);

  result.total = static_cast<int64_t>(matches.size());
  for (const CourseDocument& doc : matches) {
    result.max_score = std::max(result.max_score.value_or(doc.score), doc.score);
    for (auto& [facet, counts] : result.facets) {
      for (const std::string& value : FieldValues(doc, facet)) {
        ++counts.terms[value];
        ++counts.total;
      }
    }
  }
  int64_t from = std::max<int64_t>(query.from, 0);
  int64_t size = std::max<int64_t>(query.size, 0);
  for (int64_t i = from; i < result.total && i - from < size; ++i) {
    result.page.push_back(std::move(matches[static_cast<size_t>(i)]));
  }
  return result;
}

StatusOr<std::vector<BlockMatch>> SearchIndex::MatchBlocks(
    const std::vector<std::string>& course_keys, std::string_view search_string) {
  TextQuery text = ParseSearchText(search_string);
  std::vector<BlockMatch> matches;
  if (text.terms.empty() || course_keys.empty()) return matches;
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> Status {
        std::string expression = txn.backend() == storage::Backend::kPostgres
                                     ? TsQueryExpression(text)
                                     : Fts5Expression(text);
        matches.clear();
        for (const std::string& course_key : course_keys) {
          LARCH_ASSIGN_OR_RETURN(
              storage::ResultSet rows,
              txn.Execute(kMatchBlocks, {storage::Text(expression), storage::Text(course_key)}));
          for (const storage::Row& row : rows.rows) {
            matches.push_back(BlockMatch{row.GetText(0), row.GetText(1), row.GetText(2),
                                         row.GetText(3), row.GetText(4), row.GetDouble(5)});
          }
        }
        return OkStatus();
      }));
  std::sort(matches.begin(), matches.end(), [](const BlockMatch& a, const BlockMatch& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.course_key != b.course_key) return a.course_key < b.course_key;
    return a.usage_key < b.usage_key;
  });
  return matches;
}

StatusOr<std::vector<std::string>> SearchIndex::ActiveEnrollments(int64_t user_id) {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<std::vector<std::string>> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rows,
                               txn.Execute(kActiveEnrollments, {storage::Int(user_id)}));
        std::vector<std::string> keys;
        for (const storage::Row& row : rows.rows) keys.push_back(row.GetText(0));
        return keys;
      });
}

}  // namespace larch::search
