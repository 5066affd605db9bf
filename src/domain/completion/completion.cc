#include "larch/completion/completion.h"

#include <cmath>
#include <string>

namespace larch::completion {
namespace {

using storage::Query;
using storage::Row;

// An unchanged value leaves the row alone (modified too), as upstream saves
// only when the completion differs.
constexpr Query kUpsert{
    "completion.upsert",
    "INSERT INTO block_completions (user_id, course_key, block_key, block_type, completion, "
    "created, modified) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (user_id, course_key, block_key) DO UPDATE SET "
    "completion = excluded.completion, modified = excluded.modified "
    "WHERE block_completions.completion <> excluded.completion"};
constexpr Query kFind{"completion.find",
                      "SELECT id, user_id, course_key, block_key, block_type, completion, "
                      "created, modified FROM block_completions "
                      "WHERE user_id = ? AND course_key = ? AND block_key = ?"};
constexpr Query kListForCourse{"completion.list_for_course",
                               "SELECT id, user_id, course_key, block_key, block_type, "
                               "completion, created, modified FROM block_completions "
                               "WHERE user_id = ? AND course_key = ? ORDER BY block_key"};
constexpr Query kLatest{"completion.latest",
                        "SELECT id, user_id, course_key, block_key, block_type, completion, "
                        "created, modified FROM block_completions "
                        "WHERE user_id = ? AND course_key = ? "
                        "ORDER BY modified DESC, id DESC LIMIT 1"};

// ROW_NUMBER() runs on both backends (SQLite 3.25+, PostgreSQL).
constexpr Query kLatestPerCourse{
    "completion.latest_per_course",
    "SELECT id, user_id, course_key, block_key, block_type, completion, created, modified "
    "FROM (SELECT id, user_id, course_key, block_key, block_type, completion, created, modified, "
    "ROW_NUMBER() OVER (PARTITION BY course_key ORDER BY modified DESC, id DESC) AS n "
    "FROM block_completions WHERE user_id = ?) latest WHERE n = 1"};

BlockCompletion FromRow(const Row& row) {
  BlockCompletion c;
  c.id = row.GetInt(0);
  c.user_id = row.GetInt(1);
  c.course_key = row.GetText(2);
  c.block_key = row.GetText(3);
  c.block_type = row.GetText(4);
  c.completion = row.GetDouble(5);
  c.created = row.GetInt(6);
  c.modified = row.GetInt(7);
  return c;
}

// Upstream's validate_percent message.
Status CheckValue(double value) {
  if (std::isnan(value) || value < 0.0 || value > 1.0) {
    std::string text = std::isnan(value) ? std::string("nan") : std::to_string(value);
    while (text.size() > 3 && text.back() == '0' && text[text.size() - 2] != '.') text.pop_back();
    return InvalidArgumentError(text + " must be between 0.0 and 1.0");
  }
  return OkStatus();
}

}  // namespace

CompletionMode ModeOf(std::string_view block_type) {
  static constexpr std::string_view kAggregators[] = {
      "course",     "chapter",     "sequential", "vertical", "library_content",
      "split_test", "conditional", "itembank",   "unit",     "library"};
  for (std::string_view type : kAggregators) {
    if (type == block_type) return CompletionMode::kAggregator;
  }
  if (block_type == "discussion") return CompletionMode::kExcluded;
  return CompletionMode::kCompletable;
}

bool CompletableByViewing(std::string_view block_type) {
  if (ModeOf(block_type) != CompletionMode::kCompletable) return false;
  // Scored blocks complete by their score, video by its own reports.
  static constexpr std::string_view kNotByViewing[] = {
      "problem",           "video", "drag-and-drop-v2", "openassessment", "lti", "lti_consumer",
      "staffgradedxblock", "done",  "edx_sga"};
  for (std::string_view type : kNotByViewing) {
    if (type == block_type) return false;
  }
  return true;
}

StatusOr<BlockCompletion> CompletionStore::Submit(storage::Executor& db, int64_t user_id,
                                                  std::string_view course_key,
                                                  const CompletionEntry& entry, int64_t now) {
  LARCH_RETURN_IF_ERROR(CheckValue(entry.completion));
  LARCH_RETURN_IF_ERROR(db.Execute(kUpsert, {storage::Int(user_id), std::string(course_key),
                                             entry.block_key, entry.block_type, entry.completion,
                                             storage::Int(now), storage::Int(now)})
                            .status());
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      db.Execute(kFind, {storage::Int(user_id), std::string(course_key), entry.block_key}));
  if (rs.empty()) return InternalError("completion of " + entry.block_key + " was not stored");
  return FromRow(rs.rows[0]);
}

Status CompletionStore::SubmitBatch(storage::Executor& db, int64_t user_id,
                                    std::string_view course_key,
                                    std::span<const CompletionEntry> entries, int64_t now) {
  for (const CompletionEntry& entry : entries) LARCH_RETURN_IF_ERROR(CheckValue(entry.completion));
  for (const CompletionEntry& entry : entries) {
    LARCH_RETURN_IF_ERROR(Submit(db, user_id, course_key, entry, now).status());
  }
  return OkStatus();
}

StatusOr<std::vector<BlockCompletion>> CompletionStore::ListForCourse(storage::Executor& db,
                                                                      int64_t user_id,
                                                                      std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      db.Execute(kListForCourse, {storage::Int(user_id), std::string(course_key)}));
  std::vector<BlockCompletion> out;
  out.reserve(rs.size());
  for (const Row& row : rs.rows) out.push_back(FromRow(row));
  return out;
}

StatusOr<std::optional<BlockCompletion>> CompletionStore::Latest(storage::Executor& db,
                                                                 int64_t user_id,
                                                                 std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         db.Execute(kLatest, {storage::Int(user_id), std::string(course_key)}));
  if (rs.empty()) return std::optional<BlockCompletion>();
  return std::optional<BlockCompletion>(FromRow(rs.rows[0]));
}

StatusOr<std::map<std::string, BlockCompletion, std::less<>>> CompletionStore::LatestPerCourse(
    storage::Executor& db, int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         db.Execute(kLatestPerCourse, {storage::Int(user_id)}));
  std::map<std::string, BlockCompletion, std::less<>> out;
  for (const Row& row : rs.rows) {
    BlockCompletion c = FromRow(row);
    std::string key = c.course_key;
    out.emplace(std::move(key), std::move(c));
  }
  return out;
}

}  // namespace larch::completion
