package dev.queuectl.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import org.flywaydb.core.api.MigrationVersion;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.Version;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The schema versions this build knows, which release introduced each, and the version a database
 * is at. A database migrated past what this build knows was written by a newer queuectl: it is
 * refused before anything touches it, and a running worker host stops (the newer one records
 * {@code "queuectl X.Y"} as Flyway's installed_by, which the refusal names).
 */
public final class SchemaVersions {

	/**
	 * Each Flyway migration (src/main/resources/db/migration/{sqlite,postgresql}/V*) and the release
	 * that first ships it. EVERY NEW MIGRATION ADDS A LINE HERE; SchemaUpgradeTest fails until it
	 * does, and then opens a database of each version listed.
	 */
	static final Map<String, String> INTRODUCED_IN = introducedIn();

	private static Map<String, String> introducedIn() {
		Map<String, String> m = new LinkedHashMap<>();
		m.put("1", "0.4.0"); // jobs and runs
		m.put("2", "0.4.0"); // workers
		m.put("3", "0.4.0"); // control: cancel, pause, limits
		m.put("4", "0.4.0"); // schedules
		m.put("5", "0.4.0"); // the jobs page index
		m.put("6", "0.4.0"); // job_counts: jobs per queue and state, kept by triggers
		m.put("7", "0.4.0"); // job output in PostgreSQL (job_output; nothing on SQLite)
		m.put("8", "0.4.0"); // jobs_runnable_by_queue: claims that pass over paused or full queues
		m.put("9", "0.4.0"); // output_usage: the bound on kept output (output-max-total)
		m.put("10", "0.4.0"); // flow control (issue 26): limits by key, queue rates, resources per host, deadlines, retries by exit code
		m.put("11", "0.4.0"); // jobs that talk back (issue 27)
		m.put("12", "0.4.0"); // pipelines (issue 28)
		m.put("13", "0.4.0"); // the gaps of issues 27 and 28: an index of failed notifications
		m.put("14", "0.4.0"); // traces (issue 31): the enqueue's trace context with each job
		m.put("15", "0.4.0"); // issue 29: a worker host's attempts by outcome, for its dashboard page
		return m;
	}

	/** What Flyway records as installed_by: the release that applied a migration. */
	static final String INSTALLED_BY = "queuectl " + Version.number();

	private SchemaVersions() {
	}

	/** The highest schema version this build can migrate to. */
	public static MigrationVersion known() {
		return INTRODUCED_IN.keySet().stream().map(MigrationVersion::fromVersion).max(MigrationVersion::compareTo).orElseThrow();
	}

	/** The highest migration applied to a database, and who applied it. */
	public record Applied(MigrationVersion version, String installedBy) {

		public boolean newerThanKnown() {
			return this.version.compareTo(known()) > 0;
		}

		/** The release that wrote it, e.g. {@code queuectl 0.5.0}, or "a newer queuectl". */
		public String writer() {
			return this.installedBy != null && this.installedBy.startsWith("queuectl ") ? this.installedBy : "a newer queuectl";
		}
	}

	/** Empty for a new database (no history table yet, or one another process is creating). */
	static Optional<Applied> applied(JdbcTemplate jdbc) {
		if (!historyExists(jdbc)) {
			return Optional.empty();
		}
		return jdbc.query("""
				SELECT version, installed_by FROM flyway_schema_history
				WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC""",
				rs -> {
					MigrationVersion highest = null;
					String by = null;
					while (rs.next()) {
						MigrationVersion v = MigrationVersion.fromVersion(rs.getString(1));
						if (highest == null || v.compareTo(highest) > 0) {
							highest = v;
							by = rs.getString(2);
						}
					}
					return Optional.ofNullable(highest == null ? null : new Applied(highest, by));
				});
	}

	/**
	 * Whether Flyway's history table is there, in the connection's schema, asked of the driver's
	 * metadata (the same for SQLite and PostgreSQL): a query that fails on a missing table would
	 * race a process creating it.
	 */
	private static boolean historyExists(JdbcTemplate jdbc) {
		Boolean exists = jdbc.execute((java.sql.Connection c) -> {
			try (java.sql.ResultSet tables = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "flyway_schema_history", null)) {
				return tables.next();
			}
		});
		return Boolean.TRUE.equals(exists);
	}

	/**
	 * Refuses a database a newer queuectl migrated, before anything is written to it: one line
	 * naming both releases, exit 1. Otherwise tells whether every migration this build knows is
	 * applied, so that Flyway need not start at all (some 400 classes and a scan of the migrations
	 * at every start of every command, and classes a worker host would keep loaded).
	 */
	static boolean upToDate(DataSource dataSource) {
		Optional<Applied> applied = applied(new JdbcTemplate(dataSource));
		applied.filter(Applied::newerThanKnown).ifPresent(a -> {
			throw new QueuectlException(QueuectlException.FAILURE, newerMessage(a));
		});
		return applied.isPresent() && applied.get().version().equals(known());
	}

	static String newerMessage(Applied applied) {
		String writer = applied.writer();
		return "this database was written by " + writer + "; this is " + Version.number() + ": upgrade";
	}
}
