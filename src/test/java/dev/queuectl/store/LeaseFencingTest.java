package dev.queuectl.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.queuectl.job.JobState;
import dev.queuectl.cli.CommandTestSupport;
import dev.queuectl.job.Claim;
import dev.queuectl.job.RunResult;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** Leases and fencing in the store: a worker whose lease was taken over cannot overwrite the job. */
class LeaseFencingTest extends CommandTestSupport {

	private static final Duration LEASE = Duration.ofSeconds(30);

	@Autowired
	WorkerStore store;

	private Claim claimOne(String worker) {
		List<Claim> claims = this.store.claim(worker, List.of(), 1, this.clock.instant(), LEASE);
		assertThat(claims).hasSize(1);
		return claims.get(0);
	}

	private RunResult completed() {
		return new RunResult("completed", 0, null, this.clock.instant(), 5, null, "out", null);
	}

	private JobState settle(Claim claim, String worker, RunResult result, boolean giveBack) {
		return this.store
			.settleAndClaim(List.of(new WorkerStore.Outcome(claim, result, giveBack)), worker, 2, Duration.ofHours(1),
					List.of(), 0, this.clock.instant(), LEASE)
			.states()
			.get(0);
	}

	@Test
	void everyCommitReachesTheDiskBeforeItReturns() {
		assertThat(this.jdbc.queryForObject("PRAGMA journal_mode", String.class)).isEqualTo("wal");
		assertThat(this.jdbc.queryForObject("PRAGMA synchronous", Integer.class)).isEqualTo(2); // FULL
	}

	@Test
	void aClaimIsExclusiveAndCountsTheAttempt() {
		enqueue("{\"id\":\"one\",\"command\":\"true\"}");
		Claim a = claimOne("A");
		assertThat(a.attempt()).isEqualTo(1);
		assertThat(this.store.claim("B", List.of(), 5, this.clock.instant(), LEASE)).isEmpty();
		assertThat(this.jdbc.queryForMap("SELECT state, worker_id, lease_expires_at FROM jobs WHERE id = 'one'"))
			.containsEntry("state", "processing")
			.containsEntry("worker_id", "A")
			.containsEntry("lease_expires_at", this.clock.instant().plus(LEASE).toEpochMilli());
	}

	@Test
	void anExpiredLeaseIsTakenBackAndTheOldWorkerIsFencedOut() {
		enqueue("{\"id\":\"job\",\"command\":\"true\"}");
		Claim a = claimOne("A");

		this.clock.advance(Duration.ofSeconds(10));
		assertThat(this.store.renewLeases("A", this.clock.instant(), LEASE)).isEqualTo(1);
		this.clock.advance(Duration.ofSeconds(25)); // 35 s after the claim, 25 s after the renewal
		assertThat(this.store.reapExpired(this.clock.instant())).as("renewed: not expired yet").isEmpty();
		this.clock.advance(Duration.ofSeconds(10));
		assertThat(this.store.reapExpired(this.clock.instant())).containsExactly("job");
		assertThat(this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = 'job'", String.class)).isEqualTo("pending");

		Claim b = claimOne("B");
		assertThat(b.attempt()).as("the lost attempt counts").isEqualTo(2);

		assertThat(settle(a, "A", completed(), false)).as("A's late result is dropped").isNull();
		assertThat(settle(a, "A", completed(), true)).as("A cannot give the job back either").isNull();
		assertThat(this.jdbc.queryForMap("SELECT state, worker_id, attempts FROM jobs WHERE id = 'job'"))
			.containsEntry("state", "processing")
			.containsEntry("worker_id", "B")
			.containsEntry("attempts", 2);

		assertThat(settle(b, "B", completed(), false)).isEqualTo(JobState.COMPLETED);
		assertThat(this.jdbc.queryForList("SELECT outcome FROM job_runs WHERE job_id = 'job' ORDER BY id", String.class))
			.containsExactly("lost", "completed");
	}

	@Test
	void aLostLastAttemptMakesTheJobDead() {
		enqueue("{\"id\":\"fragile\",\"command\":\"true\",\"max_retries\":0}");
		claimOne("A");
		this.clock.advance(LEASE.plusSeconds(1));
		assertThat(this.store.reapExpired(this.clock.instant())).containsExactly("fragile");
		assertThat(this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = 'fragile'", String.class)).isEqualTo("dead");
	}

	@Test
	void failuresWaitBaseToTheKSecondsThenTheJobIsDead() {
		enqueue("{\"id\":\"flaky\",\"command\":\"false\",\"max_retries\":2}");
		long[] waits = new long[2];
		for (int k = 1; k <= 3; k++) {
			Claim c = claimOne("A");
			assertThat(c.attempt()).isEqualTo(k);
			Instant failedAt = this.clock.instant();
			JobState next = settle(c, "A", new RunResult("failed", 1, null, failedAt, 5, "exit code 1", null, null), false);
			if (k < 3) {
				assertThat(next).isEqualTo(JobState.FAILED);
				long runAt = this.jdbc.queryForObject("SELECT run_at FROM jobs WHERE id = 'flaky'", Long.class);
				waits[k - 1] = runAt - failedAt.toEpochMilli();
				assertThat(this.store.claim("A", List.of(), 1, this.clock.instant(), LEASE)).as("not before its time").isEmpty();
				this.clock.set(Instant.ofEpochMilli(runAt));
			}
			else {
				assertThat(next).isEqualTo(JobState.DEAD);
			}
		}
		assertThat(waits).containsExactly(2000, 4000);
	}

	@Test
	void aGivenBackJobIsPendingWithItsAttemptUncounted() {
		enqueue("{\"id\":\"back\",\"command\":\"sleep 9\"}");
		Claim a = claimOne("A");
		assertThat(settle(a, "A", completed(), true)).isEqualTo(JobState.PENDING);
		assertThat(this.jdbc.queryForMap("SELECT state, attempts, worker_id FROM jobs WHERE id = 'back'"))
			.containsEntry("state", "pending")
			.containsEntry("attempts", 0)
			.containsEntry("worker_id", null);
	}

	@Test
	void aClaimWhoseAnswerWasLostGoesBackToTheQueueUncountedAndTheHeldOneStays() {
		enqueue("{\"id\":\"held\",\"command\":\"true\"}");
		enqueue("{\"id\":\"lost\",\"command\":\"true\"}");
		List<Claim> claims = this.store.claim("A", List.of(), 2, this.clock.instant(), LEASE);
		assertThat(claims).hasSize(2);
		assertThat(this.store.releaseUnheld("A", java.util.Set.of("held"), this.clock.instant())).containsExactly("lost");
		assertThat(this.jdbc.queryForMap("SELECT state, worker_id, attempts FROM jobs WHERE id = 'lost'"))
			.containsEntry("state", "pending")
			.containsEntry("worker_id", null)
			.containsEntry("attempts", 0);
		assertThat(this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = 'held'", String.class)).isEqualTo("processing");
		assertThat(this.store.releaseUnheld("B", java.util.Set.of(), this.clock.instant())).as("another host's claims are not its own").isEmpty();
	}
}
