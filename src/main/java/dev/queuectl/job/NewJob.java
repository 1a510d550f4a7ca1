package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A validated job, ready to be stored. {@code timeout} is null when the job uses the configured
 * default; {@code uniqueKey} null when it has none; {@code after} the ids it runs after (maybe none); {@code limits} the keys
 * whose room it needs to start (maybe none, {@link LimitBook}).
 * {@code runAtNamed}: {@code runAt} is an instant named by the user or a schedule's tick, stored as it
 * is; otherwise it was counted from the enqueuing host's now (now, or now plus a delay), and is
 * counted from the database's clock where that differs (PostgreSQL).
 */
public record NewJob(String id, String command, String queue, int priority, int maxRetries, Instant runAt,
		boolean runAtNamed, Duration timeout, String workingDir, String uniqueKey, List<String> after,
		List<String> limits) {
}
