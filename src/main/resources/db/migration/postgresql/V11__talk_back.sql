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
