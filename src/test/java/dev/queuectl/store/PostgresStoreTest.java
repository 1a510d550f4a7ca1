package dev.queuectl.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.queuectl.cli.CommandTestSupport;
import dev.queuectl.cli.TestDatabase;
import dev.queuectl.job.Claim;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What only PostgreSQL can get wrong: hosts claiming at the same moment in separate transactions
 * (READ COMMITTED, SKIP LOCKED), and leases and heartbeats on the server's clock whatever the hosts'
 * clocks say. Hosts are threads here, each claim on its own connection from the pool (4).
 */
@Tag("postgresql")
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class PostgresStoreTest extends CommandTestSupport {

	@Autowired
	WorkerStore store;

	@Autowired
	WorkerRegistryStore registry;

	@Test
	void hostsClaimingAtOnceClaimEveryJobExactlyOnce() throws Exception {
		StringBuilder jobs = new StringBuilder();
		for (int i = 0; i < 1500; i++) {
			jobs.append("{\"id\":\"j").append(i).append("\",\"command\":\"true\"}\n");
		}
		runWithStdin(jobs.toString(), "enqueue", "-").ok();
		List<String> claimed = Collections.synchronizedList(new ArrayList<>());
		ExecutorService hosts = Executors.newFixedThreadPool(4);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int h = 0; h < 4; h++) {
				String host = "host" + h;
				done.add(hosts.submit(() -> {
					for (List<Claim> batch; !(batch = this.store.claim(host, List.of(), 8, this.clock.instant(),
							Duration.ofMinutes(1))).isEmpty();) {
						batch.forEach(c -> claimed.add(c.jobId()));
					}
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
		assertThat(claimed).hasSize(1500);
		assertThat(new HashSet<>(claimed)).hasSize(1500);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(DISTINCT worker_id) FROM jobs", Integer.class)).isGreaterThan(1);
	}

	@Test
	void hostsClaimingAtOnceNeverRunMoreThanAQueuesLimit() throws Exception {
		StringBuilder jobs = new StringBuilder();
		// more than a claim's window of candidates (which it locks) per host: hosts lock different candidates
		for (int i = 0; i < 600; i++) {
			jobs.append("{\"id\":\"d").append(i).append("\",\"queue\":\"deploy\",\"command\":\"true\"}\n");
		}
		runWithStdin(jobs.toString(), "enqueue", "-").ok();
		run("queue", "limit", "deploy", "2").ok();
		int hostCount = 6;
		ExecutorService hosts = Executors.newFixedThreadPool(hostCount);
		try {
			for (int round = 0; round < 8; round++) {
				CyclicBarrier start = new CyclicBarrier(hostCount);
				List<Future<List<Claim>>> claims = new ArrayList<>();
				for (int h = 0; h < hostCount; h++) {
					String host = "host" + h;
					claims.add(hosts.submit(() -> {
						start.await();
						return this.store.claim(host, List.of(), 4, this.clock.instant(), Duration.ofMinutes(1));
					}));
				}
				List<Claim> all = new ArrayList<>();
				for (Future<List<Claim>> f : claims) {
					all.addAll(f.get());
				}
				assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs WHERE state = 'processing'", Integer.class))
					.as("round %d: running at once", round)
					.isEqualTo(2);
				assertThat(all).hasSizeLessThanOrEqualTo(2);
				// finish what runs, so the next round has room for two again
				for (String id : this.jdbc.queryForList("SELECT id FROM jobs WHERE state = 'processing'", String.class)) {
					this.jdbc.update("UPDATE jobs SET state = 'completed', worker_id = NULL WHERE id = ?", id);
				}
			}
		}
		finally {
			hosts.shutdownNow();
		}
	}

	@Test
	void aHostWhoseClockRunsAheadNeitherTakesALiveLeaseNorForgetsALiveHost() {
		enqueue("{\"id\":\"live\",\"command\":\"true\"}");
		Instant real = Instant.now();
		Claim claim = this.store.claim("A", List.of(), 1, this.clock.instant(), Duration.ofSeconds(30)).get(0);
		this.registry.register("A", "a.example", 1, 1, null, null, real, real);
		long lease = this.jdbc.queryForObject("SELECT lease_expires_at FROM jobs WHERE id = 'live'", Long.class);
		assertThat(lease).as("the lease is on the server's clock, not A's (in %s)", this.clock.instant())
			.isBetween(real.plusSeconds(25).toEpochMilli(), real.plusSeconds(35).toEpochMilli());
		// host B's clock is years ahead of the server's (the test clock): it sees no expired lease
		Instant farAhead = this.clock.instant().plus(Duration.ofDays(400));
		assertThat(this.store.reapExpired(farAhead)).isEmpty();
		assertThat(this.registry.forgetSilent(farAhead, Duration.ofSeconds(30))).isZero();
		assertThat(this.registry.workers(farAhead)).hasSize(1);
		// A, its clock behind the server's, renews: the lease moves on the server's clock too
		assertThat(this.store.renewLeases("A", Instant.EPOCH, Duration.ofSeconds(60))).isEqualTo(1);
		assertThat(this.jdbc.queryForObject("SELECT lease_expires_at FROM jobs WHERE id = 'live'", Long.class))
			.isGreaterThan(lease);
		assertThat(claim.jobId()).isEqualTo("live");
	}

	@Test
	void aHostWhoseClockRunsBehindStillTakesBackADeadLease() {
		enqueue("{\"id\":\"orphan\",\"command\":\"true\",\"max_retries\":2}");
		this.store.claim("A", List.of(), 1, this.clock.instant(), Duration.ofMillis(300));
		Instant behind = Instant.parse("2001-01-01T00:00:00Z"); // host B, decades behind the server
		await().atMost(Duration.ofSeconds(10)).until(() -> this.store.reapExpired(behind).contains("orphan"));
		assertThat(this.jdbc.queryForMap("SELECT state, worker_id FROM jobs WHERE id = 'orphan'"))
			.containsEntry("state", "pending")
			.containsEntry("worker_id", null);
		assertThat(this.jdbc.queryForObject("SELECT outcome FROM job_runs WHERE job_id = 'orphan'", String.class))
			.isEqualTo("lost");
		// a host that died long ago on the server's clock is forgotten, whatever B's clock says
		this.registry.register("gone", "b.example", 2, 1, null, null, behind, behind);
		this.jdbc.update("UPDATE workers SET heartbeat_at = heartbeat_at - 120000 WHERE id = 'gone'");
		assertThat(this.registry.forgetSilent(behind, Duration.ofSeconds(30))).isEqualTo(1);
	}

	@Test
	void hostsWithSkewedClocksStartDelayedJobsAndRetriesOnTheServersClock() {
		// the enqueuing host's clock (the test clock) is years ahead of the server's
		Instant real = Instant.now();
		enqueue("{\"id\":\"later\",\"command\":\"false\",\"delay\":\"2s\",\"max_retries\":1}");
		assertThat(runAt("later")).as("2s from the server's now, not the host's").isBetween(
				real.plusMillis(1500).toEpochMilli(), real.plusSeconds(5).toEpochMilli());
		// a host whose clock is ahead does not start it early
		Instant ahead = this.clock.instant().plus(Duration.ofDays(400));
		assertThat(this.store.claim("ahead", List.of(), 1, ahead, Duration.ofMinutes(1))).isEmpty();
		// a host whose clock is decades behind starts it on time
		Instant behind = Instant.parse("2001-01-01T00:00:00Z");
		List<Claim> claimed = new ArrayList<>();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> claimed.addAll(this.store.claim("behind", List.of(), 1, behind, Duration.ofMinutes(1))));
		assertThat(Instant.now()).as("not before it was due").isAfter(real.plusMillis(1500));
		// its retry backoff (2s) is counted from the server's now too, though the host says 2001
		Instant failedAt = Instant.now();
		WorkerStore.Settled settled = this.store.settleAndClaim(List.of(new WorkerStore.Outcome(claimed.get(0),
				new dev.queuectl.job.RunResult("failed", 1, null, behind, 5, "exit code 1", null, null), false)), "behind",
				2, Duration.ofHours(1), List.of(), 1, behind, Duration.ofMinutes(1));
		assertThat(settled.claimed()).as("not due yet, on any clock").isEmpty();
		assertThat(runAt("later")).isBetween(failedAt.plusMillis(1500).toEpochMilli(), failedAt.plusSeconds(5).toEpochMilli());
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.store.claim("behind", List.of(), 1, behind,
				Duration.ofMinutes(1)).isEmpty());
		// status on a host ahead: a host that just beat is seconds old, not minus years
		this.registry.register("B", "b.example", 2, 1, null, null, behind, behind);
		this.registry.heartbeat("B", behind);
		Instant beat = this.registry.workers(ahead).stream().filter(w -> w.id().equals("B")).findFirst().orElseThrow().heartbeatAt();
		assertThat(Duration.between(beat, ahead).abs()).isLessThan(Duration.ofSeconds(5));
		this.jdbc.update("DELETE FROM workers WHERE id = 'B'");
	}

	@Test
	void aBatchIsSettledInOneStatementAndEachRowIsFencedOnItsOwn() {
		enqueue("{\"id\":\"kept\",\"command\":\"true\"}");
		enqueue("{\"id\":\"taken\",\"command\":\"true\"}");
		enqueue("{\"id\":\"retried\",\"command\":\"false\",\"max_retries\":3}");
		List<Claim> claims = this.store.claim("A", List.of(), 3, this.clock.instant(), Duration.ofMinutes(1));
		assertThat(claims).hasSize(3);
		// another host took "taken" back meanwhile (its lease had run out): A's result must not land
		this.jdbc.update("UPDATE jobs SET worker_id = 'B', attempts = 2 WHERE id = 'taken'");
		Instant now = this.clock.instant();
		List<WorkerStore.Outcome> outcomes = new ArrayList<>();
		for (Claim c : claims) {
			boolean fails = c.jobId().equals("retried");
			outcomes.add(new WorkerStore.Outcome(c, new dev.queuectl.job.RunResult(fails ? "failed" : "completed",
					fails ? 1 : 0, null, now, 7, fails ? "exit code 1" : null, "tail 'quoted' \"x\" ü\n", "job_output"), false));
		}
		WorkerStore.Settled settled = this.store.settleAndClaim(outcomes, "A", 2, Duration.ofHours(1), List.of(), 0, now,
				Duration.ofMinutes(1));
		for (int i = 0; i < claims.size(); i++) {
			String id = claims.get(i).jobId();
			assertThat(settled.states().get(i)).as(id).isEqualTo(switch (id) {
				case "kept" -> dev.queuectl.job.JobState.COMPLETED;
				case "retried" -> dev.queuectl.job.JobState.FAILED;
				default -> null;
			});
		}
		assertThat(this.jdbc.queryForMap("SELECT state, worker_id FROM jobs WHERE id = 'taken'"))
			.containsEntry("state", "processing").containsEntry("worker_id", "B");
		assertThat(this.jdbc.queryForList("SELECT job_id FROM job_runs ORDER BY job_id", String.class))
			.containsExactly("kept", "retried");
		assertThat(this.jdbc.queryForMap("SELECT attempt, worker_id, exit_code, duration_ms, outcome, error, output_tail, output_path"
				+ " FROM job_runs WHERE job_id = 'retried'"))
			.containsEntry("attempt", 1).containsEntry("worker_id", "A").containsEntry("exit_code", 1)
			.containsEntry("duration_ms", 7L).containsEntry("outcome", "failed").containsEntry("error", "exit code 1")
			.containsEntry("output_tail", "tail 'quoted' \"x\" ü\n").containsEntry("output_path", "job_output");
		assertThat(this.jdbc.queryForMap("SELECT exit_code, last_error, finished_at FROM jobs WHERE id = 'retried'"))
			.containsEntry("exit_code", 1).containsEntry("last_error", "exit code 1").containsEntry("finished_at", now.toEpochMilli());
	}

	private long runAt(String id) {
		return this.jdbc.queryForObject("SELECT run_at FROM jobs WHERE id = ?", Long.class, id);
	}

	@Test
	void aClaimWhoseAnswerWasLostGoesBackToTheQueueUncountedAndTheHeldOneStays() {
		enqueue("{\"id\":\"held\",\"command\":\"true\"}");
		enqueue("{\"id\":\"lost\",\"command\":\"true\"}");
		List<Claim> claims = this.store.claim("A", List.of(), 2, this.clock.instant(), Duration.ofMinutes(1));
		assertThat(claims).hasSize(2);
		assertThat(this.store.releaseUnheld("A", java.util.Set.of("held"), this.clock.instant())).containsExactly("lost");
		assertThat(this.jdbc.queryForMap("SELECT state, worker_id, attempts FROM jobs WHERE id = 'lost'"))
			.containsEntry("state", "pending")
			.containsEntry("worker_id", null)
			.containsEntry("attempts", 0);
		assertThat(this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = 'held'", String.class)).isEqualTo("processing");
		assertThat(this.store.releaseUnheld("B", java.util.Set.of(), this.clock.instant())).as("another host's claims are not its own").isEmpty();
	}
	@Test
	void aServerThatEndsEverySessionCostsTheNextStatementsOneFailureNotOneAPooledConnection() throws Exception {
		// four pooled connections, each used just now: the pool lends one used within half a second unchecked
		ExecutorService threads = Executors.newFixedThreadPool(4);
		try {
			CyclicBarrier together = new CyclicBarrier(4);
			List<Future<Integer>> used = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				used.add(threads.submit(() -> this.jdbc.execute((java.sql.Connection c) -> {
					try (var st = c.createStatement()) {
						together.await(10, java.util.concurrent.TimeUnit.SECONDS); // all four lent at once
						st.execute("SELECT 1");
						return 1;
					}
					catch (InterruptedException | java.util.concurrent.BrokenBarrierException
							| java.util.concurrent.TimeoutException ex) {
						throw new IllegalStateException(ex);
					}
				})));
			}
			for (Future<Integer> f : used) {
				f.get();
			}
		}
		finally {
			threads.shutdownNow();
		}
		// the server ends every session of the pool, as a restart does (FATAL 57P01 on each)
		var pool = (com.zaxxer.hikari.HikariDataSource) this.jdbc.getDataSource();
		try (var admin = java.sql.DriverManager.getConnection(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
				var st = admin.createStatement()) {
			st.execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = current_database()"
					+ " AND application_name = 'queuectl' AND pid <> pg_backend_pid()");
		}
		int failed = 0;
		for (int i = 0; i < 4; i++) {
			try {
				assertThat(this.jdbc.queryForObject("SELECT 1", Integer.class)).isEqualTo(1);
			}
			catch (org.springframework.dao.DataAccessException ex) {
				failed++;
			}
		}
		assertThat(failed).as("statements that met an ended session").isLessThanOrEqualTo(1);
	}
}
