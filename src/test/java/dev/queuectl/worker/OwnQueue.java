package dev.queuectl.worker;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import dev.queuectl.PostgresTestDatabase;

/**
 * A process test's own queue, made before each test: a SQLite file in the test's folder, or, in a
 * *PostgresIT twin ({@link #onPostgres()}), a PostgreSQL database of its own, migrated before the
 * test (its tests read it while hosts start) and dropped after the test. A queue migrated first is a
 * copy of the build's template that the jar migrated once ({@link SchemaTemplates}), not a first
 * command's JVM per test. Also the small SQL reads the tests make of it, each on a connection of its
 * own. One place for what the SQLite classes and their PostgreSQL twins would otherwise each write
 * again.
 */
abstract class OwnQueue {

	@TempDir
	Path dir;

	Queuectl q;

	/** The twin's database; null on SQLite. */
	PostgresTestDatabase database;

	/** Whether the queue is a PostgreSQL database of its own; the twins say yes. */
	boolean onPostgres() {
		return false;
	}

	/** Whether the database is there and migrated before the test starts (always on PostgreSQL). */
	boolean migrateFirst() {
		return onPostgres();
	}

	@BeforeEach
	void openQueue() throws Exception {
		this.q = queuectl();
	}

	@AfterEach
	void dropDatabase() {
		if (this.database != null) {
			this.database.close();
		}
	}

	/** The processes' queue, as {@link #onPostgres()} and {@link #migrateFirst()} say. */
	Queuectl queuectl() throws Exception {
		if (onPostgres()) {
			this.database = migrateFirst() ? SchemaTemplates.postgres() : PostgresTestDatabase.create();
			return Queuectl.postgres(this.dir, this.database.url());
		}
		Queuectl q = new Queuectl(this.dir);
		return migrateFirst() ? q.copied() : q; // --db refuses status on a file not there yet
	}

	Connection connect() throws SQLException {
		return this.database != null
				? DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + this.database.name(), "postgres", "")
				: DriverManager.getConnection("jdbc:sqlite:" + this.q.db + "?busy_timeout=10000");
	}

	long scalar(String sql) throws SQLException {
		try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	/** The first column of the first row, or null when there is none. */
	String text(String sql) throws SQLException {
		try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
			return rs.next() ? rs.getString(1) : null;
		}
	}

	String state(String id) throws SQLException {
		return text("SELECT state FROM jobs WHERE id = '" + id + "'");
	}

	List<Long> longs(String sql) throws SQLException {
		return column(sql, rs -> rs.getLong(1));
	}

	List<String> strings(String sql) throws SQLException {
		return column(sql, rs -> rs.getString(1));
	}

	/** How a column's value is read from the current row. */
	interface Read<T> {
		T from(ResultSet rs) throws SQLException;
	}

	private <T> List<T> column(String sql, Read<T> read) throws SQLException {
		List<T> all = new ArrayList<>();
		try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
			while (rs.next()) {
				all.add(read.from(rs));
			}
		}
		return all;
	}
}
