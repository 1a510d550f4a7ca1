-- A claim that passes over some queues (paused ones, those at their limit of running jobs, those a
-- host does not take from) reads the runnable jobs queue by queue and priority by priority through
-- this index, each read a range that ends at the first job not yet due; the queues with runnable
-- jobs are found one seek each. Through jobs_runnable alone every poll and claim walked a paused
-- queue's whole backlog.
CREATE INDEX jobs_runnable_by_queue ON jobs (queue, priority DESC, run_at, id) WHERE state IN ('pending', 'failed');
-- jobs_runnable stays for claims over every queue, read priority by priority. Its predicate gains
-- "attempts >= 0" (always true), which only the reads meant for it name: with both indexes under one
-- predicate, the planner took this one for a queue's read and filtered 100,000 jobs of another
-- queue row by row, since it costs a LIMIT as if matches were spread evenly. (SQLite names the index
-- each read takes.)
DROP INDEX jobs_runnable;
CREATE INDEX jobs_runnable ON jobs (priority DESC, run_at, id) WHERE state IN ('pending', 'failed') AND attempts >= 0;
