package dev.queuectl.worker;

import org.junit.jupiter.api.Tag;

/** {@link DeadlinesIT} on a PostgreSQL database of its own, deadlines on the server's clock. */
@Tag("postgresql")
class DeadlinesPostgresIT extends DeadlinesIT {

	@Override
	boolean onPostgres() {
		return true;
	}

	@Override
	String clockSql() {
		return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";
	}
}
