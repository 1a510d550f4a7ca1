package dev.queuectl.worker;

import org.junit.jupiter.api.Tag;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.junit.jupiter.api.AfterEach;

import dev.queuectl.PostgresTestDatabase;

/** {@link DeadlinesIT} on a PostgreSQL database of its own, deadlines on the server's clock. */
@Tag("postgresql")
class DeadlinesPostgresIT extends DeadlinesIT {

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

	@Override
	String clockSql() {
		return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";
	}

	@AfterEach
	void dropDatabase() {
		this.database.close();
	}
}
