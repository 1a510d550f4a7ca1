package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;

/**
 * What happens after a failed run. {@code max_retries} counts retries after the first run, so a
 * job runs at most {@code max_retries + 1} times. After failed run k with retries left it waits
 * {@code base^k} seconds, capped by {@code maxBackoff}; after the last one it is dead.
 */
public final class RetryPolicy {

	private RetryPolicy() {
	}

	/** The state and next run time after failed run {@code attempt} (1-based). */
	public static Next afterFailure(int attempt, int maxRetries, Instant now, int base, Duration maxBackoff) {
		if (attempt > maxRetries) {
			return new Next(JobState.DEAD, now);
		}
		return new Next(JobState.FAILED, now.plus(backoff(attempt, base, maxBackoff)));
	}

	public static Duration backoff(int attempt, int base, Duration maxBackoff) {
		double seconds = Math.pow(base, attempt);
		if (!Double.isFinite(seconds) || seconds >= maxBackoff.toSeconds()) {
			return maxBackoff;
		}
		return Duration.ofMillis((long) (seconds * 1000));
	}

	public record Next(JobState state, Instant runAt) {
	}
}
