-- Control: canceled and waiting jobs, dependencies, unique keys, queues that can be paused or limited.
-- SQLite cannot change a CHECK constraint, so jobs is rebuilt; job_runs is rebuilt with it, since
-- dropping jobs with job_runs still pointing at it would cascade-delete every run. Renaming
-- jobs_v3 to jobs rewrites the foreign key of runs_v3 to name jobs.
CREATE TABLE jobs_v3 (
    id                  TEXT    PRIMARY KEY,
    command             TEXT    NOT NULL,
    state               TEXT    NOT NULL CHECK (state IN ('waiting', 'pending', 'processing', 'completed', 'failed',
                                                          'dead', 'canceled')),
    queue               TEXT    NOT NULL DEFAULT 'default',
    priority            INTEGER NOT NULL DEFAULT 0,
    attempts            INTEGER NOT NULL DEFAULT 0,
    max_retries         INTEGER NOT NULL,
    run_at              INTEGER NOT NULL,
    timeout_ms          INTEGER,
    working_dir         TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    started_at          INTEGER,
    finished_at         INTEGER,
    exit_code           INTEGER,
    last_error          TEXT,
    worker_id           TEXT,
    lease_expires_at    INTEGER,
    -- set by `cancel` on a processing job: its worker host kills it and records it canceled
    cancel_requested_at INTEGER,
    unique_key          TEXT
);
INSERT INTO jobs_v3 (id, command, state, queue, priority, attempts, max_retries, run_at, timeout_ms, working_dir,
                     created_at, updated_at, started_at, finished_at, exit_code, last_error, worker_id,
                     lease_expires_at)
SELECT id, command, state, queue, priority, attempts, max_retries, run_at, timeout_ms, working_dir, created_at,
       updated_at, started_at, finished_at, exit_code, last_error, worker_id, lease_expires_at
FROM jobs;

CREATE TABLE runs_v3 (
    id          INTEGER PRIMARY KEY,
    job_id      TEXT    NOT NULL REFERENCES jobs_v3 (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    worker_id   TEXT,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    exit_code   INTEGER,
    signal      INTEGER,
    duration_ms INTEGER,
    outcome     TEXT,
    error       TEXT,
    output_tail TEXT,
    output_path TEXT
);
INSERT INTO runs_v3 SELECT id, job_id, attempt, worker_id, started_at, finished_at, exit_code, signal, duration_ms,
                           outcome, error, output_tail, output_path FROM job_runs;

DROP TABLE job_runs;
DROP TABLE jobs;
ALTER TABLE jobs_v3 RENAME TO jobs;
ALTER TABLE runs_v3 RENAME TO job_runs;

-- The claim query reads only runnable jobs, best first (waiting jobs are not runnable).
CREATE INDEX jobs_runnable ON jobs (priority DESC, run_at, id) WHERE state IN ('pending', 'failed');
-- status counts by state from the index alone; list --state reads newest first; leases, a worker's
-- jobs, running counts per queue and cancel requests are found among the few processing jobs through it.
CREATE INDEX jobs_state_updated ON jobs (state, updated_at);
-- At most one live job per unique key: a second enqueue conflicts here, atomically, and stores nothing.
-- Finished jobs (completed, dead, canceled) free the key.
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('waiting', 'pending', 'processing', 'failed');
CREATE INDEX job_runs_job ON job_runs (job_id, id);
-- Worker hosts look for cancel requests on their jobs at every batch they record: almost always
-- an empty index.
CREATE INDEX jobs_cancel_requested ON jobs (worker_id) WHERE cancel_requested_at IS NOT NULL;

-- "job_id runs after depends_on". A job with a dependency not yet completed is 'waiting'.
CREATE TABLE job_deps (
    job_id     TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    depends_on TEXT NOT NULL,
    PRIMARY KEY (job_id, depends_on)
) WITHOUT ROWID;
-- When a job ends, its dependents are found through this.
CREATE INDEX job_deps_depends_on ON job_deps (depends_on);

-- Queues with a setting of their own; a queue without a row runs freely.
CREATE TABLE queues (
    name        TEXT    PRIMARY KEY,
    paused      INTEGER NOT NULL DEFAULT 0,
    max_running INTEGER,
    updated_at  INTEGER NOT NULL
);
