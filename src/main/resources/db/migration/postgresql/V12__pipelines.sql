-- tags, edit, rerun (issue 28)
-- A job's tags (at most 16, each 1-64 characters of A-Z a-z 0-9 . _ : -) live twice: on its row as
-- a JSON array (NULL: none), read with the job like its limits, and one row per tag in job_tags,
-- whose primary key (tag, job_id) finds a tag's jobs for list, cancel, wait and dlq retry --tag
-- without reading any other job. The rows go with their job (ON DELETE CASCADE: rm, prune);
-- job_tags_job serves that cascade. rerun_of: the job a 'rerun' copied (NULL for any other job).
-- Existing jobs keep every value: both columns are NULL for them, and job_tags starts empty.
ALTER TABLE jobs ADD COLUMN tags TEXT;
ALTER TABLE jobs ADD COLUMN rerun_of TEXT;
CREATE TABLE job_tags (
    tag    TEXT NOT NULL,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    PRIMARY KEY (tag, job_id)
);
CREATE INDEX job_tags_job ON job_tags (job_id);
-- dependency conditions and batches (issue 28)
-- A job runs after another on a condition (job_deps.kind): 'completed' (field "after", as before: the
-- rows already stored keep it), 'any' (after_any: once the other is final, whatever its outcome) or
-- 'failed' (after_failed: once all are final and one of them ended dead or canceled).
ALTER TABLE job_deps ADD COLUMN kind TEXT NOT NULL DEFAULT 'completed';

-- A batch: jobs enqueued together (jobs.batch), with callbacks stored as waiting jobs that no
-- dependency releases (on_success, on_failure, on_complete hold their ids). Its counters are kept
-- with each state change of its jobs, by the triggers below, in the transaction of the change (the
-- twin of the SQLite V12): only a move into or out of a final state touches them, so claims and
-- retries cost nothing here. A batch settles when `unfinished` reaches 0: the row's lock orders the
-- hosts that finish its last jobs at once, so exactly one of them sees 0. A statement updates the
-- rows of its batches in the order of their names, so two hosts never wait on each other's.
-- The enqueue counts the jobs it inserts itself (no insert trigger). Deleting a final job
-- (retention, dlq purge) leaves the batch's record as it was.
ALTER TABLE jobs ADD COLUMN batch TEXT;
CREATE INDEX jobs_batch ON jobs (batch, state, id) WHERE batch IS NOT NULL;

CREATE TABLE batches (
    name        TEXT    PRIMARY KEY,
    created_at  BIGINT  NOT NULL,
    settled_at  BIGINT,
    total       BIGINT  NOT NULL,
    unfinished  BIGINT  NOT NULL,
    completed   BIGINT  NOT NULL DEFAULT 0,
    dead        BIGINT  NOT NULL DEFAULT 0,
    canceled    BIGINT  NOT NULL DEFAULT 0,
    on_success  TEXT,
    on_failure  TEXT,
    on_complete TEXT
);
CREATE INDEX batches_open ON batches (name) WHERE settled_at IS NULL;

CREATE FUNCTION batch_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r RECORD;
BEGIN
    FOR r IN
        SELECT batch, SUM(u) AS u, SUM(c) AS c, SUM(d) AS d, SUM(x) AS x FROM (
            SELECT batch, -1 AS u, (state = 'completed')::int AS c, (state = 'dead')::int AS d, (state = 'canceled')::int AS x
            FROM new_jobs WHERE batch IS NOT NULL AND state IN ('completed', 'dead', 'canceled')
            UNION ALL
            SELECT batch, 1, -(state = 'completed')::int, -(state = 'dead')::int, -(state = 'canceled')::int
            FROM old_jobs WHERE batch IS NOT NULL AND state IN ('completed', 'dead', 'canceled')) moved
        GROUP BY batch HAVING SUM(u) <> 0 OR SUM(c) <> 0 OR SUM(d) <> 0 OR SUM(x) <> 0
        ORDER BY batch
    LOOP
        UPDATE batches SET unfinished = unfinished + r.u, completed = completed + r.c, dead = dead + r.d,
                           canceled = canceled + r.x
        WHERE name = r.batch;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE FUNCTION batch_counts_forget() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r RECORD;
BEGIN
    FOR r IN
        SELECT batch, COUNT(*) AS n FROM old_jobs
        WHERE batch IS NOT NULL AND state NOT IN ('completed', 'dead', 'canceled')
        GROUP BY batch ORDER BY batch
    LOOP
        UPDATE batches SET total = total - r.n, unfinished = unfinished - r.n WHERE name = r.batch;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE TRIGGER batch_counts_update AFTER UPDATE ON jobs REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION batch_counts_apply();
CREATE TRIGGER batch_counts_delete AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION batch_counts_forget();
