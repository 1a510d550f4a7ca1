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
-- Jobs that talk back (issue 27).

-- notifications (issue 27)
-- The twin of the SQLite V11: an outbox row per notification, written in the transaction of the
-- state change that causes it by a statement-level trigger over the update's transition tables
-- (as job_counts is kept), for the states notify_targets names (a row per state and channel: 'url'
-- or 'command'; empty while no target is set, and then the trigger reads one empty table and stops).
-- Times of the outbox are on the server's clock, like leases. Hosts claim due rows with
-- FOR UPDATE SKIP LOCKED and a lease; see the SQLite V11 for the rest.
CREATE TABLE notify_targets (
    state   TEXT NOT NULL,
    channel TEXT NOT NULL,
    PRIMARY KEY (state, channel)
);

CREATE TABLE notifications (
    id           BIGSERIAL PRIMARY KEY,
    job_id       TEXT    NOT NULL,
    attempt      INTEGER NOT NULL,
    state        TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    exit_code    INTEGER,
    last_error   TEXT,
    created_at   BIGINT  NOT NULL,
    retry_from   BIGINT  NOT NULL,
    next_at      BIGINT  NOT NULL,
    tries        INTEGER NOT NULL DEFAULT 0,
    lease_owner  TEXT,
    lease_until  BIGINT,
    delivered_at BIGINT,
    failed_at    BIGINT,
    error        TEXT
);
CREATE INDEX notifications_due ON notifications (next_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX notifications_delivered ON notifications (delivered_at) WHERE delivered_at IS NOT NULL;

CREATE FUNCTION notifications_on_state() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    now_ms BIGINT;
BEGIN
    IF EXISTS (SELECT 1 FROM notify_targets) THEN
        now_ms := CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT);
        INSERT INTO notifications (job_id, attempt, state, channel, exit_code, last_error, created_at, retry_from, next_at)
        SELECT n.id, n.attempts, n.state, t.channel, n.exit_code, n.last_error, now_ms, now_ms, now_ms
        FROM new_jobs n JOIN old_jobs o ON o.id = n.id JOIN notify_targets t ON t.state = n.state
        WHERE n.state <> o.state;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER notifications_on_state AFTER UPDATE ON jobs REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_on_state();
