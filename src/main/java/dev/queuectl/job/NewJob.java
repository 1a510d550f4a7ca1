package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A validated job, ready to be stored. {@code timeout} is null when the job uses the configured
 * default; {@code uniqueKey} null when it has none; {@code after} the ids it runs after (maybe none; by after, after_any or after_failed); {@code limits} the keys
 * whose room it needs to start (maybe none, {@link LimitBook}).
 * {@code runAtNamed}: {@code runAt} is an instant named by the user or a schedule's tick, stored as it
 * is; otherwise it was counted from the enqueuing host's now (now, or now plus a delay), and is
 * counted from the database's clock where that differs (PostgreSQL). {@code resources} and
 * {@code slots}: what a host must have free to start it ({@link Resources}).
 * {@code startBy}: the deadline to start (null: none), named ({@code startByNamed}: "start_by") or
 * counted from now like a delay ("start_within"); {@code retryRule}: which failures are retried
 * (null: all). {@code env}: the job's own environment variables ({@link JobEnv}; maybe none).
 * {@code tags}: its tags ({@link Tags}, maybe none); {@code rerunOf}: the job a rerun copied (null: none).
 * {@code conditions} (issue 28): the ids of {@code after} named by after_any or after_failed, with their condition.
 * {@code trace} (issue 31): the trace context of the span that enqueued it, stored for its attempts' spans
 * (null: not traced, always so while tracing is off).
 */
public record NewJob(String id, String command, String queue, int priority, int maxRetries, Instant runAt,
		boolean runAtNamed, Duration timeout, String workingDir, String uniqueKey, List<String> after,
		Resources resources, int slots, Instant startBy, boolean startByNamed, RetryRule retryRule,
		List<String> limits, java.util.Map<String, String> env, List<String> tags, String rerunOf,
		Map<String, AfterCondition> conditions, TraceContext trace) {

	/** A job not traced. */
	public NewJob(String id, String command, String queue, int priority, int maxRetries, Instant runAt,
			boolean runAtNamed, Duration timeout, String workingDir, String uniqueKey, List<String> after,
			Resources resources, int slots, Instant startBy, boolean startByNamed, RetryRule retryRule,
			List<String> limits, java.util.Map<String, String> env, List<String> tags, String rerunOf,
			Map<String, AfterCondition> conditions) {
		this(id, command, queue, priority, maxRetries, runAt, runAtNamed, timeout, workingDir, uniqueKey, after,
				resources, slots, startBy, startByNamed, retryRule, limits, env, tags, rerunOf, conditions, null);
	}

	/** A job without variables of its own or tags, not a rerun. */
	public NewJob(String id, String command, String queue, int priority, int maxRetries, Instant runAt,
			boolean runAtNamed, Duration timeout, String workingDir, String uniqueKey, List<String> after,
			Resources resources, int slots, Instant startBy, boolean startByNamed, RetryRule retryRule,
			List<String> limits) {
		this(id, command, queue, priority, maxRetries, runAt, runAtNamed, timeout, workingDir, uniqueKey, after,
				resources, slots, startBy, startByNamed, retryRule, limits, java.util.Map.of(), List.of(), null, Map.of());
	}

	/** A job without tags, not a rerun. */
	public NewJob(String id, String command, String queue, int priority, int maxRetries, Instant runAt,
			boolean runAtNamed, Duration timeout, String workingDir, String uniqueKey, List<String> after,
			Resources resources, int slots, Instant startBy, boolean startByNamed, RetryRule retryRule,
			List<String> limits, java.util.Map<String, String> env) {
		this(id, command, queue, priority, maxRetries, runAt, runAtNamed, timeout, workingDir, uniqueKey, after,
				resources, slots, startBy, startByNamed, retryRule, limits, env, List.of(), null, Map.of());
	}

	/** A job without variables of its own. */
	public NewJob(String id, String command, String queue, int priority, int maxRetries, Instant runAt,
			boolean runAtNamed, Duration timeout, String workingDir, String uniqueKey, List<String> after,
			Resources resources, int slots, Instant startBy, boolean startByNamed, RetryRule retryRule,
			List<String> limits, List<String> tags, String rerunOf) {
		this(id, command, queue, priority, maxRetries, runAt, runAtNamed, timeout, workingDir, uniqueKey, after,
				resources, slots, startBy, startByNamed, retryRule, limits, java.util.Map.of(), tags, rerunOf, Map.of());
	}

	/** This job as a rerun of {@code original}. */
	public NewJob rerunOf(String original) {
		return new NewJob(this.id, this.command, this.queue, this.priority, this.maxRetries, this.runAt, this.runAtNamed,
				this.timeout, this.workingDir, this.uniqueKey, this.after, this.resources, this.slots, this.startBy,
				this.startByNamed, this.retryRule, this.limits, this.env, this.tags, original, this.conditions, this.trace);
	}

	/** This job with the trace context of the span that enqueues it. */
	public NewJob traced(TraceContext context) {
		return new NewJob(this.id, this.command, this.queue, this.priority, this.maxRetries, this.runAt, this.runAtNamed,
				this.timeout, this.workingDir, this.uniqueKey, this.after, this.resources, this.slots, this.startBy,
				this.startByNamed, this.retryRule, this.limits, this.env, this.tags, this.rerunOf, this.conditions, context);
	}

	/** The condition on which it runs after {@code id}, one of {@link #after}. */
	public AfterCondition condition(String id) {
		return AfterCondition.of(this.conditions, id);
	}

	/** A job that asks no resources and one slot, without deadline, retry rule or limits. */
	public NewJob(String id, String command, String queue, int priority, int maxRetries, Instant runAt,
			boolean runAtNamed, Duration timeout, String workingDir, String uniqueKey, List<String> after) {
		this(id, command, queue, priority, maxRetries, runAt, runAtNamed, timeout, workingDir, uniqueKey, after,
				Resources.NONE, 1, null, false, null, List.of());
	}

	/** Whether the job asks resources or more than one slot: stored and claimed with its demand. */
	public boolean weighted() {
		return !this.resources.isEmpty() || this.slots != 1;
	}
}
