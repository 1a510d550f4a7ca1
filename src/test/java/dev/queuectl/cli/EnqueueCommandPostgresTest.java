package dev.queuectl.cli;

import org.springframework.test.context.TestPropertySource;

/** {@link EnqueueCommandTest} on a PostgreSQL database of its own. */
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class EnqueueCommandPostgresTest extends EnqueueCommandTest {
}
