package dev.queuectl.cli;

import org.springframework.test.context.TestPropertySource;

/** {@link ResourcesCommandTest} on a PostgreSQL database of its own. */
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class ResourcesCommandPostgresTest extends ResourcesCommandTest {
}
