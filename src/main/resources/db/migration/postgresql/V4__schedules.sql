-- Recurring schedules: the PostgreSQL twin of db/migration/sqlite/V4__schedules.sql (see there).
CREATE TABLE schedules (
    name         TEXT    PRIMARY KEY,
    cron         TEXT,
    every_ms     BIGINT,
    zone         TEXT    NOT NULL,
    catch_up     TEXT    NOT NULL CHECK (catch_up IN ('all', 'latest', 'none')),
    no_overlap   INTEGER NOT NULL DEFAULT 0,
    template     TEXT    NOT NULL,
    working_dir  TEXT    NOT NULL,
    paused       INTEGER NOT NULL DEFAULT 0,
    next_fire_at BIGINT  NOT NULL,
    last_tick_at BIGINT,
    last_job_id  TEXT,
    skipped      BIGINT  NOT NULL DEFAULT 0,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    CHECK ((cron IS NULL) <> (every_ms IS NULL))
);
-- Worker hosts ask "is anything due?" every second: one read of this index.
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE paused = 0;
