package dev.queuectl.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.queuectl.job.JobState;
import dev.queuectl.store.WorkerStore;
import dev.queuectl.job.Claim;
import dev.queuectl.job.RunResult;
import org.springframework.beans.factory.annotation.Autowired;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * cancel, dependencies, unique keys, queue pause and limits, wait and the dlq's bulk commands,
 * in-process: a worker's side is played by calling {@link WorkerStore} as a worker host does.
 */
class ControlCommandsTest extends CommandTestSupport {

	@Autowired
	WorkerStore workers;

	private String state(String id) {
		return this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, id);
	}

	private List<Claim> claim(int n) {
		return this.workers.claim("w1", List.of(), n, this.clock.instant(), Duration.ofSeconds(30));
	}

	/** Records a claimed job's run as a worker host does: completed for exit 0, else failed by the retry policy. */
	private void finish(Claim c, int exit) {
		Instant now = this.clock.instant();
		RunResult r = new RunResult(exit == 0 ? "completed" : "failed", exit, null, now, 5,
				exit == 0 ? null : "exit code " + exit, null, null);
		this.workers.settleAndClaim(List.of(new WorkerStore.Outcome(c, r, false)), "w1", 2, Duration.ofHours(1),
				List.of(), 0, now, Duration.ofSeconds(30));
	}

	private Claim claimOnly(String id) {
		List<Claim> claimed = claim(100);
		assertThat(claimed).extracting(Claim::jobId).containsExactly(id);
		return claimed.get(0);
	}

	// ---- cancel

	@Test
	void cancelEndsJobsThatHaveNotStartedAndRefusesFinishedOnes() {
		String a = enqueue("{\"id\":\"a\",\"command\":\"true\"}");
		enqueue("{\"id\":\"b\",\"command\":\"true\"}");
		Result r = run("cancel", a).ok();
		assertThat(r.out()).isEqualTo("a canceled\n");
		assertThat(state("a")).isEqualTo("canceled");
		Claim b = claimOnly("b");

		run("cancel", "a").usageError("job a is canceled");
		run("cancel", "nope").fails(3, "no such job: nope");
		finish(b, 0);
		run("cancel", "b").usageError("job b is completed");
	}

	@Test
	void cancelOfARunningJobAsksItsHostAndTheHostRecordsItCanceledWithoutRetry() {
		enqueue("{\"id\":\"r\",\"command\":\"sleep 100\",\"max_retries\":5}");
		Claim c = claimOnly("r");
		assertThat(run("cancel", "r").ok().out()).contains("r canceling");
		assertThat(state("r")).isEqualTo("processing");
		assertThat(this.workers.cancelRequested("w1")).containsExactly("r");
		assertThat(run("list").ok().out()).contains("canceling");

		// the host killed it: exit 143 (SIGTERM) is recorded as canceled, not as a failure to retry
		Instant now = this.clock.instant();
		RunResult killed = new RunResult("canceled", 143, 15, now, 50, "canceled by user", "partial", null);
		this.workers.settleAndClaim(List.of(new WorkerStore.Outcome(c, killed, false)), "w1", 2, Duration.ofHours(1),
				List.of(), 0, now, Duration.ofSeconds(30));
		assertThat(state("r")).isEqualTo("canceled");
		assertThat(this.jdbc.queryForObject("SELECT outcome FROM job_runs WHERE job_id = 'r'", String.class))
			.isEqualTo("canceled");
		assertThat(claim(10)).isEmpty();
	}

	@Test
	void aRunningJobWhoseCancelWasAskedButThatEndedOnItsOwnIsRecordedAsItEndedAndNotRetried() {
		enqueue("{\"id\":\"done\",\"command\":\"true\",\"max_retries\":5}");
		enqueue("{\"id\":\"broke\",\"command\":\"false\",\"max_retries\":5}");
		List<Claim> both = claim(10);
		assertThat(both).hasSize(2);
		run("cancel", "done", "broke").ok();

		for (Claim c : both) {
			finish(c, c.jobId().equals("done") ? 0 : 3); // each exited before the signal reached it
		}
		assertThat(state("done")).isEqualTo("completed");
		assertThat(this.jdbc.queryForObject("SELECT exit_code FROM jobs WHERE id = 'done'", Integer.class)).isZero();
		assertThat(state("broke")).as("asked to cancel: not retried, but not called canceled either").isEqualTo("dead");
		assertThat(this.jdbc.queryForObject("SELECT last_error FROM jobs WHERE id = 'broke'", String.class))
			.isEqualTo("exit code 3; not retried: its cancel was asked");
		assertThat(this.jdbc.queryForObject("SELECT outcome FROM job_runs WHERE job_id = 'broke'", String.class))
			.isEqualTo("failed");
		assertThat(claim(10)).isEmpty();
	}

	@Test
	void cancelWaitPrintsEachOutcomeAndExitsZeroOnlyWhenAllWereCanceled() throws Exception {
		enqueue("{\"id\":\"idle\",\"command\":\"true\",\"delay\":\"1h\"}");
		Result idle = run("cancel", "--wait", "idle").ok();
		assertThat(idle.out()).isEqualTo("idle canceled\n");

		enqueue("{\"id\":\"r\",\"command\":\"sleep 100\"}");
		Claim c = claimOnly("r");
		Result late = run("cancel", "--wait", "--timeout", "300ms", "r");
		assertThat(late.code()).isEqualTo(124);
		assertThat(late.out()).isEqualTo("r still canceling\n");
		Thread host = new Thread(() -> {
			try {
				Thread.sleep(500);
			}
			catch (InterruptedException ex) {
				return;
			}
			finish(c, 0); // its process exited on its own before the signal reached it
		});
		host.start();
		Result first = run("cancel", "--wait", "--timeout", "30s", "r");
		host.join();
		assertThat(first.code()).isEqualTo(1);
		assertThat(first.out()).isEqualTo("r completed (exit 0), not canceled: it ended on its own first\n");

		run("cancel", "--timeout", "5s", "idle").usageError("--timeout goes with --wait");
	}

	@Test
	void cancelByQueueAndStateCancelsOnlyThose() {
		enqueue("{\"id\":\"e1\",\"command\":\"true\",\"queue\":\"emails\"}");
		enqueue("{\"id\":\"e2\",\"command\":\"true\",\"queue\":\"emails\"}");
		enqueue("{\"id\":\"o1\",\"command\":\"true\"}");
		Result r = run("cancel", "--queue", "emails", "--state", "pending");
		assertThat(r.code()).isZero();
		assertThat(r.outLines()).containsExactly("e1 canceled", "e2 canceled");
		assertThat(state("o1")).isEqualTo("pending");
		run("cancel", "--queue", "emails", "--state", "completed").usageError("--state must be pending, waiting or failed");
		run("cancel").usageError("cancel needs job ids");
	}

	// ---- dependencies

	@Test
	void aJobWaitsForTheJobsItRunsAfterAndRunsWhenAllCompleted() {
		enqueue("{\"id\":\"a\",\"command\":\"true\"}");
		enqueue("{\"id\":\"b\",\"command\":\"true\"}");
		enqueue("{\"id\":\"c\",\"command\":\"true\",\"after\":[\"a\",\"b\"]}");
		assertThat(state("c")).isEqualTo("waiting");
		List<Claim> first = claim(10);
		assertThat(first).extracting(Claim::jobId).containsExactlyInAnyOrder("a", "b");
		finish(first.stream().filter(x -> x.jobId().equals("a")).findFirst().orElseThrow(), 0);
		assertThat(state("c")).isEqualTo("waiting");
		finish(first.stream().filter(x -> x.jobId().equals("b")).findFirst().orElseThrow(), 0);
		assertThat(state("c")).isEqualTo("pending");
		assertThat(run("show", "c", "--json").ok().json().get("after").toString()).isEqualTo("[\"a\",\"b\"]");
	}

	@Test
	void aDeadDependencyCancelsTheWholeChainBelowIt() {
		Result r = runWithStdin("""
				{"id":"one","command":"true"}
				{"id":"two","command":"false","max_retries":0,"after":"one"}
				{"id":"three","command":"true","after":["two"]}
				{"id":"four","command":"true","after":["three"]}
				""", "enqueue", "-").ok();
		assertThat(r.outLines()).containsExactly("one", "two", "three", "four");
		finish(claimOnly("one"), 0);
		finish(claimOnly("two"), 1);
		assertThat(state("two")).isEqualTo("dead");
		assertThat(state("three")).isEqualTo("canceled");
		assertThat(state("four")).isEqualTo("canceled");
		assertThat(this.jdbc.queryForObject("SELECT last_error FROM jobs WHERE id = 'four'", String.class))
			.contains("job two").contains("dead");
	}

	@Test
	void cancelingAJobCancelsItsDependents() {
		enqueue("{\"id\":\"p\",\"command\":\"true\"}");
		enqueue("{\"id\":\"q\",\"command\":\"true\",\"after\":\"p\"}");
		run("cancel", "p").ok();
		assertThat(state("q")).isEqualTo("canceled");
	}

	@Test
	void unknownLaterOrFinishedBadDependenciesAreRefusedAndNothingIsStored() {
		enqueue("{\"id\":\"done\",\"command\":\"true\"}");
		run("cancel", "done").ok();
		var before = everything();
		run("enqueue", "{\"command\":\"true\",\"after\":[\"ghost\"]}").usageError("unknown job 'ghost'");
		run("enqueue", "{\"id\":\"x\",\"command\":\"true\",\"after\":[\"x\"]}").usageError("names the job itself");
		run("enqueue", "{\"command\":\"true\",\"after\":[\"done\"]}").usageError("job 'done', which is canceled");
		run("enqueue", "{\"command\":\"true\",\"after\":[1]}").usageError("field 'after' must be a job id");
		runWithStdin("""
				{"id":"first","command":"true","after":"second"}
				{"id":"second","command":"true"}
				""", "enqueue", "-").usageError("line 1", "must come earlier in the input");
		assertThat(everything()).isEqualTo(before);
	}

	// ---- unique keys

	@Test
	void aSecondJobWithALiveUniqueKeyIsNotStoredAndTheFirstIdIsPrinted() {
		String first = enqueue("{\"command\":\"sync\",\"unique_key\":\"sync\"}");
		Result again = run("enqueue", "{\"command\":\"sync\",\"unique_key\":\"sync\"}");
		assertThat(again.code()).isZero();
		assertThat(again.out().strip()).isEqualTo(first);
		assertThat(again.errLines()).singleElement().asString().contains("holds unique_key 'sync'");
		Result json = run("enqueue", "{\"command\":\"sync\",\"unique_key\":\"sync\"}", "--json");
		assertThat(json.json().get("duplicate").asBoolean()).isTrue();
		assertThat(json.json().get("id").asString()).isEqualTo(first);
		assertThat(jobCount()).isEqualTo(1);

		finish(claimOnly(first), 0); // a finished job frees its key
		String second = enqueue("{\"command\":\"sync\",\"unique_key\":\"sync\"}");
		assertThat(second).isNotEqualTo(first);
		assertThat(jobCount()).isEqualTo(2);
	}

	@Test
	void duplicatesInsideABatchAreReportedAndTheRestStored() {
		Result r = runWithStdin("""
				{"id":"u1","command":"true","unique_key":"k"}
				{"id":"u2","command":"true","unique_key":"k"}
				{"id":"u3","command":"true"}
				""", "enqueue", "-");
		assertThat(r.code()).isZero();
		assertThat(r.outLines()).containsExactly("u1", "u3");
		assertThat(r.err()).contains("line 2: not stored: job u1 holds unique_key 'k'");
		assertThat(this.jdbc.queryForList("SELECT id FROM jobs ORDER BY id", String.class)).containsExactly("u1", "u3");
	}

	// ---- queues

	@Test
	void aPausedQueueStartsNothingUntilResumed() {
		enqueue("{\"id\":\"m\",\"command\":\"true\",\"queue\":\"mail\"}");
		enqueue("{\"id\":\"d\",\"command\":\"true\"}");
		assertThat(run("queue", "pause", "mail").ok().out()).isEqualTo("mail paused\n");
		assertThat(this.workers.hasRunnable(List.of("mail"), this.clock.instant())).isFalse();
		assertThat(claim(10)).extracting(Claim::jobId).containsExactly("d");
		assertThat(run("status").ok().out()).contains("paused queues: mail");
		run("queue", "resume", "mail").ok();
		assertThat(claim(10)).extracting(Claim::jobId).containsExactly("m");
	}

	@Test
	void aLimitCapsTheJobsOfAQueueRunningAtOnceAcrossClaims() {
		for (int i = 0; i < 6; i++) {
			enqueue("{\"id\":\"l" + i + "\",\"command\":\"true\",\"queue\":\"deploy\"}");
		}
		enqueue("{\"id\":\"free\",\"command\":\"true\",\"priority\":-1}");
		assertThat(run("queue", "limit", "deploy", "2").ok().out()).contains("at most 2");
		List<Claim> first = claim(10);
		assertThat(first).extracting(Claim::jobId).containsExactly("l0", "l1", "free");
		assertThat(claim(10)).isEmpty();
		finish(first.get(0), 0);
		assertThat(claim(10)).extracting(Claim::jobId).containsExactly("l2");

		Result list = run("queue", "list", "--json").ok();
		assertThat(list.json().get(0).get("name").asString()).isEqualTo("default");
		assertThat(list.json().get(1).get("limit").asInt()).isEqualTo(2);
		assertThat(list.json().get(1).get("running").asInt()).isEqualTo(2);
		assertThat(list.json().get(1).get("jobs").get("pending").asInt()).isEqualTo(3);

		run("queue", "limit", "deploy", "none").ok();
		assertThat(claim(10)).hasSize(3);
		run("queue", "limit", "deploy", "-1").usageError("a queue limit is a number");
		run("queue", "limit", "deploy", "two").usageError("a queue limit is a number");
		run("queue", "pause", "bad name").usageError("a queue name is");
	}

	@Test
	void resumingAnUnknownQueueIsRefusedAndLimitingOneSaysItHadNone() {
		enqueue("{\"id\":\"m\",\"command\":\"true\",\"queue\":\"emails\"}");

		run("queue", "resume", "emials").fails(3, "no such queue: emials", "queuectl queue list");
		run("queue", "limit", "emials", "two").usageError("a queue limit is a number");
		assertThat(run("queue", "list", "--json").ok().json().findValuesAsString("name")).containsExactly("emails");
		assertThat(run("queue", "resume", "emails").ok().out()).isEqualTo("emails resumed\n");
		assertThat(run("queue", "limit", "emails", "3").ok().out()).isEqualTo("emails runs at most 3 job(s) at once\n");

		// a queue may be limited before its first job: that works, and a line says there was none
		Result ahead = run("queue", "limit", "emials", "2");
		assertThat(ahead.code()).isZero();
		assertThat(ahead.out()).isEqualTo("emials runs at most 2 job(s) at once\n");
		assertThat(ahead.err()).isEqualTo("queuectl: note: there was no queue emials (no jobs, never paused or limited); "
				+ "the limit applies to its jobs when they come\n");
		assertThat(run("queue", "limit", "emials", "none").ok().out()).isEqualTo("emials has no limit\n");
	}

	@Test
	void queueRmRemovesAnEmptyQueueAndRefusesOneThatHoldsJobs() {
		enqueue("{\"id\":\"a\",\"command\":\"true\",\"queue\":\"busy\"}");
		enqueue("{\"id\":\"b\",\"command\":\"true\",\"queue\":\"busy\"}");
		this.jdbc.update("UPDATE jobs SET state = 'completed' WHERE id = 'b'");
		run("queue", "pause", "busy").ok();
		run("queue", "pause", "spare").ok();
		run("queue", "limit", "spare", "3").ok();

		run("queue", "rm", "busy").usageError("queue busy is not empty: it holds 1 pending, 1 completed job(s)");
		assertThat(run("queue", "rm", "spare").ok().out()).isEqualTo("spare removed\n");
		run("queue", "rm", "spare").fails(3, "no such queue: spare");
		run("queue", "rm", "bad name").usageError("a queue name is");
		run("queue", "rm").usageError("queue rm needs a queue name");

		JsonNode queues = run("queue", "list", "--json").ok().json();
		assertThat(queues.findValuesAsString("name")).containsExactly("busy");
		assertThat(queues.get(0).get("paused").asBoolean()).isTrue();
		assertThat(run("status").ok().out()).contains("paused queues: busy");
	}

	@Test
	void claimsPassOverPausedAndFullQueuesAndTakeTheBestFirstAcrossTheRest() {
		for (int i = 0; i < 5; i++) { // the best jobs stored, all in a paused queue
			enqueue("{\"id\":\"held" + i + "\",\"command\":\"true\",\"queue\":\"held\",\"priority\":9}");
		}
		enqueue("{\"id\":\"d-low\",\"command\":\"true\",\"priority\":-1}");
		enqueue("{\"id\":\"d-mid\",\"command\":\"true\",\"priority\":1}");
		enqueue("{\"id\":\"d-later\",\"command\":\"true\",\"priority\":8,\"delay\":\"1h\"}");
		enqueue("{\"id\":\"mail-top\",\"command\":\"true\",\"queue\":\"mail\",\"priority\":5}");
		enqueue("{\"id\":\"mail-0\",\"command\":\"true\",\"queue\":\"mail\"}");
		enqueue("{\"id\":\"one-a\",\"command\":\"true\",\"queue\":\"one\",\"priority\":3}");
		enqueue("{\"id\":\"one-b\",\"command\":\"true\",\"queue\":\"one\",\"priority\":3}");
		run("queue", "pause", "held").ok();
		run("queue", "limit", "one", "1").ok();
		Instant now = this.clock.instant();
		Duration lease = Duration.ofSeconds(30);

		// a host of named queues takes only from those, best first across them
		assertThat(this.workers.hasRunnable(List.of("held"), now)).isFalse();
		assertThat(this.workers.hasRunnable(List.of("held", "mail"), now)).isTrue();
		assertThat(this.workers.claim("w1", List.of("held", "mail", "mail"), 1, now, lease))
			.extracting(Claim::jobId).containsExactly("mail-top");
		// a host of every queue: the paused one passed over, the limited one at most its room
		assertThat(claim(3)).extracting(Claim::jobId).containsExactly("one-a", "d-mid", "mail-0");
		assertThat(claim(10)).extracting(Claim::jobId).containsExactly("d-low");
		assertThat(this.workers.hasRunnable(List.of(), now)).isFalse(); // held paused, one full, d-later not due
		assertThat(claim(10)).isEmpty();
		run("queue", "resume", "held").ok();
		assertThat(this.workers.hasRunnable(List.of(), now)).isTrue();
		assertThat(claim(2)).extracting(Claim::jobId).containsExactly("held0", "held1");
	}

	@Test
	void claimsTakeDueJobsOfManyPrioritiesBestFirstAndALimitHoldsAcrossPriorities() {
		for (int p = 0; p < 12; p++) { // more priorities than the claim reads one by one
			enqueue("{\"id\":\"p" + p + "\",\"command\":\"true\",\"priority\":" + p + "}");
			enqueue("{\"id\":\"later" + p + "\",\"command\":\"true\",\"priority\":" + p + ",\"delay\":\"1h\"}");
		}
		enqueue("{\"id\":\"later-top\",\"command\":\"true\",\"priority\":20,\"delay\":\"1h\"}");
		enqueue("{\"id\":\"one-hi\",\"command\":\"true\",\"queue\":\"one\",\"priority\":2}");
		enqueue("{\"id\":\"one-lo\",\"command\":\"true\",\"queue\":\"one\",\"priority\":1}");
		List<String> best = new java.util.ArrayList<>();
		for (int p = 11; p >= 0; p--) {
			best.add("p" + p);
		}
		assertThat(this.workers.claim("w1", List.of("default"), 30, this.clock.instant(), Duration.ofSeconds(30)))
			.extracting(Claim::jobId).containsExactlyElementsOf(best);
		assertThat(this.workers.hasRunnable(List.of("default"), this.clock.instant())).isFalse();
		run("queue", "limit", "one", "1").ok();
		assertThat(claim(10)).extracting(Claim::jobId).containsExactly("one-hi");
		assertThat(claim(10)).isEmpty();
		// their time comes (moved back two hours: on PostgreSQL the due time is the server's clock)
		this.jdbc.update("UPDATE jobs SET run_at = run_at - 7200000 WHERE id LIKE 'later%'");
		assertThat(this.workers.hasRunnable(List.of(), this.clock.instant())).isTrue();
		assertThat(claim(3)).extracting(Claim::jobId).containsExactly("later-top", "later11", "later10");
	}

	@Test
	void aClaimOverEveryQueueTakesDueJobsOfManyPrioritiesBestFirst() {
		// nothing paused or limited: the claim reads a range per priority over every queue (on
		// PostgreSQL with the priorities found in the same statement), then one range for the rest
		for (int p = 0; p < 12; p++) {
			String queue = p % 2 == 0 ? "even" : "odd";
			enqueue("{\"id\":\"p" + p + "a\",\"command\":\"true\",\"queue\":\"" + queue + "\",\"priority\":" + p + "}");
			enqueue("{\"id\":\"p" + p + "b\",\"command\":\"true\",\"priority\":" + p + "}");
			enqueue("{\"id\":\"later" + p + "\",\"command\":\"true\",\"priority\":" + p + ",\"delay\":\"1h\"}");
		}
		enqueue("{\"id\":\"later-top\",\"command\":\"true\",\"priority\":20,\"delay\":\"1h\"}");
		List<String> best = new java.util.ArrayList<>();
		for (int p = 11; p >= 0; p--) {
			best.add("p" + p + "a");
			best.add("p" + p + "b");
		}
		assertThat(claim(3)).extracting(Claim::jobId).containsExactlyElementsOf(best.subList(0, 3));
		assertThat(claim(17)).extracting(Claim::jobId).containsExactlyElementsOf(best.subList(3, 20));
		assertThat(claim(30)).extracting(Claim::jobId).containsExactlyElementsOf(best.subList(20, 24));
		assertThat(claim(30)).isEmpty();
		assertThat(this.workers.hasRunnable(List.of(), this.clock.instant())).isFalse();
		// their time comes (moved back two hours: on PostgreSQL the due time is the server's clock)
		this.jdbc.update("UPDATE jobs SET run_at = run_at - 7200000 WHERE id LIKE 'later%'");
		assertThat(claim(2)).extracting(Claim::jobId).containsExactly("later-top", "later11");
	}

	@Test
	void theClaimAfterABatchOfSuccessesPassesOverPausedQueuesAndHoldsLimits() {
		// the claim in the transaction that records a batch, as a worker host makes it
		enqueue("{\"id\":\"a\",\"command\":\"true\",\"priority\":-5}");
		Claim a = claimOnly("a");
		enqueue("{\"id\":\"held1\",\"command\":\"true\",\"queue\":\"held\",\"priority\":9}");
		enqueue("{\"id\":\"held2\",\"command\":\"true\",\"queue\":\"held\",\"priority\":9}");
		enqueue("{\"id\":\"one-a\",\"command\":\"true\",\"queue\":\"one\",\"priority\":5}");
		enqueue("{\"id\":\"one-b\",\"command\":\"true\",\"queue\":\"one\",\"priority\":5}");
		enqueue("{\"id\":\"free\",\"command\":\"true\",\"priority\":1}");
		run("queue", "pause", "held").ok();
		run("queue", "limit", "one", "1").ok();
		WorkerStore.Settled first = succeedAndClaim(a, 10);
		assertThat(first.states()).containsExactly(JobState.COMPLETED);
		assertThat(first.claimed()).extracting(Claim::jobId).containsExactly("one-a", "free");

		run("queue", "resume", "held").ok();
		run("queue", "limit", "one", "none").ok();
		WorkerStore.Settled second = succeedAndClaim(first.claimed().get(0), 2);
		assertThat(second.states()).containsExactly(JobState.COMPLETED);
		assertThat(second.claimed()).extracting(Claim::jobId).containsExactly("held1", "held2");
		assertThat(succeedAndClaim(first.claimed().get(1), 10).claimed()).extracting(Claim::jobId).containsExactly("one-b");
		assertThat(run("show", "a").out()).contains("completed");
		assertThat(run("show", "free").out()).contains("completed");
	}

	private WorkerStore.Settled succeedAndClaim(Claim c, int n) {
		Instant now = this.clock.instant();
		RunResult r = new RunResult("completed", 0, null, now, 5, null, null, null);
		return this.workers.settleAndClaim(List.of(new WorkerStore.Outcome(c, r, false)), "w1", 2, Duration.ofHours(1),
				List.of(), n, now, Duration.ofSeconds(30));
	}

	@Test
	void aHostOfHundredsOfNamedQueuesClaimsFromThemAll() {
		List<String> queues = new java.util.ArrayList<>();
		for (int i = 0; i < 600; i++) { // more than SQLite joins in one compound select (500)
			queues.add("q" + i);
		}
		enqueue("{\"id\":\"first\",\"command\":\"true\",\"queue\":\"q1\",\"priority\":2}");
		enqueue("{\"id\":\"last\",\"command\":\"true\",\"queue\":\"q599\",\"priority\":1}");
		enqueue("{\"id\":\"other\",\"command\":\"true\",\"queue\":\"elsewhere\",\"priority\":3}");
		assertThat(this.workers.claim("w1", queues, 10, this.clock.instant(), Duration.ofSeconds(30)))
			.extracting(Claim::jobId).containsExactly("first", "last");
	}

	// ---- wait

	@Test
	void waitExitsZeroWhenAllCompletedOneWhenOneDiedAndTimesOutWith124() {
		enqueue("{\"id\":\"ok\",\"command\":\"true\"}");
		Result timedOut = run("wait", "ok", "--timeout", "600ms");
		assertThat(timedOut.code()).isEqualTo(124);
		assertThat(timedOut.err()).contains("timed out after");
		assertThat(timedOut.errLines()).as("said once, though polled more").containsOnlyOnce(
				"queuectl: no worker host is running on this database: these jobs will not run until one starts (queuectl worker start)");

		finish(claimOnly("ok"), 0);
		assertThat(run("wait", "ok").code()).isZero();

		enqueue("{\"id\":\"bad\",\"command\":\"false\",\"max_retries\":0}");
		finish(claimOnly("bad"), 1);
		Result failed = run("wait", "ok", "bad");
		assertThat(failed.code()).isEqualTo(1);
		assertThat(failed.err()).contains("job bad ended dead");
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(run("wait").code()).isZero(); // nothing live, nothing ended since it began
		run("wait", "ghost").fails(3, "no such job: ghost");
	}

	// ---- the dead letter queue

	@Test
	void dlqRetryAllAndPurge() {
		for (String id : List.of("d1", "d2", "d3")) {
			enqueue("{\"id\":\"" + id + "\",\"command\":\"false\",\"max_retries\":0,\"queue\":\""
					+ (id.equals("d3") ? "other" : "default") + "\"}");
		}
		for (Claim c : claim(10)) {
			finish(c, 1);
		}
		assertThat(run("dlq", "retry", "--all", "--queue", "other").ok().out().strip()).isEqualTo("1");
		assertThat(state("d3")).isEqualTo("pending");
		this.clock.advance(Duration.ofDays(2));
		assertThat(run("dlq", "purge", "--older-than", "3d").ok().out().strip()).isEqualTo("0");
		assertThat(run("dlq", "purge", "--older-than", "1d").ok().out().strip()).isEqualTo("2");
		assertThat(jobCount()).isEqualTo(1);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM job_runs WHERE job_id IN ('d1','d2')", Long.class))
			.isZero();
		run("dlq", "purge", "--older-than", "soon").usageError("--older-than must be a duration");
	}
}
