-- Staff overrides of persistent subsection grades (Open edX
-- grades_persistentsubsectiongradeoverride and its django-simple-history
-- table grades_historicalpersistentsubsectiongradeoverride), owned by
-- domain/grades. At most one override per subsection grade; a NULL value
-- keeps the computed one (subsection_grade.py _aggregated_score_from_model).
CREATE TABLE persistent_subsection_grade_overrides (
  id INTEGER PRIMARY KEY,
  grade_id INTEGER NOT NULL UNIQUE REFERENCES persistent_subsection_grades (id) ON DELETE CASCADE,
  earned_all_override DOUBLE PRECISION,
  possible_all_override DOUBLE PRECISION,
  earned_graded_override DOUBLE PRECISION,
  possible_graded_override DOUBLE PRECISION,
  system TEXT,
  override_reason TEXT,
  created BIGINT NOT NULL,
  modified BIGINT NOT NULL
);

-- One row per write of an override, kept after the override is deleted:
-- history_type '+' created, '~' changed, '-' deleted; history_user_id the
-- staff member who did it (NULL once they are gone).
CREATE TABLE persistent_subsection_grade_override_history (
  history_id INTEGER PRIMARY KEY,
  override_id BIGINT NOT NULL,
  grade_id BIGINT NOT NULL,
  earned_all_override DOUBLE PRECISION,
  possible_all_override DOUBLE PRECISION,
  earned_graded_override DOUBLE PRECISION,
  possible_graded_override DOUBLE PRECISION,
  system TEXT,
  override_reason TEXT,
  created BIGINT NOT NULL,
  modified BIGINT NOT NULL,
  history_date BIGINT NOT NULL,
  history_type TEXT NOT NULL,
  history_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX persistent_subsection_grade_override_history_grade
  ON persistent_subsection_grade_override_history (grade_id, history_date);
