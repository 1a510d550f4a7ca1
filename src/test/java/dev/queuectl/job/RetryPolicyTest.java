package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retry policy's rules of issue 26, without a database: exit codes and timeouts routed by a
 * job's retry_on / no_retry_on, the deadline that stops a retry from being made, and the jitter
 * that spreads waits below base^k, never above.
 */
class RetryPolicyTest {

	private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

	private static final RetryPolicy.Backoff EXACT = new RetryPolicy.Backoff(2, Duration.ofHours(1), 0);

	private static RetryPolicy.Next after(RetryRule rule, String outcome, Integer exit, Instant startBy) {
		return RetryPolicy.afterFailure(1, 3, NOW, EXACT, rule, outcome, exit, startBy, () -> 0.5);
	}

	@Test
	void noRetryOnEndsTheJobDeadAtOnceForItsCodesAndRetriesTheOthers() {
		RetryRule rule = RetryRule.parseOrNull(false, "2,64");
		RetryPolicy.Next two = after(rule, "failed", 2, null);
		assertThat(two.state()).isEqualTo(JobState.DEAD);
		assertThat(two.why()).isEqualTo("not retried: exit 2 is in no_retry_on [2,64]");
		assertThat(after(rule, "failed", 3, null).state()).isEqualTo(JobState.FAILED);
		assertThat(after(rule, "timeout", null, null).state()).isEqualTo(JobState.FAILED);
		assertThat(after(rule, "failed", null, null).state()).as("killed by a signal: no code, retried").isEqualTo(JobState.FAILED);
	}

	@Test
	void retryOnRetriesOnlyItsCodesAndTheWordTimeoutStandsForARunKilledByItsTimeout() {
		RetryRule rule = RetryRule.parseOrNull(true, "75 111, timeout");
		assertThat(rule.text()).isEqualTo("75,111,timeout");
		assertThat(after(rule, "failed", 75, null).state()).isEqualTo(JobState.FAILED);
		assertThat(after(rule, "failed", 111, null).state()).isEqualTo(JobState.FAILED);
		assertThat(after(rule, "timeout", 143, null).state()).as("a timeout is matched by the word, not its code")
			.isEqualTo(JobState.FAILED);
		RetryPolicy.Next one = after(rule, "failed", 1, null);
		assertThat(one.state()).isEqualTo(JobState.DEAD);
		assertThat(one.why()).isEqualTo("not retried: exit 1 is not in retry_on [75,111,timeout]");
		assertThat(after(RetryRule.parseOrNull(true, "75"), "timeout", 75, null).why())
			.isEqualTo("not retried: a timeout is not in retry_on [75]");
	}

	@Test
	void theLastAttemptIsDeadWhateverTheRuleSays() {
		RetryPolicy.Next last = RetryPolicy.afterFailure(4, 3, NOW, EXACT, RetryRule.parseOrNull(true, "75"), "failed", 75,
				null, () -> 0);
		assertThat(last.state()).isEqualTo(JobState.DEAD);
		assertThat(last.why()).isNull();
	}

	@Test
	void aRetryThatWouldStartAfterTheDeadlineIsNotMade() {
		// attempt 1 waits 2 s: a deadline 1 s away stops it, one 3 s away lets it be
		RetryPolicy.Next late = after(null, "failed", 1, NOW.plusSeconds(1));
		assertThat(late.state()).isEqualTo(JobState.DEAD);
		assertThat(late.why()).isEqualTo(
				"not retried: its next start at 2030-01-01T00:00:02Z would be after its deadline 2030-01-01T00:00:01Z");
		RetryPolicy.Next inTime = after(null, "failed", 1, NOW.plusSeconds(3));
		assertThat(inTime.state()).isEqualTo(JobState.FAILED);
		assertThat(inTime.runAt()).isEqualTo(NOW.plusSeconds(2));
	}

	@Test
	void withoutJitterEveryWaitIsExactlyBaseToTheK() {
		for (int k = 1; k <= 5; k++) {
			assertThat(EXACT.delay(k, 0.99)).isEqualTo(Duration.ofSeconds(1L << k));
		}
		assertThat(EXACT.delay(20, 0.5)).as("capped by max-backoff").isEqualTo(Duration.ofHours(1));
	}

	@Test
	void jitterShortensEachWaitByUpToItsShareAndNeverLengthensOne() {
		RetryPolicy.Backoff jitter = new RetryPolicy.Backoff(2, Duration.ofHours(1), 50);
		assertThat(jitter.delay(3, 0)).isEqualTo(Duration.ofSeconds(8));
		assertThat(jitter.delay(3, 0.5)).isEqualTo(Duration.ofSeconds(6));
		assertThat(jitter.delay(3, 0.999999)).isGreaterThan(Duration.ofSeconds(4));
		assertThat(jitter.delay(20, 0.5)).as("a capped wait is spread too").isEqualTo(Duration.ofMinutes(45));
		// a thousand jobs that failed together: their retries spread over the window, none past base^k
		java.util.Random random = new java.util.Random(26);
		List<Long> waits = java.util.stream.IntStream.range(0, 1000)
			.mapToObj(i -> RetryPolicy.afterFailure(3, 5, NOW, jitter, null, "failed", 1, null, random::nextDouble))
			.map(n -> n.runAt().toEpochMilli() - NOW.toEpochMilli())
			.toList();
		assertThat(waits).allSatisfy(w -> assertThat(w).isBetween(4_000L, 8_000L));
		assertThat(waits.stream().map(w -> w / 1000).distinct().count()).as("whole seconds the retries start in")
			.isGreaterThanOrEqualTo(4);
	}

	@Test
	void aRuleIsStoredAsItsCanonicalTextAndReadBack() {
		RetryRule rule = RetryRule.parseOrNull(false, "64, 2 2 timeout");
		assertThat(rule.text()).isEqualTo("2,64,timeout");
		assertThat(RetryRule.noRetryOn(rule)).isEqualTo("2,64,timeout");
		assertThat(RetryRule.retryOn(rule)).isNull();
		assertThat(RetryRule.stored(null, "2,64,timeout")).isEqualTo(rule);
		assertThat(RetryRule.stored(null, null)).isNull();
		assertThat(RetryRule.parseOrNull(true, "256")).isNull();
		assertThat(RetryRule.parseOrNull(true, "-1")).isNull();
		assertThat(RetryRule.parseOrNull(true, "")).isNull();
		assertThat(RetryRule.parseOrNull(true, "often")).isNull();
	}
}
