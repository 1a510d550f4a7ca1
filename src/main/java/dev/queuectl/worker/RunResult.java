package dev.queuectl.worker;

import java.time.Instant;

/**
 * How one run ended. {@code outcome} is completed, failed, timeout, lost or interrupted;
 * {@code error} says why in words when it did not complete.
 */
public record RunResult(String outcome, Integer exitCode, Integer signal, Instant finishedAt, long durationMs,
		String error, String outputTail, String outputPath) {

	public boolean succeeded() {
		return "completed".equals(this.outcome);
	}
}
