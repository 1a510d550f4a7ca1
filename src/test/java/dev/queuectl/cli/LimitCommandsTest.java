package dev.queuectl.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.queuectl.job.Claim;
import dev.queuectl.job.RunResult;
import dev.queuectl.store.WorkerStore;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Limits by key and queue rates (issue 26) through the commands and the claim, in-process: a
 * worker's side is played by calling {@link WorkerStore} as a worker host does. Time passes on the
 * test clock on SQLite; on PostgreSQL the ledger is on the server's clock, so a window's passing is
 * played by moving the ledger's starts back.
 */
class LimitCommandsTest extends CommandTestSupport {

	@Autowired
	WorkerStore workers;

	@BeforeEach
	void noLimits() {
		this.jdbc.update("DELETE FROM limits");
		this.jdbc.update("DELETE FROM limit_starts");
	}

	private List<String> claim(int n) {
		return this.workers.claim("w1", List.of(), n, this.clock.instant(), Duration.ofSeconds(30))
			.stream().map(Claim::jobId).toList();
	}

	private void finish(String id) {
		Instant now = this.clock.instant();
		Claim c = new Claim(id, "true", "/", 1, 0, null, now, now);
		RunResult r = new RunResult("completed", 0, null, now, 5, null, null, null);
		this.workers.settleAndClaim(List.of(new WorkerStore.Outcome(c, r, false)), "w1", 2, Duration.ofHours(1),
				List.of(), 0, now, Duration.ofSeconds(30));
	}

	/** How much time the test has let pass ({@link #pass}). */
	private Duration passed = Duration.ZERO;

	/** Lets {@code d} pass for the rates' windows. */
	private void pass(Duration d) {
		this.passed = this.passed.plus(d);
		if (this.database.isPostgres()) {
			holdServerTime();
		}
		else {
			this.clock.set(this.clock.instant().plus(d));
		}
	}

	/**
	 * On PostgreSQL: dates the ledger's starts {@link #passed} before the server's clock, which goes
	 * on while the test runs (seconds, on a loaded machine), so that only {@link #pass} moves a
	 * window, as the test clock does on SQLite. The starts of these tests are all of one claim.
	 */
	private void holdServerTime() {
		if (this.database.isPostgres()) {
			this.jdbc.update("UPDATE limit_starts SET started_at = CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) - ?",
					this.passed.toMillis());
		}
	}

	private void job(String id, String... keys) {
		String limits = keys.length == 0 ? ""
				: ",\"limits\":[" + java.util.Arrays.stream(keys).map(k -> "\"" + k + "\"").collect(Collectors.joining(",")) + "]";
		enqueue("{\"id\":\"" + id + "\",\"command\":\"true\"" + limits + "}");
	}

	@Test
	void aKeysConcurrencyHoldsItsJobsBackUntilOneEndsWhileOthersRun() {
		assertThat(run("limit", "set", "stripe", "--concurrency", "2").ok().out()).isEqualTo("stripe: at most 2 running\n");
		job("s1", "stripe");
		job("s2", "stripe");
		job("s3", "stripe");
		job("free");
		assertThat(claim(10)).containsExactlyInAnyOrder("s1", "s2", "free");
		assertThat(claim(10)).isEmpty();
		assertThat(this.workers.hasRunnable(List.of(), this.clock.instant())).isFalse();
		assertThat(run("show", "s3").ok().out()).contains("waiting", "held by limit stripe (2/2 running)");
		assertThat(run("show", "s3", "--json").ok().json().get("waiting").get(0).asString())
			.isEqualTo("held by limit stripe (2/2 running)");
		assertThat(run("limit", "list", "--json").ok().json().get(0).get("running").asInt()).isEqualTo(2);
		finish("s1");
		assertThat(claim(10)).containsExactly("s3");
	}

	@Test
	void aFamilyLimitsEachMatchingKeyOnItsOwnAndAKeysOwnSettingWins() {
		run("limit", "set", "customer:*", "--concurrency", "1").ok();
		job("a1", "customer:1");
		job("a2", "customer:1");
		job("b1", "customer:2");
		job("b2", "customer:2");
		assertThat(claim(10)).containsExactlyInAnyOrder("a1", "b1");
		assertThat(claim(10)).isEmpty();
		run("limit", "set", "customer:1", "--concurrency", "2").ok();
		assertThat(claim(10)).containsExactly("a2");
		assertThat(run("limit", "list").ok().out()).contains("customer:*", "customer:1");
	}

	@Test
	void aClaimReadsAtMost256HeldKeyedJobsSoADeeperBacklogHidesOtherKeysBehindItUntilItDrains() {
		run("limit", "set", "a", "--concurrency", "1").ok();
		job("a0000", "a");
		assertThat(claim(10)).containsExactly("a0000");
		for (int i = 1; i < WorkerStore.LIMITED_READ; i++) {
			job("a%04d".formatted(i), "a"); // held: a is full
		}
		job("b1", "b");
		assertThat(claim(10)).as("255 held ahead: within the read").containsExactly("b1");
		job("a%04d".formatted(WorkerStore.LIMITED_READ), "a");
		job("b2", "b");
		assertThat(claim(10)).as("256 held ahead: b2 is past the read").isEmpty();
		finish("a0000");
		assertThat(claim(10)).as("the backlog drains one a job a claim").containsExactly("a0001");
		assertThat(claim(10)).as("255 held ahead again").containsExactly("b2");
	}

