-- A claim that passes over some queues (paused ones, those at their limit of running jobs, those a
-- host does not take from) reads the runnable jobs queue by queue through this index, best first
-- within each queue, and finds which queues have runnable jobs with one seek a queue. Through
-- jobs_runnable alone every poll and claim walked a paused queue's whole backlog (10,000 jobs: 7 ms
-- a read instead of 0.08). jobs_runnable stays for the plain claim over every queue, best first
-- across them.
CREATE INDEX jobs_runnable_by_queue ON jobs (queue, priority DESC, run_at, id) WHERE state IN ('pending', 'failed');
