-- Timed exams (edx-proctoring's ProctoredExam, ProctoredExamStudentAttempt
-- and ProctoredExamStudentAllowance), owned by domain/special_exams. One
-- exam per time-limited subsection, written from the course tree; one
-- current attempt per learner and exam; allowances such as
-- additional_time_granted per learner and exam.
CREATE TABLE special_exams (
  id INTEGER PRIMARY KEY,
  course_key TEXT NOT NULL,
  content_id TEXT NOT NULL,
  external_id TEXT,
  exam_name TEXT NOT NULL,
  time_limit_mins BIGINT NOT NULL,
  due_date BIGINT,
  is_proctored INTEGER NOT NULL DEFAULT 0,
  is_practice_exam INTEGER NOT NULL DEFAULT 0,
  is_active INTEGER NOT NULL DEFAULT 1,
  hide_after_due INTEGER NOT NULL DEFAULT 0,
  backend TEXT,
  exam_review_rules TEXT NOT NULL DEFAULT '',
  created BIGINT NOT NULL,
  modified BIGINT NOT NULL,
  UNIQUE (course_key, content_id)
);

-- status is one of ProctoredExamStudentAttemptStatus (created, started,
-- ready_to_submit, submitted, error, declined, ...); times are microseconds.
CREATE TABLE special_exam_attempts (
  id INTEGER PRIMARY KEY,
  exam_id BIGINT NOT NULL REFERENCES special_exams (id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  attempt_code TEXT NOT NULL,
  external_id TEXT,
  started_at BIGINT,
  completed_at BIGINT,
  allowed_time_limit_mins BIGINT,
  taking_as_proctored INTEGER NOT NULL DEFAULT 0,
  is_sample_attempt INTEGER NOT NULL DEFAULT 0,
  is_status_acknowledged INTEGER NOT NULL DEFAULT 0,
  time_remaining_seconds BIGINT,
  created BIGINT NOT NULL,
  modified BIGINT NOT NULL,
  UNIQUE (exam_id, user_id)
);
CREATE INDEX special_exam_attempts_user ON special_exam_attempts (user_id, status);

CREATE TABLE special_exam_allowances (
  id INTEGER PRIMARY KEY,
  exam_id BIGINT NOT NULL REFERENCES special_exams (id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  allowance_key TEXT NOT NULL,
  value TEXT NOT NULL,
  created BIGINT NOT NULL,
  modified BIGINT NOT NULL,
  UNIQUE (exam_id, user_id, allowance_key)
);
