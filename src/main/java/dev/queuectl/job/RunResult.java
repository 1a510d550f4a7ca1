package dev.queuectl.job;

import java.time.Instant;

/**
 * How one run ended. {@code outcome} is completed, failed, timeout, lost, interrupted or canceled;
 * {@code error} says why in words when it did not complete.
 */
public record RunResult(String outcome, Integer exitCode, Integer signal, Instant finishedAt, long durationMs,
		String error, String outputTail, String outputPath) {

	/** The same failed run, not to be retried because its user asked to cancel the job meanwhile. */
	public RunResult notRetried() {
		return new RunResult(this.outcome, this.exitCode, this.signal, this.finishedAt, this.durationMs,
				this.error + "; not retried: its cancel was asked", this.outputTail, this.outputPath);
	}

	/** The same failed run, not retried for {@code why} (its retry rule or deadline), said after its error. */
	public RunResult withReason(String why) {
		return new RunResult(this.outcome, this.exitCode, this.signal, this.finishedAt, this.durationMs,
				this.error + "; " + why, this.outputTail, this.outputPath);
	}

		public boolean succeeded() {
		return "completed".equals(this.outcome);
	}
}
