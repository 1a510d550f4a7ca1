package dev.queuectl.cli;

import org.junit.jupiter.api.Tag;

import org.springframework.test.context.TestPropertySource;

/** {@link NotifyCommandsTest} on a PostgreSQL database of its own. */
@Tag("postgresql")
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class NotifyCommandsPostgresTest extends NotifyCommandsTest {
}
