package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * What happens after a failed run. {@code max_retries} counts retries after the first run, so a
 * job runs at most {@code max_retries + 1} times. After failed run k with retries left it waits
 * {@code base^k} seconds, capped by {@code maxBackoff}; after the last one it is dead.
 * <p>
 * Issue 26 adds three rules, each a reason to end the job dead at once with its retries left:
 * its {@link RetryRule} does not retry how the run ended (exit code, or timeout); or its next start
 * would fall after its deadline ({@code start_by}: a retry that could not start in time is not
 * made). And {@code backoff-jitter} (0-50 %) shortens each wait by a random part of up to that
 * fraction, so that jobs that failed together do not retry in the same second; it never lengthens
 * one, so {@code base^k} and {@code max-backoff} stay the longest waits (0: exactly {@code base^k}).
 */
public final class RetryPolicy {

	private RetryPolicy() {
	}

	/** The state and next run time after failed run {@code attempt} (1-based). */
	public static Next afterFailure(int attempt, int maxRetries, Instant now, int base, Duration maxBackoff) {
		return afterFailure(attempt, maxRetries, now, new Backoff(base, maxBackoff, 0), null, "failed", null, null,
				Math::random);
	}

	/**
	 * The state and next run time after failed run {@code attempt} (1-based) that ended with
	 * {@code outcome} (failed, timeout...) and {@code exitCode} (maybe null), for a job with the
	 * retry rule {@code rule} (null: every failure retried) and deadline {@code startBy} (null:
	 * none). {@code random} draws the jitter, in [0, 1). When the job ends dead for a rule,
	 * {@link Next#why} says which, to follow the run's error.
	 */
	public static Next afterFailure(int attempt, int maxRetries, Instant now, Backoff backoff, RetryRule rule,
			String outcome, Integer exitCode, Instant startBy, DoubleSupplier random) {
		if (attempt > maxRetries) {
			return new Next(JobState.DEAD, now, null);
		}
		if (rule != null && !rule.retries(outcome, exitCode)) {
			String how = "timeout".equals(outcome) ? "a timeout" : exitCode != null ? "exit " + exitCode : "this end";
			return new Next(JobState.DEAD, now, "not retried: " + how + (rule.only() ? " is not in retry_on [" : " is in no_retry_on [")
					+ rule.text() + "]");
		}
		Instant next = now.plus(backoff.delay(attempt, random.getAsDouble()));
		if (startBy != null && next.isAfter(startBy)) {
			return new Next(JobState.DEAD, now, "not retried: its next start at " + next.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
					+ " would be after its deadline " + startBy);
		}
		return new Next(JobState.FAILED, next, null);
	}

	public static Duration backoff(int attempt, int base, Duration maxBackoff) {
		double seconds = Math.pow(base, attempt);
		if (!Double.isFinite(seconds) || seconds >= maxBackoff.toSeconds()) {
			return maxBackoff;
		}
		return Duration.ofMillis((long) (seconds * 1000));
	}

	/**
	 * How long retries wait: {@code base^k} seconds, at most {@code max}, shortened by up to
	 * {@code jitterPercent} % (0-50).
	 */
	public record Backoff(int base, Duration max, int jitterPercent) {

		/** The wait after failed run {@code attempt}, {@code u} in [0, 1) choosing where in the spread. */
		public Duration delay(int attempt, double u) {
			Duration full = backoff(attempt, this.base, this.max);
			if (this.jitterPercent <= 0) {
				return full;
			}
			long cut = (long) (full.toMillis() * (this.jitterPercent / 100.0) * u);
			return full.minusMillis(cut);
		}
	}

	/** {@code why}: null, or why a job with retries left ends dead ({@link #afterFailure}). */
	public record Next(JobState state, Instant runAt, String why) {
	}
}
