package dev.queuectl.job;

import java.time.Instant;

/**
 * One notification of the outbox: that job {@code jobId} reached {@code state} (completed, failed
 * with a retry to come, dead, canceled) at its attempt {@code attempt}, to be told through
 * {@code channel} ("url" or "command"). {@code exitCode} and {@code lastError} are the job's as the
 * change left them. {@code tries}: deliveries tried so far; {@code error}: why the last one failed.
 * Its status is delivered, failed (given up after notify-retry-for) or pending.
 */
public record Notification(long id, String jobId, int attempt, String state, String channel, Integer exitCode,
		String lastError, Instant createdAt, Instant nextAt, int tries, Instant deliveredAt, Instant failedAt,
		String error) {

	public String status() {
		return this.deliveredAt != null ? "delivered" : this.failedAt != null ? "failed" : "pending";
	}

	/** The word of notify-on for {@link #state}: "retry" for a job that failed with a retry to come. */
	public String event() {
		return "failed".equals(this.state) ? "retry" : this.state;
	}

	/**
	 * The header receivers dedupe on, one per event and the same for every delivery of it:
	 * {@code JOBID:ATTEMPT:STATE:MS}, the state as stored ({@code failed} for a retry) and the
	 * change's time in milliseconds since the epoch. The state tells apart the events of one attempt
	 * (a retry's failure, then a cancel during its backoff); the time, the same event of one attempt
	 * twice (dead at attempt 3, {@code dlq retry}, dead at attempt 3 again). The time is the outbox
	 * row's, so a migration keeps it.
	 */
	public String idempotencyKey() {
		return this.jobId + ":" + this.attempt + ":" + this.state + ":" + this.createdAt.toEpochMilli();
	}
}
