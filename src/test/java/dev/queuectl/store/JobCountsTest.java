package dev.queuectl.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.queuectl.QueuectlException;
import dev.queuectl.service.JobService;
import dev.queuectl.job.JobState;
import dev.queuectl.job.QueueInfo;
import dev.queuectl.service.QueueService;
import dev.queuectl.cli.CommandTestSupport;
import dev.queuectl.job.Claim;
import dev.queuectl.job.RunResult;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The counters of jobs per queue and state (job_counts, kept by triggers) equal a GROUP BY over jobs
 * after several hosts (threads, each on its own connection) enqueue, claim, complete, fail, retry,
 * cancel, lose leases and prune at once; status and queue list read the same numbers. Its
 * PostgreSQL twin is the one where transactions really overlap (SQLite has one writer at a time).
 */
@TestPropertySource(properties = "queuectl.job-counts.fold-after=20") // PostgreSQL: readers fold deltas mid-storm
class JobCountsTest extends CommandTestSupport {

	@Autowired
	JobService jobs;

	@Autowired
	QueueService queues;

	@Autowired
	WorkerStore workers;

	@Autowired
	JobStore store;

	@Test
	void countersEqualAGroupByAfterConcurrentChangesOfEveryKind() throws Exception {
		Instant later = this.clock.instant().plus(Duration.ofDays(1)); // every job due
		ExecutorService hosts = Executors.newFixedThreadPool(4);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int h = 0; h < 4; h++) {
				int host = h;
				done.add(hosts.submit(() -> {
					storm("host" + host, new Random(host), later);
					return null;
				}));
			}
			for (Future<?> f : done) {
				f.get();
			}
		}
		finally {
			hosts.shutdownNow();
		}
		Map<String, Long> grouped = grouped();
		assertThat(this.happened.keySet()).as("what the hosts did")
			.contains("completed", "failed", "dead", "pending", "claimed", "canceled", "lost", "pruned");
		assertThat(counters()).isEqualTo(grouped);
		Map<String, Long> perQueue = new TreeMap<>();
		for (QueueInfo q : this.queues.list()) {
			q.counts().forEach((state, n) -> {
				if (n != 0) {
					perQueue.put(q.name() + "/" + state.dbValue(), n);
				}
			});
		}
		assertThat(perQueue).as("queue list").isEqualTo(grouped);
		Map<JobState, Long> byState = this.jobs.countByState();
		for (JobState state : JobState.values()) {
			assertThat(byState.get(state)).as("status: %s", state)
				.isEqualTo(grouped.entrySet().stream().filter(e -> e.getKey().endsWith("/" + state.dbValue()))
					.mapToLong(Map.Entry::getValue).sum());
		}
	}

	/** How often each kind of change happened, over every host. */
	final Map<String, Integer> happened = new java.util.concurrent.ConcurrentHashMap<>();

	private void count(String what, int n) {
		if (n > 0) {
			this.happened.merge(what, n, Integer::sum);
		}
	}

	private void storm(String host, Random random, Instant start) {
		List<Claim> running = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			Instant now = start.plusSeconds(2L * i); // retries wait 1 s: due again at the next step
			String queue = "q" + random.nextInt(3);
			switch (random.nextInt(8)) {
				case 0, 1 -> {
					String after = i > 0 && random.nextBoolean() ? ",\"after\":\"" + host + "-" + (i - 1) + "\"" : "";
					String json = "{\"id\":\"" + host + "-" + i + "\",\"queue\":\"" + queue
							+ "\",\"command\":\"true\",\"max_retries\":1" + after + "}";
					ignoringRefusals(() -> this.jobs.enqueue(json, "/tmp")); // after a job gone or ended: refused
				}
				case 2, 3 -> {
					List<WorkerStore.Outcome> outcomes = new ArrayList<>();
					for (Claim c : running) {
						boolean ok = random.nextBoolean();
						outcomes.add(new WorkerStore.Outcome(c, new RunResult(ok ? "completed" : "failed", ok ? 0 : 1,
								null, now, 1, ok ? null : "exit 1", null, null), random.nextInt(10) == 0));
					}
					WorkerStore.Settled settled = this.workers.settleAndClaim(outcomes, host, 1, Duration.ofSeconds(1),
							List.of(), random.nextInt(4), now, Duration.ofMinutes(random.nextInt(2)));
					settled.states().forEach(state -> count(state == null ? "taken over" : state.dbValue(), 1));
					running = new ArrayList<>(settled.claimed());
					count("claimed", running.size());
				}
				case 4 -> {
					String victim = host + "-" + random.nextInt(i + 1);
					ignoringRefusals(() -> count("canceled", this.jobs.cancel(victim) != null ? 1 : 0));
				}
				case 5 -> ignoringRefusals(() -> count("retried", this.jobs.retryAllDead(random.nextBoolean() ? queue : null)));
				case 6 -> {
					count("lost", this.workers.reapExpired(now.plus(Duration.ofMinutes(5))).size()); // leases of 0 minutes
					this.queues.list(); // a reader: on PostgreSQL it folds the deltas, while others append
				}
				default -> count("pruned", this.store.pruneBatch(random.nextBoolean() ? JobState.COMPLETED : JobState.CANCELED,
						now.plus(Duration.ofDays(1)), 1 + random.nextInt(3)).size());
			}
		}
	}

	private static void ignoringRefusals(Runnable r) {
		try {
			r.run();
		}
		catch (QueuectlException ex) {
			// finished already, or no such job: refused, nothing changed
		}
	}

	private Map<String, Long> grouped() {
		return rows("SELECT queue, state, COUNT(*) FROM jobs GROUP BY queue, state");
	}

	private Map<String, Long> counters() {
		return rows("SELECT queue, state, SUM(n) FROM job_counts GROUP BY queue, state HAVING SUM(n) <> 0");
	}

	private Map<String, Long> rows(String sql) {
		Map<String, Long> m = new TreeMap<>();
		this.jdbc.query(sql, rs -> {
			m.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
		});
		return m;
	}
}
