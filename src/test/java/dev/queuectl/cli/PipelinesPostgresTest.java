package dev.queuectl.cli;

import org.junit.jupiter.api.Tag;

import org.springframework.test.context.TestPropertySource;

/** {@link PipelinesTest} on a PostgreSQL database of its own: the triggers over transition tables keep the counters. */
@Tag("postgresql")
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class PipelinesPostgresTest extends PipelinesTest {
}
