-- attempts: a worker host's finished attempts by outcome, as a JSON object ({"completed": 12,
-- "failed": 1}), which the dashboard's worker page shows (issue 29: "jobs done"). The host writes it
-- with its heartbeat, so recording a run costs nothing more (an index of job_runs by worker would
-- have been one more B-tree insert a job on the claim's path); the page is as fresh as the last beat.
ALTER TABLE workers ADD COLUMN attempts TEXT;
