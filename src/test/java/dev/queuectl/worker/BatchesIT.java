package dev.queuectl.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 28's batches and dependency conditions with real worker hosts running real shell commands
 * (SQLite here, PostgreSQL in {@link BatchesPostgresIT}). A batch of 2,000 jobs runs on three
 * hosts, one of them SIGKILLed while the batch's last, slow jobs run: its on_complete and
 * on_success callbacks each run exactly once (they append to a ledger), with QUEUECTL_BATCH set,
 * and on_failure never. after_failed runs a cleanup after a dead job and is canceled after a
 * success; after_any runs whatever the outcome. A batch of chained jobs canceled while two hosts
 * release its next jobs settles once, every job final and none run after an unfinished one.
 */
class BatchesIT extends OwnQueue {

	Path ledger;

	@BeforeEach
	void setUp() {
		this.ledger = this.dir.resolve("ledger");
	}

	@Override
	boolean migrateFirst() {
		return true;
	}

	@Test
	void aBatchOnThreeHostsRunsItsCallbacksOnceEvenWhenAHostIsKilledAsItsLastJobsRun() throws Exception {
		this.q.ok("config", "set", "lease-timeout", "5s");
		List<String> lines = new ArrayList<>();
		for (int i = 0; i < 1970; i++) {
			lines.add("{\"id\":\"j" + i + "\",\"command\":\"true\"}");
		}
		for (int i = 0; i < 30; i++) { // the last to be claimed, and slow: a host dies while they run
			lines.add("{\"id\":\"slow" + i + "\",\"command\":\"sleep 2\",\"priority\":-1}");
		}
		Files.write(this.dir.resolve("batch.jsonl"), lines);
		String ids = this.q.ok("enqueue", "--file", "batch.jsonl", "--batch", "big",
				"--on-complete", "{\"id\":\"complete\",\"command\":\"echo complete $QUEUECTL_BATCH >> " + this.ledger + "\"}",
				"--on-success", "{\"id\":\"success\",\"command\":\"echo success $QUEUECTL_BATCH >> " + this.ledger + "\"}",
				"--on-failure", "{\"id\":\"failure\",\"command\":\"echo failure >> " + this.ledger + "\"}");
		assertThat(ids.lines()).hasSize(2000);
		assertThat(this.q.ok("batch", "show", "big")).contains("0/2000", "open");
		List<Queuectl.Worker> hosts = new ArrayList<>();
		Queuectl.Result servedShow;
		Queuectl.Result servedList;
		try {
			for (int h = 0; h < 3; h++) {
				hosts.add(this.q.worker("--no-http", "--count", "4"));
			}
			await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(100))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE id LIKE 'slow%' AND state = 'processing'") > 0);
			// the victim is a host that runs one of the last jobs: what it holds must be taken over
			long pid = scalar("SELECT w.pid FROM jobs j JOIN workers w ON w.id = j.worker_id"
					+ " WHERE j.id LIKE 'slow%' AND j.state = 'processing' ORDER BY j.id LIMIT 1");
			Queuectl.Worker victim = hosts.stream().filter(h -> h.process().pid() == pid).findFirst().orElseThrow();
			hosts.remove(victim);
			victim.process().destroyForcibly(); // SIGKILL: its slow jobs stay processing until their lease expires
			victim.waitFor(Duration.ofSeconds(30));
			await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(200))
				.until(() -> "completed".equals(state("complete")) && "completed".equals(state("success")));
			// batch show and list served by a running host through the native client (no JVM): as the JVM answers below
			servedShow = this.q.runNative(null, "batch", "show", "big", "--json");
			servedList = this.q.runNative(null, "batch", "list");
		}
		finally {
			for (Queuectl.Worker h : hosts) {
				h.close();
				h.waitFor(Duration.ofSeconds(30));
			}
		}
		assertThat(servedShow.exit()).as(servedShow.toString()).isZero();
		assertThat(servedShow.out()).isEqualTo(this.q.runJvm("batch", "show", "big", "--json").out());
		assertThat(servedList.exit()).as(servedList.toString()).isZero();
		assertThat(servedList.out()).contains("big", "succeeded", "2000/2000");
		assertThat(Files.readAllLines(this.ledger)).containsExactlyInAnyOrder("complete big", "success big");
		assertThat(scalar("SELECT COUNT(*) FROM job_runs WHERE job_id LIKE 'slow%' AND outcome = 'lost'"))
			.as("the killed host's last jobs, taken over by the others").isPositive();
		assertThat(state("failure")).as("on_failure is not run, and not kept").isNull();
		assertThat(scalar("SELECT COUNT(*) FROM job_runs WHERE job_id IN ('complete', 'success')")).isEqualTo(2);
		assertThat(scalar("SELECT COUNT(*) FROM jobs WHERE batch = 'big' AND state = 'completed'")).isEqualTo(2000);
		String shown = this.q.ok("batch", "show", "big", "--json");
		assertThat(shown).contains("\"status\" : \"succeeded\"", "\"done\" : 2000", "\"on_complete\" : \"complete\"",
				"\"on_success\" : \"success\"", "\"on_failure\" : null");
		assertThat(this.q.ok("batch", "list")).contains("big", "succeeded", "2000/2000");
	}

	@Test
	void afterFailedCleansUpAfterADeadJobAndIsCanceledAfterASuccess() throws Exception {
		this.q.commands(enqueue("import1", "exit 1", "\"max_retries\":0"),
				enqueue("cleanup1", "true", "\"after_failed\":[\"import1\"]"), enqueue("import2", "true", "\"max_retries\":0"),
				enqueue("cleanup2", "true", "\"after_failed\":[\"import2\"]"),
				enqueue("report", "true", "\"after_any\":[\"import1\",\"import2\"]"), enqueue("next", "true", "\"after\":[\"import1\"]"));
		assertThat(state("cleanup1")).isEqualTo("waiting");
		try (Queuectl.Worker w = this.q.worker("--no-http", "--count", "2")) {
			await().atMost(Duration.ofSeconds(120)).until(() -> "completed".equals(state("cleanup1"))
					&& "completed".equals(state("report")) && "canceled".equals(state("cleanup2"))
					&& "canceled".equals(state("next")));
		}
		assertThat(text("SELECT last_error FROM jobs WHERE id = 'cleanup2'"))
			.isEqualTo("canceled: every job it runs after_failed completed");
		assertThat(text("SELECT last_error FROM jobs WHERE id = 'next'"))
			.isEqualTo("canceled: job import1, which it runs after, ended dead");
		assertThat(Files.readAllLines(this.ledger)).containsExactlyInAnyOrder("import1", "cleanup1", "import2", "report");
		assertThat(this.q.ok("show", "cleanup1")).contains("import1 (dead; after_failed)");
		Queuectl.Result refused = this.q.run("enqueue", "{\"command\":\"true\",\"after_failed\":[\"import2\"]}");
		assertThat(refused.exit()).isEqualTo(2);
		assertThat(refused.err().strip())
			.isEqualTo("queuectl: field 'after_failed' names only jobs that completed: this job could never run");
	}

	@Test
	void aCanceledBatchSettlesAsFailedAndRunsItsOnFailureOnce() throws Exception {
		Files.write(this.dir.resolve("a.jsonl"), List.of("{\"id\":\"a1\",\"command\":\"true\"}"));
		Files.write(this.dir.resolve("b.jsonl"), List.of("{\"id\":\"b1\",\"command\":\"true\"}", "{\"id\":\"b2\",\"command\":\"true\"}"));
		this.q.commands(List.of("queue", "pause", "default"), List.of("enqueue", "--file", "a.jsonl", "--batch", "nightly", "--on-failure",
				"{\"id\":\"cb\",\"queue\":\"callbacks\",\"command\":\"echo failure $QUEUECTL_BATCH >> " + this.ledger + "\"}"),
				List.of("batch", "add", "nightly", "--file", "b.jsonl"));
		assertThat(this.q.ok("batch", "show", "nightly")).contains("0/3");
		assertThat(this.q.ok("batch", "cancel", "nightly")).contains("3 canceled");
		Queuectl.Result settled = this.q.run("batch", "add", "nightly", "--file", "b.jsonl");
		assertThat(settled.exit()).isEqualTo(2);
		assertThat(settled.err().strip()).isEqualTo("queuectl: batch nightly has settled: it takes no more jobs");
		try (Queuectl.Worker w = this.q.worker("--no-http", "--count", "1", "--queue", "callbacks")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> "completed".equals(state("cb")));
		}
		assertThat(Files.readAllLines(this.ledger)).containsExactly("failure nightly");
		assertThat(this.q.ok("batch", "show", "nightly", "--json")).contains("\"status\" : \"failed\"", "\"canceled\" : 3");
	}

	@Test
	void aBatchCanceledWhileTwoHostsReleaseItsChainedJobsSettlesOnceAndLeavesNoJobBehind() throws Exception {
		// 60 chains of three (c_1, then c_2 after c_1, then c_3 after c_2): the hosts finish jobs and
		// release the next of their chain while the cancel takes the rest, both locking the batch's
		// row and its waiting jobs (on PostgreSQL in different transactions on different connections).
		// The third job of every even chain waits for a file the test never makes, so the batch is
		// still open when the cancel comes, however fast the hosts are.
		Path gate = this.dir.resolve("never");
		List<String> lines = new ArrayList<>();
		for (int c = 0; c < 60; c++) {
			String last = c % 2 == 0 ? "until [ -e " + gate + " ]; do sleep 0.05; done" : "sleep 0.1";
			lines.add("{\"id\":\"c" + c + "_1\",\"command\":\"sleep 0.1\"}");
			lines.add("{\"id\":\"c" + c + "_2\",\"command\":\"sleep 0.1\",\"after\":[\"c" + c + "_1\"]}");
			lines.add("{\"id\":\"c" + c + "_3\",\"command\":\"" + last + "\",\"after\":[\"c" + c + "_2\"]}");
		}
		Files.write(this.dir.resolve("chains.jsonl"), lines);
		this.q.ok("enqueue", "--file", "chains.jsonl", "--batch", "race",
				"--on-complete", "{\"id\":\"done\",\"command\":\"echo complete $QUEUECTL_BATCH >> " + this.ledger + "\"}",
				"--on-failure", "{\"id\":\"failed\",\"command\":\"echo failure $QUEUECTL_BATCH >> " + this.ledger + "\"}");
		List<Queuectl.Worker> hosts = new ArrayList<>();
		try {
			for (int h = 0; h < 2; h++) {
				hosts.add(this.q.worker("--no-http", "--count", "4"));
			}
			await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE batch = 'race' AND state = 'completed'") >= 10);
			assertThat(this.q.ok("batch", "cancel", "race")).contains("canceled");
			try {
				await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
					.until(() -> "completed".equals(state("done")) && "completed".equals(state("failed")));
			}
			catch (org.awaitility.core.ConditionTimeoutException ex) { // what was left, to tell a bug from a slow run
				StringBuilder why = new StringBuilder("the batch did not settle and run its callbacks:\n");
				why.append(this.q.ok("batch", "show", "race", "--json"));
				why.append(this.q.ok("list", "--state", "waiting,pending,processing,failed", "--json"));
				why.append("callbacks: ").append(state("done")).append(", ").append(state("failed")).append('\n');
				for (Queuectl.Worker h : hosts) {
					why.append(Files.readString(h.log()));
				}
				throw new AssertionError(why.toString(), ex);
			}
		}
		finally {
			for (Queuectl.Worker h : hosts) {
				h.close();
				h.waitFor(Duration.ofSeconds(30));
			}
		}
		assertThat(Files.readAllLines(this.ledger)).containsExactlyInAnyOrder("complete race", "failure race");
		assertThat(scalar("SELECT COUNT(*) FROM jobs WHERE batch = 'race' AND state NOT IN ('completed', 'canceled')"))
			.as("every job of the batch final").isZero();
		long completed = scalar("SELECT COUNT(*) FROM jobs WHERE batch = 'race' AND state = 'completed'");
		long canceled = scalar("SELECT COUNT(*) FROM jobs WHERE batch = 'race' AND state = 'canceled'");
		assertThat(completed + canceled).isEqualTo(180);
		assertThat(canceled).as("the cancel came before the end").isPositive();
		assertThat(scalar("SELECT COUNT(*) FROM jobs j JOIN job_deps d ON d.job_id = j.id"
				+ " JOIN jobs p ON p.id = d.depends_on WHERE j.batch = 'race' AND j.state = 'completed' AND p.state <> 'completed'"))
			.as("no job ran after one that did not complete").isZero();
		assertThat(this.q.ok("batch", "show", "race", "--json")).contains("\"status\" : \"failed\"",
				"\"completed\" : " + completed, "\"canceled\" : " + canceled, "\"done\" : 180");
		for (Queuectl.Worker h : hosts) {
			assertThat(Files.readString(h.log())).as("no host failed a statement").doesNotContainIgnoringCase("deadlock")
				.doesNotContain("failed, retrying", "settling batches failed");
		}
	}

	/** The enqueue of a job whose command appends its id to the ledger, then runs {@code command}. */
	private List<String> enqueue(String id, String command, String fields) {
		return List.of("enqueue", "{\"id\":\"" + id + "\",\"command\":\"echo " + id + " >> " + this.ledger + "; " + command
				+ "\"," + fields + "}");
	}
}
