package dev.queuectl.worker;

import org.junit.jupiter.api.Tag;

/** {@link NotifyIT} with the hosts on a PostgreSQL database of its own (dropped after). */
@Tag("postgresql")
class NotifyPostgresIT extends NotifyIT {

	@Override
	boolean onPostgres() {
		return true;
	}
}
