-- Persistent grades (Open edX grades_persistentsubsectiongrade and
-- grades_persistentcoursegrade), owned by domain/grades: what the last
-- recalculation of a learner's grade in a course found. A job recalculates
-- after every score change, so these rows follow student_modules.
CREATE TABLE persistent_subsection_grades (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  course_key TEXT NOT NULL,
  usage_key TEXT NOT NULL,
  earned_all DOUBLE PRECISION NOT NULL,
  possible_all DOUBLE PRECISION NOT NULL,
  earned_graded DOUBLE PRECISION NOT NULL,
  possible_graded DOUBLE PRECISION NOT NULL,
  first_attempted BIGINT,
  created BIGINT NOT NULL,
  modified BIGINT NOT NULL,
  UNIQUE (user_id, usage_key)
);
CREATE INDEX persistent_subsection_grades_course ON persistent_subsection_grades (course_key, user_id);

-- passed_timestamp: since when the learner has been passing; NULL while
-- they are not (set on the first passing grade, cleared on failing, as
-- PersistentCourseGrade.update_or_create does).
CREATE TABLE persistent_course_grades (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  course_key TEXT NOT NULL,
  course_version BIGINT NOT NULL,
  percent_grade DOUBLE PRECISION NOT NULL,
  letter_grade TEXT NOT NULL DEFAULT '',
  passed_timestamp BIGINT,
  created BIGINT NOT NULL,
  modified BIGINT NOT NULL,
  UNIQUE (user_id, course_key)
);
CREATE INDEX persistent_course_grades_course ON persistent_course_grades (course_key);
