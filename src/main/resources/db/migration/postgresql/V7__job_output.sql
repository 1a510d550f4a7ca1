-- Job output on PostgreSQL lives in the database, not in files: a worker host on one machine runs
-- the job and `logs` (or the dashboard) on another machine reads it. One row per chunk of an
-- attempt's output, in the order written (seq from 0); a worker writes a chunk per ~64 KiB or
-- 200 ms, not per line. An attempt is named as its output file is on SQLite: job, attempt number
-- and start time (attempt numbers restart when a dead job is retried).
-- No foreign key to jobs: a chunk insert should not take a lock on the job row the claim and the
-- heartbeat update; retention deletes a job's chunks with the job and `prune --sweep` removes
-- chunks whose job is gone. The primary key serves reads (job, attempt, start, from seq) and the
-- deletes by job.
CREATE TABLE job_output (
    job_id     TEXT    NOT NULL,
    attempt    INTEGER NOT NULL,
    started_at BIGINT  NOT NULL,
    seq        INTEGER NOT NULL,
    chunk      BYTEA   NOT NULL,
    PRIMARY KEY (job_id, attempt, started_at, seq)
);
