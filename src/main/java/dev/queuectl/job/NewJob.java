package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A validated job, ready to be stored. {@code timeout} is null when the job uses the configured
 * default; {@code uniqueKey} null when it has none; {@code after} the ids it runs after (maybe none).
 */
public record NewJob(String id, String command, String queue, int priority, int maxRetries, Instant runAt,
		Duration timeout, String workingDir, String uniqueKey, List<String> after) {

	public NewJob(String id, String command, String queue, int priority, int maxRetries, Instant runAt,
			Duration timeout, String workingDir) {
		this(id, command, queue, priority, maxRetries, runAt, timeout, workingDir, null, List.of());
	}
}
