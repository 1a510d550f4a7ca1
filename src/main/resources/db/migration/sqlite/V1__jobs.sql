-- Times are milliseconds since the epoch, UTC.
CREATE TABLE jobs (
    id               TEXT    PRIMARY KEY,
    command          TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('pending', 'processing', 'completed', 'failed', 'dead')),
    queue            TEXT    NOT NULL DEFAULT 'default',
    priority         INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_retries      INTEGER NOT NULL,
    run_at           INTEGER NOT NULL,
    timeout_ms       INTEGER,
    working_dir      TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    exit_code        INTEGER,
    last_error       TEXT,
    worker_id        TEXT,
    lease_expires_at INTEGER
);

-- The claim query reads only runnable jobs, best first.
CREATE INDEX jobs_runnable ON jobs (priority DESC, run_at, id) WHERE state IN ('pending', 'failed');
-- status counts by state from the index alone; list --state reads newest first; leases and
-- a worker's jobs are found among the few processing jobs through it too.
CREATE INDEX jobs_state_updated ON jobs (state, updated_at);

-- One row per attempt; attempt numbers restart when a dead job is retried, the history stays.
CREATE TABLE job_runs (
    id          INTEGER PRIMARY KEY,
    job_id      TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
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
CREATE INDEX job_runs_job ON job_runs (job_id, id);

CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
