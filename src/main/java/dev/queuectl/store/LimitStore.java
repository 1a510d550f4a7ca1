package dev.queuectl.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.queuectl.job.LimitBook;
import dev.queuectl.job.LimitSetting;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * All SQL of limits by key and queue rates (migration V10): the settings ({@code limits}), the
 * queues' rates (columns of {@code queues}), the ledger of starts ({@code limit_starts}) and the
 * facts a {@link LimitBook} is made of. Running jobs per key are counted from the few processing
 * jobs that name keys. Times of the ledger are on the lease clock ({@link Dialect#clock}: the
 * server's on PostgreSQL), so that hosts with skewed clocks share one window.
 */
@Repository
public class LimitStore {

	/** Settings of keys and families, then queue rates: what {@link LimitBook} is built over. */
	private static final String SETTINGS = "SELECT key, concurrency, rate_count, rate_ms FROM limits ORDER BY key";

	private static final String QUEUE_RATES = "SELECT name, rate_count, rate_ms FROM queues WHERE rate_count IS NOT NULL";

	/** The keys of running jobs that name keys: a read of the few processing jobs (the state index). */
	private static final String RUNNING = "SELECT limits FROM jobs WHERE state = 'processing' AND limits IS NOT NULL";

	/** The ledger's starts after a time (the longest window back), of every key. */
	private static final String STARTS = "SELECT key, started_at FROM limit_starts WHERE started_at > ?";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate tx;

	private final Dialect dialect;

	LimitStore(JdbcTemplate jdbc, TransactionTemplate tx, Dialect dialect) {
		this.jdbc = jdbc;
		this.tx = tx;
		this.dialect = dialect;
	}

	/** The ledger's now: the host's on SQLite, the server's on PostgreSQL. */
	long clock(Instant now) {
		return this.dialect.usesHostClock() ? now.toEpochMilli()
				: this.jdbc.queryForObject("SELECT " + Dialect.DB_CLOCK, Long.class);
	}

	/** Every fact of limits now, for a claim (inside its transaction) or for telling why a job waits. */
	public LimitBook book(Instant now) {
		long clock = clock(now);
		List<LimitSetting> settings = settings();
		Map<String, LimitSetting.Rate> queueRates = queueRates();
		long longest = 0;
		for (LimitSetting s : settings) {
			longest = Math.max(longest, s.rate() == null ? 0 : s.rate().window().toMillis());
		}
		for (LimitSetting.Rate r : queueRates.values()) {
			longest = Math.max(longest, r.window().toMillis());
		}
		Map<String, Integer> running = new HashMap<>();
		this.jdbc.query(RUNNING, rs -> {
			LimitBook.decode(rs.getString(1)).forEach(k -> running.merge(k, 1, Integer::sum));
		});
		Map<String, List<Long>> starts = new HashMap<>();
		if (longest > 0) {
			this.jdbc.query(STARTS, rs -> {
				starts.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2));
			}, clock - longest);
		}
		return new LimitBook(settings, queueRates, running, starts, clock);
	}

	/** Records starts in the ledger at the ledger's now, and prunes what lies past the longest window. */
	void recordStarts(List<String> keys, long clock, long longestWindowMs) {
		if (!keys.isEmpty()) {
			List<Object[]> rows = new ArrayList<>();
			keys.forEach(k -> rows.add(new Object[] { k, clock }));
			this.jdbc.batchUpdate("INSERT INTO limit_starts (key, started_at) VALUES (?, ?)", rows);
		}
		this.jdbc.update("DELETE FROM limit_starts WHERE started_at <= ?", clock - longestWindowMs);
	}

	/** The settings of every key and family, by key, without counts. */
	public List<LimitSetting> settings() {
		return this.jdbc.query(SETTINGS, (rs, i) -> new LimitSetting(rs.getString(1), (Integer) integer(rs.getObject(2)),
				rate(rs.getObject(3), rs.getObject(4)), 0, 0));
	}

	/** Queues with a rate, by name. */
	public Map<String, LimitSetting.Rate> queueRates() {
		Map<String, LimitSetting.Rate> rates = new TreeMap<>();
		this.jdbc.query(QUEUE_RATES, rs -> {
			rates.put(rs.getString(1), rate(rs.getObject(2), rs.getObject(3)));
		});
		return rates;
	}

	/** Sets a key's settings; one given as null keeps its old value. Wakes the hosts, as a higher limit frees room. */
	public void set(String key, Integer concurrency, LimitSetting.Rate rate, Instant now) {
		this.tx.executeWithoutResult(status -> {
			this.jdbc.update("""
					INSERT INTO limits (key, concurrency, rate_count, rate_ms, updated_at) VALUES (?, ?, ?, ?, ?)
					ON CONFLICT (key) DO UPDATE SET concurrency = COALESCE(excluded.concurrency, limits.concurrency),
					    rate_count = COALESCE(excluded.rate_count, limits.rate_count),
					    rate_ms = COALESCE(excluded.rate_ms, limits.rate_ms), updated_at = excluded.updated_at""", key,
					concurrency, rate == null ? null : rate.count(), rate == null ? null : rate.window().toMillis(),
					now.toEpochMilli());
			this.dialect.wakeHosts(this.jdbc, Dialect.WAKE_JOBS);
		});
	}

	/** Removes a key's settings; false when it had none. Wakes the hosts: its jobs run freely now. */
	public boolean remove(String key) {
		return Boolean.TRUE.equals(this.tx.execute(status -> {
			boolean removed = this.jdbc.update("DELETE FROM limits WHERE key = ?", key) == 1;
			if (removed) {
				this.dialect.wakeHosts(this.jdbc, Dialect.WAKE_JOBS);
			}
			return removed;
		}));
	}

	/** Sets or (null) removes a queue's rate; wakes the hosts. */
	public void setQueueRate(String queue, LimitSetting.Rate rate, Instant now) {
		this.tx.executeWithoutResult(status -> {
			this.jdbc.update("""
					INSERT INTO queues (name, rate_count, rate_ms, updated_at) VALUES (?, ?, ?, ?)
					ON CONFLICT (name) DO UPDATE SET rate_count = excluded.rate_count, rate_ms = excluded.rate_ms,
					    updated_at = excluded.updated_at""", queue, rate == null ? null : rate.count(),
					rate == null ? null : rate.window().toMillis(), now.toEpochMilli());
			this.dialect.wakeHosts(this.jdbc, Dialect.WAKE_JOBS);
		});
	}

	private static Integer integer(Object value) {
		return value == null ? null : ((Number) value).intValue();
	}

	private static LimitSetting.Rate rate(Object count, Object ms) {
		return count == null || ms == null ? null
				: new LimitSetting.Rate(((Number) count).intValue(), Duration.ofMillis(((Number) ms).longValue()));
	}
}
