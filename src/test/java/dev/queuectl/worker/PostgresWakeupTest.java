package dev.queuectl.worker;

import org.junit.jupiter.api.Tag;

import dev.queuectl.PostgresTestDatabase;

/** {@link WakeupTest} on a PostgreSQL database of its own: the host is woken by LISTEN/NOTIFY. */
@Tag("postgresql")
class PostgresWakeupTest extends WakeupTest {

	private PostgresTestDatabase db;

	@Override
	String openDatabase() {
		this.db = PostgresTestDatabase.create();
		return this.db.url();
	}

	@Override
	void closeDatabase() {
		this.db.close();
	}
}
