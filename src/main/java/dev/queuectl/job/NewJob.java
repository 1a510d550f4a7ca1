package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;

/** A validated job, ready to be stored. {@code timeout} is null when the job uses the configured default. */
public record NewJob(String id, String command, String queue, int priority, int maxRetries, Instant runAt,
		Duration timeout, String workingDir) {
}
