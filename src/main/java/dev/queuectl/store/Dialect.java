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

	boolean usesHostClock() {
		return this == SQLITE;
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
