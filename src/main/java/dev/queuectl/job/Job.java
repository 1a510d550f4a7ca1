package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One job as stored. Times are UTC instants; nullable fields are absent until they happen;
 * {@code limits}: the keys it needs room in to start (empty: none).
 */
public record Job(String id, String command, JobState state, String queue, int priority, int attempts,
		int maxRetries, Instant runAt, Duration timeout, String workingDir, Instant createdAt, Instant updatedAt,
		Instant startedAt, Instant finishedAt, Integer exitCode, String lastError, String workerId,
		Instant leaseExpiresAt, Instant cancelRequestedAt, String uniqueKey, List<String> limits) {
}
