package dev.queuectl.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.queuectl.job.JobState;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * What the metrics endpoint's gauges show, read in ONE statement of three arms: jobs per queue and
 * state (job_counts, migration V6: a few rows whatever the number of jobs), the age of each queue's
 * oldest due job (pending or failed with run_at now or earlier), and how many worker hosts beat
 * within the lease. The oldest due job is found by seeks, not by reading the backlog: the partial
 * index jobs_runnable_by_queue (V8) holds the runnable jobs by (queue, priority, run_at), so a
 * recursive walk steps from one (queue, priority) pair to the next, and the first entry of each pair
 * is its earliest job; a queue's earliest, when due, is its oldest due job. A few seeks a pair,
 * whatever the backlog (a GROUP BY over every due job read 100,000 of them at every scrape). Ages and heartbeats are on the lease
 * clock ({@link Dialect#clock}: the server's on PostgreSQL, where run_at is stored in its frame), so
 * a host with a skewed clock still reports the server's age.
 */
@Repository
public class MetricsStore {

	/** The gauges' reading: jobs per queue (by name) and state, oldest due age per queue, live hosts. */
	public record Snapshot(Map<String, Map<JobState, Long>> jobs, Map<String, Duration> oldestDue, long liveHosts) {
	}

	private final JdbcTemplate jdbc;

	private final Dialect dialect;

	private final JobCountStore counts;

	/** The gauges' one statement ({@link #sql()}), built once: it depends on the dialect alone. */
	private final String sql;

	MetricsStore(JdbcTemplate jdbc, Dialect dialect, JobCountStore counts) {
		this.jdbc = jdbc;
		this.dialect = dialect;
		this.counts = counts;
		this.sql = sql();
	}

	/**
	 * The (queue, priority) pairs that have runnable jobs, one seek or three a pair: the first pair,
	 * then from each the next lower priority of its queue, else the next queue's highest. A scalar
	 * subquery is repeated where SQLite and PostgreSQL allow no other reference to the recursive
	 * table; RUNNABLE stands for the runnable jobs through the index.
	 */
	private static final String OLDEST_DUE_PAIRS = """
			WITH RECURSIVE g (queue, priority) AS (
			    SELECT q, (SELECT MAX(j.priority) FROM RUNNABLE AND j.queue = q)
			    FROM (SELECT j.queue AS q FROM RUNNABLE ORDER BY j.queue LIMIT 1) first
			    UNION ALL
			    SELECT CASE WHEN (SELECT MAX(j.priority) FROM RUNNABLE AND j.queue = g.queue AND j.priority < g.priority) IS NOT NULL
			                THEN g.queue ELSE (SELECT MIN(j.queue) FROM RUNNABLE AND j.queue > g.queue) END,
			           COALESCE((SELECT MAX(j.priority) FROM RUNNABLE AND j.queue = g.queue AND j.priority < g.priority),
			                    (SELECT MAX(j.priority) FROM RUNNABLE
			                     AND j.queue = (SELECT MIN(k.queue) FROM RUNNABLEK AND k.queue > g.queue)))
			    FROM g
			    WHERE (SELECT MAX(j.priority) FROM RUNNABLE AND j.queue = g.queue AND j.priority < g.priority) IS NOT NULL
			       OR (SELECT MIN(j.queue) FROM RUNNABLE AND j.queue > g.queue) IS NOT NULL)
			""";

	/** The runnable jobs as {@code alias}, through the index of runnable jobs by queue: "FROM" goes before, "AND ..." after. */
	private String runnable(String alias) {
		return "jobs " + alias + this.dialect.indexedBy("jobs_runnable_by_queue") + " WHERE " + alias
				+ ".state IN ('pending', 'failed')";
	}

	/** Reads the gauges as of {@code now} (the host's clock), counting a host live within {@code lease}. */
	/** The gauges' one statement: with the host's clock, its parameters are now three times and the lease. */
	String sql() {
		String clock = this.dialect.clock();
		return OLDEST_DUE_PAIRS.replace("RUNNABLEK", runnable("k")).replace("RUNNABLE", runnable("j")) + """
				SELECT 0, queue, state, SUM(n), COUNT(*) FROM job_counts GROUP BY queue, state
				UNION ALL
				SELECT 1, queue, NULL, %1$s - MIN(earliest), 1 FROM (
				    SELECT g.queue AS queue, (SELECT j.run_at FROM %2$s AND j.queue = g.queue AND j.priority = g.priority
				                              ORDER BY j.run_at LIMIT 1) AS earliest
				    FROM g) pairs
				GROUP BY queue HAVING MIN(earliest) <= %1$s
				UNION ALL
				SELECT 2, NULL, NULL, COUNT(*), 1 FROM workers WHERE heartbeat_at > %1$s - ?""".formatted(clock, runnable("j"));
	}

	public Snapshot read(Instant now, Duration lease) {
		List<Object> args = new ArrayList<>();
		if (this.dialect.usesHostClock()) {
			args.add(now.toEpochMilli());
			args.add(now.toEpochMilli());
			args.add(now.toEpochMilli());
		}
		args.add(lease.toMillis());
		Map<String, Map<JobState, Long>> jobs = new TreeMap<>();
		Map<String, Duration> oldest = new TreeMap<>();
		long[] hosts = { 0 };
		long[] rows = { 0, 0 };
		this.jdbc.query(this.sql, rs -> {
			long value = rs.getLong(4);
			switch (rs.getInt(1)) {
				case 0 -> {
					rows[0] += rs.getLong(5);
					rows[1]++;
					if (value != 0) {
						jobs.computeIfAbsent(rs.getString(2), k -> new EnumMap<>(JobState.class))
							.put(JobState.fromDb(rs.getString(3)), value);
					}
				}
				case 1 -> oldest.put(rs.getString(2), Duration.ofMillis(Math.max(0, value)));
				default -> hosts[0] = value;
			}
		}, args.toArray());
		if (this.dialect.isPostgres() && rows[0] - rows[1] > this.counts.foldAfter()) {
			this.counts.fold(); // as JobCountStore's own readers do: deltas summed into one row each
		}
		return new Snapshot(jobs, oldest, hosts[0]);
	}
}
