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
 * oldest due job (pending or failed with run_at now or earlier, through the partial index
 * jobs_runnable_by_queue of V8, in queue order: its cost grows with the due backlog, so the caller
 * caches it), and how many worker hosts beat within the lease. Ages and heartbeats are on the lease
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

	MetricsStore(JdbcTemplate jdbc, Dialect dialect, JobCountStore counts) {
		this.jdbc = jdbc;
		this.dialect = dialect;
		this.counts = counts;
	}

	/** Reads the gauges as of {@code now} (the host's clock), counting a host live within {@code lease}. */
	public Snapshot read(Instant now, Duration lease) {
		String clock = this.dialect.clock();
		String sql = """
				SELECT 0, queue, state, SUM(n), COUNT(*) FROM job_counts GROUP BY queue, state
				UNION ALL
				SELECT 1, queue, NULL, %1$s - MIN(run_at), 1 FROM jobs%2$s
				WHERE state IN ('pending', 'failed') AND run_at <= %1$s GROUP BY queue
				UNION ALL
				SELECT 2, NULL, NULL, COUNT(*), 1 FROM workers WHERE heartbeat_at > %1$s - ?""".formatted(clock,
				this.dialect.indexedBy("jobs_runnable_by_queue"));
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
		this.jdbc.query(sql, rs -> {
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
