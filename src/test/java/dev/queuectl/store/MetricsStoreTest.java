package dev.queuectl.store;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.queuectl.cli.CommandTestSupport;
import dev.queuectl.job.JobState;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The metrics gauges as {@link MetricsStore} reads them: each queue's oldest due job across its
 * priorities and states, jobs not due, running or finished left out, found by seeks whatever the
 * backlog. {@link MetricsStorePostgresTest} runs the same on PostgreSQL.
 */
class MetricsStoreTest extends CommandTestSupport {

	@Autowired
	MetricsStore metrics;

	/** Now in the frame run_at is stored in: the test clock on SQLite, the server's on PostgreSQL. */
	private long now() {
		return this.database.isPostgres()
				? this.jdbc.queryForObject("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)", Long.class)
				: this.clock.millis();
	}

	private void job(String id, String queue, int priority, String state, long runAt) {
		enqueue("{\"id\":\"" + id + "\",\"command\":\"true\",\"queue\":\"" + queue + "\",\"priority\":" + priority + "}");
		this.jdbc.update("UPDATE jobs SET state = ?, run_at = ? WHERE id = ?", state, runAt, id);
	}

	@Test
	void eachQueuesOldestDueJobIsFoundAcrossItsPrioritiesAndStates() {
		long now = now();
		job("a-high", "a", 5, "pending", now - 10_000);
		job("a-failed", "a", 0, "failed", now - 60_000); // a retry due a minute ago: the oldest of a
		job("a-later", "a", -3, "pending", now + 60_000);
		job("b-later", "b", 9, "pending", now + 5_000); // b's highest priority is not due
		job("b-due", "b", 1, "pending", now - 20_000);
		job("b-running", "b", 1, "processing", now - 500_000);
		job("b-done", "b", 1, "completed", now - 900_000);
		job("c-later", "c", 0, "pending", now + 1_000); // c has nothing due
		job("d-high", "d", 7, "pending", now - 30_000);
		job("d-low", "d", -7, "pending", now - 90_000); // the lowest priority holds the oldest

		Map<String, Duration> oldest = this.metrics.read(this.clock.instant(), Duration.ofSeconds(30)).oldestDue();

		assertThat(oldest).containsOnlyKeys("a", "b", "d");
		// PostgreSQL's clock moved on between now() and the read
		long slack = this.database.isPostgres() ? 5_000 : 0;
		assertThat(oldest.get("a").toMillis()).isCloseTo(60_000, within(slack));
		assertThat(oldest.get("b").toMillis()).isCloseTo(20_000, within(slack));
		assertThat(oldest.get("d").toMillis()).isCloseTo(90_000, within(slack));
	}

	@Test
	void jobsPerQueueAndStateAndNoneDueOnAnEmptyQueue() {
		assertThat(this.metrics.read(this.clock.instant(), Duration.ofSeconds(30)).oldestDue()).isEmpty();
		long now = now();
		job("x1", "x", 0, "pending", now - 1_000);
		job("x2", "x", 0, "dead", now - 1_000);

		MetricsStore.Snapshot s = this.metrics.read(this.clock.instant(), Duration.ofSeconds(30));

		assertThat(s.jobs().get("x")).containsExactlyInAnyOrderEntriesOf(Map.of(JobState.PENDING, 1L, JobState.DEAD, 1L));
		assertThat(s.oldestDue()).containsOnlyKeys("x");
	}

	@Test
	void theOldestDueReadSeeksTheIndexAndScansNoJobs() {
		if (this.database.isPostgres()) {
			return; // the plan is SQLite's to show; PostgreSQL's twin checks the answers
		}
		for (int i = 0; i < 50; i++) { // a backlog the old GROUP BY read row by row
			job("p" + i, "q" + i % 3, i % 4, "pending", this.clock.millis() - i);
		}
		// EXPLAIN QUERY PLAN's fourth column is the detail
		List<String> details = this.jdbc.query("EXPLAIN QUERY PLAN " + this.metrics.sql(), (rs, i) -> rs.getString(4),
				(Object[]) argsOf(this.clock.millis(), 30_000));
		// one ordered read of the index's first entry (LIMIT 1) finds the first queue; every other read is a search
		assertThat(details).as(String.join("\n", details)).filteredOn(d -> d.matches("SCAN (jobs|j|k)( .*)?"))
			.containsExactly("SCAN j USING INDEX jobs_runnable_by_queue");
		assertThat(details).anyMatch(d -> d.contains("USING COVERING INDEX jobs_runnable_by_queue")
				|| d.contains("USING INDEX jobs_runnable_by_queue"));
	}

	private static Object[] argsOf(long now, long lease) {
		return new Object[] { now, now, now, lease };
	}
}
