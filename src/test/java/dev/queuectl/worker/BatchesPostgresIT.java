package dev.queuectl.worker;

import org.junit.jupiter.api.Tag;

/** {@link BatchesIT} on a PostgreSQL database of its own: the hosts settle a batch across connections. */
@Tag("postgresql")
class BatchesPostgresIT extends BatchesIT {

	@Override
	boolean onPostgres() {
		return true;
	}
}
