package dev.queuectl.store;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.sqlite.jdbc4.JDBC4Connection;
import org.sqlite.jdbc4.JDBC4PreparedStatement;

/**
 * SQLite connections that keep their prepared statements. Preparing compiles a statement into
 * SQLite's bytecode, and an UPDATE of jobs compiles with it every trigger and index it touches:
 * 30-70 us for the claim's and the settle's statements (every feature's trigger or partial index
 * makes it dearer), paid at every turn of a worker host, since neither the driver nor the pool
 * keeps statements. Here {@code prepareStatement(sql)} hands back the connection's idle statement
 * of the same text; closing it resets it (result set closed, parameters and batch cleared) and
 * keeps it for the next caller. A statement in use is never handed out twice: a second caller of
 * the same text gets a new one. At most {@link #KEPT} texts a connection, the least recently used
 * closed first; the connection's close closes them all. SQLite re-prepares a kept statement by
 * itself after a schema change. PostgreSQL's driver keeps server-side statements on its own.
 */
final class SqliteStatementCache {

	/** Statements kept a connection: a worker host's turn and the commands use a few dozen texts. */
	static final int KEPT = 64;

	private static final String PREFIX = "jdbc:sqlite:";

	private SqliteStatementCache() {
	}

	/** A data source (for the pool) of SQLite connections to {@code url} that keep their statements. */
	static DataSource dataSource(String url) {
		if (!url.startsWith(PREFIX)) {
			throw new IllegalArgumentException("not an SQLite URL: " + url);
		}
		return new Source(url);
	}

	/** What the pool needs of a data source: connections, nothing else. */
	private record Source(String url) implements DataSource {

		@Override
		public Connection getConnection() throws SQLException {
			return new KeepingConnection(this.url);
		}

		@Override
		public Connection getConnection(String username, String password) throws SQLException {
			return getConnection();
		}

		@Override
		public PrintWriter getLogWriter() {
			return null;
		}

		@Override
		public void setLogWriter(PrintWriter out) {
		}

		@Override
		public void setLoginTimeout(int seconds) {
		}

		@Override
		public int getLoginTimeout() {
			return 0;
		}

		@Override
		public Logger getParentLogger() throws SQLFeatureNotSupportedException {
			throw new SQLFeatureNotSupportedException();
		}

		@Override
		public <T> T unwrap(Class<T> type) throws SQLException {
			throw new SQLException("not a wrapper");
		}

		@Override
		public boolean isWrapperFor(Class<?> type) {
			return false;
		}
	}

	/** The driver's own connection, keeping its idle prepared statements by text. */
	static final class KeepingConnection extends JDBC4Connection {

		/** Idle statements by text, least recently used first. */
		private final Map<String, KeptStatement> idle = new LinkedHashMap<>(KEPT * 2, 0.75f, true);

		KeepingConnection(String url) throws SQLException {
			super(url, url.substring(PREFIX.length()), new Properties());
		}

		@Override
		public PreparedStatement prepareStatement(String sql) throws SQLException {
			KeptStatement kept;
			synchronized (this) {
				kept = this.idle.remove(sql);
			}
			return kept != null ? kept : new KeptStatement(this, sql);
		}

		/**
		 * A plain statement whose queries run as kept prepared statements of their text: a query without
		 * parameters (JdbcTemplate's {@code queryForObject(sql, type)}, {@code query(sql, mapper)}) comes
		 * through a plain statement, which the driver compiles anew every time (a served status ran six
		 * such, ~50 us of compiling a command; docs/benchmarks.md, session 26).
		 */
		@Override
		public java.sql.Statement createStatement() throws SQLException {
			return new KeepingStatement(this);
		}

		/** Takes back a statement its caller closed; false when it is not kept (then it is closed for real). */
		synchronized boolean keep(KeptStatement statement) throws SQLException {
			if (isClosed() || this.idle.containsKey(statement.text)) {
				return false;
			}
			this.idle.put(statement.text, statement);
			if (this.idle.size() > KEPT) {
				Iterator<KeptStatement> eldest = this.idle.values().iterator();
				KeptStatement out = eldest.next();
				eldest.remove();
				out.closeForReal();
			}
			return true;
		}

		/** How many idle statements this connection keeps (for tests). */
		synchronized int kept() {
			return this.idle.size();
		}

		@Override
		public void close() throws SQLException {
			synchronized (this) {
				for (KeptStatement s : this.idle.values()) {
					s.closeForReal();
				}
				this.idle.clear();
			}
			super.close();
		}
	}

	/**
	 * The driver's plain statement, whose {@code executeQuery(sql)} runs the connection's kept
	 * prepared statement of that text (its result set is that statement's); closing it, or its next
	 * query, hands that statement back. With a row limit or a timeout set on it (nothing here sets
	 * them), and for everything but queries, it is the driver's own.
	 */
	static final class KeepingStatement extends org.sqlite.jdbc4.JDBC4Statement {

		private final KeepingConnection owner;

		private PreparedStatement current;

		KeepingStatement(KeepingConnection owner) {
			super(owner);
			this.owner = owner;
		}

		@Override
		public java.sql.ResultSet executeQuery(String sql) throws SQLException {
			release();
			if (getMaxRows() != 0 || getQueryTimeout() != 0) {
				return super.executeQuery(sql);
			}
			this.current = this.owner.prepareStatement(sql);
			return this.current.executeQuery();
		}

		private void release() throws SQLException {
			PreparedStatement done = this.current;
			this.current = null;
			if (done != null) {
				done.close();
			}
		}

		@Override
		public void close() throws SQLException {
			try {
				release();
			}
			finally {
				super.close();
			}
		}
	}

	/** The driver's prepared statement, whose close hands it back to its connection. */
	static final class KeptStatement extends JDBC4PreparedStatement {

		private final KeepingConnection owner;

		private final String text;

		KeptStatement(KeepingConnection owner, String sql) throws SQLException {
			super(owner, sql);
			this.owner = owner;
			this.text = sql;
		}

		@Override
		public void close() throws SQLException {
			if (isClosed()) {
				return;
			}
			// what a close would release: the statement's read of the database, its bound values, its batch
			((java.sql.ResultSet) this.rs).close();
			clearParameters();
			clearBatch();
			clearGeneratedKeys();
			if (!this.owner.keep(this)) {
				super.close();
			}
		}

		void closeForReal() throws SQLException {
			super.close();
		}
	}
}
