package dev.queuectl.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.queuectl.job.Claim;
import dev.queuectl.job.RunResult;
import dev.queuectl.store.WorkerStore;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gaps closed after issue 27, in-process (a host's side played by calling {@link WorkerStore}
 * as a host does): a new attempt starts without the last one's progress, whichever way it comes
 * (a retry, a lost attempt, a dlq retry); {@code status} counts the notifications given up on; each
 * event has an idempotency key of its own. The same tests run on PostgreSQL
 * ({@link TalkBackGapsPostgresTest}).
 */
class TalkBackGapsTest extends CommandTestSupport {

	@Autowired
	WorkerStore workers;

	@BeforeEach
	void noNotifications() {
		this.jdbc.update("DELETE FROM notifications");
		this.jdbc.update("DELETE FROM notify_targets");
	}

	private Claim claim(String id) {
		List<Claim> claimed = this.workers.claim("w1", List.of(), 1, this.clock.instant(), Duration.ofSeconds(30));
		assertThat(claimed).extracting(Claim::jobId).containsExactly(id);
		return claimed.get(0);
	}

	/** Records {@code c}'s run as failed (exit 1) or completed. */
	private void settle(Claim c, boolean fails) {
		Instant now = this.clock.instant();
		RunResult r = fails ? new RunResult("failed", 1, null, now, 5, "exit code 1", null, null)
				: new RunResult("completed", 0, null, now, 5, null, null, null);
		this.workers.settleAndClaim(List.of(new WorkerStore.Outcome(c, r, false)), "w1", 2, Duration.ofHours(1), List.of(), 0,
				now, Duration.ofSeconds(30));
	}

	/** Makes a job waiting for its retry due (on PostgreSQL its due time is on the server's clock). */
	private void dueNow(String id) {
		this.jdbc.update("UPDATE jobs SET run_at = 0 WHERE id = ?", id);
	}

	private JsonNode progress(String id) {
		return run("show", id, "--json").ok().json().get("progress");
	}

	private static boolean none(JsonNode n) {
		return n == null || n.isNull();
	}

