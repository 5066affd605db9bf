-- Account retirement (Open edX user_api's UserRetirementStatus) and the
-- operator-created service accounts (the retirement service worker).
--
-- service_accounts: users an operator made with `larch create-service-user`.
-- A user counts as RETIREMENT_SERVICE_WORKER_USERNAME only when listed here,
-- so an account registered through the public form under that name (before
-- the name was reserved) never gains the service user's rights.
CREATE TABLE service_accounts (
  user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL
);

-- One row per learner who asked for retirement (deactivate_logout/).
-- current_state/last_state hold RetirementState names ("PENDING", ...).
CREATE TABLE user_retirement_status (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  original_username TEXT NOT NULL,
  original_email TEXT NOT NULL,
  original_name TEXT NOT NULL DEFAULT '',
  current_state TEXT NOT NULL,
  last_state TEXT NOT NULL,
  responses TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  modified_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX user_retirement_status_username ON user_retirement_status (lower(original_username));
