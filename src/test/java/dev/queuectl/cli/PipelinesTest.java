package dev.queuectl.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.queuectl.job.Claim;
import dev.queuectl.job.RetryPolicy;
import dev.queuectl.job.RunResult;
import dev.queuectl.store.WorkerStore;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 28's dependency conditions and batches, in-process: after_any and after_failed decided by
 * the outcomes of the jobs they name, their refusals, a batch whose counters follow its jobs'
 * state changes and that settles once with its last job (its callbacks made pending, the one not
 * called deleted), batch add and batch cancel, and bad input refused with one line, nothing stored.
 * A worker's side is played by calling {@link WorkerStore} as a worker host does.
 */
class PipelinesTest extends CommandTestSupport {

	@Autowired
	WorkerStore workers;

	@BeforeEach
	void noBatches() {
		this.jdbc.update("DELETE FROM batches");
	}

	private String state(String id) {
		List<String> s = this.jdbc.queryForList("SELECT state FROM jobs WHERE id = ?", String.class, id);
		return s.isEmpty() ? null : s.get(0);
	}

	private List<Claim> claimAll() {
		return this.workers.claim("w1", List.of(), 1000, this.clock.instant(), Duration.ofSeconds(30));
	}

	/** Records claimed jobs' runs as a worker host does: exit 0 completes, another code fails. */
	private void finish(List<Claim> claims, int exit) {
		Instant now = this.clock.instant();
		List<WorkerStore.Outcome> outcomes = claims.stream()
			.map(c -> new WorkerStore.Outcome(c, new RunResult(exit == 0 ? "completed" : "failed", exit, null, now, 5,
					exit == 0 ? null : "exit code " + exit, null, null), false))
			.toList();
		this.workers.settleAndClaim(outcomes, "w1", new RetryPolicy.Backoff(60, Duration.ofHours(2), 0), List.of(), 0, now,
				Duration.ofSeconds(30));
	}

	private Claim only(List<Claim> claims, String id) {
		return claims.stream().filter(c -> c.jobId().equals(id)).findFirst().orElseThrow();
	}

	@Test
	void afterAnyAndAfterFailedRunOnceTheJobsTheyNameAreFinalByTheirOutcomes() {
		enqueue("{\"id\":\"a\",\"command\":\"false\",\"max_retries\":0}");
		enqueue("{\"id\":\"b\",\"command\":\"true\"}");
		enqueue("{\"id\":\"any\",\"command\":\"true\",\"after_any\":[\"a\",\"b\"]}");
		enqueue("{\"id\":\"cleanup\",\"command\":\"true\",\"after_failed\":[\"a\"]}");
		enqueue("{\"id\":\"mixed\",\"command\":\"true\",\"after\":[\"b\"],\"after_failed\":[\"a\"]}");
		enqueue("{\"id\":\"unmet\",\"command\":\"true\",\"after_failed\":[\"b\"]}");
		enqueue("{\"id\":\"chain\",\"command\":\"true\",\"after_failed\":[\"unmet\"]}");
		assertThat(List.of(state("any"), state("cleanup"), state("mixed"), state("unmet"))).containsOnly("waiting");
		List<Claim> claimed = claimAll();
		finish(List.of(only(claimed, "a")), 1);
		assertThat(state("a")).isEqualTo("dead");
		assertThat(state("any")).as("b is not final yet").isEqualTo("waiting");
		assertThat(state("cleanup")).isEqualTo("pending");
		assertThat(state("mixed")).as("its after job has not completed").isEqualTo("waiting");
		finish(List.of(only(claimed, "b")), 0);
		assertThat(state("any")).isEqualTo("pending");
		assertThat(state("mixed")).isEqualTo("pending");
		assertThat(state("unmet")).isEqualTo("canceled");
		assertThat(this.jdbc.queryForObject("SELECT last_error FROM jobs WHERE id = 'unmet'", String.class))
			.isEqualTo("canceled: every job it runs after_failed completed");
		assertThat(state("chain")).as("the job it runs after_failed was canceled").isEqualTo("pending");
		assertThat(run("show", "mixed", "--json").ok().out()).contains("\"after\" : [ \"b\" ]", "\"after_failed\" : [ \"a\" ]");
		// naming final jobs at enqueue: after_any of a dead job runs at once, after_failed of a completed one is refused
		assertThat(enqueue("{\"id\":\"late\",\"command\":\"true\",\"after_any\":[\"a\"]}")).isEqualTo("late");
		assertThat(state("late")).isEqualTo("pending");
		long before = jobCount();
		run("enqueue", "{\"command\":\"true\",\"after_failed\":[\"b\"]}")
			.usageError("field 'after_failed' names only jobs that completed: this job could never run");
		run("enqueue", "{\"command\":\"true\",\"after\":[\"a\"]}")
			.usageError("field 'after' names job 'a', which is dead: this job could never run");
		run("enqueue", "{\"command\":\"true\",\"after_any\":[\"nope\"]}").usageError("field 'after_any' names unknown job 'nope'");
		run("enqueue", "{\"command\":\"true\",\"after\":[\"b\"],\"after_any\":\"b\"}")
			.usageError("job 'b' is named in both 'after' and 'after_any'");
		run("enqueue", "{\"command\":\"true\",\"after_failed\":7}")
			.usageError("field 'after_failed' must be a job id or an array of job ids");
		// the rules of after for cycles: not itself, and in a file only jobs of earlier lines
		run("enqueue", "{\"id\":\"me\",\"command\":\"true\",\"after_any\":[\"me\"]}")
			.usageError("field 'after_any' names the job itself");
		runWithStdin("{\"id\":\"f1\",\"command\":\"true\",\"after_failed\":[\"f2\"]}\n{\"id\":\"f2\",\"command\":\"true\",\"after_any\":[\"f1\"]}\n",
				"enqueue", "-").usageError("line 1: field 'after_failed' names unknown job 'f2' (it must come earlier in the input)");
		assertThat(jobCount()).isEqualTo(before);
	}

