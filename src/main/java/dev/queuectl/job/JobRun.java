package dev.queuectl.job;

import java.time.Instant;

/** One attempt at running a job. */
public record JobRun(String jobId, int attempt, String workerId, Instant startedAt, Instant finishedAt,
		Integer exitCode, Integer signal, Long durationMs, String outcome, String error, String outputTail,
		String outputPath, Instant outputRemovedAt) {
}
