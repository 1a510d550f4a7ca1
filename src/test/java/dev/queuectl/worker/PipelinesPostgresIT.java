package dev.queuectl.worker;

import org.junit.jupiter.api.Tag;

/** {@link PipelinesIT} with the hosts on a PostgreSQL database of its own (dropped after). */
@Tag("postgresql")
class PipelinesPostgresIT extends PipelinesIT {

	@Override
	boolean onPostgres() {
		return true;
	}
}
