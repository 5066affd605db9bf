-- Per-learner completion of course blocks (Open edX completion's
-- completion_blockcompletion), owned by domain/completion.
--
-- One row per learner and block. completion: 0.0 (incomplete) .. 1.0
-- (complete). modified changes only when the value does, so the row with
-- the latest modified is the learner's last progress in the course (the
-- resume block).
CREATE TABLE block_completions (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  course_key TEXT NOT NULL,
  block_key TEXT NOT NULL,
  block_type TEXT NOT NULL,
  completion DOUBLE PRECISION NOT NULL CHECK (completion >= 0 AND completion <= 1),
  created BIGINT NOT NULL,
  modified BIGINT NOT NULL,
  UNIQUE (user_id, course_key, block_key)
);
-- The resume block: the learner's latest change in a course.
CREATE INDEX block_completions_latest ON block_completions (user_id, course_key, modified);
CREATE INDEX block_completions_course_type ON block_completions (course_key, block_type, user_id);
