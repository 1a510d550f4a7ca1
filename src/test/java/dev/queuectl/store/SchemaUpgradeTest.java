package dev.queuectl.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.Version;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Upgrades on SQLite: a database of each released schema version opens with this build, jobs
 * intact; a database a newer queuectl wrote is refused untouched. SchemaUpgradePostgresTest: the
 * same on PostgreSQL.
 */
class SchemaUpgradeTest {

	@TempDir
	Path dir;

	@Test
	void everyMigrationSaysWhichReleaseIntroducedIt() throws IOException {
		assertThat(SchemaFixtures.releasedVersions()).as("SchemaVersions.INTRODUCED_IN: one line per migration")
			.containsExactlyInAnyOrderElementsOf(SchemaFixtures.migrationFiles("sqlite"))
			.containsExactlyInAnyOrderElementsOf(SchemaFixtures.migrationFiles("postgresql"));
		assertThat(SchemaVersions.known().getVersion())
			.isEqualTo(SchemaFixtures.releasedVersions().get(SchemaFixtures.releasedVersions().size() - 1));
	}

	@Test
	void aDatabaseOfEachReleasedSchemaVersionOpensWithItsJobsIntact() {
		for (String version : SchemaFixtures.releasedVersions()) {
			DatabaseLocation location = new DatabaseLocation(this.dir.resolve("v" + version + ".db"));
			SQLiteDataSource ds = dataSource(location);
			SchemaFixtures.oldDatabase(ds, "sqlite", version);
			JdbcTemplate jdbc = new JdbcTemplate(ds);
			List<Map<String, Object>> jobs = SchemaFixtures.jobs(jdbc);
			List<Map<String, Object>> runs = SchemaFixtures.runs(jdbc);

			DatabaseConfiguration.migrate(ds, location);

			assertThat(SchemaVersions.applied(jdbc)).as("V" + version + " migrated in place")
				.hasValueSatisfying(a -> assertThat(a.version()).isEqualTo(SchemaVersions.known()));
			SchemaFixtures.assertKept(jobs, SchemaFixtures.jobs(jdbc));
			SchemaFixtures.assertKept(runs, SchemaFixtures.runs(jdbc));
			assertThat(jdbc.queryForList("PRAGMA foreign_key_check", Map.class)).isEmpty();
			assertThat(jdbc.queryForObject("SELECT installed_by FROM flyway_schema_history WHERE version = ?", String.class,
					SchemaVersions.known().getVersion()))
				.as("this release names itself as the one that migrated")
				.isEqualTo(version.equals(SchemaVersions.known().getVersion()) ? "queuectl " + SchemaVersions.INTRODUCED_IN.get(version)
						: "queuectl " + Version.number());
		}
	}

	@Test
	void aDatabaseANewerQueuectlWroteIsRefusedUntouched() throws IOException {
		DatabaseLocation location = new DatabaseLocation(this.dir.resolve("newer.db"));
		SQLiteDataSource ds = dataSource(location);
		SchemaFixtures.oldDatabase(ds, "sqlite", SchemaVersions.known().getVersion());
		JdbcTemplate jdbc = new JdbcTemplate(ds);
		SchemaFixtures.stampFutureVersion(jdbc);
		jdbc.execute("PRAGMA wal_checkpoint(TRUNCATE)");
		byte[] before = Files.readAllBytes(location.file());

		assertThatThrownBy(() -> DatabaseConfiguration.migrate(ds, location)).isInstanceOfSatisfying(QueuectlException.class,
				ex -> {
					assertThat(ex.getMessage())
						.isEqualTo("this database was written by queuectl 9.9.0; this is " + Version.number() + ": upgrade");
					assertThat(ex.exitCode()).isEqualTo(1);
				});
		assertThat(Files.readAllBytes(location.file())).as("not a byte written").isEqualTo(before);
		assertThat(location.dataDir().resolve("newer.db.lock")).as("not even the migration lock").doesNotExist();
	}

	private static SQLiteDataSource dataSource(DatabaseLocation location) {
		SQLiteDataSource ds = new SQLiteDataSource();
		ds.setUrl(location.jdbcUrl());
		return ds;
	}
}
