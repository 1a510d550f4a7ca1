package dev.queuectl.store;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

import dev.queuectl.job.JobState;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
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

	/**
	 * Rows from which an insert on SQLite counts its jobs itself ({@link #insertsCountedByCaller}):
	 * dropping and creating the trigger costs far less than this many trigger runs.
	 */
	private static final int COUNT_INSERTS_FROM = 1_000;

	/** The transaction resource that says the insert trigger is dropped until the commit. */
	private final Object insertTriggerDropped = new Object();

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

	/**
	 * Whether an insert of {@code rows} jobs in the current transaction adds them to job_counts itself
	 * ({@link #added}) instead of the insert trigger. SQLite's trigger runs once a row (~1 us, a tenth
	 * of a bulk insert), so from {@link #COUNT_INSERTS_FROM} rows on it is dropped until just before the
	 * transaction commits, when it is created again from its own stored SQL (the migration's). Exact
	 * for everyone: the transaction holds SQLite's write lock from its start, so no other connection
	 * inserts meanwhile, and a rollback or a crash restores the trigger with everything else. Every
	 * insert into jobs goes through {@link JobStore#insertAll}, which asks this first. PostgreSQL's
	 * triggers run once a statement already: never.
	 */
	boolean insertsCountedByCaller(int rows) {
		if (this.dialect.isPostgres() || !TransactionSynchronizationManager.isActualTransactionActive()) {
			return false;
		}
		if (TransactionSynchronizationManager.hasResource(this.insertTriggerDropped)) {
			return true;
		}
		if (rows < COUNT_INSERTS_FROM) {
			return false;
		}
		String trigger = this.jdbc.queryForObject(
				"SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'job_counts_insert'", String.class);
		this.jdbc.execute("DROP TRIGGER job_counts_insert");
		TransactionSynchronizationManager.bindResource(this.insertTriggerDropped, trigger);
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

			@Override
			public void beforeCommit(boolean readOnly) {
				JobCountStore.this.jdbc.execute(trigger);
			}

			@Override
			public void afterCompletion(int status) {
				TransactionSynchronizationManager.unbindResource(JobCountStore.this.insertTriggerDropped);
			}
		});
		return true;
	}

	/** Adds {@code n} jobs inserted in {@code queue} and {@code state} (see {@link #insertsCountedByCaller}). */
	void added(String queue, JobState state, long n) {
		this.jdbc.update("""
				INSERT INTO job_counts (queue, state, n) VALUES (?, ?, ?)
				ON CONFLICT (queue, state) DO UPDATE SET n = n + excluded.n""", queue, state.dbValue(), n);
	}

	/** Rows beyond one per (queue, state) after which a PostgreSQL reader folds the deltas ({@link #fold}). */
	int foldAfter() {
		return this.foldAfter;
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
