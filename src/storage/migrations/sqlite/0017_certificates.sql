-- Course certificates (lms/djangoapps/certificates): one GeneratedCertificate
-- per learner and course, its history (django-simple-history's rows: every
-- save, with its change type), the allowlist, invalidations, and the
-- per-course generation settings (the newest row per course wins). Owned
-- by the certificates module.
CREATE TABLE generated_certificates (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  course_key TEXT NOT NULL,
  verify_uuid TEXT NOT NULL,
  grade TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'unavailable',
  mode TEXT NOT NULL DEFAULT 'honor',
  name TEXT NOT NULL DEFAULT '',
  download_url TEXT NOT NULL DEFAULT '',
  error_reason TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  modified_at BIGINT NOT NULL,
  UNIQUE (user_id, course_key)
);
CREATE UNIQUE INDEX generated_certificates_verify_uuid ON generated_certificates (verify_uuid);
CREATE INDEX generated_certificates_course ON generated_certificates (course_key, status);
CREATE TABLE certificate_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  certificate_id BIGINT NOT NULL REFERENCES generated_certificates (id) ON DELETE CASCADE,
  history_type TEXT NOT NULL CHECK (history_type IN ('+', '~')),
  status TEXT NOT NULL,
  mode TEXT NOT NULL,
  grade TEXT NOT NULL,
  name TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  history_date BIGINT NOT NULL
);
CREATE INDEX certificate_history_certificate ON certificate_history (certificate_id, id);
CREATE TABLE certificate_allowlist (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  course_key TEXT NOT NULL,
  allowlist INTEGER NOT NULL DEFAULT 1,
  notes TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  modified_at BIGINT NOT NULL,
  UNIQUE (course_key, user_id)
);
CREATE TABLE certificate_invalidations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  certificate_id BIGINT NOT NULL REFERENCES generated_certificates (id) ON DELETE CASCADE,
  invalidated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
  notes TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  modified_at BIGINT NOT NULL
);
CREATE INDEX certificate_invalidations_certificate ON certificate_invalidations (certificate_id);
CREATE TABLE certificate_course_settings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  course_key TEXT NOT NULL,
  self_generation_enabled INTEGER NOT NULL DEFAULT 0,
  language_specific_templates_enabled INTEGER NOT NULL DEFAULT 0,
  include_hours_of_effort INTEGER,
  -- Discovery's course-run values (hours of effort = max_effort x
  -- weeks_to_complete); Larch has no Discovery service.
  max_effort INTEGER,
  weeks_to_complete INTEGER,
  created_at BIGINT NOT NULL
);
-- The course team's certificate configurations (Studio's "certificates"
-- course field: name, course_title, signatories, is_active ...) when edited
-- in Larch; without a row the imported course's own list applies.
CREATE TABLE certificate_course_configs (
  course_key TEXT PRIMARY KEY,
  certificates TEXT NOT NULL,
  changed_by BIGINT,
  modified_at BIGINT NOT NULL
);
CREATE INDEX certificate_course_settings_course ON certificate_course_settings (course_key, id);
