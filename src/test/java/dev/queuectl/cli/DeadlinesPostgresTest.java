package dev.queuectl.cli;

import org.springframework.test.context.TestPropertySource;

/** {@link DeadlinesTest} on a PostgreSQL database of its own. */
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class DeadlinesPostgresTest extends DeadlinesTest {
}
