package dev.queuectl.cli;

import org.junit.jupiter.api.Tag;

import org.springframework.test.context.TestPropertySource;

/** {@link DeadlinesTest} on a PostgreSQL database of its own. */
@Tag("postgresql")
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class DeadlinesPostgresTest extends DeadlinesTest {
}
