package dev.queuectl.store;

import java.util.List;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.queuectl.PostgresTestDatabase;
import dev.queuectl.QueuectlException;
import dev.queuectl.Version;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SchemaUpgradeTest on PostgreSQL: the same code path opens both. */
@Tag("postgresql")
class SchemaUpgradePostgresTest {

	@Test
	void aDatabaseOfEachReleasedSchemaVersionOpensWithItsJobsIntact() {
		for (String version : SchemaFixtures.releasedVersions()) {
			try (PostgresTestDatabase db = PostgresTestDatabase.create()) {
				JdbcTemplate jdbc = db.jdbc();
				SchemaFixtures.oldDatabase(jdbc.getDataSource(), "postgresql", version);
				List<Map<String, Object>> jobs = SchemaFixtures.jobs(jdbc);
				List<Map<String, Object>> runs = SchemaFixtures.runs(jdbc);

				try (HikariDataSource opened = DatabaseConfiguration.postgres(DatabaseLocation.resolve(db.url()))) {
					assertThat(SchemaVersions.applied(new JdbcTemplate(opened))).as("V" + version + " migrated in place")
						.hasValueSatisfying(a -> assertThat(a.version()).isEqualTo(SchemaVersions.known()));
				}
				SchemaFixtures.assertKept(jobs, SchemaFixtures.jobs(jdbc));
				SchemaFixtures.assertKept(runs, SchemaFixtures.runs(jdbc));
			}
		}
	}

	@Test
	void aDatabaseANewerQueuectlWroteIsRefusedUntouched() {
		try (PostgresTestDatabase db = PostgresTestDatabase.create()) {
			JdbcTemplate jdbc = db.jdbc();
			SchemaFixtures.oldDatabase(jdbc.getDataSource(), "postgresql", SchemaVersions.known().getVersion());
			SchemaFixtures.stampFutureVersion(jdbc);
			List<Map<String, Object>> history = jdbc.queryForList("SELECT * FROM flyway_schema_history ORDER BY installed_rank");
			List<Map<String, Object>> jobs = SchemaFixtures.jobs(jdbc);

			assertThatThrownBy(() -> DatabaseConfiguration.postgres(DatabaseLocation.resolve(db.url())))
				.isInstanceOf(QueuectlException.class)
				.hasMessage("this database was written by queuectl 9.9.0; this is " + Version.number() + ": upgrade");
			assertThat(jdbc.queryForList("SELECT * FROM flyway_schema_history ORDER BY installed_rank")).isEqualTo(history);
			assertThat(SchemaFixtures.jobs(jdbc)).isEqualTo(jobs);
		}
	}
}