	@Test
	void aBatchSettlesOnceWithItsLastJobAndOnlyTheCallbacksItCallsRemain() {
		String ids = runWithStdin("{\"id\":\"j1\",\"command\":\"true\"}\n{\"id\":\"j2\",\"command\":\"true\"}\n", "enqueue", "-",
				"--batch", "b", "--on-success", "{\"id\":\"ok\",\"command\":\"echo $QUEUECTL_BATCH\"}", "--on-failure",
				"{\"id\":\"bad\",\"command\":\"true\"}", "--on-complete", "{\"id\":\"done\",\"command\":\"true\"}").ok().out();
		assertThat(ids.lines()).containsExactly("j1", "j2");
		assertThat(List.of(state("ok"), state("bad"), state("done"))).containsOnly("waiting");
		assertThat(run("show", "done").ok().out()).contains("a callback of batch b: runs when it settles");
		runWithStdin("{\"id\":\"j3\",\"command\":\"true\"}\n", "batch", "add", "b", "-").ok();
		assertThat(run("batch", "show", "b", "--json").ok().out()).contains("\"total\" : 3", "\"done\" : 0",
				"\"pending\" : 3", "\"status\" : \"open\"");
		List<Claim> claimed = claimAll();
		assertThat(claimed).extracting(Claim::jobId).containsExactlyInAnyOrder("j1", "j2", "j3");
		finish(claimed.subList(0, 2), 0);
		assertThat(run("batch", "show", "b", "--json").ok().out()).contains("\"done\" : 2", "\"processing\" : 1");
		assertThat(state("done")).isEqualTo("waiting");
		finish(claimed.subList(2, 3), 0);
		assertThat(state("done")).isEqualTo("pending");
		assertThat(state("ok")).isEqualTo("pending");
		assertThat(state("bad")).as("on_failure is not called: deleted").isNull();
		assertThat(this.jdbc.queryForObject("SELECT command FROM jobs WHERE id = 'ok'", String.class)).isEqualTo("echo $QUEUECTL_BATCH");
		assertThat(this.jdbc.queryForObject("SELECT env FROM jobs WHERE id = 'ok'", String.class)).contains("\"QUEUECTL_BATCH\":\"b\"");
		assertThat(run("batch", "list").ok().out()).contains("b", "succeeded", "3/3");
		JsonNode listed = run("batch", "list", "--json").ok().json().get(0);
		assertThat(listed.get("name").stringValue()).isEqualTo("b");
		assertThat(listed.get("status").stringValue()).isEqualTo("succeeded");
		assertThat(listed.get("done").longValue()).isEqualTo(3);
		assertThat(listed.get("completed").longValue()).isEqualTo(3);
		assertThat(listed.get("settled_at").isNull()).isFalse();
		assertThat(listed.get("callbacks").toString())
			.isEqualTo("{\"on_success\":\"ok\",\"on_failure\":null,\"on_complete\":\"done\"}");
		assertThat(this.jdbc.queryForObject("SELECT settled_at FROM batches WHERE name = 'b'", Long.class)).isNotNull();
		// a second settle finds nothing to do: the callbacks are not made again
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs WHERE id IN ('ok', 'done')", Long.class)).isEqualTo(2);
		runWithStdin("{\"command\":\"true\"}\n", "batch", "add", "b", "-").usageError("batch b has settled: it takes no more jobs");
		assertThat(run("batch", "show", "b", "--json").ok().out()).contains("\"total\" : 3");
	}

