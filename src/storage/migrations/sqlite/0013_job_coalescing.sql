-- Coalescing jobs: while a queued job with a coalesce key exists, enqueueing
-- another with that key returns the queued one (its `coalesced` count goes
-- up). Once claimed (running), the next enqueue adds a new job, so work that
-- must see a change made after the claim is never merged into a job that
-- already started.
ALTER TABLE jobs ADD COLUMN coalesce_key TEXT;
ALTER TABLE jobs ADD COLUMN coalesced INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX jobs_coalesce_queued ON jobs (coalesce_key)
  WHERE state = 'queued' AND coalesce_key IS NOT NULL;
