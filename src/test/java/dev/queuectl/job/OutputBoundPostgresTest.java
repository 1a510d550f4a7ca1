package dev.queuectl.job;

import dev.queuectl.cli.TestDatabase;
import org.springframework.test.context.TestPropertySource;

/** {@link OutputBoundTest} on a PostgreSQL database of its own: output in chunks, its bytes counted. */
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class OutputBoundPostgresTest extends OutputBoundTest {
}
