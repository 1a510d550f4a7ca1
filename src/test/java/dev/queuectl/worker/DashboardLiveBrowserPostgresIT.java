package dev.queuectl.worker;

import org.junit.jupiter.api.Tag;

import dev.queuectl.PostgresTestDatabase;

/**
 * {@link DashboardLiveBrowserIT} with the host on a PostgreSQL database of its own, migrated before the test (a clone
 * of the build's template, {@link SchemaTemplates}) and dropped after.
 */
@Tag("postgresql")
class DashboardLiveBrowserPostgresIT extends DashboardLiveBrowserIT {

	PostgresTestDatabase database;

	@Override
	Queuectl queuectl() throws Exception {
		this.database = SchemaTemplates.postgres(); // migrated: a clone of the build's template
		return Queuectl.postgres(this.dir, this.database.url());
	}

	@Override
	void dropDatabase() {
		if (this.database != null) {
			this.database.close();
		}
	}
}
