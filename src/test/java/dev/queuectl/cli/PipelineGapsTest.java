package dev.queuectl.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.queuectl.job.Claim;
import dev.queuectl.job.RetryPolicy;
import dev.queuectl.job.RunResult;
import dev.queuectl.service.BatchService;
import dev.queuectl.service.RetentionService;
import dev.queuectl.store.WorkerStore;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gaps closed after issue 28, in-process (a host's side played by calling {@link WorkerStore}
 * as a host does): retention deletes a settled batch's record once its jobs and callbacks are gone,
 * and keeps it while any is left; {@code batch cancel} racing a host that finishes the batch's
 * running jobs ends with both done, the batch settled once, many times over (on PostgreSQL, where
 * the two really overlap, without a deadlock). The same tests run on PostgreSQL
 * ({@link PipelineGapsPostgresTest}).
 */
class PipelineGapsTest extends CommandTestSupport {

	@Autowired
	WorkerStore workers;

	@Autowired
	RetentionService retention;

	@Autowired
	BatchService batches;

	@BeforeEach
	void noBatches() {
		this.jdbc.update("DELETE FROM batches");
	}

	private List<Claim> claim(String worker, int n) {
		return this.workers.claim(worker, List.of(), n, this.clock.instant(), Duration.ofSeconds(30));
	}

	/** Records claimed jobs' runs as a worker host does: exit 0 completes, another code fails. */
	private void finish(List<Claim> claims, String worker, int exit) {
		Instant now = this.clock.instant();
		List<WorkerStore.Outcome> outcomes = claims.stream()
			.map(c -> new WorkerStore.Outcome(c, new RunResult(exit == 0 ? "completed" : "failed", exit, null, now, 5,
					exit == 0 ? null : "exit code " + exit, null, null), false))
			.toList();
		this.workers.settleAndClaim(outcomes, worker, new RetryPolicy.Backoff(60, Duration.ofHours(2), 0), List.of(), 0, now,
				Duration.ofSeconds(30));
	}

	private List<String> batchNames() {
		return this.jdbc.queryForList("SELECT name FROM batches ORDER BY name", String.class);
	}

	@Test
	void retentionDeletesASettledBatchOnceItsJobsAndCallbacksAreGoneAndKeepsTheOthers() {
		run("config", "set", "retention-completed", "1h").ok();
		run("config", "set", "retention-canceled", "1h").ok();
		run("config", "set", "retention-dead", "0").ok(); // dead jobs are kept
		// done: two jobs and a callback, all completed
		runWithStdin("{\"id\":\"d1\",\"command\":\"true\"}\n{\"id\":\"d2\",\"command\":\"true\"}\n", "enqueue", "-", "--batch",
				"done", "--on-complete", "{\"id\":\"dc\",\"command\":\"true\"}").ok();
		finish(claim("w1", 10), "w1", 0);
		finish(claim("w1", 10), "w1", 0); // the callback, pending once the batch settled
		assertThat(this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = 'dc'", String.class)).isEqualTo("completed");
		// waits: its job completed, its callback never ran (no host took it)
		runWithStdin("{\"id\":\"w1\",\"command\":\"true\"}\n", "enqueue", "-", "--batch", "waits", "--on-complete",
				"{\"id\":\"wc\",\"command\":\"true\",\"delay\":\"10h\"}").ok();
		finish(claim("w1", 10), "w1", 0);
		// died: a dead job, kept forever
		runWithStdin("{\"id\":\"x1\",\"command\":\"false\",\"max_retries\":0}\n", "enqueue", "-", "--batch", "died").ok();
		// open: a job not run yet
		runWithStdin("{\"id\":\"o1\",\"command\":\"true\",\"delay\":\"10h\"}\n", "enqueue", "-", "--batch", "open").ok();
		finish(claim("w1", 10), "w1", 1); // x1 only: wc and o1 are not due
		assertThat(this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = 'x1'", String.class)).isEqualTo("dead");
		assertThat(batchNames()).containsExactly("died", "done", "open", "waits");

		this.retention.pruneExpired(); // nothing is old enough yet
		assertThat(batchNames()).containsExactly("died", "done", "open", "waits");
		this.clock.advance(Duration.ofHours(2));
		this.retention.pruneExpired();
		// done's jobs and callback are gone, and so is its record; waits keeps its record for its callback
		assertThat(this.jdbc.queryForList("SELECT id FROM jobs ORDER BY id", String.class)).containsExactly("o1", "wc", "x1");
		assertThat(batchNames()).containsExactly("died", "open", "waits");
		run("batch", "show", "done").fails(3, "no such batch: done");
		// the dead job and the callback go (by hand): their batches' records follow at the next pass
		run("rm", "x1").ok();
		run("cancel", "wc").ok();
		run("rm", "wc").ok();
		this.retention.pruneExpired();
		assertThat(batchNames()).containsExactly("open");
	}

	@Test
	void batchCancelRacingAHostThatFinishesTheBatchsJobsEndsWithBothDoneManyTimes() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(2);
		try {
			for (int round = 0; round < rounds(); round++) {
				String name = "race" + round;
				StringBuilder lines = new StringBuilder();
				for (int i = 0; i < 8; i++) {
					lines.append("{\"id\":\"").append(name).append("-").append(i).append("\",\"command\":\"true\"}\n");
				}
				runWithStdin(lines.toString(), "enqueue", "-", "--batch", name, "--on-complete",
						"{\"id\":\"" + name + "-cb\",\"command\":\"true\",\"delay\":\"10h\"}").ok();
				String worker = "w" + round;
				List<Claim> running = claim(worker, 4);
				assertThat(running).hasSize(4);
				CyclicBarrier start = new CyclicBarrier(2);
				Future<BatchService.Canceled> cancel = pool.submit(() -> {
					start.await();
					return this.batches.cancel(name);
				});
				Future<?> host = pool.submit(() -> {
					start.await();
					finish(running, worker, 0);
					return null;
				});
				cancel.get(60, TimeUnit.SECONDS);
				host.get(60, TimeUnit.SECONDS);
				assertThat(this.jdbc.queryForMap("SELECT settled_at, unfinished, completed, canceled FROM batches WHERE name = ?", name))
					.as(name)
					.satisfies(b -> {
						assertThat(b.get("settled_at")).isNotNull();
						assertThat(((Number) b.get("unfinished")).longValue()).isZero();
						assertThat(((Number) b.get("completed")).longValue() + ((Number) b.get("canceled")).longValue())
							.isEqualTo(8);
					});
				assertThat(this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, name + "-cb"))
					.isEqualTo("pending");
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	/** How many times the race runs: PostgreSQL's twin, where it really is one, runs it more. */
	protected int rounds() {
		return 20;
	}
}
