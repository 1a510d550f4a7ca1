package dev.queuectl.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.queuectl.job.Claim;
import dev.queuectl.job.RunResult;
import dev.queuectl.service.RetentionService;
import dev.queuectl.store.NotificationStore;
import dev.queuectl.store.WorkerStore;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Notifications (issue 27) through the commands, in-process: the settings that make them, the
 * outbox rows the state changes write (a worker's side played by calling {@link WorkerStore} as a
 * host does), and notify list / retry. Delivery itself is tested with real hosts (NotifyIT).
 */
class NotifyCommandsTest extends CommandTestSupport {

	@Autowired
	WorkerStore workers;

	@Autowired
	NotificationStore notifications;

	@Autowired
	RetentionService retention;

	@BeforeEach
	void noNotifications() {
		this.jdbc.update("DELETE FROM notifications");
		this.notifications.target(java.util.Set.of(), java.util.Set.of());
	}

	/** Claims job {@code id} and records its run as failed (exit 1) or completed. */
	private void runOnce(String id, boolean fails) {
		Instant now = this.clock.instant();
		List<Claim> claimed = this.workers.claim("w1", List.of(), 1, now, Duration.ofSeconds(30));
		assertThat(claimed).extracting(Claim::jobId).containsExactly(id);
		RunResult r = fails ? new RunResult("failed", 1, null, now, 5, "exit code 1", null, null)
				: new RunResult("completed", 0, null, now, 5, null, null, null);
		this.workers.settleAndClaim(List.of(new WorkerStore.Outcome(claimed.get(0), r, false)), "w1", 2,
				Duration.ofHours(1), List.of(), 0, now, Duration.ofSeconds(30));
	}

	/** Whether SQLite's outbox trigger exists (call on SQLite only). */
	private boolean outboxTrigger() {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM sqlite_master WHERE name = 'notifications_on_state'", Long.class) == 1;
	}

	/** Makes a job waiting for its retry due (on PostgreSQL its due time is on the server's clock). */
	private void dueNow(String id) {
		this.jdbc.update("UPDATE jobs SET run_at = 0 WHERE id = ?", id);
	}

	private JsonNode list(String... more) {
		String[] words = new String[more.length + 3];
		words[0] = "notify";
		words[1] = "list";
		words[2] = "--json";
		System.arraycopy(more, 0, words, 3, more.length);
		return run(words).ok().json();
	}

	@Test
	void aNotifyUrlThatIsNotHttpIsRefusedWithOneLineAndNothingStored() {
		for (String bad : List.of("ftp://example.com/hook", "example.com/hook", "file:///etc/passwd", "http://")) {
			run("config", "set", "notify-url", bad).usageError("notify-url", "http");
		}
		run("config", "get", "notify-url").ok();
		assertThat(run("config", "get", "notify-url").out().strip()).isEqualTo("none");
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM notify_targets", Long.class)).isZero();
		run("config", "set", "notify-on", "dead,exploded").usageError("notify-on");
	}

	@Test
	void theOutboxIsWrittenFromTheFirstChangeAfterATargetIsSetUntilItIsUnsetAndOnSqliteNoTriggerRunsWithout() {
		boolean sqlite = !this.database.isPostgres(); // PostgreSQL keeps V11's trigger, its WHEN evaluated first
		assertThat(sqlite && outboxTrigger()).as("no target: no trigger for finished jobs to run").isFalse();
		run("config", "set", "notify-url", "http://127.0.0.1:9/hook").ok();
		assertThat(!sqlite || outboxTrigger()).as("notify-on dead by default, a url set").isTrue();
		enqueue("{\"id\":\"first\",\"command\":\"false\",\"max_retries\":0}");
		runOnce("first", true);
		assertThat(list()).extracting(n -> n.get("job_id").asString()).containsExactly("first");
		run("config", "set", "notify-url", "none").ok();
		assertThat(sqlite && outboxTrigger()).isFalse();
		enqueue("{\"id\":\"second\",\"command\":\"false\",\"max_retries\":0}");
		runOnce("second", true);
		assertThat(list()).extracting(n -> n.get("job_id").asString()).containsExactly("first");
	}

