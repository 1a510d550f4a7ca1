package dev.queuectl.store;

import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.SQLExceptionOverride;

/**
 * A PostgreSQL server that restarts ends every session at once, but the pool learns of it one
 * connection at a time: each idle connection fails the next statement sent on it, and one that was
 * used within the last half second is lent without a check. A busy host's served command could then
 * fail once per pooled connection after a restart. So the first sign that the server ended a session
 * (a connection error, an administrator's shutdown) drops every connection the pool holds: idle
 * ones at once, lent ones when they come back. The host's listening connection, which hears a
 * restart first, does the same ({@link HostWakeups}). A dropped connection costs one reconnect; no
 * statement or check is added to a borrow.
 */
final class ServerLoss implements SQLExceptionOverride {

	private volatile HikariDataSource pool;

	/** The pool whose connections a loss drops (set once it exists). */
	void watch(HikariDataSource pool) {
		this.pool = pool;
	}

	@java.lang.Override // the interface's own Override (its verdicts) hides the annotation here
	public SQLExceptionOverride.Override adjudicate(SQLException ex) {
		if (lost(ex)) {
			dropConnections(this.pool);
		}
		return SQLExceptionOverride.Override.CONTINUE_EVICT; // the pool's own rules still evict this connection
	}

	/**
	 * Whether the server ended the session: SQL states of class 08 (connection exception) and 57P01-03
	 * (administrator shutdown, crash shutdown, cannot connect now).
	 */
	static boolean lost(SQLException ex) {
		String state = ex.getSQLState();
		return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03"));
	}

	/** Drops every connection of {@code dataSource} when it is a running pool: idle ones now, lent ones on their return. */
	static void dropConnections(DataSource dataSource) {
		if (dataSource instanceof HikariDataSource hikari && !hikari.isClosed()) {
			HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
			if (pool != null) {
				pool.softEvictConnections();
			}
		}
	}
}
