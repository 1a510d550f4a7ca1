package dev.queuectl.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Databases as an older queuectl left them: migrated up to one schema version, with jobs and runs
 * in them; and a database a newer queuectl migrated past this build.
 */
public final class SchemaFixtures {

	private SchemaFixtures() {
	}

	/** The schema versions of released queuectl (SchemaVersions' table), oldest first. */
	static List<String> releasedVersions() {
		return List.copyOf(SchemaVersions.INTRODUCED_IN.keySet());
	}

	/** Migrates to {@code version} only, as the release that introduced it did, and adds jobs. */
	static void oldDatabase(DataSource dataSource, String dialect, String version) {
		Flyway.configure()
			.dataSource(dataSource)
			.locations("classpath:db/migration/" + dialect)
			.target(version)
			.installedBy("queuectl " + SchemaVersions.INTRODUCED_IN.get(version))
			.load()
			.migrate();
		// the columns and states of V1, which every later version keeps
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.update("""
				INSERT INTO jobs (id, command, state, queue, priority, attempts, max_retries, run_at, working_dir,
				                  created_at, updated_at, last_error)
				VALUES ('done1', 'echo a', 'completed', 'default', 0, 1, 3, 1, '/tmp', 1, 2, NULL),
				       ('dead1', 'false', 'dead', 'q', 3, 4, 3, 1, '/tmp', 1, 5, 'exit code 1'),
				       ('todo1', 'echo "b c"', 'pending', 'default', 7, 0, 3, 10, '/tmp', 3, 3, NULL)""");
		jdbc.update("""
				INSERT INTO job_runs (job_id, attempt, started_at, finished_at, exit_code, outcome)
				VALUES ('done1', 1, 1, 2, 0, 'completed'), ('dead1', 1, 1, 2, 1, 'failed'), ('dead1', 2, 3, 4, 1, 'failed')""");
	}

	static List<Map<String, Object>> jobs(JdbcTemplate jdbc) {
		return jdbc.queryForList("SELECT * FROM jobs ORDER BY id");
	}

	static List<Map<String, Object>> runs(JdbcTemplate jdbc) {
		return jdbc.queryForList("SELECT job_id, attempt, started_at, finished_at, exit_code, outcome FROM job_runs ORDER BY id");
	}

	/** Every column a job had before is still there with the same value. */
	static void assertKept(List<Map<String, Object>> before, List<Map<String, Object>> after) {
		assertThat(after).hasSameSizeAs(before);
		for (int i = 0; i < before.size(); i++) {
			Map<String, Object> row = after.get(i);
			before.get(i).forEach((column, value) -> assertThat(row).as(column).containsEntry(column, value));
		}
	}

	/**
	 * Records a migration this build does not have, as a newer queuectl would: version 99, applied
	 * by {@code queuectl 9.9.0}.
	 */
	public static void stampFutureVersion(JdbcTemplate jdbc) {
		jdbc.update("""
				INSERT INTO flyway_schema_history
				  (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
				VALUES ((SELECT MAX(installed_rank) + 1 FROM flyway_schema_history), '99', 'from the future', 'SQL',
				        'V99__from_the_future.sql', 0, 'queuectl 9.9.0', 1, true)""");
	}

	/** The versions of the migration files of a dialect, e.g. ["1", "2"]. */
	static List<String> migrationFiles(String dialect) throws IOException {
		try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration", dialect))) {
			return files.map(f -> f.getFileName().toString())
				.filter(n -> n.startsWith("V"))
				.map(n -> n.substring(1, n.indexOf("__")))
				.sorted()
				.toList();
		}
	}
}
