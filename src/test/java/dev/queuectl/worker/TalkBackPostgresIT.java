package dev.queuectl.worker;

import org.junit.jupiter.api.Tag;

/** {@link TalkBackIT} with the hosts on a PostgreSQL database of its own (dropped after). */
@Tag("postgresql")
class TalkBackPostgresIT extends TalkBackIT {

	@Override
	boolean onPostgres() {
		return true;
	}

	/** The URL as queuectl shows it: no password. */
	@Override
	String expectedDb() {
		return this.database.url().replaceFirst("^postgres(ql)?://", "postgresql://");
	}
}