	@Test
	void noTargetMeansNoNotificationEvenForADeadJob() {
		enqueue("{\"id\":\"quiet\",\"command\":\"false\",\"max_retries\":0}");
		runOnce("quiet", true);
		assertThat(this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = 'quiet'", String.class)).isEqualTo("dead");
		assertThat(list()).isEmpty();
	}

	@Test
	void aDeadJobMakesOneNotificationPerTargetInTheTransactionOfItsDeath() {
		run("config", "set", "notify-url", "http://127.0.0.1:9/hook").ok();
		run("config", "set", "notify-command", "cat > /dev/null").ok();
		enqueue("{\"id\":\"doomed\",\"command\":\"false\",\"max_retries\":1}");
		runOnce("doomed", true); // failed, a retry to come: not notified by default
		assertThat(list()).isEmpty();
		dueNow("doomed");
		runOnce("doomed", true);
		JsonNode all = list();
		assertThat(all).hasSize(2);
		for (JsonNode n : all) {
			assertThat(n.get("job_id").asString()).isEqualTo("doomed");
			assertThat(n.get("event").asString()).isEqualTo("dead");
			assertThat(n.get("attempt").asInt()).isEqualTo(2);
			assertThat(n.get("status").asString()).isEqualTo("pending");
			assertThat(n.get("idempotency_key").asString()).matches("doomed:2:dead:\\d+");
		}
		assertThat(all).extracting(n -> n.get("channel").asString()).containsExactlyInAnyOrder("url", "command");
	}

	@Test
	void notifyOnChoosesTheEndsThatNotifyRetriesCancelsAndCompletionsAmongThem() {
		run("config", "set", "notify-url", "https://hooks.example.com/q").ok();
		run("config", "set", "notify-on", "retry, completed canceled").ok();
		assertThat(run("config", "get", "notify-on").ok().out().strip()).isEqualTo("canceled,completed,retry");
		enqueue("{\"id\":\"a\",\"command\":\"x\",\"max_retries\":1}");
		runOnce("a", true);
		dueNow("a");
		runOnce("a", false);
		enqueue("{\"id\":\"b\",\"command\":\"x\"}");
		run("cancel", "b").ok();
		assertThat(list()).extracting(n -> n.get("job_id").asString() + " " + n.get("event").asString())
			.containsExactly("b canceled", "a completed", "a retry");
		run("config", "set", "notify-url", "none").ok();
		enqueue("{\"id\":\"c\",\"command\":\"x\"}");
		run("cancel", "c").ok();
		assertThat(list()).hasSize(3);
	}

	@Test
	void aFailedNotificationIsRetriedByIdOrAllAndOthersAreRefused() {
		run("config", "set", "notify-url", "http://127.0.0.1:9/hook").ok();
		run("config", "set", "notify-on", "canceled").ok();
		enqueue("{\"id\":\"gone\",\"command\":\"x\"}");
		run("cancel", "gone").ok();
		long id = list().get(0).get("id").asLong();
		run("notify", "retry", Long.toString(id)).fails(2, "notification " + id + " is pending, not failed");
		run("notify", "retry", "999999").fails(3, "no such notification: 999999");
		run("notify", "retry", "x1").usageError("a notification id is a number");
		run("notify", "retry").usageError("notify retry needs a notification id or --all");
		this.jdbc.update("UPDATE notifications SET failed_at = created_at, tries = 20, error = 'HTTP 500'");
		assertThat(list("--failed")).hasSize(1);
		assertThat(run("notify", "list").ok().out()).contains("failed", "HTTP 500", "gone");
		assertThat(run("notify", "retry", Long.toString(id)).ok().out()).contains("notification " + id + " to deliver again");
		JsonNode again = list().get(0);
		assertThat(again.get("status").asString()).isEqualTo("pending");
		assertThat(again.get("tries").asInt()).isZero();
		this.jdbc.update("UPDATE notifications SET failed_at = created_at");
		assertThat(run("notify", "retry", "--all").ok().out()).startsWith("1 notification(s)");
		assertThat(list("--failed")).isEmpty();
	}

	@Test
	void notifyListSaysItsTimeColumnIsUtcAsTheOtherTablesDo() {
		run("config", "set", "notify-url", "http://127.0.0.1:9/hook").ok();
		run("config", "set", "notify-on", "canceled").ok();
		enqueue("{\"id\":\"zoned\",\"command\":\"x\"}");
		run("cancel", "zoned").ok();
		List<String> lines = run("notify", "list").ok().outLines();
		assertThat(lines.get(0)).as("issue 29: times in a table say their zone").contains("MADE (UTC)");
		assertThat(lines.get(1)).contains("zoned").containsPattern("  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  ");
	}

	@Test
	void retentionPrunesDeliveredNotificationsAndKeepsTheOthers() {
		run("config", "set", "notify-url", "http://127.0.0.1:9/hook").ok();
		run("config", "set", "notify-on", "canceled").ok();
		for (String id : List.of("j1", "j2")) {
			enqueue("{\"id\":\"" + id + "\",\"command\":\"x\"}");
			run("cancel", id).ok();
		}
		long old = this.clock.instant().minus(Duration.ofDays(8)).toEpochMilli();
		this.jdbc.update("UPDATE notifications SET delivered_at = ? WHERE job_id = 'j1'", old);
		assertThat(this.retention.pruneNotifications()).isEqualTo(1);
		assertThat(list()).extracting(n -> n.get("job_id").asString()).containsExactly("j2");
	}
}
