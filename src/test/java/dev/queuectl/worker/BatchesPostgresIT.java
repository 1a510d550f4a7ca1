package dev.queuectl.worker;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

import dev.queuectl.PostgresTestDatabase;

/** {@link BatchesIT} on a PostgreSQL database of its own: the hosts settle a batch across connections. */
@Tag("postgresql")
class BatchesPostgresIT extends BatchesIT {

	PostgresTestDatabase database;

	@Override
	Queuectl queuectl() {
		this.database = PostgresTestDatabase.create();
		return Queuectl.postgres(this.dir, this.database.url());
	}

	@Override
	Connection connect() throws SQLException {
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + this.database.name(), "postgres", "");
	}

	@AfterEach
	void dropDatabase() {
		this.database.close();
	}
}
