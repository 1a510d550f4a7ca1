package dev.queuectl.store;

import org.junit.jupiter.api.Tag;

import dev.queuectl.cli.TestDatabase;
import org.springframework.test.context.TestPropertySource;

/** {@link MetricsStoreTest} on a PostgreSQL database of its own. */
@Tag("postgresql")
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class MetricsStorePostgresTest extends MetricsStoreTest {
}
