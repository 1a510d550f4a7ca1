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
ALTER TABLE jobs ADD COLUMN progress_done INTEGER;
ALTER TABLE jobs ADD COLUMN progress_total INTEGER;
ALTER TABLE jobs ADD COLUMN progress_message TEXT;
ALTER TABLE jobs ADD COLUMN progress_at INTEGER;

-- A job's result (`queuectl result set`, at most 1 MiB), of the attempt that set it: one row per
-- job, replaced by a later set. A table of its own, so that reading jobs never reads results.
CREATE TABLE job_results (
    job_id  TEXT    PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    value   TEXT    NOT NULL,
    set_at  INTEGER NOT NULL
);
-- Jobs that talk back (issue 27).

-- notifications (issue 27)
-- A notification is a row of this outbox, written by the trigger below in the transaction of the
-- state change that causes it (a job completed, failed with a retry to come, dead, canceled), so no
-- code path can end a job without it and a rolled-back change makes none. notify_targets holds what
-- the settings notify-on, notify-url and notify-command make of it (a row per state and channel:
-- 'url' or 'command'; empty while no target is set, and then there is no trigger); Settings
-- rewrites it on `config set` and each worker host at its start. Any live host delivers a due row:
-- it claims it with a lease (lease_owner, lease_until), so a host killed mid-delivery leaves it to
-- the next one once the lease ends (at least once; the receiver dedupes on JOBID:ATTEMPT). A row
-- ends delivered (delivered_at) or, after notify-retry-for of failed tries, failed (failed_at).
-- The trigger runs on every completion when notify-on names completed, so the row costs one insert
-- and one index (no AUTOINCREMENT, whose counter is a second write: an id is max + 1).
CREATE TABLE notify_targets (
    state   TEXT NOT NULL,
    channel TEXT NOT NULL,
    PRIMARY KEY (state, channel)
) WITHOUT ROWID;

CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY,
    job_id       TEXT    NOT NULL,
    attempt      INTEGER NOT NULL,
    state        TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    exit_code    INTEGER,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    retry_from   INTEGER NOT NULL,
    next_at      INTEGER NOT NULL,
    tries        INTEGER NOT NULL DEFAULT 0,
    lease_owner  TEXT,
    lease_until  INTEGER,
    delivered_at INTEGER,
    failed_at    INTEGER,
    error        TEXT
);
CREATE INDEX notifications_due ON notifications (next_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX notifications_delivered ON notifications (delivered_at) WHERE delivered_at IS NOT NULL;

-- The trigger that writes the outbox (notifications_on_state) is not created here: NotificationStore
-- creates it while notify_targets holds a row and drops it when it is emptied, in the transaction
-- that writes notify_targets. SQLite runs a trigger whose WHEN holds as a sub-program for every
-- finished job, about 4 us each even when it inserts nothing, so a queue without notifications
-- pays nothing for them.
