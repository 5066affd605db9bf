-- Courses and enrollment: course overviews, the published block tree of
-- courses and libraries, about/info/tab texts, static assets, course modes,
-- enrollments (+ history, attributes, allowed emails), milestones, search.

CREATE TABLE courses (
  course_key TEXT PRIMARY KEY,
  org TEXT NOT NULL,
  number TEXT NOT NULL,
  run TEXT NOT NULL,
  display_name TEXT NOT NULL DEFAULT '',
  start_at BIGINT,
  end_at BIGINT,
  enrollment_start BIGINT,
  enrollment_end BIGINT,
  self_paced INTEGER NOT NULL DEFAULT 0,
  catalog_visibility TEXT NOT NULL DEFAULT 'both',
  invitation_only INTEGER NOT NULL DEFAULT 0,
  max_student_enrollments_allowed INTEGER,
  language TEXT,
  effort TEXT,
  short_description TEXT,
  overview_html TEXT,
  course_image TEXT,
  banner_image TEXT,
  course_video TEXT,
  certificates_display_behavior TEXT,
  certificate_available_date BIGINT,
  mobile_available INTEGER NOT NULL DEFAULT 0,
  lowest_passing_grade REAL,
  -- policy.json course settings (badges, entrance exam, prerequisites,
  -- license, ...) and the effective grading policy, as JSON.
  advanced TEXT NOT NULL DEFAULT '{}',
  grading_policy TEXT NOT NULL DEFAULT '{}',
  -- Bumped by every import; the static files of version N live under
  -- <data-dir>/courses/<hash of key>/<N>/.
  version INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX courses_org ON courses (org);

-- The published block tree of a course or a content library (context_key is
-- the course or library key). One row per block; children order is
-- (parent_key, position).
CREATE TABLE course_blocks (
  context_key TEXT NOT NULL,
  usage_key TEXT NOT NULL,
  block_type TEXT NOT NULL,
  url_name TEXT NOT NULL,
  parent_key TEXT,
  position INTEGER NOT NULL DEFAULT 0,
  fields TEXT NOT NULL DEFAULT '{}',
  inherited TEXT NOT NULL DEFAULT '{}',
  attributes TEXT NOT NULL DEFAULT '[]',
  data TEXT NOT NULL DEFAULT '',
  xml TEXT NOT NULL DEFAULT '',
  supported INTEGER NOT NULL DEFAULT 1,
  inline_definition INTEGER NOT NULL DEFAULT 0,
  source_file TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (context_key, usage_key)
);
CREATE INDEX course_blocks_parent ON course_blocks (context_key, parent_key, position);
CREATE INDEX course_blocks_type ON course_blocks (context_key, block_type);

CREATE TABLE content_libraries (
  library_key TEXT PRIMARY KEY,
  display_name TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- about/*.html, info/updates.html, info/handouts.html, tabs/*.html, policy
-- tabs: kind is 'about', 'info', 'tab'.
CREATE TABLE course_texts (
  course_key TEXT NOT NULL REFERENCES courses (course_key) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  title TEXT NOT NULL DEFAULT '',
  content TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (course_key, kind, name)
);

-- static/ files, served at /asset-v1:Org+Course+Run+type@asset+block@<name>.
CREATE TABLE course_assets (
  course_key TEXT NOT NULL REFERENCES courses (course_key) ON DELETE CASCADE,
  path TEXT NOT NULL,
  content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
  size BIGINT NOT NULL DEFAULT 0,
  locked INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (course_key, path)
);

CREATE TABLE course_modes (
  id INTEGER PRIMARY KEY,
  course_key TEXT NOT NULL REFERENCES courses (course_key) ON DELETE CASCADE,
  mode_slug TEXT NOT NULL,
  mode_display_name TEXT NOT NULL DEFAULT '',
  min_price INTEGER NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT 'usd',
  expiration_datetime BIGINT,
  expiration_datetime_is_explicit INTEGER NOT NULL DEFAULT 0,
  suggested_prices TEXT NOT NULL DEFAULT '',
  description TEXT,
  sku TEXT,
  android_sku TEXT,
  ios_sku TEXT,
  bulk_sku TEXT,
  UNIQUE (course_key, mode_slug, currency)
);

CREATE TABLE enrollments (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  course_key TEXT NOT NULL,
  created BIGINT NOT NULL,
  is_active INTEGER NOT NULL DEFAULT 1,
  mode TEXT NOT NULL DEFAULT 'audit',
  UNIQUE (user_id, course_key)
);
CREATE INDEX enrollments_course ON enrollments (course_key, is_active);

-- student_courseenrollment_history: one row per change ('+' created,
-- '~' changed).
CREATE TABLE enrollment_history (
  history_id INTEGER PRIMARY KEY,
  enrollment_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  course_key TEXT NOT NULL,
  created BIGINT NOT NULL,
  is_active INTEGER NOT NULL,
  mode TEXT NOT NULL,
  history_date BIGINT NOT NULL,
  history_type TEXT NOT NULL,
  history_user_id INTEGER
);
CREATE INDEX enrollment_history_enrollment ON enrollment_history (enrollment_id, history_date);

CREATE TABLE enrollment_attributes (
  enrollment_id INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (enrollment_id, namespace, name)
);

-- CourseEnrollmentAllowed: emails allowed into invitation-only courses and
-- pending enrollments of people who have not registered yet.
CREATE TABLE enrollment_allowed (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL,
  course_key TEXT NOT NULL,
  auto_enroll INTEGER NOT NULL DEFAULT 0,
  user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
  created BIGINT NOT NULL,
  UNIQUE (email, course_key)
);

-- The milestones app: prerequisites and entrance exams.
CREATE TABLE milestones (
  id INTEGER PRIMARY KEY,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  display_name TEXT NOT NULL DEFAULT '',
  UNIQUE (namespace, name)
);
CREATE TABLE course_milestones (
  course_key TEXT NOT NULL,
  milestone_id INTEGER NOT NULL REFERENCES milestones (id) ON DELETE CASCADE,
  relationship TEXT NOT NULL CHECK (relationship IN ('requires', 'fulfills')),
  content_key TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (course_key, milestone_id, relationship)
);
CREATE TABLE user_milestones (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  milestone_id INTEGER NOT NULL REFERENCES milestones (id) ON DELETE CASCADE,
  created BIGINT NOT NULL,
  PRIMARY KEY (user_id, milestone_id)
);

-- Full-text search: course discovery and in-course content.
CREATE VIRTUAL TABLE course_search USING fts5 (
  course_key UNINDEXED, title, org, description, content
);
CREATE VIRTUAL TABLE block_search USING fts5 (
  course_key UNINDEXED, usage_key UNINDEXED, block_type UNINDEXED, title, content
);
