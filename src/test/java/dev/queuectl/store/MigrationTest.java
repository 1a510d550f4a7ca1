package dev.queuectl.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** A database made by an earlier release migrates in place, its jobs and their runs intact. */
class MigrationTest {

	@TempDir
	Path dir;

	@Test
	void aVersion2DatabaseKeepsEveryJobAndRunThroughVersion3() {
		DatabaseLocation location = new DatabaseLocation(this.dir.resolve("old.db"));
		SQLiteDataSource ds = new SQLiteDataSource();
		ds.setUrl(location.jdbcUrl());
		Flyway.configure().dataSource(ds).locations("classpath:db/migration/sqlite").target("2").load().migrate();
		JdbcTemplate jdbc = new JdbcTemplate(ds);
		jdbc.update("""
				INSERT INTO jobs (id, command, state, queue, priority, attempts, max_retries, run_at, working_dir,
				                  created_at, updated_at, last_error)
				VALUES ('old1', 'echo a', 'dead', 'q', 3, 4, 3, 1, '/tmp', 1, 2, 'exit code 1'),
				       ('old2', 'echo b', 'pending', 'default', 0, 0, 3, 1, '/tmp', 1, 2, NULL)""");
		jdbc.update("""
				INSERT INTO job_runs (job_id, attempt, started_at, finished_at, exit_code, outcome)
				VALUES ('old1', 1, 1, 2, 1, 'failed'), ('old1', 2, 3, 4, 1, 'failed')""");
		List<Map<String, Object>> jobsBefore = jdbc.queryForList("SELECT * FROM jobs ORDER BY id");

		DatabaseConfiguration.migrate(ds, location);

		List<Map<String, Object>> jobsAfter = jdbc.queryForList("SELECT * FROM jobs ORDER BY id");
		assertThat(jobsAfter).hasSize(2);
		for (int i = 0; i < 2; i++) {
			Map<String, Object> after = jobsAfter.get(i);
			jobsBefore.get(i).forEach((column, value) -> assertThat(after).containsEntry(column, value));
			assertThat(after).containsEntry("unique_key", null).containsEntry("cancel_requested_at", null);
		}
		assertThat(jdbc.queryForList("SELECT attempt FROM job_runs WHERE job_id = 'old1' ORDER BY id", Integer.class))
			.containsExactly(1, 2);
		// the runs still belong to their job: deleting it deletes them
		jdbc.update("DELETE FROM jobs WHERE id = 'old1'");
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM job_runs", Integer.class)).isZero();
		assertThat(jdbc.queryForList("PRAGMA foreign_key_check", Map.class)).isEmpty();
		// the new states are allowed
		jdbc.update("UPDATE jobs SET state = 'canceled' WHERE id = 'old2'");
	}
}
