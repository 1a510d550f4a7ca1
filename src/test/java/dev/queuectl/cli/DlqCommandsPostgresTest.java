package dev.queuectl.cli;

import org.springframework.test.context.TestPropertySource;

/** {@link DlqCommandsTest} on a PostgreSQL database of its own. */
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class DlqCommandsPostgresTest extends DlqCommandsTest {
}
