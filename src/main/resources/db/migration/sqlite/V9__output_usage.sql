-- Issue 24: a bound on the output kept of all jobs together (setting output-max-total). Retention
-- measures each attempt's output once, after it ended (output_bytes: the file's size; NULL until
-- measured, so a worker's insert of a run costs nothing more), and removes the output of the
-- oldest attempts of finished jobs first when the total passes the bound (output_removed_at: when).
-- The total is kept by triggers in output_usage, one row, so that a retention pass and `status`
-- read one number instead of measuring a million files. Exact by construction: every change to
-- output_bytes, and every run deleted with its job, passes through these triggers.
ALTER TABLE job_runs ADD COLUMN output_bytes INTEGER;
ALTER TABLE job_runs ADD COLUMN output_removed_at INTEGER;

CREATE TABLE output_usage (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    bytes INTEGER NOT NULL
);
INSERT INTO output_usage (id, bytes) VALUES (1, 0);

CREATE TRIGGER output_usage_insert AFTER INSERT ON job_runs WHEN new.output_bytes IS NOT NULL
BEGIN
    UPDATE output_usage SET bytes = bytes + new.output_bytes WHERE id = 1;
END;

CREATE TRIGGER output_usage_update AFTER UPDATE OF output_bytes ON job_runs
WHEN COALESCE(old.output_bytes, 0) <> COALESCE(new.output_bytes, 0)
BEGIN
    UPDATE output_usage SET bytes = bytes + COALESCE(new.output_bytes, 0) - COALESCE(old.output_bytes, 0) WHERE id = 1;
END;

CREATE TRIGGER output_usage_delete AFTER DELETE ON job_runs WHEN old.output_bytes IS NOT NULL
BEGIN
    UPDATE output_usage SET bytes = bytes - old.output_bytes WHERE id = 1;
END;

-- Attempts whose output is not measured yet (every one that printed, once), and attempts that
-- still hold output, oldest first: what a retention pass reads, never the whole table.
CREATE INDEX job_runs_unmeasured ON job_runs (id) WHERE output_path IS NOT NULL AND output_bytes IS NULL;
CREATE INDEX job_runs_with_output ON job_runs (finished_at, id) WHERE output_bytes > 0;
