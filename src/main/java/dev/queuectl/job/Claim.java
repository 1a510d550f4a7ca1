package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;

/** A job a worker has claimed: what it needs to run it and to fence its result. */
public record Claim(String jobId, String command, String workingDir, int attempt, int maxRetries, Duration timeout,
		Instant startedAt, Instant runAt) {
}
