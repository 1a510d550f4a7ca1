package dev.queuectl.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.queuectl.job.JobState;
import dev.queuectl.job.QueueInfo;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.stereotype.Repository;

/**
 * All SQL on queues: pausing, concurrency limits and the counts of {@code queue list}. A queue
 * exists while it has jobs or a row here; the claim (in {@link WorkerStore}) reads the same rows.
 */
@Repository
public class QueueStore {

	private final JdbcTemplate jdbc;

	private final Dialect dialect;

	private final TransactionTemplate tx;

	private final JobCountStore counts;

	QueueStore(JdbcTemplate jdbc, Dialect dialect, TransactionTemplate tx, JobCountStore counts) {
		this.jdbc = jdbc;
		this.dialect = dialect;
		this.tx = tx;
		this.counts = counts;
	}

	/** Pauses or resumes a queue; a resume wakes the worker hosts (PostgreSQL: on commit) to take its jobs. */
	public void setPaused(String queue, boolean paused, Instant now) {
		this.tx.executeWithoutResult(status -> {
			this.jdbc.update("""
					INSERT INTO queues (name, paused, updated_at) VALUES (?, ?, ?)
					ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at""", queue,
					paused ? 1 : 0, now.toEpochMilli());
			if (!paused) {
				this.dialect.wakeHosts(this.jdbc, Dialect.WAKE_JOBS);
			}
		});
	}

	/** Sets or (null) removes a queue's limit on jobs running at once; wakes the hosts, as a higher limit frees room. */
	public void setLimit(String queue, Integer maxRunning, Instant now) {
		this.tx.executeWithoutResult(status -> {
			this.jdbc.update("""
					INSERT INTO queues (name, max_running, updated_at) VALUES (?, ?, ?)
					ON CONFLICT (name) DO UPDATE SET max_running = excluded.max_running, updated_at = excluded.updated_at""",
					queue, maxRunning, now.toEpochMilli());
			this.dialect.wakeHosts(this.jdbc, Dialect.WAKE_JOBS);
		});
	}

	/** Whether a queue exists: it holds jobs (the counters say so) or has a row of settings here. */
	public boolean exists(String queue) {
		return this.counts.byQueue().containsKey(queue)
				|| this.jdbc.queryForObject("SELECT COUNT(*) FROM queues WHERE name = ?", Integer.class, queue) > 0;
	}

	/** What {@link #removeIfEmpty} did: {@code found} the queue, and the jobs it holds (then it stays). */
	public record Removal(boolean found, Map<JobState, Long> jobs) {
	}

	/** Removes a queue that holds no job (its pause and limit), in one transaction. */
	public Removal removeIfEmpty(String queue) {
		return this.tx.execute(status -> {
			Map<JobState, Long> held = this.counts.byQueue().getOrDefault(queue, Map.of());
			if (!held.isEmpty()) {
				return new Removal(true, held);
			}
			return new Removal(this.jdbc.update("DELETE FROM queues WHERE name = ?", queue) > 0, Map.of());
		});
	}

	/** The names of paused queues, sorted. */
	public List<String> paused() {
		return this.jdbc.queryForList("SELECT name FROM queues WHERE paused = 1 ORDER BY name", String.class);
	}

	/** Every queue with jobs or settings: counts per state (from the counters), paused, limit, rate, running now. */
	public List<QueueInfo> list() {
		Map<String, Map<JobState, Long>> counts = this.counts.byQueue();
		Map<String, Object[]> settings = new TreeMap<>();
		this.jdbc.query("SELECT name, paused, max_running, rate_count, rate_ms FROM queues", rs -> {
			Object limit = rs.getObject(3);
			Object rateMs = rs.getObject(5);
			String rate = rateMs == null ? null
					: new dev.queuectl.job.LimitSetting.Rate(rs.getInt(4), java.time.Duration.ofMillis(((Number) rateMs).longValue())).text();
			settings.put(rs.getString(1), new Object[] { rs.getInt(2) != 0, limit == null ? null : ((Number) limit).intValue(), rate });
			counts.computeIfAbsent(rs.getString(1), k -> new java.util.EnumMap<>(JobState.class));
		});
		List<QueueInfo> queues = new ArrayList<>();
		counts.forEach((name, byState) -> {
			Map<JobState, Long> all = new java.util.EnumMap<>(JobState.class);
			for (JobState state : JobState.values()) {
				all.put(state, byState.getOrDefault(state, 0L));
			}
			Object[] s = settings.getOrDefault(name, new Object[] { false, null, null });
			queues.add(new QueueInfo(name, all, (Boolean) s[0], (Integer) s[1], (String) s[2]));
		});
		return queues;
	}
}
