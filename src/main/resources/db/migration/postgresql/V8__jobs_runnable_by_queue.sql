-- Claims read runnable jobs queue by queue and priority by priority through this index, each read
-- a range that ends at the first job not yet due; the queues with runnable jobs are found one seek
-- each. Through jobs_runnable (priority first) every poll and claim walked a paused queue's whole
-- backlog, and every job not yet due (100,000 of them: 55-120 ms a read). jobs_runnable goes: with
-- both (one predicate) the planner took it for a queue's read and filtered the other queues' jobs
-- row by row, since it costs a LIMIT as if matches were spread evenly. (SQLite keeps both and
-- names the one each read takes.)
DROP INDEX jobs_runnable;
CREATE INDEX jobs_runnable_by_queue ON jobs (queue, priority DESC, run_at, id) WHERE state IN ('pending', 'failed');
