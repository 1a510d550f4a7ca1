package dev.queuectl.worker;

import java.sql.Connection;
import java.sql.SQLException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

import dev.queuectl.PostgresTestDatabase;

/** {@link NotifyIT} with the hosts on a PostgreSQL database of its own (dropped after). */
@Tag("postgresql")
class NotifyPostgresIT extends NotifyIT {

	PostgresTestDatabase database;

	@Override
	Queuectl queuectl() throws Exception {
		this.database = PostgresTestDatabase.create();
		Queuectl q = Queuectl.postgres(this.dir, this.database.url());
		q.ok("status"); // migrates the new database
		return q;
	}

	@Override
	Connection connect() throws SQLException {
		return this.database.jdbc().getDataSource().getConnection();
	}

	@AfterEach
	void dropDatabase() {
		this.database.close();
	}
}
