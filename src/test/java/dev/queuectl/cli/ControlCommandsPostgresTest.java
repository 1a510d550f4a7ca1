package dev.queuectl.cli;

import org.springframework.test.context.TestPropertySource;

/** {@link ControlCommandsTest} on a PostgreSQL database of its own. */
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class ControlCommandsPostgresTest extends ControlCommandsTest {
}
