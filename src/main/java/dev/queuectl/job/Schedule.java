package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * A recurring schedule as stored: a cron expression (in {@code zone}) or an interval, what to do
 * with ticks missed while no worker host ran, whether a tick waits for the previous run, and the
 * job template. {@code nextFireAt} is the earliest tick not yet fired or skipped ({@link #NEVER}
 * when the expression has no more).
 */
public record Schedule(String name, String cron, Duration every, ZoneId zone, CatchUp catchUp, boolean noOverlap,
		String template, String workingDir, boolean paused, Instant nextFireAt, Instant lastTickAt, String lastJobId,
		long skipped, Instant createdAt) {

	/** The next fire time of a cron expression that never fires again. */
	public static final Instant NEVER = Instant.ofEpochMilli(Long.MAX_VALUE);

	/** What a worker host does with ticks that passed while no host ran. */
	public enum CatchUp {
		/** Enqueue a job for every missed tick. */
		ALL,
		/** Enqueue one job, for the latest missed tick (the default). */
		LATEST,
		/** Enqueue none: the next run is the next tick to come. */
		NONE;

		public String dbValue() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

		public static CatchUp fromDb(String value) {
			return valueOf(value.toUpperCase(java.util.Locale.ROOT));
		}
	}

	/** "cron EXPR" or "every D", as a user wrote it. */
	public String when() {
		return this.cron != null ? this.cron : "every " + dev.queuectl.config.Durations.format(this.every);
	}
}
