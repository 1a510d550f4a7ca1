package dev.queuectl.store;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

import dev.queuectl.job.JobState;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The counts of jobs per queue and state, read from job_counts (migration V6), which triggers keep
 * in the transaction of every change to jobs: a read costs the same with ten jobs or a million.
 * On PostgreSQL the table holds deltas summed on read; a reader that finds many folds them.
 */
@Repository
class JobCountStore {

	private final JdbcTemplate jdbc;

	private final Dialect dialect;

	private final TransactionTemplate tx;

	/** Rows beyond one per (queue, state) that make a PostgreSQL reader fold the deltas. */
	private final int foldAfter;

	JobCountStore(JdbcTemplate jdbc, Dialect dialect, TransactionTemplate tx,
			@Value("${queuectl.job-counts.fold-after:500}") int foldAfter) {
		this.jdbc = jdbc;
		this.dialect = dialect;
		this.tx = tx;
		this.foldAfter = foldAfter;
	}

	/** Jobs per queue (sorted by name) and state; queues without jobs are left out. */
	Map<String, Map<JobState, Long>> byQueue() {
		Map<String, Map<JobState, Long>> counts = new TreeMap<>();
		long[] rows = { 0, 0 };
		this.jdbc.query("SELECT queue, state, SUM(n), COUNT(*) FROM job_counts GROUP BY queue, state", rs -> {
			rows[0] += rs.getLong(4);
			rows[1]++;
			long n = rs.getLong(3);
			if (n != 0) {
				counts.computeIfAbsent(rs.getString(1), k -> new EnumMap<>(JobState.class))
					.put(JobState.fromDb(rs.getString(2)), n);
			}
		});
		if (this.dialect.isPostgres() && rows[0] - rows[1] > this.foldAfter) {
			fold();
		}
		return counts;
	}

	/** Jobs per state, every state present. */
	Map<JobState, Long> byState() {
		Map<JobState, Long> counts = zeros();
		byQueue().values().forEach(byState -> byState.forEach((state, n) -> counts.merge(state, n, Long::sum)));
		return counts;
	}

	static Map<JobState, Long> zeros() {
		Map<JobState, Long> counts = new EnumMap<>(JobState.class);
		for (JobState state : JobState.values()) {
			counts.put(state, 0L);
		}
		return counts;
	}

	/**
	 * PostgreSQL: replaces the deltas this transaction sees by their sums, one row per (queue, state).
	 * Deltas appended meanwhile by other transactions are not in its snapshot and stay; one folder
	 * at a time (the advisory lock), so no delta is summed twice.
	 */
	void fold() {
		this.tx.executeWithoutResult(status -> {
			if (Boolean.TRUE.equals(this.jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(hashtext('queuectl.job_counts'))",
					Boolean.class))) {
				this.jdbc.update("""
						WITH gone AS (DELETE FROM job_counts RETURNING queue, state, n)
						INSERT INTO job_counts (queue, state, n)
						SELECT queue, state, SUM(n) FROM gone GROUP BY queue, state HAVING SUM(n) <> 0""");
			}
		});
	}
}
