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
