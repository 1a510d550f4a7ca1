package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;

/**
 * One job as stored. Times are UTC instants; nullable fields are absent until they happen.
 * {@code startBy}: its deadline to start (null: none); {@code retryRule}: which failures are retried
 * (null: all).
 */
public record Job(String id, String command, JobState state, String queue, int priority, int attempts,
		int maxRetries, Instant runAt, Duration timeout, String workingDir, Instant createdAt, Instant updatedAt,
		Instant startedAt, Instant finishedAt, Integer exitCode, String lastError, String workerId,
		Instant leaseExpiresAt, Instant cancelRequestedAt, String uniqueKey, Instant startBy, RetryRule retryRule) {
}
