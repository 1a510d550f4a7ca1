package dev.queuectl.worker;

import org.junit.jupiter.api.Tag;

import dev.queuectl.PostgresTestDatabase;

/** {@link DashboardPipelinesBrowserIT} with the host on a PostgreSQL database of its own (dropped after). */
@Tag("postgresql")
class DashboardPipelinesBrowserPostgresIT extends DashboardPipelinesBrowserIT {

	PostgresTestDatabase database;

	@Override
	Queuectl queuectl() throws Exception {
		this.database = PostgresTestDatabase.create();
		return Queuectl.migrated(this.dir, this.database);
	}

	@Override
	void dropDatabase() {
		if (this.database != null) {
			this.database.close();
		}
	}
}
