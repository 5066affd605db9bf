#include "larch/bookmarks/bookmarks.h"

#include <string>

namespace larch::bookmarks {
namespace {

using storage::Query;
using storage::Row;

constexpr Query kInsert{"bookmarks.insert",
                        "INSERT INTO bookmarks (user_id, course_key, usage_key, block_type, "
                        "created, modified) VALUES (?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (user_id, usage_key) DO NOTHING"};
constexpr Query kFind{"bookmarks.find",
                      "SELECT id, user_id, course_key, usage_key, block_type, created, modified "
                      "FROM bookmarks WHERE user_id = ? AND usage_key = ?"};
constexpr Query kCountForCourse{"bookmarks.count_for_course",
                                "SELECT COUNT(*) FROM bookmarks "
                                "WHERE user_id = ? AND course_key = ?"};
constexpr Query kCountAll{"bookmarks.count_all",
                          "SELECT COUNT(*) FROM bookmarks WHERE user_id = ?"};
constexpr Query kListForCourse{
    "bookmarks.list_for_course",
    "SELECT id, user_id, course_key, usage_key, block_type, created, modified FROM bookmarks "
    "WHERE user_id = ? AND course_key = ? ORDER BY created DESC, id DESC LIMIT ? OFFSET ?"};
constexpr Query kListAll{
    "bookmarks.list_all",
    "SELECT id, user_id, course_key, usage_key, block_type, created, modified FROM bookmarks "
    "WHERE user_id = ? ORDER BY created DESC, id DESC LIMIT ? OFFSET ?"};
constexpr Query kDelete{"bookmarks.delete",
                        "DELETE FROM bookmarks WHERE user_id = ? AND usage_key = ?"};

Bookmark FromRow(const Row& row) {
  return Bookmark{row.GetInt(0),  row.GetInt(1), row.GetText(2), row.GetText(3),
                  row.GetText(4), row.GetInt(5), row.GetInt(6)};
}

}  // namespace

StatusOr<Bookmark> BookmarkStore::Create(storage::Executor& db, const Bookmark& bookmark,
                                         int64_t now) {
  LARCH_RETURN_IF_ERROR(
      db.Execute(kInsert, {storage::Int(bookmark.user_id), bookmark.course_key, bookmark.usage_key,
                           bookmark.block_type, storage::Int(now), storage::Int(now)})
          .status());
  LARCH_ASSIGN_OR_RETURN(std::optional<Bookmark> stored,
                         Find(db, bookmark.user_id, bookmark.usage_key));
  if (!stored) return InternalError("bookmark of " + bookmark.usage_key + " was not stored");
  return *stored;
}

StatusOr<std::optional<Bookmark>> BookmarkStore::Find(storage::Executor& db, int64_t user_id,
                                                      std::string_view usage_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         db.Execute(kFind, {storage::Int(user_id), std::string(usage_key)}));
  if (rs.empty()) return std::optional<Bookmark>();
  return std::optional<Bookmark>(FromRow(rs.rows[0]));
}

StatusOr<int64_t> BookmarkStore::CountForCourse(storage::Executor& db, int64_t user_id,
                                                std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      db.Execute(kCountForCourse, {storage::Int(user_id), std::string(course_key)}));
  return rs.empty() ? 0 : rs.rows[0].GetInt(0);
}

StatusOr<BookmarkPage> BookmarkStore::List(storage::Executor& db, int64_t user_id,
                                           std::string_view course_key, int64_t limit,
                                           int64_t offset) {
  BookmarkPage page;
  storage::ResultSet rows;
  if (course_key.empty()) {
    LARCH_ASSIGN_OR_RETURN(storage::ResultSet count,
                           db.Execute(kCountAll, {storage::Int(user_id)}));
    page.count = count.empty() ? 0 : count.rows[0].GetInt(0);
    LARCH_ASSIGN_OR_RETURN(rows, db.Execute(kListAll, {storage::Int(user_id), storage::Int(limit),
                                                       storage::Int(offset)}));
  } else {
    LARCH_ASSIGN_OR_RETURN(page.count, CountForCourse(db, user_id, course_key));
    LARCH_ASSIGN_OR_RETURN(
        rows, db.Execute(kListForCourse, {storage::Int(user_id), std::string(course_key),
                                          storage::Int(limit), storage::Int(offset)}));
  }
  page.bookmarks.reserve(rows.size());
  for (const Row& row : rows.rows) page.bookmarks.push_back(FromRow(row));
  return page;
}

StatusOr<bool> BookmarkStore::Delete(storage::Executor& db, int64_t user_id,
                                     std::string_view usage_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         db.Execute(kDelete, {storage::Int(user_id), std::string(usage_key)}));
  return rs.rows_affected > 0;
}

StatusOr<Bookmark> BookmarkService::Create(int64_t user_id, std::string_view course_key,
                                           std::string_view usage_key,
                                           std::string_view block_type) {
  int64_t now = clock_.NowMicros();
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<Bookmark> {
        LARCH_ASSIGN_OR_RETURN(std::optional<Bookmark> existing,
                               BookmarkStore::Find(txn, user_id, usage_key));
        if (existing) return *existing;
        LARCH_ASSIGN_OR_RETURN(int64_t count,
                               BookmarkStore::CountForCourse(txn, user_id, course_key));
        if (count >= kMaxBookmarksPerCourse) {
          return ResourceExhaustedError("bookmark limit reached");
        }
        Bookmark bookmark{
            0,   user_id, std::string(course_key), std::string(usage_key), std::string(block_type),
            now, now};
        return BookmarkStore::Create(txn, bookmark, now);
      });
}

StatusOr<std::optional<Bookmark>> BookmarkService::Get(int64_t user_id,
                                                       std::string_view usage_key) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return BookmarkStore::Find(txn, user_id, usage_key);
  });
}

StatusOr<BookmarkPage> BookmarkService::List(int64_t user_id, std::string_view course_key,
                                             int64_t limit, int64_t offset) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return BookmarkStore::List(txn, user_id, course_key, limit, offset);
  });
}

Status BookmarkService::Delete(int64_t user_id, std::string_view usage_key) {
  LARCH_ASSIGN_OR_RETURN(
      bool deleted,
      storage::RunWithResult(db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
        return BookmarkStore::Delete(txn, user_id, usage_key);
      }));
  if (!deleted) return NotFoundError("no such bookmark");
  return OkStatus();
}

}  // namespace larch::bookmarks
