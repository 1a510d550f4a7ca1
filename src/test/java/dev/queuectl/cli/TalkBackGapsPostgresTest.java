package dev.queuectl.cli;

import org.junit.jupiter.api.Tag;

import org.springframework.test.context.TestPropertySource;

/** {@link TalkBackGapsTest} on a PostgreSQL database of its own. */
@Tag("postgresql")
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class TalkBackGapsPostgresTest extends TalkBackGapsTest {
}
