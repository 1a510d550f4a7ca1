-- Flow control (issue 26), in three parts: limits by key and queue rates; resources per host and
-- multi-slot jobs; deadlines and retries by exit code.

-- Issue 26, limits by key: a job names up to 16 keys ("limits", a JSON array of them; NULL when
-- it names none) and starts only while each key it names has room. `limit set` stores a key's
-- settings here (a family "customer:*" applies to each key it matches separately); a queue's rate
-- sits beside its pause and limit. Only jobs that name keys pay: a claim reads them through their
-- own partial index, which holds no job without limits, and the plain claim's statements and
-- indexes are today's while no limit or rate is set.
ALTER TABLE jobs ADD COLUMN limits TEXT;
CREATE INDEX jobs_limited_runnable ON jobs (priority DESC, run_at, id)
    WHERE state IN ('pending', 'failed') AND limits IS NOT NULL;

CREATE TABLE limits (
    key         TEXT    PRIMARY KEY,
    concurrency INTEGER,
    rate_count  INTEGER,
    rate_ms     INTEGER,
    updated_at  INTEGER  NOT NULL
);

-- The ledger of starts of every key with a rate (a queue's rate under "@queue:NAME"): a rate of N per
-- D holds while fewer than N starts lie in (now - D, now]. Pruned past the longest window.
CREATE TABLE limit_starts (
    key        TEXT    NOT NULL,
    started_at INTEGER  NOT NULL
);
CREATE INDEX limit_starts_key ON limit_starts (key, started_at);

ALTER TABLE queues ADD COLUMN rate_count INTEGER;
ALTER TABLE queues ADD COLUMN rate_ms INTEGER;

-- Resources per host (issue 26). A job may ask resources ({"gpu":1,"mem":17179869184}: a JSON
-- object of integers, names sorted; NULL when it asks none) and several of a host's slots at once;
-- a worker host records what it offers in the registry, so that `show` can tell when no live host
-- could ever run a job. A claim reads the demand of a job only while some runnable job has one:
-- jobs_weighted answers "is there any?" with one seek of an index that is empty as a rule.
ALTER TABLE jobs ADD COLUMN resources TEXT;
ALTER TABLE jobs ADD COLUMN slots INTEGER NOT NULL DEFAULT 1;
CREATE INDEX jobs_weighted ON jobs (state) WHERE (resources IS NOT NULL OR slots > 1);
ALTER TABLE workers ADD COLUMN resources TEXT;

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
