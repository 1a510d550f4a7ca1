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
) WITHOUT ROWID;
CREATE INDEX job_tags_job ON job_tags (job_id);
-- dependency conditions and batches (issue 28)
-- A job runs after another on a condition (job_deps.kind): 'completed' (field "after", as before: the
-- rows already stored keep it), 'any' (after_any: once the other is final, whatever its outcome) or
-- 'failed' (after_failed: once all are final and one of them ended dead or canceled).
ALTER TABLE job_deps ADD COLUMN kind TEXT NOT NULL DEFAULT 'completed';

-- A batch: jobs enqueued together (jobs.batch), with callbacks stored as waiting jobs that no
-- dependency releases (on_success, on_failure, on_complete hold their ids). Its counters are kept
-- with each state change of its jobs, by the trigger below, in the transaction of the change: only
-- a move into or out of a final state (completed, dead, canceled) touches them, so claims and
-- retries cost nothing here, and a batch settles when `unfinished` reaches 0, which the host whose
-- transaction brought it there sees at once (batches_open finds the open ones). The enqueue counts
-- the jobs it inserts itself (no insert trigger: a bulk enqueue pays nothing per row). Deleting a
-- final job (retention, dlq purge) leaves the batch's record as it was.
ALTER TABLE jobs ADD COLUMN batch TEXT;
CREATE INDEX jobs_batch ON jobs (batch, state, id) WHERE batch IS NOT NULL;

CREATE TABLE batches (
    name        TEXT    PRIMARY KEY,
    created_at  INTEGER NOT NULL,
    settled_at  INTEGER,
    total       INTEGER NOT NULL,
    unfinished  INTEGER NOT NULL,
    completed   INTEGER NOT NULL DEFAULT 0,
    dead        INTEGER NOT NULL DEFAULT 0,
    canceled    INTEGER NOT NULL DEFAULT 0,
    on_success  TEXT,
    on_failure  TEXT,
    on_complete TEXT
);
CREATE INDEX batches_open ON batches (name) WHERE settled_at IS NULL;

CREATE TRIGGER batch_counts_update AFTER UPDATE OF state ON jobs
WHEN new.batch IS NOT NULL AND old.state <> new.state
 AND (old.state IN ('completed', 'dead', 'canceled') OR new.state IN ('completed', 'dead', 'canceled'))
BEGIN
    UPDATE batches SET
        unfinished = unfinished + (old.state IN ('completed', 'dead', 'canceled')) - (new.state IN ('completed', 'dead', 'canceled')),
        completed = completed + (new.state = 'completed') - (old.state = 'completed'),
        dead = dead + (new.state = 'dead') - (old.state = 'dead'),
        canceled = canceled + (new.state = 'canceled') - (old.state = 'canceled')
    WHERE name = new.batch;
END;

CREATE TRIGGER batch_counts_delete AFTER DELETE ON jobs
WHEN old.batch IS NOT NULL AND old.state NOT IN ('completed', 'dead', 'canceled')
BEGIN
    UPDATE batches SET total = total - 1, unfinished = unfinished - 1 WHERE name = old.batch;
END;
