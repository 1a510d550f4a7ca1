package dev.queuectl.worker;

import org.junit.jupiter.api.Tag;

/** {@link TracesIT} with the processes on a PostgreSQL database of its own (dropped after). */
@Tag("postgresql")
class TracesPostgresIT extends TracesIT {

	@Override
	boolean onPostgres() {
		return true;
	}
}
