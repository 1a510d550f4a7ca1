-- Issue 24: a bound on the output kept of all jobs together (setting output-max-total); the twin
-- of the SQLite V9. Retention measures each attempt's output once, after it ended (output_bytes:
-- the bytes of its chunks in job_output; NULL until measured, so a worker's insert of a run costs
-- nothing more), and removes the output of the oldest attempts of finished jobs first when the
-- total passes the bound (output_removed_at: when). The total is kept in output_usage, one row,
-- by statement-level triggers over the changed runs.
ALTER TABLE job_runs ADD COLUMN output_bytes BIGINT;
ALTER TABLE job_runs ADD COLUMN output_removed_at BIGINT;

CREATE TABLE output_usage (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    bytes BIGINT  NOT NULL
);
INSERT INTO output_usage (id, bytes) VALUES (1, 0);

CREATE FUNCTION output_usage_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta BIGINT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT COALESCE(SUM(output_bytes), 0) INTO delta FROM new_runs;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT -COALESCE(SUM(output_bytes), 0) INTO delta FROM old_runs;
    ELSE
        SELECT COALESCE((SELECT SUM(output_bytes) FROM new_runs), 0) - COALESCE((SELECT SUM(output_bytes) FROM old_runs), 0)
        INTO delta;
    END IF;
    IF delta <> 0 THEN
        UPDATE output_usage SET bytes = bytes + delta WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER output_usage_insert AFTER INSERT ON job_runs REFERENCING NEW TABLE AS new_runs
    FOR EACH STATEMENT EXECUTE FUNCTION output_usage_apply();
CREATE TRIGGER output_usage_update AFTER UPDATE ON job_runs REFERENCING OLD TABLE AS old_runs NEW TABLE AS new_runs
    FOR EACH STATEMENT EXECUTE FUNCTION output_usage_apply();
CREATE TRIGGER output_usage_delete AFTER DELETE ON job_runs REFERENCING OLD TABLE AS old_runs
    FOR EACH STATEMENT EXECUTE FUNCTION output_usage_apply();

CREATE INDEX job_runs_unmeasured ON job_runs (id) WHERE output_path IS NOT NULL AND output_bytes IS NULL;
CREATE INDEX job_runs_with_output ON job_runs (finished_at, id) WHERE output_bytes > 0;