	@Test
	void aRetriedJobsNextAttemptStartsWithoutTheProgressOfTheAttemptBefore() {
		enqueue("{\"id\":\"r1\",\"command\":\"false\",\"max_retries\":2}");
		Claim first = claim("r1");
		run("progress", "--job", "r1", "7/10", "almost").ok();
		assertThat(progress("r1").get("done").asLong()).isEqualTo(7);
		settle(first, true); // failed, a retry to come: its progress is forgotten in the same transaction
		assertThat(this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = 'r1'", String.class)).isEqualTo("failed");
		assertThat(none(progress("r1"))).as("progress after the retry's settle").isTrue();
		assertThat(run("list").ok().out()).doesNotContain("70%");
		dueNow("r1");
		Claim second = claim("r1");
		assertThat(second.attempt()).isEqualTo(2);
		assertThat(none(progress("r1"))).as("progress at the second attempt's start").isTrue();
		run("progress", "--job", "r1", "3/10").ok();
		dueNow("r1");
		settle(second, true);
		dueNow("r1");
		Claim third = claim("r1");
		run("progress", "--job", "r1", "9/10", "last words").ok();
		settle(third, true); // dead: no attempt follows, so the progress it reached is kept to be seen
		assertThat(this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = 'r1'", String.class)).isEqualTo("dead");
		assertThat(progress("r1").get("message").asString()).isEqualTo("last words");
		run("dlq", "retry", "r1").ok(); // a dead job put back starts afresh
		assertThat(none(progress("r1"))).as("progress after dlq retry").isTrue();
	}

	@Test
	void aCompletedJobKeepsItsProgressAndALostAttemptTakenBackForgetsIt() {
		enqueue("{\"id\":\"ok\",\"command\":\"true\"}");
		Claim c = claim("ok");
		run("progress", "--job", "ok", "100%").ok();
		settle(c, false);
		assertThat(progress("ok").get("done").asLong()).isEqualTo(100);

		enqueue("{\"id\":\"lost\",\"command\":\"sleep 1\",\"max_retries\":1}");
		claim("lost");
		run("progress", "--job", "lost", "5/9").ok();
		// its host stops renewing the lease: the reaper takes the attempt back, to run again
		this.clock.advance(Duration.ofMinutes(5));
		this.jdbc.update("UPDATE jobs SET lease_expires_at = 0 WHERE id = 'lost'");
		assertThat(this.workers.reapExpired(this.clock.instant())).containsExactly("lost");
		assertThat(this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = 'lost'", String.class)).isEqualTo("pending");
		assertThat(none(progress("lost"))).isTrue();
	}

	@Test
	void statusCountsNotificationsGivenUpOnInTextJsonAndTheApiOnlyWhenThereAreAny() {
		assertThat(run("status").ok().out()).doesNotContain("notification");
		assertThat(run("status", "--json").ok().json().get("notifications_failed").asLong()).isZero();
		run("config", "set", "notify-url", "http://127.0.0.1:9/hook").ok();
		for (String id : List.of("d1", "d2", "d3")) {
			enqueue("{\"id\":\"" + id + "\",\"command\":\"false\",\"max_retries\":0}");
			settle(claim(id), true);
		}
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM notifications", Long.class)).isEqualTo(3);
		assertThat(run("status").ok().out()).doesNotContain("notification"); // pending ones are not failures
		// two given up on (notify-retry-for passed), one of them delivered after a notify retry
		this.jdbc.update("UPDATE notifications SET failed_at = 1, tries = 30, error = 'HTTP 500' WHERE job_id IN ('d1', 'd2')");
		String text = run("status").ok().out();
		assertThat(text).contains("2 notification(s) failed").contains("notify list --failed");
		assertThat(run("status", "--json").ok().json().get("notifications_failed").asLong()).isEqualTo(2);
		this.jdbc.update("UPDATE notifications SET delivered_at = 2 WHERE job_id = 'd1'");
		assertThat(run("status", "--json").ok().json().get("notifications_failed").asLong()).isEqualTo(1);
		assertThat(run("status").ok().out()).contains("1 notification(s) failed");
	}

	@Test
	void aRetrysNotificationAndACancelOfTheSameAttemptHaveKeysOfTheirOwn() {
		run("config", "set", "notify-url", "http://127.0.0.1:9/hook").ok();
		run("config", "set", "notify-on", "retry,canceled,dead").ok();
		enqueue("{\"id\":\"k1\",\"command\":\"false\",\"max_retries\":1}");
		settle(claim("k1"), true); // attempt 1 failed, a retry to come
		this.clock.advance(Duration.ofMillis(5));
		run("cancel", "k1").ok(); // canceled while it waits out the backoff: still attempt 1
		enqueue("{\"id\":\"k2\",\"command\":\"false\",\"max_retries\":0}");
		settle(claim("k2"), true); // dead at attempt 1
		this.clock.advance(Duration.ofMillis(5));
		run("dlq", "retry", "k2").ok();
		settle(claim("k2"), true); // dead at attempt 1 again
		List<Map<String, Object>> rows = this.jdbc.queryForList("SELECT job_id, attempt, state FROM notifications ORDER BY id");
		assertThat(rows).extracting(r -> r.get("job_id") + ":" + r.get("attempt") + ":" + r.get("state"))
			.containsExactly("k1:1:failed", "k1:1:canceled", "k2:1:dead", "k2:1:dead");
		JsonNode all = run("notify", "list", "--json").ok().json();
		List<String> keys = new java.util.ArrayList<>();
		all.forEach(n -> keys.add(n.get("idempotency_key").asString()));
		assertThat(keys).hasSize(4).doesNotHaveDuplicates();
		assertThat(keys).anyMatch(k -> k.matches("k1:1:failed:\\d+")).anyMatch(k -> k.matches("k1:1:canceled:\\d+"));
		assertThat(keys.stream().filter(k -> k.matches("k2:1:dead:\\d+"))).hasSize(2);
	}
}
