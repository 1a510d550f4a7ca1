package dev.queuectl.worker;

import org.junit.jupiter.api.Tag;

/** {@link LimitsIT} with the hosts on a PostgreSQL database of its own (dropped after). */
@Tag("postgresql")
class LimitsPostgresIT extends LimitsIT {

	@Override
	boolean onPostgres() {
		return true;
	}
}
