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
