package dev.queuectl.store;

import org.junit.jupiter.api.Tag;

import dev.queuectl.cli.TestDatabase;
import org.springframework.test.context.TestPropertySource;

/** {@link JobCountsTest} on a PostgreSQL database of its own: transactions of several hosts really overlap. */
@Tag("postgresql")
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class JobCountsPostgresTest extends JobCountsTest {
}
