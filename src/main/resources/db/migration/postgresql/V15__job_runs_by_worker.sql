-- job_runs_worker: a worker host's finished attempts by outcome, which the dashboard's worker page
-- counts (issue 29: "jobs done"); one range of this index per host, never the whole table. A row
-- enters it once, when an attempt is recorded.
CREATE INDEX job_runs_worker ON job_runs (worker_id, outcome);
