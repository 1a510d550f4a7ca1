-- The registry of worker hosts (one row per `queuectl worker start` process).
CREATE TABLE workers (
    id             TEXT    PRIMARY KEY,
    hostname       TEXT    NOT NULL,
    pid            INTEGER NOT NULL,
    slots          INTEGER NOT NULL,
    queues         TEXT,
    http_port      INTEGER,
    started_at     INTEGER NOT NULL,
    heartbeat_at   INTEGER NOT NULL,
    stop_requested INTEGER NOT NULL DEFAULT 0
);
