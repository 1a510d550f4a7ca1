package dev.queuectl.worker;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import dev.queuectl.PostgresTestDatabase;
import dev.queuectl.config.Version;
import dev.queuectl.store.SchemaFixtures;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker host of this release running while a newer queuectl migrates the database: it notices
 * at a heartbeat, finishes the job it runs, claims no other and exits; the command line of this
 * release then refuses the database in one line. On SQLite and on PostgreSQL. A background command
 * server of this release exits too, so that it answers no command of an older client.
 */
class SchemaUpgradeIT {

	@TempDir
	Path dir;

	@Test
	void aWorkerHostStopsCleanlyWhenANewerQueuectlMigratesItsSqliteDatabase() throws Exception {
		Queuectl q = new Queuectl(this.dir);
		SQLiteDataSource ds = new SQLiteDataSource();
		ds.setUrl("jdbc:sqlite:" + q.db + "?busy_timeout=10000");
		stopsCleanly(q, new JdbcTemplate(ds));
	}

	@Test
	@Tag("postgresql")
	void aWorkerHostStopsCleanlyWhenANewerQueuectlMigratesItsPostgresDatabase() throws Exception {
		try (PostgresTestDatabase db = PostgresTestDatabase.create()) {
			stopsCleanly(Queuectl.postgres(this.dir, db.url()), db.jdbc());
		}
	}

	@Test
	void aBackgroundCommandServerExitsWhenANewerQueuectlMigratesItsDatabase() throws Exception {
		Queuectl q = new Queuectl(this.dir).created();
		SQLiteDataSource ds = new SQLiteDataSource();
		ds.setUrl("jdbc:sqlite:" + q.db + "?busy_timeout=10000");
		try (Queuectl.Worker server = q.background("server", "run")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> server.logText().contains("command server serving"));
			SchemaFixtures.stampFutureVersion(new JdbcTemplate(ds));
			assertThat(server.waitFor(Duration.ofSeconds(30))).as(server.logText()).isZero();
			assertThat(server.logText()).contains("command server exits: the database was upgraded by queuectl 9.9.0 "
					+ "(schema version 99); this server is queuectl " + Version.number());
		}
	}

	@Test
	void aDatabaseWhoseAppliedMigrationWasChangedSinceIsRefusedInOneLineNamingTheVersion() throws Exception {
		Queuectl q = new Queuectl(this.dir).created();
		SQLiteDataSource ds = new SQLiteDataSource();
		ds.setUrl("jdbc:sqlite:" + q.db + "?busy_timeout=10000");
		JdbcTemplate jdbc = new JdbcTemplate(ds);
		// a database one migration behind (so the next command migrates), whose version 11 was applied from other text
		jdbc.update("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '11'");
		String last = jdbc.queryForObject("SELECT MAX(CAST(version AS INTEGER)) FROM flyway_schema_history", String.class);
		assertThat(last).as("the newest migration; undone below").isEqualTo("15");
		jdbc.execute("ALTER TABLE workers DROP COLUMN attempts");
		jdbc.update("DELETE FROM flyway_schema_history WHERE version = '15'");
		Queuectl.Result refused = q.run("status");
		assertThat(refused.exit()).isEqualTo(1);
		assertThat(refused.out()).isEmpty();
		assertThat(refused.err()).isEqualTo("queuectl: this database's schema history does not match this queuectl's migrations "
				+ "(version 11 differs): it was written by a build between releases; use that build, or a new database\n");
	}

	private void stopsCleanly(Queuectl q, JdbcTemplate jdbc) throws Exception {
		q.ok("config", "set", "lease-timeout", "5s"); // a heartbeat a second
		q.ok("enqueue", "{\"id\":\"running\",\"command\":\"sleep 4; echo finished\"}");
		try (Queuectl.Worker w = q.worker("--no-http")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> "processing".equals(state(jdbc, "running")));
			q.ok("enqueue", "{\"id\":\"later\",\"command\":\"echo never\"}");
			SchemaFixtures.stampFutureVersion(jdbc);

			assertThat(w.waitFor(Duration.ofSeconds(60))).as(w.logText()).isZero();
			assertThat(w.logText()).contains("the database was upgraded by queuectl 9.9.0 (schema version 99); this worker host runs queuectl "
					+ Version.number() + " and stops");
			assertThat(state(jdbc, "running")).as("the running job finished").isEqualTo("completed");
			assertThat(state(jdbc, "later")).as("no job claimed after the upgrade").isEqualTo("pending");
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM workers", Integer.class)).as("unregistered").isZero();
		}
		Queuectl.Result refused = q.run("status");
		assertThat(refused.exit()).isEqualTo(1);
		assertThat(refused.out()).isEmpty();
		assertThat(refused.err()).isEqualTo("queuectl: this database was written by queuectl 9.9.0; this is "
				+ Version.number() + ": upgrade\n");
	}

	private static String state(JdbcTemplate jdbc, String id) {
		return jdbc.queryForList("SELECT state FROM jobs WHERE id = ?", String.class, id).stream().findFirst().orElse(null);
	}
}
