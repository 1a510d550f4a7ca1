-- Recurring schedules: each tick enqueues one job made from the template. Times are milliseconds
-- since the epoch, UTC. A worker host fires a tick in one transaction that inserts the tick's job
-- (its id is the schedule's name and the tick's time: ON CONFLICT DO NOTHING) and moves
-- next_fire_at past it, so a tick fires once however many hosts run and whichever restarts.
CREATE TABLE schedules (
    name         TEXT    PRIMARY KEY,
    cron         TEXT,                -- the cron expression as given, or NULL for an interval
    every_ms     INTEGER,             -- the interval, or NULL for a cron expression
    zone         TEXT    NOT NULL,    -- time zone of the cron expression
    catch_up     TEXT    NOT NULL CHECK (catch_up IN ('all', 'latest', 'none')),
    no_overlap   INTEGER NOT NULL DEFAULT 0,
    template     TEXT    NOT NULL,    -- the job JSON, validated when the schedule was added
    working_dir  TEXT    NOT NULL,
    paused       INTEGER NOT NULL DEFAULT 0,
    next_fire_at INTEGER NOT NULL,    -- the earliest tick not yet fired or skipped
    last_tick_at INTEGER,             -- the last tick fired or skipped
    last_job_id  TEXT,                -- the job of the last tick fired (or of `schedule run`)
    skipped      INTEGER NOT NULL DEFAULT 0, -- ticks not fired: missed (catch-up) or overlapping
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    CHECK ((cron IS NULL) <> (every_ms IS NULL))
);
-- Worker hosts ask "is anything due?" every second: one read of this index.
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE paused = 0;
