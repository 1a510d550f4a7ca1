package dev.queuectl.cli;

import org.springframework.test.context.TestPropertySource;

/** {@link ScheduleCommandsTest} on a PostgreSQL database of its own. */
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class ScheduleCommandsPostgresTest extends ScheduleCommandsTest {
}
