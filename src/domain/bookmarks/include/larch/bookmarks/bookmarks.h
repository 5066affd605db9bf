// bookmarks: the blocks each learner bookmarked, as Open edX's bookmarks app
// keeps them (bookmarks_bookmark: one row per learner and block, at most
// kMaxBookmarksPerCourse per course), newest first.
//
// This module owns the table bookmarks; BookmarkStore reads and writes it
// inside the caller's transaction, BookmarkService runs each use case in a
// transaction of its own. Whether the caller may bookmark a block (it
// exists, they see it) is the caller's check; display names and paths come
// from the course tree at read time.
//
// Thread safety: the store is stateless; BookmarkService is thread-safe.
#ifndef LARCH_BOOKMARKS_BOOKMARKS_H_
#define LARCH_BOOKMARKS_BOOKMARKS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::bookmarks {

// settings.MAX_BOOKMARKS_PER_COURSE.
inline constexpr int64_t kMaxBookmarksPerCourse = 100;

struct Bookmark {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string course_key;
  std::string usage_key;
  std::string block_type;
  int64_t created = 0;
  int64_t modified = 0;
};

// One page of a learner's bookmarks and how many there are in all.
struct BookmarkPage {
  std::vector<Bookmark> bookmarks;
  int64_t count = 0;
};

class BookmarkStore {
 public:
  // Adds the bookmark, or returns the existing one (Bookmark.create's
  // get_or_create); kFailedPrecondition for an unknown user.
  static StatusOr<Bookmark> Create(storage::Executor& db, const Bookmark& bookmark, int64_t now);
  static StatusOr<std::optional<Bookmark>> Find(storage::Executor& db, int64_t user_id,
                                                std::string_view usage_key);
  // The learner's bookmarks in the course.
  static StatusOr<int64_t> CountForCourse(storage::Executor& db, int64_t user_id,
                                          std::string_view course_key);
  // Newest first; `course_key` empty means every course.
  static StatusOr<BookmarkPage> List(storage::Executor& db, int64_t user_id,
                                     std::string_view course_key, int64_t limit, int64_t offset);
  // True when there was one.
  static StatusOr<bool> Delete(storage::Executor& db, int64_t user_id, std::string_view usage_key);
};

class BookmarkService {
 public:
  // Both must outlive the service.
  BookmarkService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Creates the bookmark (or returns the one there is); kResourceExhausted
  // when the learner has kMaxBookmarksPerCourse in the course already.
  StatusOr<Bookmark> Create(int64_t user_id, std::string_view course_key,
                            std::string_view usage_key, std::string_view block_type);
  StatusOr<std::optional<Bookmark>> Get(int64_t user_id, std::string_view usage_key);
  StatusOr<BookmarkPage> List(int64_t user_id, std::string_view course_key, int64_t limit,
                              int64_t offset);
  // kNotFound when there is no such bookmark.
  Status Delete(int64_t user_id, std::string_view usage_key);

 private:
  storage::Database& db_;
  const Clock& clock_;
};

}  // namespace larch::bookmarks

#endif  // LARCH_BOOKMARKS_BOOKMARKS_H_
