-- The registry of worker hosts (one row per `queuectl worker start` process, on any machine).
-- heartbeat_at is on the database server's clock (see Dialect.clock).
CREATE TABLE workers (
    id             TEXT    PRIMARY KEY,
    hostname       TEXT    NOT NULL,
    pid            BIGINT  NOT NULL,
    slots          INTEGER NOT NULL,
    queues         TEXT,
    http_port      INTEGER,
    started_at     BIGINT  NOT NULL,
    heartbeat_at   BIGINT  NOT NULL,
    stop_requested INTEGER NOT NULL DEFAULT 0
);
