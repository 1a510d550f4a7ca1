package dev.queuectl.worker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

import dev.queuectl.PostgresTestDatabase;

/** {@link TalkBackIT} with the hosts on a PostgreSQL database of its own (dropped after). */
@Tag("postgresql")
class TalkBackPostgresIT extends TalkBackIT {

	PostgresTestDatabase database;

	@Override
	Queuectl queuectl() throws Exception {
		this.database = PostgresTestDatabase.create();
		Queuectl q = Queuectl.postgres(this.dir, this.database.url());
		q.ok("status"); // migrates the new database
		return q;
	}

	/** The URL as queuectl shows it: no password. */
	@Override
	String expectedDb() {
		return this.database.url().replaceFirst("^postgres(ql)?://", "postgresql://");
	}

	@AfterEach
	void dropDatabase() {
		this.database.close();
	}
}
