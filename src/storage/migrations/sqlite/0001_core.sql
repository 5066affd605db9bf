-- Platform core: configuration models and the durable job queue.

CREATE TABLE config_models (
  id INTEGER PRIMARY KEY,
  model TEXT NOT NULL,
  config_key TEXT NOT NULL DEFAULT '',
  enabled INTEGER NOT NULL DEFAULT 0,
  value TEXT NOT NULL DEFAULT '{}',
  changed_by TEXT NOT NULL DEFAULT '',
  change_date BIGINT NOT NULL
);
CREATE INDEX config_models_current ON config_models (model, config_key, change_date, id);

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  queue TEXT NOT NULL DEFAULT 'default',
  kind TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  idempotency_key TEXT UNIQUE,
  state TEXT NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'running', 'succeeded', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 5,
  run_at BIGINT NOT NULL,
  locked_by TEXT,
  locked_until BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT
);
CREATE INDEX jobs_due ON jobs (state, queue, run_at);
