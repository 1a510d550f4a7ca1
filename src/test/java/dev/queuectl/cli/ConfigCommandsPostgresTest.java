package dev.queuectl.cli;

import org.springframework.test.context.TestPropertySource;

/** {@link ConfigCommandsTest} on a PostgreSQL database of its own. */
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class ConfigCommandsPostgresTest extends ConfigCommandsTest {
}