	@Test
	void limitListSumsAFamilyAndShowsEachOfItsKeysOwnUseBelowIt() {
		run("limit", "set", "customer:*", "--concurrency", "1", "--rate", "5/1m").ok();
		job("a1", "customer:1");
		job("a2", "customer:1");
		job("b1", "customer:2");
		assertThat(claim(10)).containsExactlyInAnyOrder("a1", "b1");
		assertThat(run("limit", "list").ok().out()).isEqualTo("""
				KEY           CONCURRENCY  RATE  RUNNING  STARTS
				customer:*    1            5/1m  2        2
				  customer:1  1            5/1m  1        1
				  customer:2  1            5/1m  1        1
				""");
		var family = run("limit", "list", "--json").ok().json().get(0);
		assertThat(family.get("running").asInt()).isEqualTo(2);
		assertThat(family.get("keys").toString()).isEqualTo(
				"[{\"key\":\"customer:1\",\"running\":1,\"starts\":1},{\"key\":\"customer:2\",\"running\":1,\"starts\":1}]");
		assertThat(run("show", "a2").ok().out()).contains("held by limit customer:1 (1/1 running)");
	}

	@Test
	void aRateStartsAtMostNInAnySlidingWindowAndTellsWhenTheNextMayStart() {
		run("limit", "set", "stripe", "--rate", "2/10s").ok();
		IntStream.range(0, 5).forEach(i -> job("r" + i, "stripe"));
		assertThat(claim(10)).containsExactly("r0", "r1");
		finish("r0");
		finish("r1");
		holdServerTime();
		assertThat(claim(10)).as("ended runs free no start in the window").isEmpty();
		holdServerTime();
		WorkerStore.Probe probe = this.workers.probe(List.of(), this.clock.instant());
		assertThat(probe.runnable()).isFalse();
		assertThat(probe.heldFor()).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
		holdServerTime();
		assertThat(run("show", "r2").ok().out()).containsPattern("rate stripe 2/10s: next start in (9|10) s");
		pass(Duration.ofSeconds(9));
		assertThat(claim(10)).isEmpty();
		pass(Duration.ofSeconds(2));
		assertThat(claim(10)).containsExactly("r2", "r3");
		assertThat(run("limit", "list", "--json").ok().json().get(0).get("starts").asInt()).isEqualTo(2);
	}

	@Test
	void aQueueRateHoldsEveryJobOfTheQueueAndOffRemovesIt() {
		assertThat(run("queue", "rate", "mail", "1/1m").ok().out()).isEqualTo("mail starts at most 1 job(s) per 1m\n");
		enqueue("{\"id\":\"m1\",\"command\":\"true\",\"queue\":\"mail\"}");
		enqueue("{\"id\":\"m2\",\"command\":\"true\",\"queue\":\"mail\"}");
		job("d1");
		assertThat(claim(10)).containsExactlyInAnyOrder("m1", "d1");
		assertThat(claim(10)).isEmpty();
		assertThat(run("show", "m2").ok().out()).containsPattern("rate of queue mail 1/1m: next start in \\d+ s");
		assertThat(run("queue", "list", "--json").ok().json().toString()).contains("\"rate\":\"1/1m\"");
		assertThat(run("queue", "rate", "mail", "off").ok().out()).isEqualTo("mail has no rate\n");
		assertThat(claim(10)).containsExactly("m2");
	}

	@Test
	void jobsNamingKeysWithoutSettingsRunFreelyAndLimitRmFreesAKey() {
		job("k1", "nobody");
		job("k2", "nobody");
		assertThat(claim(10)).containsExactlyInAnyOrder("k1", "k2");
		run("limit", "set", "gate", "--concurrency", "1").ok();
		job("g1", "gate");
		job("g2", "gate");
		assertThat(claim(10)).containsExactly("g1");
		run("limit", "rm", "gate").ok();
		assertThat(claim(10)).containsExactly("g2");
		run("limit", "rm", "gate").fails(3, "no such limit: gate");
	}

	@Test
	void badLimitsAreRefusedWithOneLineAndNothingIsStored() {
		var before = everything();
		run("limit", "set", "stripe", "--rate", "0/1m").usageError("a rate is N/DURATION");
		run("limit", "set", "stripe", "--rate", "5").usageError("a rate is N/DURATION");
		run("limit", "set", "stripe", "--concurrency", "0").usageError("a concurrency is a number");
		run("limit", "set", "bad key", "--concurrency", "1").usageError("a limit key is");
		run("limit", "set", "stripe").usageError("--concurrency N and/or --rate");
		run("queue", "rate", "mail", "0/1m").usageError("a rate is N/DURATION");
		String seventeen = IntStream.range(0, 17).mapToObj(i -> "\"k" + i + "\"").collect(Collectors.joining(","));
		run("enqueue", "{\"command\":\"true\",\"limits\":[" + seventeen + "]}").usageError("field 'limits' must be an array of 1-16 keys");
		run("enqueue", "{\"command\":\"true\",\"limits\":[\"a*\"]}").usageError("field 'limits' holds keys of");
		run("enqueue", "{\"command\":\"true\",\"limits\":\"stripe\"}").usageError("field 'limits' must be an array");
		assertThat(everything()).isEqualTo(before);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM limits", Integer.class)).isZero();
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM queues", Integer.class)).isZero();
	}
}
