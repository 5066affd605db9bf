-- Learners' bookmarks of course blocks (Open edX bookmarks_bookmark),
-- owned by domain/bookmarks. One row per learner and block; the display
-- name and path are read from the published course tree, not stored.
CREATE TABLE bookmarks (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  course_key TEXT NOT NULL,
  usage_key TEXT NOT NULL,
  block_type TEXT NOT NULL,
  created BIGINT NOT NULL,
  modified BIGINT NOT NULL,
  UNIQUE (user_id, usage_key)
);
-- Listing newest first, for one course or all.
CREATE INDEX bookmarks_user_created ON bookmarks (user_id, created);
CREATE INDEX bookmarks_user_course ON bookmarks (user_id, course_key, created);
