package dev.queuectl.cli;

import org.junit.jupiter.api.Tag;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link PipelineGapsTest} on a PostgreSQL database of its own, where {@code batch cancel} and a
 * host's settle really run at once (each on its own connection), so a lock taken in opposite orders
 * would deadlock: the race runs 150 times.
 */
@Tag("postgresql")
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class PipelineGapsPostgresTest extends PipelineGapsTest {

	@Override
	protected int rounds() {
		return 150;
	}
}
