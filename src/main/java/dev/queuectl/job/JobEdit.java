package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What an {@code edit} changes in a job that has not started (issue 28): each field null when it
 * is left as it is. {@code runAt} with {@code runAtNamed} as in {@link NewJob}; {@code limits} and
 * {@code tags} empty to remove them all; {@code env} (the job's own variables, issue 27) replaces the
 * job's env as a whole, empty to remove it.
 */
public record JobEdit(String command, Integer priority, String queue, Instant runAt, boolean runAtNamed,
		Duration timeout, Integer maxRetries, List<String> limits, List<String> tags, Map<String, String> env) {

	/** An edit that changes nothing (a rerun's plain copy). */
	public static final JobEdit NONE = new JobEdit(null, null, null, null, false, null, null, null, null, null);

	/** The fields {@code edit} and {@code rerun --set} may name. */
	public static final List<String> FIELDS = List.of("command", "priority", "queue", "run_at", "delay", "timeout",
			"max_retries", "limits", "tags", "env");

	/** True when nothing changes. */
	public boolean isEmpty() {
		return this.command == null && this.priority == null && this.queue == null && this.runAt == null
				&& this.timeout == null && this.maxRetries == null && this.limits == null && this.tags == null && this.env == null;
	}
}
