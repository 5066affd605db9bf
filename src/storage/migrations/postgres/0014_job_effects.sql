-- Side effects a job has completed, by job id: a job run again after its
-- worker died (at-least-once delivery) skips what the first run finished,
-- such as the mail a mail.send job delivered before the kill.
CREATE TABLE job_effects (
  job_id BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  effect TEXT NOT NULL,
  done_at BIGINT NOT NULL,
  PRIMARY KEY (job_id, effect)
);
