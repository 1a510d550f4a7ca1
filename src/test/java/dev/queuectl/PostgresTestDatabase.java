package dev.queuectl;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A database of its own on the PostgreSQL server of these machines (127.0.0.1:5432, user postgres,
 * trust), {@code queuectl_test_<random>}, dropped WITH (FORCE) on close: never {@code test} itself.
 * New and empty ({@link #create}), or a copy of a template ({@link #cloneOf}; the process tests'
 * migrated one is made by {@code worker/SchemaTemplates}).
 */
public final class PostgresTestDatabase implements AutoCloseable {

	public static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/postgres";

	private final String name;

	private SingleConnectionDataSource dataSource;

	private PostgresTestDatabase(String name) {
		this.name = name;
	}

	public static PostgresTestDatabase create() {
		String name = newName();
		admin("CREATE DATABASE " + name);
		return new PostgresTestDatabase(name);
	}

	/** A new database that starts as a copy of {@code template} (a database nobody is connected to). */
	public static PostgresTestDatabase cloneOf(String template) {
		String name = newName();
		admin("CREATE DATABASE " + name + " TEMPLATE " + template);
		return new PostgresTestDatabase(name);
	}

	private static String newName() {
		return "queuectl_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
	}

	/** The database as a user gives it to {@code --db}. */
	public String url() {
		return "postgresql://postgres@127.0.0.1:5432/" + this.name;
	}

	public String name() {
		return this.name;
	}

	/** A JdbcTemplate on the database, for a test's own looks at its rows. */
	public synchronized JdbcTemplate jdbc() {
		if (this.dataSource == null) {
			this.dataSource = new SingleConnectionDataSource("jdbc:postgresql://127.0.0.1:5432/" + this.name, "postgres", "", true);
		}
		return new JdbcTemplate(this.dataSource);
	}

	@Override
	public synchronized void close() {
		if (this.dataSource != null) {
			this.dataSource.destroy();
		}
		admin("DROP DATABASE IF EXISTS " + this.name + " WITH (FORCE)");
	}

	private static void admin(String sql) {
		try (Connection c = DriverManager.getConnection(SERVER, "postgres", ""); Statement s = c.createStatement()) {
			s.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(sql + ": " + ex.getMessage(), ex);
		}
	}
}
