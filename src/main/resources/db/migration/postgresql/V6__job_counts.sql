-- The number of jobs per queue and state, kept in the transaction of every change to jobs, so that
-- status, queue list, wait and the dashboard read a few rows instead of counting a million jobs
-- (the twin of the SQLite V6, which keeps one row per queue and state).
-- Here the rows are deltas, summed on read: a statement that changes jobs appends one row per
-- (queue, state) it changed, through a statement-level trigger over its transition tables. No two
-- transactions ever update the same counter row, so concurrent claims on many hosts neither wait
-- for each other nor deadlock on a hot row. Readers fold the deltas back into one row per
-- (queue, state) when they find many (JobCountStore), under an advisory lock.
CREATE TABLE job_counts (
    queue TEXT   NOT NULL,
    state TEXT   NOT NULL,
    n     BIGINT NOT NULL
);

INSERT INTO job_counts (queue, state, n) SELECT queue, state, COUNT(*) FROM jobs GROUP BY queue, state;

CREATE FUNCTION job_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO job_counts (queue, state, n) SELECT queue, state, COUNT(*) FROM new_jobs GROUP BY queue, state;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO job_counts (queue, state, n) SELECT queue, state, -COUNT(*) FROM old_jobs GROUP BY queue, state;
    ELSE
        -- an update that moved no job to another state (a lease renewal) appends nothing
        INSERT INTO job_counts (queue, state, n)
        SELECT queue, state, SUM(d) FROM (SELECT queue, state, 1 AS d FROM new_jobs
                                          UNION ALL SELECT queue, state, -1 FROM old_jobs) moved
        GROUP BY queue, state HAVING SUM(d) <> 0;
    END IF;
    RETURN NULL;
END
$$;

-- Transition tables need one trigger per event (and no column list).
CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs REFERENCING NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION job_counts_apply();
CREATE TRIGGER job_counts_update AFTER UPDATE ON jobs REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION job_counts_apply();
CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION job_counts_apply();