	@Test
	void aCanceledBatchSettlesAsFailedAndItsCountersFollowRetries() {
		runWithStdin("{\"id\":\"c1\",\"command\":\"true\"}\n{\"id\":\"c2\",\"command\":\"true\",\"max_retries\":0}\n",
				"enqueue", "-", "--batch", "c", "--on-failure", "{\"id\":\"cf\",\"command\":\"true\"}").ok();
		List<Claim> claimed = claimAll();
		finish(List.of(only(claimed, "c2")), 3);
		assertThat(state("c2")).isEqualTo("dead");
		run("dlq", "retry", "c2").ok();
		assertThat(run("batch", "show", "c", "--json").ok().out()).contains("\"dead\" : 0", "\"done\" : 0");
		assertThat(run("batch", "cancel", "c").ok().out()).contains("c: 1 canceled, 1 running asked to stop");
		assertThat(state("cf")).as("c1 still runs").isEqualTo("waiting");
		this.workers.settleAndClaim(List.of(new WorkerStore.Outcome(only(claimed, "c1"), new RunResult("canceled", 143, 15,
				this.clock.instant(), 5, "canceled by user", null, null), false)), "w1",
				new RetryPolicy.Backoff(60, Duration.ofHours(2), 0), List.of(), 0, this.clock.instant(), Duration.ofSeconds(30));
		assertThat(state("cf")).isEqualTo("pending");
		assertThat(run("batch", "show", "c", "--json").ok().out()).contains("\"status\" : \"failed\"", "\"canceled\" : 2");
	}

	@Test
	void batchListAndShowSayTheirTimesAreUtcAsTheOtherTablesDo() {
		runWithStdin("{\"command\":\"true\"}\n", "enqueue", "-", "--batch", "zoned").ok();
		List<String> list = run("batch", "list").ok().outLines();
		assertThat(list.get(0)).as("issue 29: times in a table say their zone").contains("STARTED (UTC)", "SETTLED (UTC)");
		assertThat(list.get(1)).containsPattern("  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  +-$");
		List<String> show = run("batch", "show", "zoned").ok().outLines();
		assertThat(show).anySatisfy(l -> assertThat(l).matches("started +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC"))
			.contains("settled    -");
	}

	@Test
	void badBatchInputIsRefusedWithOneLineAndNothingStored() {
		String jobs = "{\"command\":\"true\"}\n";
		runWithStdin(jobs, "enqueue", "-", "--batch", "bad name").usageError("a batch name is 1-128 characters");
		runWithStdin(jobs, "enqueue", "-", "--on-success", "{\"command\":\"true\"}")
			.usageError("--on-success, --on-failure and --on-complete need --batch NAME");
		run("enqueue", "{\"command\":\"true\"}", "--batch", "x").usageError("--batch takes its jobs from --file F or - (stdin)");
		runWithStdin(jobs, "enqueue", "-", "--batch", "x", "--on-complete", "{\"command\":\"true\",\"after\":\"y\"}")
			.usageError("on_complete: a callback runs when its batch settles: it takes no 'after'");
		runWithStdin(jobs, "enqueue", "-", "--batch", "x", "--on-failure", "{\"command\":").usageError("on_failure: ");
		runWithStdin("", "enqueue", "-", "--batch", "x").usageError("the input holds no jobs: a batch needs at least one");
		runWithStdin(jobs + "{\"command\":7}\n", "enqueue", "-", "--batch", "x").usageError("line 2: ");
		runWithStdin(jobs, "batch", "add", "nope", "-").fails(3, "no such batch: nope");
		run("batch", "show", "nope").fails(3, "no such batch: nope");
		assertThat(jobCount()).isZero();
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM batches", Long.class)).isZero();
		runWithStdin(jobs, "enqueue", "-", "--batch", "x").ok();
		runWithStdin(jobs, "enqueue", "-", "--batch", "x").usageError("batch x already exists");
		assertThat(jobCount()).isEqualTo(1);
	}
}
