-- Per-learner block state (Open edX courseware_studentmodule) and its
-- history (courseware_studentmodulehistory), owned by domain/student_state.
--
-- state: the block's user_state fields as a JSON object (capa: attempts,
-- correct_map, student_answers, input_state, seed, done, score, ...).
-- grade/max_grade: the last published raw score (NULL until one is).
-- version: bumped on every write; writers compare it so two submissions of
-- one learner never overwrite each other (optimistic concurrency).
CREATE TABLE student_modules (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  course_key TEXT NOT NULL,
  usage_key TEXT NOT NULL,
  module_type TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT '{}',
  grade DOUBLE PRECISION,
  max_grade DOUBLE PRECISION,
  version BIGINT NOT NULL DEFAULT 1,
  created BIGINT NOT NULL,
  modified BIGINT NOT NULL,
  UNIQUE (user_id, usage_key)
);
CREATE INDEX student_modules_course_user ON student_modules (course_key, user_id);
CREATE INDEX student_modules_usage ON student_modules (usage_key);

-- One row per write of a student_modules row, as StudentModuleHistory
-- keeps one per save (state and score after the write).
CREATE TABLE student_module_history (
  id INTEGER PRIMARY KEY,
  student_module_id INTEGER NOT NULL REFERENCES student_modules (id) ON DELETE CASCADE,
  version BIGINT NOT NULL,
  state TEXT NOT NULL,
  grade DOUBLE PRECISION,
  max_grade DOUBLE PRECISION,
  created BIGINT NOT NULL,
  UNIQUE (student_module_id, version)
);
