package dev.queuectl.job;

import java.time.Instant;
import java.util.Map;

/**
 * A batch (issue 28): jobs enqueued together, and the callbacks run once when all are final.
 * {@code unfinished}, {@code completed}, {@code dead} and {@code canceled} are its counters, kept
 * with each job's state change; {@code live} splits the unfinished ones by state (waiting, pending,
 * processing, failed), read when shown. {@code onSuccess}, {@code onFailure}, {@code onComplete}:
 * the callback jobs' ids (null: none, or not run because the batch settled the other way).
 */
public record Batch(String name, Instant createdAt, Instant settledAt, long total, long unfinished, long completed,
		long dead, long canceled, String onSuccess, String onFailure, String onComplete, Map<JobState, Long> live) {

	public boolean settled() {
		return this.settledAt != null;
	}

	/** Jobs that are final: completed, dead or canceled. */
	public long done() {
		return this.total - this.unfinished;
	}

	/** "open", or when settled "succeeded" (every job completed) or "failed". */
	public String status() {
		return !settled() ? "open" : this.dead + this.canceled == 0 ? "succeeded" : "failed";
	}

	public Batch withLive(Map<JobState, Long> counts) {
		return new Batch(this.name, this.createdAt, this.settledAt, this.total, this.unfinished, this.completed, this.dead,
				this.canceled, this.onSuccess, this.onFailure, this.onComplete, counts);
	}
}
