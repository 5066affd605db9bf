-- Accounts and authentication: users, profiles, preferences, sessions,
-- activation and password-reset tokens, login lockout, OAuth2 clients and
-- tokens, course access roles.

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL,
  email TEXT NOT NULL,
  password TEXT NOT NULL DEFAULT '',
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  is_active INTEGER NOT NULL DEFAULT 0,
  is_staff INTEGER NOT NULL DEFAULT 0,
  is_superuser INTEGER NOT NULL DEFAULT 0,
  date_joined BIGINT NOT NULL,
  last_login BIGINT
);
CREATE UNIQUE INDEX users_username_ci ON users (lower(username));
CREATE UNIQUE INDEX users_email_ci ON users (lower(email));

CREATE TABLE user_profiles (
  user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL DEFAULT '',
  year_of_birth INTEGER,
  gender TEXT,
  level_of_education TEXT,
  mailing_address TEXT,
  city TEXT,
  country TEXT,
  state TEXT,
  goals TEXT,
  bio TEXT,
  phone_number TEXT,
  language_proficiencies TEXT NOT NULL DEFAULT '[]',
  social_links TEXT NOT NULL DEFAULT '[]',
  extended_profile TEXT NOT NULL DEFAULT '{}',
  account_privacy TEXT,
  profile_image_uploaded_at BIGINT,
  meta TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE user_preferences (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  pref_key TEXT NOT NULL,
  pref_value TEXT NOT NULL,
  PRIMARY KEY (user_id, pref_key)
);

CREATE TABLE user_tokens (
  token_hash TEXT PRIMARY KEY,
  purpose TEXT NOT NULL CHECK (purpose IN ('activation', 'password_reset')),
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  used_at BIGINT
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);

CREATE TABLE sessions (
  session_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE login_failures (
  user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  failure_count INTEGER NOT NULL DEFAULT 0,
  lockout_until BIGINT
);

CREATE TABLE oauth_applications (
  id INTEGER PRIMARY KEY,
  client_id TEXT NOT NULL UNIQUE,
  client_secret_hash TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  client_type TEXT NOT NULL CHECK (client_type IN ('confidential', 'public')),
  authorization_grant_type TEXT NOT NULL,
  redirect_uris TEXT NOT NULL DEFAULT '',
  user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
  skip_authorization INTEGER NOT NULL DEFAULT 0,
  is_restricted INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE oauth_access_tokens (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
  application_id INTEGER NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
  scope TEXT NOT NULL DEFAULT '',
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE oauth_refresh_tokens (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  access_token_id INTEGER REFERENCES oauth_access_tokens (id) ON DELETE SET NULL,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  application_id INTEGER NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
  scope TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);

CREATE TABLE course_access_roles (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  org TEXT NOT NULL DEFAULT '',
  course_id TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL,
  UNIQUE (user_id, org, course_id, role)
);
CREATE INDEX course_access_roles_course ON course_access_roles (course_id, role);
