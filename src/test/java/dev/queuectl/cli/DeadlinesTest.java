package dev.queuectl.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.queuectl.job.Claim;
import dev.queuectl.service.JobService;
import dev.queuectl.job.RetryPolicy;
import dev.queuectl.job.RunResult;
import dev.queuectl.store.WorkerStore;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 26's deadlines and retries by exit code, in-process: enqueue's fields and their refusals,
 * the claim that passes over an expired job, the sweep that cancels it and its dependents, the
 * retry not made past a deadline, and failed runs routed by retry_on / no_retry_on (from the job or
 * from config). A worker's side is played by calling {@link WorkerStore} as a worker host does.
 * On PostgreSQL deadlines are on the server's clock: a test waits out a real second where SQLite's
 * moves the test clock.
 */
class DeadlinesTest extends CommandTestSupport {

	@Autowired
	WorkerStore workers;

	@Autowired
	JobService jobs;

	private String state(String id) {
		return this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, id);
	}

	private String lastError(String id) {
		return this.jdbc.queryForObject("SELECT last_error FROM jobs WHERE id = ?", String.class, id);
	}

	private List<Claim> claim(int n) {
		return this.workers.claim("w1", List.of(), n, this.clock.instant(), Duration.ofSeconds(30));
	}

	private Claim claimOnly(String id) {
		List<Claim> claimed = claim(100);
		assertThat(claimed).extracting(Claim::jobId).containsExactly(id);
		return claimed.get(0);
	}

	/** Records a claimed job's run as a worker host does (backoff-base 60, no jitter). */
	private void finish(Claim c, String outcome, Integer exit) {
		Instant now = this.clock.instant();
		RunResult r = new RunResult(outcome, exit, null, now, 5, outcome + " (exit " + exit + ")", null, null);
		this.workers.settleAndClaim(List.of(new WorkerStore.Outcome(c, r, false)), "w1",
				new RetryPolicy.Backoff(60, Duration.ofHours(2), 0), List.of(), 0, now, Duration.ofSeconds(30));
	}

	/** Moves past a job's deadline: the test clock on SQLite, the server's (by waiting) on PostgreSQL. */
	private void passDeadlineOf(String id) {
		passDeadline(this.jdbc.queryForObject("SELECT start_by FROM jobs WHERE id = ?", Long.class, id));
	}

	/** Moves past a deadline (2 s ahead at most, on the clock it was stored on). */
	private void passDeadline(long startBy) {
		this.clock.set(this.clock.instant().plusSeconds(2));
		if (this.database.isPostgres()) {
			await().atMost(Duration.ofSeconds(10)).until(() -> this.jdbc.queryForObject(
					"SELECT CAST(? AS BIGINT) < CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)", Boolean.class,
					startBy));
		}
	}

	@Test
	void aJobNotStartedByItsDeadlineIsNeverClaimedAndTheSweepCancelsItAndItsDependents() {
		enqueue("{\"id\":\"late\",\"command\":\"true\",\"start_within\":\"1s\"}");
		enqueue("{\"id\":\"next\",\"command\":\"true\",\"after\":\"late\"}");
		enqueue("{\"id\":\"plain\",\"command\":\"true\"}");
		assertThat(this.jobs.expireDeadlines()).as("not yet expired").isZero();
		passDeadlineOf("late");

		claimOnly("plain"); // the claim passes over the expired job before any sweep
		assertThat(state("late")).isEqualTo("pending");
		assertThat(this.workers.hasRunnable(List.of(), this.clock.instant())).isFalse();

		assertThat(this.jobs.expireDeadlines()).isEqualTo(1);
		assertThat(state("late")).isEqualTo("canceled");
		assertThat(lastError("late")).startsWith("expired: not started by its deadline 20");
		assertThat(state("next")).isEqualTo("canceled");
		assertThat(lastError("next")).isEqualTo("canceled: job late, which it runs after, ended canceled");
		assertThat(this.jobs.expireDeadlines()).as("each job expires once").isZero();
	}

	@Test
	void aWaitingJobAndAJobWaitingForARetryExpireToo() {
		enqueue("{\"id\":\"first\",\"command\":\"sleep 1\"}");
		enqueue("{\"id\":\"waits\",\"command\":\"true\",\"after\":\"first\",\"start_within\":\"1s\"}");
		enqueue("{\"id\":\"retries\",\"command\":\"false\",\"start_within\":\"1h\",\"max_retries\":3}");
		List<Claim> both = claim(10);
		assertThat(both).extracting(Claim::jobId).containsExactlyInAnyOrder("first", "retries");
		finish(both.stream().filter(c -> c.jobId().equals("retries")).findFirst().orElseThrow(), "failed", 1);
		assertThat(state("retries")).isEqualTo("failed");
		this.jdbc.update("UPDATE jobs SET start_by = start_by - 3600000 + 1000 WHERE id = 'retries'"); // due in 1 s now
		passDeadlineOf("waits");
		passDeadlineOf("retries");

		assertThat(this.jobs.expireDeadlines()).isEqualTo(2);
		assertThat(state("waits")).isEqualTo("canceled");
		assertThat(state("retries")).isEqualTo("canceled");
		assertThat(state("first")).as("a running job has started: its deadline is met").isEqualTo("processing");
	}

	@Test
	void aRetryThatWouldStartAfterTheDeadlineIsNotMadeAndTheJobEndsDeadSayingSo() {
		enqueue("{\"id\":\"d\",\"command\":\"false\",\"start_within\":\"1h\",\"max_retries\":5}");
		finish(claimOnly("d"), "failed", 1); // retry 1 waits 60 s: within the hour
		assertThat(state("d")).isEqualTo("failed");
		run("run-now", "d").ok();
		this.clock.set(this.clock.instant().plusSeconds(1));
		finish(claimOnly("d"), "failed", 1); // retry 2 would wait 3600 s: past the deadline
		assertThat(state("d")).isEqualTo("dead");
		assertThat(lastError("d")).contains("not retried: its next start at", "would be after its deadline");
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM job_runs WHERE job_id = 'd'", Integer.class)).isEqualTo(2);
	}

	@Test
	void exitCodesInNoRetryOnEndTheJobDeadAfterOneAttemptAndOthersAreRetried() {
		enqueue("{\"id\":\"bad-input\",\"command\":\"exit 2\",\"no_retry_on\":[2,64],\"max_retries\":3}");
		enqueue("{\"id\":\"flaky\",\"command\":\"exit 3\",\"no_retry_on\":[2,64],\"max_retries\":3}");
		for (Claim c : claim(10)) {
			finish(c, "failed", c.jobId().equals("bad-input") ? 2 : 3);
		}
		assertThat(state("bad-input")).isEqualTo("dead");
		assertThat(lastError("bad-input")).endsWith("; not retried: exit 2 is in no_retry_on [2,64]");
		assertThat(this.jdbc.queryForObject("SELECT error FROM job_runs WHERE job_id = 'bad-input'", String.class))
			.endsWith("not retried: exit 2 is in no_retry_on [2,64]");
		assertThat(state("flaky")).isEqualTo("failed");
	}

	@Test
	void retryOnRetriesOnlyItsCodesAndTimeoutRoutesARunKilledByItsTimeout() {
		enqueue("{\"id\":\"busy\",\"command\":\"exit 75\",\"retry_on\":[75],\"max_retries\":3}");
		enqueue("{\"id\":\"broken\",\"command\":\"exit 1\",\"retry_on\":[75],\"max_retries\":3}");
		enqueue("{\"id\":\"slow\",\"command\":\"sleep 9\",\"retry_on\":[\"timeout\"],\"max_retries\":3}");
		enqueue("{\"id\":\"hung\",\"command\":\"sleep 9\",\"no_retry_on\":[\"timeout\"],\"max_retries\":3}");
		for (Claim c : claim(10)) {
			switch (c.jobId()) {
				case "busy" -> finish(c, "failed", 75);
				case "broken" -> finish(c, "failed", 1);
				default -> finish(c, "timeout", null);
			}
		}
		assertThat(state("busy")).isEqualTo("failed");
		assertThat(state("broken")).isEqualTo("dead");
		assertThat(lastError("broken")).endsWith("not retried: exit 1 is not in retry_on [75]");
		assertThat(state("slow")).isEqualTo("failed");
		assertThat(state("hung")).isEqualTo("dead");
		assertThat(lastError("hung")).endsWith("not retried: a timeout is in no_retry_on [timeout]");
	}

	@Test
	void configRetryOnIsTheRuleOfJobsThatNameNoneAndBothSettingsAreNeverSetTogether() {
		assertThat(run("config", "set", "retry-on", "111, 75").ok().out()).isEqualTo("75,111\n");
		run("config", "set", "no-retry-on", "2").usageError("either retry-on or no-retry-on, not both");
		enqueue("{\"id\":\"default\",\"command\":\"exit 1\"}");
		enqueue("{\"id\":\"own\",\"command\":\"exit 1\",\"no_retry_on\":[2]}");
		for (Claim c : claim(10)) {
			finish(c, "failed", 1);
		}
		assertThat(state("default")).isEqualTo("dead");
		assertThat(state("own")).as("the job's own rule wins").isEqualTo("failed");
		run("config", "set", "retry-on", "none").ok();
		run("config", "set", "no-retry-on", "2,timeout").ok();
		run("config", "set", "retry-on", "300").usageError("invalid value '300' for retry-on");
		run("config", "set", "backoff-jitter", "51").usageError("(0-50)");
		assertThat(run("config", "set", "backoff-jitter", "20%").ok().out()).isEqualTo("20\n");
	}

	@Test
	void showJsonAndTheApiFieldsGiveTheDeadlineAndTheRetryRule() {
		enqueue("{\"id\":\"r\",\"command\":\"true\",\"start_by\":\"2031-03-05T09:00:00Z\",\"retry_on\":[111,75,\"timeout\"]}");
		var json = run("show", "r", "--json").ok().json();
		assertThat(json.get("start_by").asString()).isEqualTo("2031-03-05T09:00:00Z");
		assertThat(json.get("retry_on").toString()).isEqualTo("[75,111,\"timeout\"]");
		assertThat(json.get("no_retry_on").isNull()).isTrue();
		assertThat(run("show", "r").ok().out()).contains("start_by", "2031-03-05T09:00:00Z", "retry_on", "[75, 111, timeout]");
	}

	@Test
	void badDeadlinesAndRetryListsAreRefusedWithOneLineAndNothingIsStored() {
		String[][] cases = {
				{ "{\"command\":\"x\",\"retry_on\":[75],\"no_retry_on\":[2]}", "either 'retry_on' or 'no_retry_on', not both" },
				{ "{\"command\":\"x\",\"start_by\":\"2020-01-01T00:00:00Z\"}", "field 'start_by' is in the past" },
				{ "{\"command\":\"x\",\"start_by\":\"2032-01-01T00:00:00Z\",\"start_within\":\"1h\"}", "either 'start_by' or 'start_within'" },
				{ "{\"command\":\"x\",\"start_by\":\"tomorrow\"}", "field 'start_by' must be an ISO-8601 time" },
				{ "{\"command\":\"x\",\"start_within\":\"0s\"}", "field 'start_within' must be a positive duration" },
				{ "{\"command\":\"x\",\"start_within\":\"1h\",\"delay\":\"2h\"}", "after its 'start_within': it could never start" },
				{ "{\"command\":\"x\",\"retry_on\":[256]}", "field 'retry_on' must be a non-empty array of exit codes 0-255", "got 256" },
				{ "{\"command\":\"x\",\"retry_on\":[-1]}", "got -1" },
				{ "{\"command\":\"x\",\"no_retry_on\":[\"often\"]}", "field 'no_retry_on'", "got \"often\"" },
				{ "{\"command\":\"x\",\"no_retry_on\":[]}", "field 'no_retry_on' must be a non-empty array" },
				{ "{\"command\":\"x\",\"retry_on\":75}", "got a number" },
				{ "{\"command\":\"x\",\"retry_on\":[1.5]}", "got 1.5" } };
		for (String[] c : cases) {
			run("enqueue", c[0]).usageError(java.util.Arrays.copyOfRange(c, 1, c.length));
		}
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs", Long.class)).isZero();
	}

	@Test
	void dlqRetryOfAJobThatDiedAtItsDeadlineRunsItWithoutOne() {
		enqueue("{\"id\":\"d\",\"command\":\"false\",\"start_within\":\"1s\",\"max_retries\":5}");
		long deadline = this.jdbc.queryForObject("SELECT start_by FROM jobs WHERE id = 'd'", Long.class);
		finish(claimOnly("d"), "failed", 1); // retry 1 would wait 60 s: past the deadline
		assertThat(state("d")).isEqualTo("dead");
		run("dlq", "retry", "d").ok();
		assertThat(state("d")).isEqualTo("pending");
		assertThat(this.jdbc.queryForObject("SELECT start_by FROM jobs WHERE id = 'd'", Long.class)).isNull();
		passDeadline(deadline);
		assertThat(this.jobs.expireDeadlines()).isZero();
		claimOnly("d");
	}

	@Test
	void aSchedulesJobMayNameStartWithinButNotStartBy() {
		run("schedule", "add", "s", "--every", "1h", "{\"command\":\"true\",\"start_by\":\"2032-01-01T00:00:00Z\"}")
			.usageError("field 'start_by' has no place in a schedule's job", "use 'start_within'");
		run("schedule", "add", "s", "--every", "1h", "{\"command\":\"true\",\"start_within\":\"10m\"}").ok();
	}
}
