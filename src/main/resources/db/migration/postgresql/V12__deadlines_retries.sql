-- The PostgreSQL twin of db/migration/sqlite/V12__deadlines_retries.sql (issue 26): a job's
-- deadline to start (start_by, ms since the epoch on the server's clock) and which failed runs are
-- retried (retry_on / no_retry_on: comma lists of exit codes and the word timeout; at most one set).
ALTER TABLE jobs ADD COLUMN start_by BIGINT;
ALTER TABLE jobs ADD COLUMN retry_on TEXT;
ALTER TABLE jobs ADD COLUMN no_retry_on TEXT;

CREATE INDEX jobs_deadline ON jobs (start_by) WHERE start_by IS NOT NULL AND state IN ('waiting', 'pending', 'failed');
