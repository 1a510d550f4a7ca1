package dev.queuectl.worker;

import java.time.Instant;

/**
 * How one run ended. {@code outcome} is completed, failed, timeout, lost, interrupted or canceled;
 * {@code error} says why in words when it did not complete.
 */
public record RunResult(String outcome, Integer exitCode, Integer signal, Instant finishedAt, long durationMs,
		String error, String outputTail, String outputPath) {

	/** The same run, recorded as canceled by its user. */
	public RunResult canceled() {
		return new RunResult("canceled", this.exitCode, this.signal, this.finishedAt, this.durationMs, "canceled by user",
				this.outputTail, this.outputPath);
	}

	public boolean succeeded() {
		return "completed".equals(this.outcome);
	}
}
