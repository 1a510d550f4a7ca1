package dev.queuectl.cli;

import org.springframework.test.context.TestPropertySource;

/** {@link LimitCommandsTest} on a PostgreSQL database of its own. */
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class LimitCommandsPostgresTest extends LimitCommandsTest {
}
