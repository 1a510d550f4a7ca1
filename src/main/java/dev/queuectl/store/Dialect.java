package dev.queuectl.store;

/**
 * What differs in SQL between the two databases queuectl runs on, so that every store class has
 * one code path: SQLite (one machine, the default) and PostgreSQL (worker hosts on many machines).
 * Chosen once from the {@link DatabaseLocation}; nothing outside this package knows which is used.
 */
public enum Dialect {

	SQLITE {
		@Override
		String indexedBy(String index) {
			return " INDEXED BY " + index;
		}

		@Override
		String skipLocked() {
			return "";
		}

		@Override
		String inList() {
			return "IN (SELECT value FROM json_each(?))";
		}

		@Override
		String clock() {
			return "?";
		}
	},

	POSTGRESQL {
		@Override
		String indexedBy(String index) {
			return ""; // PostgreSQL's planner picks the partial index by itself
		}

		@Override
		String skipLocked() {
			return " FOR UPDATE SKIP LOCKED";
		}

		@Override
		String inList() {
			return "= ANY (CAST(? AS TEXT[]))";
		}

		@Override
		String clock() {
			return DB_CLOCK;
		}
	};

	/** The database server's clock in milliseconds since the epoch (the wall clock, not the transaction's start). */
	static final String DB_CLOCK = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

	/** The channel on which PostgreSQL wakes worker hosts ({@link HostWakeups}). */
	static final String CHANNEL = "queuectl_jobs";

	/** Payloads of {@link #CHANNEL}: why the hosts are woken. */
	static final String WAKE_JOBS = "jobs";

	static final String WAKE_CANCEL = "cancel";

	static Dialect of(DatabaseLocation location) {
		return location.isPostgres() ? POSTGRESQL : SQLITE;
	}

	/** A hint naming the index a statement must read (SQLite's planner otherwise picks a worse one). */
	abstract String indexedBy(String index);

	/** What follows the candidate select of a claim: hosts claiming at once skip each other's rows. */
	abstract String skipLocked();

	/** {@code IN} over a list of ids bound as one parameter ({@link #idList}). */
	abstract String inList();

	/**
	 * The clock of leases and heartbeats in SQL: on SQLite the host's (one machine: a parameter the
	 * caller binds); on PostgreSQL the server's, so that hosts with skewed clocks neither take live
	 * leases nor keep dead ones. Where it is {@code ?}, {@link #usesHostClock()} says to bind it.
	 */
	abstract String clock();

	/**
	 * Wakes the worker hosts of the database when the caller's transaction commits: PostgreSQL's
	 * NOTIFY (queued by the transaction, delivered on its commit, dropped on rollback). SQLite: nothing,
	 * its hosts are on one machine and poll; a host in the enqueuing process is woken by an event.
	 * {@code why} is one of the WAKE_ constants.
	 */
	void wakeHosts(org.springframework.jdbc.core.JdbcTemplate jdbc, String why) {
		if (this == POSTGRESQL) {
			jdbc.execute("NOTIFY " + CHANNEL + ", '" + why + "'");
		}
	}

	/**
	 * A due time ({@code run_at}) in SQL, from a time the host computed (now, now plus a delay or a
	 * retry backoff): on SQLite that time itself; on PostgreSQL the server's clock plus the same
	 * distance from the host's now, so a host whose clock is behind or ahead starts delayed jobs and
	 * retries on time. Bind {@link #dueArg}; a null argument is null (keep the old value with COALESCE).
	 */
	String dueAt() {
		return this == POSTGRESQL ? "(" + DB_CLOCK + " + CAST(? AS BIGINT))" : "CAST(? AS INTEGER)";
	}

	/**
	 * {@link #dueAt} for a time that may instead be named (an instant the user gave, a schedule's
	 * tick), which is stored as it is: bind {@link #dueArg} and null, or null and the named time.
	 */
	String dueAtOrNamed() {
		return "COALESCE(" + dueAt() + ", CAST(? AS " + (this == POSTGRESQL ? "BIGINT" : "INTEGER") + "))";
	}

	/** The argument of {@link #dueAt}: the due time {@code at} computed on the host's clock, whose now is {@code now}. */
	long dueArg(java.time.Instant at, java.time.Instant now) {
		return this == POSTGRESQL ? at.toEpochMilli() - now.toEpochMilli() : at.toEpochMilli();
	}

	/**
	 * A time column written on the lease clock ({@link #clock}), read as the host's clock would
	 * show it: on PostgreSQL shifted by the host's now minus the server's (bind the host's now in
	 * milliseconds, {@link #hostFrameArgs}), so an age the host computes is the server's age.
	 */
	String inHostFrame(String column) {
		return this == POSTGRESQL ? "(" + column + " + CAST(? AS BIGINT) - " + DB_CLOCK + ")" : column;
	}

	/** The arguments of {@link #inHostFrame}: none on SQLite. */
	Object[] hostFrameArgs(java.time.Instant now) {
		return this == POSTGRESQL ? new Object[] { now.toEpochMilli() } : new Object[0];
	}

	boolean usesHostClock() {
		return this == SQLITE;
	}

	/**
	 * The arguments of a statement that reads the lease clock ({@link #clock}) first: {@code now}
	 * (in milliseconds) is bound only where the clock is the host's, then {@code rest}.
	 */
	Object[] clockArgs(java.time.Instant now, Object... rest) {
		if (!usesHostClock()) {
			return rest;
		}
		Object[] all = new Object[rest.length + 1];
		all[0] = now.toEpochMilli();
		System.arraycopy(rest, 0, all, 1, rest.length);
		return all;
	}

	boolean isPostgres() {
		return this == POSTGRESQL;
	}

	/** Ids as one parameter for {@link #inList}: a JSON array on SQLite, a text[] literal on PostgreSQL. */
	String idList(java.util.Collection<String> ids) {
		StringBuilder sb = new StringBuilder(this == SQLITE ? "[" : "{");
		for (String id : ids) {
			if (sb.length() > 1) {
				sb.append(',');
			}
			sb.append('"').append(id.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
		}
		return sb.append(this == SQLITE ? ']' : '}').toString();
	}
}
