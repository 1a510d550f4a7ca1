package dev.queuectl.service;

import org.junit.jupiter.api.Tag;

import dev.queuectl.cli.TestDatabase;
import org.springframework.test.context.TestPropertySource;

/** {@link OutputBoundTest} on a PostgreSQL database of its own: output in chunks, its bytes counted. */
@Tag("postgresql")
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class OutputBoundPostgresTest extends OutputBoundTest {
}
