package dev.queuectl.worker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

import dev.queuectl.PostgresTestDatabase;

/** {@link MetricsIT} with the processes on a PostgreSQL database of its own (dropped after). */
@Tag("postgresql")
class MetricsPostgresIT extends MetricsIT {

	PostgresTestDatabase database;

	@Override
	Queuectl queuectl() throws Exception {
		this.database = PostgresTestDatabase.create();
		return Queuectl.migrated(this.dir, this.database);
	}

	@AfterEach
	void dropDatabase() {
		this.database.close();
	}
}
