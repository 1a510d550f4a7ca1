package dev.queuectl.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.queuectl.job.Notification;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * All SQL on the notifications outbox (issue 27; the rows are written by a trigger in the
 * transaction of the job's state change: V11's on PostgreSQL, {@link #SQLITE_TRIGGER} on SQLite) and on notify_targets, which tells that
 * trigger which states notify through which channel. Delivery is claimed like jobs: a due row gets
 * a lease (SKIP LOCKED on PostgreSQL), and every write after the delivery is fenced on the lease's
 * owner, so a host whose lease ran out (it hung) cannot undo another's delivery. Times are on the
 * lease clock ({@link Dialect#clock}): the server's on PostgreSQL.
 */
@Repository
public class NotificationStore {

	private static final String COLUMNS = """
			id, job_id, attempt, state, channel, exit_code, last_error, created_at, next_at, tries, delivered_at,
			failed_at, error""";

	private static final String NOT_DONE = "delivered_at IS NULL AND failed_at IS NULL";

	/**
	 * SQLite's outbox trigger (V11 leaves it out): present exactly while notify_targets holds a row,
	 * kept so by {@link #target} in the transaction that writes notify_targets, so a queue without
	 * notifications runs no trigger for its finished jobs (a sub-program a row, about 4 us each).
	 * PostgreSQL's trigger is V11's and stays (its WHEN is evaluated before any function call).
	 */
	private static final String SQLITE_TRIGGER = """
			CREATE TRIGGER IF NOT EXISTS notifications_on_state AFTER UPDATE OF state ON jobs
			WHEN old.state <> new.state AND new.state IN ('completed', 'failed', 'dead', 'canceled')
			BEGIN
			    INSERT INTO notifications (job_id, attempt, state, channel, exit_code, last_error, created_at, retry_from, next_at)
			    SELECT new.id, new.attempts, new.state, t.channel, new.exit_code, new.last_error, new.updated_at, new.updated_at,
			           new.updated_at
			    FROM notify_targets t WHERE t.state = new.state;
			END""";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate tx;

	private final Dialect dialect;

	NotificationStore(JdbcTemplate jdbc, TransactionTemplate tx, Dialect dialect) {
		this.jdbc = jdbc;
		this.tx = tx;
		this.dialect = dialect;
	}

	/**
	 * Makes notify_targets hold exactly {@code states} (job states: completed, failed, dead,
	 * canceled) times {@code channels} ("url", "command"); writes only when that differs from what
	 * it holds. Returns whether it wrote.
	 */
	public boolean target(Set<String> states, Set<String> channels) {
		Set<String> wanted = new HashSet<>();
		states.forEach(s -> channels.forEach(c -> wanted.add(s + " " + c)));
		return Boolean.TRUE.equals(this.tx.execute(status -> {
			Set<String> now = new HashSet<>(this.jdbc.queryForList("SELECT state || ' ' || channel FROM notify_targets", String.class));
			boolean wrote = !now.equals(wanted);
			if (wrote) {
				this.jdbc.update("DELETE FROM notify_targets");
				for (String pair : wanted) {
					String[] sc = pair.split(" ");
					this.jdbc.update("INSERT INTO notify_targets (state, channel) VALUES (?, ?)", sc[0], sc[1]);
				}
			}
			if (!this.dialect.isPostgres() && wanted.isEmpty() == hasTrigger()) {
				this.jdbc.execute(wanted.isEmpty() ? "DROP TRIGGER notifications_on_state" : SQLITE_TRIGGER);
				wrote = true;
			}
			return wrote;
		}));
	}

	/** Whether SQLite's outbox trigger ({@link #SQLITE_TRIGGER}) exists. */
	boolean hasTrigger() {
		return Boolean.TRUE.equals(this.jdbc.queryForObject(
				"SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'notifications_on_state')",
				Boolean.class));
	}

	/** Whether some notification is due and not leased: a read, so an idle host takes no write lock to ask. */
	public boolean hasDue(Instant now) {
		String c = this.dialect.clock();
		return !this.jdbc.queryForList("SELECT id FROM notifications WHERE " + NOT_DONE + " AND next_at <= " + c
				+ " AND (lease_until IS NULL OR lease_until < " + c + ") LIMIT 1", Long.class, clocks(now, 2)).isEmpty();
	}

	/**
	 * Claims up to {@code n} due notifications for {@code owner}, oldest due first, each leased for
	 * {@code lease}: another host takes one back only once its lease ended (its host died or hung).
	 */
	public List<Notification> claim(String owner, int n, Instant now, Duration lease) {
		String c = this.dialect.clock();
		List<Object> args = new ArrayList<>();
		args.add(owner);
		args.addAll(List.of(clocks(now, 1)));
		args.add(lease.toMillis());
		args.addAll(List.of(clocks(now, 2)));
		args.add(n);
		return this.tx.execute(status -> this.jdbc.query("UPDATE notifications SET lease_owner = ?, lease_until = " + c
				+ " + ? WHERE id IN (SELECT id FROM notifications WHERE " + NOT_DONE + " AND next_at <= " + c
				+ " AND (lease_until IS NULL OR lease_until < " + c + ") ORDER BY next_at, id LIMIT ?"
				+ this.dialect.skipLocked() + ") RETURNING " + COLUMNS, NotificationStore::map, args.toArray()));
	}

	/** Records a delivery; false when the lease was no longer {@code owner}'s (another host took it over). */
	public boolean delivered(long id, String owner, Instant now) {
		List<Object> args = new ArrayList<>(List.of(clocks(now, 1)));
		args.addAll(List.of(id, owner));
		return this.jdbc.update("UPDATE notifications SET tries = tries + 1, delivered_at = " + this.dialect.clock()
				+ ", error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND "
				+ NOT_DONE, args.toArray()) == 1;
	}

	/**
	 * Records a failed delivery: the next try after {@code wait}, or, when that would fall later than
	 * {@code retryFor} after the notification was made (or last retried by hand), none: it is kept as failed.
	 */
	public boolean failedTry(long id, String owner, String error, Duration wait, Duration retryFor, Instant now) {
		String c = this.dialect.clock();
		List<Object> args = new ArrayList<>();
		args.add(error);
		args.addAll(List.of(clocks(now, 1)));
		args.add(wait.toMillis());
		args.addAll(List.of(clocks(now, 1)));
		args.add(wait.toMillis());
		args.add(retryFor.toMillis());
		args.addAll(List.of(clocks(now, 1)));
		args.addAll(List.of(id, owner));
		return this.jdbc.update("UPDATE notifications SET tries = tries + 1, error = ?, lease_owner = NULL, lease_until = NULL, "
				+ "next_at = " + c + " + ?, failed_at = CASE WHEN " + c + " + ? - retry_from > ? THEN " + c + " ELSE NULL END "
				+ "WHERE id = ? AND lease_owner = ? AND " + NOT_DONE, args.toArray()) == 1;
	}

	/** The newest notifications first (only failed ones with {@code failedOnly}; else all but delivered ones with {@code undelivered}). */
	public List<Notification> list(boolean failedOnly, boolean undelivered, int limit) {
		String where = failedOnly ? " WHERE failed_at IS NOT NULL" : undelivered ? " WHERE delivered_at IS NULL" : "";
		return this.jdbc.query("SELECT " + COLUMNS + " FROM notifications" + where + " ORDER BY id DESC LIMIT ?",
				NotificationStore::map, limit);
	}

	public java.util.Optional<Notification> find(long id) {
		return this.jdbc.query("SELECT " + COLUMNS + " FROM notifications WHERE id = ?", NotificationStore::map, id)
			.stream().findFirst();
	}

	/** How many notifications are pending and how many failed: {pending, failed}. */
	public long[] counts() {
		return this.jdbc.query("SELECT COUNT(*) FILTER (WHERE failed_at IS NULL), COUNT(*) FILTER (WHERE failed_at IS NOT NULL) "
				+ "FROM notifications WHERE delivered_at IS NULL", rs -> {
					rs.next();
					return new long[] { rs.getLong(1), rs.getLong(2) };
				});
	}

	/**
	 * Makes failed notifications (one, or all when {@code id} is null) due again, with a fresh
	 * notify-retry-for; returns how many.
	 */
	public int retry(Long id, Instant now) {
		List<Object> args = new ArrayList<>(List.of(clocks(now, 2)));
		if (id != null) {
			args.add(id);
		}
		String c = this.dialect.clock();
		return this.jdbc.update("UPDATE notifications SET failed_at = NULL, tries = 0, retry_from = " + c + ", next_at = " + c
				+ " WHERE failed_at IS NOT NULL AND delivered_at IS NULL" + (id != null ? " AND id = ?" : ""), args.toArray());
	}

	/** Deletes up to {@code limit} notifications delivered before {@code before}; returns how many. */
	public int pruneDelivered(Instant before, int limit) {
		return this.jdbc.update("DELETE FROM notifications WHERE id IN (SELECT id FROM notifications WHERE delivered_at IS NOT NULL "
				+ "AND delivered_at < ? ORDER BY delivered_at LIMIT ?)", before.toEpochMilli(), limit);
	}

	/** {@code now} in milliseconds {@code times} times where the lease clock is the host's; none on PostgreSQL. */
	private Object[] clocks(Instant now, int times) {
		if (!this.dialect.usesHostClock()) {
			return new Object[0];
		}
		Object[] all = new Object[times];
		java.util.Arrays.fill(all, now.toEpochMilli());
		return all;
	}

	private static Notification map(ResultSet rs, int row) throws SQLException {
		return new Notification(rs.getLong("id"), rs.getString("job_id"), rs.getInt("attempt"), rs.getString("state"),
				rs.getString("channel"), JobStore.integer(rs, "exit_code"), rs.getString("last_error"),
				JobStore.instant(rs, "created_at"), JobStore.instant(rs, "next_at"), rs.getInt("tries"),
				JobStore.instant(rs, "delivered_at"), JobStore.instant(rs, "failed_at"), rs.getString("error"));
	}
}
