#include "larch/search/search_index.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

#include "larch/courses/courses.h"
#include "larch/enrollment/course_modes.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/search/query.h"

namespace larch::search {
namespace {

// The overview text of every indexed course (a course missing here still
// is discoverable, with no text).
constexpr storage::Query kAllOverviews{"search.all_overviews",
                                       "SELECT course_key, content FROM course_search"};

// The matching courses' keys, overview text and score; their catalog facts
// come from courses::CourseStore in the same transaction. bm25() is
// lower-is-better; negate it so a higher score is better, as with ts_rank and
// Elasticsearch.
constexpr storage::Query kMatchCourses{
    "search.match_courses",
    "SELECT course_key, content, -bm25(course_search) FROM course_search "
    "WHERE course_search MATCH ?",
    "WITH q AS (SELECT to_tsquery('simple', ?) AS tsq) SELECT s.course_key, s.content, "
    "CAST(ts_rank(s.document, q.tsq) AS DOUBLE PRECISION) FROM course_search s CROSS JOIN q "
    "WHERE s.document @@ q.tsq"};

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

CourseDocument Document(const courses::CourseDiscoveryFacts& f, std::string overview_text,
                        double score) {
  CourseDocument doc;
  doc.course_key = f.course_key;
  doc.org = f.org;
  doc.number = f.number;
  doc.display_name = f.display_name;
  doc.start = f.start;
  doc.end = f.end;
  doc.enrollment_start = f.enrollment_start;
  doc.enrollment_end = f.enrollment_end;
  doc.self_paced = f.self_paced;
  doc.invitation_only = f.invitation_only;
  doc.catalog_visibility = f.catalog_visibility;
  doc.language = f.language;
  doc.effort = f.effort;
  doc.short_description = f.short_description;
  doc.course_image = f.course_image;
  doc.overview_text = std::move(overview_text);
  doc.score = score;
  return doc;
}

// Every course (score 1) or the courses matching `text`, with their overview
// text: search's own rows, then the courses' facts from their owner in one
// batch read. A match whose course is gone is left out.
StatusOr<std::vector<CourseDocument>> ReadDocuments(storage::Transaction& txn,
                                                    const TextQuery& text) {
  std::vector<CourseDocument> docs;
  if (text.match_all) {
    LARCH_ASSIGN_OR_RETURN(storage::ResultSet rows, txn.Execute(kAllOverviews));
    std::unordered_map<std::string, std::string> overviews;
    for (const storage::Row& row : rows.rows) overviews.emplace(row.GetText(0), row.GetText(1));
    LARCH_ASSIGN_OR_RETURN(std::vector<courses::CourseDiscoveryFacts> all,
                           courses::CourseStore::ListDiscoveryFacts(txn));
    for (const courses::CourseDiscoveryFacts& f : all) {
      auto it = overviews.find(f.course_key);
      docs.push_back(Document(f, it == overviews.end() ? std::string() : it->second, 1.0));
    }
    return docs;
  }
  std::string expression =
      txn.backend() == storage::Backend::kPostgres ? TsQueryExpression(text) : Fts5Expression(text);
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rows,
                         txn.Execute(kMatchCourses, {storage::Text(expression)}));
  std::vector<std::string> keys;
  keys.reserve(rows.rows.size());
  for (const storage::Row& row : rows.rows) keys.push_back(row.GetText(0));
  LARCH_ASSIGN_OR_RETURN(auto facts, courses::CourseStore::FindDiscoveryFacts(txn, keys));
  for (const storage::Row& row : rows.rows) {
    auto it = facts.find(row.GetText(0));
    if (it == facts.end()) continue;
    docs.push_back(Document(it->second, row.GetText(1), row.GetDouble(2)));
  }
  return docs;
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
        LARCH_ASSIGN_OR_RETURN(std::vector<CourseDocument> docs, ReadDocuments(txn, text));
        matches.clear();
        for (CourseDocument& doc : docs) {
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
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return enrollment::EnrollmentStore::ActiveCourseKeys(txn, user_id);
  });
}

}  // namespace larch::search
