-- env, progress, results (issue 27)
-- env: the job's own environment variables, a JSON object of strings (NULL when it has none),
-- laid over the worker host's when it runs. Stored as given: a job's env is readable by anyone
-- who can read the database (README, SECURITY.md).
-- progress_*: the latest `queuectl progress` of the job (only the latest is kept): done of total
-- (a percentage is done of 100), an optional message, and when (ms since the epoch). Columns of
-- the job's row, not a table of their own: list and show read them with the job, and no index
-- covers them, so an update touches nothing but the row (no trigger fires: job_counts' trigger
-- watches state and queue only).
ALTER TABLE jobs ADD COLUMN env TEXT;
ALTER TABLE jobs ADD COLUMN progress_done BIGINT;
ALTER TABLE jobs ADD COLUMN progress_total BIGINT;
ALTER TABLE jobs ADD COLUMN progress_message TEXT;
ALTER TABLE jobs ADD COLUMN progress_at BIGINT;

-- A job's result (`queuectl result set`, at most 1 MiB), of the attempt that set it: one row per
-- job, replaced by a later set. A table of its own, so that reading jobs never reads results.
CREATE TABLE job_results (
    job_id  TEXT    PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    value   TEXT    NOT NULL,
    set_at  BIGINT  NOT NULL
);
