package dev.queuectl.cli;

import org.springframework.test.context.TestPropertySource;

/** {@link InspectCommandsTest} on a PostgreSQL database of its own. */
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class InspectCommandsPostgresTest extends InspectCommandsTest {
}
