package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;

/**
 * A job a worker has claimed: what it needs to run it and to fence its result, and what it takes of
 * the host while it is claimed ({@code slots} of its slots, {@code resources} of what it offers).
 */
public record Claim(String jobId, String command, String workingDir, int attempt, int maxRetries, Duration timeout,
		Instant startedAt, Instant runAt, int slots, Resources resources) {

	/** A claim of one slot and no resources. */
	public Claim(String jobId, String command, String workingDir, int attempt, int maxRetries, Duration timeout,
			Instant startedAt, Instant runAt) {
		this(jobId, command, workingDir, attempt, maxRetries, timeout, startedAt, runAt, 1, Resources.NONE);
	}
}
