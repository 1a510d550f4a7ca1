package dev.queuectl.store;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.queuectl.cli.CommandTestSupport;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.job.Job;
import dev.queuectl.service.JobService;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The dashboard's Scheduled and Retries views (issue 29) as {@link JobStore#waitingPage} reads
 * them: only jobs of their state (Scheduled: not due yet), soonest first across priorities, page by
 * page through the (run_at, id) cursor. {@link WaitingPagePostgresTest} runs the same on PostgreSQL.
 */
class WaitingPageTest extends CommandTestSupport {

	@Autowired
	JobService jobs;

	private List<String> all(String view, int limit) {
		List<String> seen = new ArrayList<>();
		String after = null;
		do {
			JobService.Page page = this.jobs.waiting(view, after, limit);
			page.jobs().stream().map(Job::id).forEach(seen::add);
			after = page.next();
		}
		while (after != null);
		return seen;
	}

	@Test
	void theScheduledViewHoldsThePendingJobsNotDueYetSoonestFirstAcrossPrioritiesPageByPage() {
		enqueue("{\"id\":\"due\",\"command\":\"true\",\"priority\":9}");
		enqueue("{\"id\":\"in2h\",\"command\":\"true\",\"delay\":\"2h\",\"priority\":5}");
		enqueue("{\"id\":\"in1h\",\"command\":\"true\",\"delay\":\"1h\"}");
		enqueue("{\"id\":\"in3h\",\"command\":\"true\",\"delay\":\"3h\",\"priority\":-2}");
		enqueue("{\"id\":\"in3h-b\",\"command\":\"true\",\"delay\":\"3h\",\"priority\":7}");
		assertThat(all("scheduled", 50)).containsExactly("in1h", "in2h", "in3h", "in3h-b");
		assertThat(all("scheduled", 1)).containsExactly("in1h", "in2h", "in3h", "in3h-b");
		assertThat(all("scheduled", 3)).containsExactly("in1h", "in2h", "in3h", "in3h-b");
		assertThat(all("retries", 50)).isEmpty();
	}

	@Test
	void theRetriesViewHoldsEveryFailedJobNextAttemptFirst() {
		for (String id : List.of("f1", "f2", "f3", "p1")) {
			enqueue("{\"id\":\"" + id + "\",\"command\":\"false\",\"priority\":" + id.charAt(1) + "}");
		}
		long now = this.clock.instant().toEpochMilli();
		this.jdbc.update("UPDATE jobs SET state = 'failed', attempts = 1, run_at = ? WHERE id = 'f1'", now + 60_000);
		this.jdbc.update("UPDATE jobs SET state = 'failed', attempts = 1, run_at = ? WHERE id = 'f2'", now - 5_000); // due, not claimed yet
		this.jdbc.update("UPDATE jobs SET state = 'failed', attempts = 2, run_at = ? WHERE id = 'f3'", now + 30_000);
		assertThat(all("retries", 50)).containsExactly("f2", "f3", "f1");
		assertThat(all("retries", 2)).containsExactly("f2", "f3", "f1");
	}

	@Test
	void anUnknownViewOrCursorIsRefusedWithOneLine() {
		assertThatThrownBy(() -> this.jobs.waiting("dead", null, 50)).isInstanceOf(QueuectlException.class)
			.hasMessage("view must be scheduled or retries, got 'dead'");
		assertThatThrownBy(() -> this.jobs.waiting("retries", "x", 50)).isInstanceOf(QueuectlException.class)
			.hasMessage("after must be the 'next' of a page before, got 'x'");
		assertThatThrownBy(() -> this.jobs.waiting("retries", null, 0)).isInstanceOf(QueuectlException.class)
			.hasMessage("--limit must be from 1 to 1000, got 0");
	}
}
