package dev.queuectl.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import javax.sql.DataSource;

import dev.queuectl.store.DatabaseLocation;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Puts a test's database back to what the migrations left, so that test classes of one
 * configuration share one Spring context (Spring's test context cache) and still start every test
 * from a fresh database: every table but Flyway's history emptied and refilled with the rows the
 * migrations wrote (the one row of output_usage), the id sequences reset, the output folder
 * emptied. The first call on a database takes that picture; it must come before any test wrote.
 * Tables are read from the catalogue, so a new migration's table is covered without a change here.
 */
public final class FreshDatabase {

	/** The picture of each database (by its DataSource) after its migrations: table -> rows. */
	private static final Map<DataSource, Map<String, List<Map<String, Object>>>> AFTER_MIGRATIONS = Collections
		.synchronizedMap(new IdentityHashMap<>());

	private FreshDatabase() {
	}

	/** Empties and refills every table of this database, and empties its output folder. */
	public static void reset(JdbcTemplate jdbc, DatabaseLocation database) {
		DataSource source = jdbc.getDataSource();
		Map<String, List<Map<String, Object>>> picture = AFTER_MIGRATIONS.computeIfAbsent(source,
				s -> jdbc.execute((ConnectionCallback<Map<String, List<Map<String, Object>>>>) c -> take(c, database.isPostgres())));
		jdbc.execute((ConnectionCallback<Void>) c -> {
			restore(c, database.isPostgres(), picture);
			return null;
		});
		emptyFolder(database.outputDir());
	}

	private static Map<String, List<Map<String, Object>>> take(Connection c, boolean postgres) throws java.sql.SQLException {
		Map<String, List<Map<String, Object>>> picture = new LinkedHashMap<>();
		for (String table : tables(c, postgres)) {
			List<Map<String, Object>> rows = new ArrayList<>();
			try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
				int n = rs.getMetaData().getColumnCount();
				while (rs.next()) {
					Map<String, Object> row = new LinkedHashMap<>();
					for (int i = 1; i <= n; i++) {
						row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
					}
					rows.add(row);
				}
			}
			picture.put(table, rows);
		}
		return picture;
	}

	private static void restore(Connection c, boolean postgres, Map<String, List<Map<String, Object>>> picture)
			throws java.sql.SQLException {
		boolean auto = c.getAutoCommit();
		c.setAutoCommit(false);
		try (Statement s = c.createStatement()) {
			if (postgres) {
				// one statement for all: no order among the foreign keys, and no row trigger runs; a
				// transaction a test left open fails the reset within 30 s rather than hang it
				s.execute("SET LOCAL lock_timeout = '30s'");
				s.execute("TRUNCATE " + String.join(", ", picture.keySet()) + " RESTART IDENTITY");
			}
			else {
				s.execute("PRAGMA defer_foreign_keys = ON"); // until the commit: tables in any order
				for (String table : picture.keySet()) {
					s.execute("DELETE FROM " + table);
				}
				if (exists(c, "sqlite_sequence")) {
					s.execute("DELETE FROM sqlite_sequence");
				}
			}
			for (Map.Entry<String, List<Map<String, Object>>> table : picture.entrySet()) {
				for (Map<String, Object> row : table.getValue()) {
					String sql = "INSERT INTO " + table.getKey() + " (" + String.join(", ", row.keySet()) + ") VALUES ("
							+ String.join(", ", Collections.nCopies(row.size(), "?")) + ")";
					try (PreparedStatement ps = c.prepareStatement(sql)) {
						int i = 1;
						for (Object value : row.values()) {
							ps.setObject(i++, value);
						}
						ps.executeUpdate();
					}
				}
			}
			c.commit();
		}
		catch (java.sql.SQLException | RuntimeException ex) {
			c.rollback();
			throw ex;
		}
		finally {
			c.setAutoCommit(auto);
		}
	}

	/** Every table of the schema but Flyway's history, in the catalogue's order. */
	private static List<String> tables(Connection c, boolean postgres) throws java.sql.SQLException {
		String sql = postgres
				? "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
				: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
		Set<String> tables = new LinkedHashSet<>();
		try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
			while (rs.next()) {
				tables.add(rs.getString(1));
			}
		}
		tables.removeIf(t -> t.equalsIgnoreCase("flyway_schema_history"));
		return List.copyOf(tables);
	}

	private static boolean exists(Connection c, String sqliteTable) throws java.sql.SQLException {
		try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
			ps.setString(1, sqliteTable);
			try (ResultSet rs = ps.executeQuery()) {
				return rs.next();
			}
		}
	}

	private static void emptyFolder(Path dir) {
		if (!Files.isDirectory(dir)) {
			return;
		}
		try (Stream<Path> files = Files.walk(dir)) {
			for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
				if (!p.equals(dir)) {
					Files.deleteIfExists(p);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}
}
