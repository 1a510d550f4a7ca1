-- Issue 26, deadlines and retries by exit code. start_by: the time (ms since the epoch) by which a
-- job must have started, NULL for none ("start_by" or "start_within" at enqueue); a job not started
-- by then is canceled by the worker hosts' sweep, and no claim takes it meanwhile. retry_on /
-- no_retry_on: the exit codes (and the word timeout) a failed run is retried on, or is not, as a
-- comma list ("75,111,timeout"); at most one of them is set, NULL both: every failure is retried.
ALTER TABLE jobs ADD COLUMN start_by INTEGER;
ALTER TABLE jobs ADD COLUMN retry_on TEXT;
ALTER TABLE jobs ADD COLUMN no_retry_on TEXT;

-- The sweep of expired jobs, and whether any job that may still start has a deadline at all (the
-- claim names its deadline predicate only then): one seek among the few jobs with deadlines.
CREATE INDEX jobs_deadline ON jobs (start_by) WHERE start_by IS NOT NULL AND state IN ('waiting', 'pending', 'failed');
