-- Control: canceled and waiting jobs, dependencies, unique keys, queues that can be paused or limited.
-- PostgreSQL changes the CHECK constraint in place (SQLite's V3 rebuilds the table for it).
ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check
    CHECK (state IN ('waiting', 'pending', 'processing', 'completed', 'failed', 'dead', 'canceled'));
-- set by `cancel` on a processing job: its worker host kills it and records it canceled
ALTER TABLE jobs ADD COLUMN cancel_requested_at BIGINT;
ALTER TABLE jobs ADD COLUMN unique_key TEXT;

-- At most one live job per unique key: a second enqueue conflicts here, atomically, and stores nothing.
-- Finished jobs (completed, dead, canceled) free the key.
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('waiting', 'pending', 'processing', 'failed');
-- Worker hosts look for cancel requests on their jobs at every batch they record: almost always
-- an empty index.
CREATE INDEX jobs_cancel_requested ON jobs (worker_id) WHERE cancel_requested_at IS NOT NULL;

-- "job_id runs after depends_on". A job with a dependency not yet completed is 'waiting'.
CREATE TABLE job_deps (
    job_id     TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    depends_on TEXT NOT NULL,
    PRIMARY KEY (job_id, depends_on)
);
-- When a job ends, its dependents are found through this.
CREATE INDEX job_deps_depends_on ON job_deps (depends_on);

-- Queues with a setting of their own; a queue without a row runs freely. A claim on PostgreSQL
-- locks the rows of limited queues (SELECT ... FOR UPDATE) before it counts their running jobs.
CREATE TABLE queues (
    name        TEXT    PRIMARY KEY,
    paused      INTEGER NOT NULL DEFAULT 0,
    max_running INTEGER,
    updated_at  BIGINT  NOT NULL
);
