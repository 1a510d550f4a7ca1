package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One job as stored. Times are UTC instants; nullable fields are absent until they happen.
 * {@code startBy}: its deadline to start (null: none); {@code retryRule}: which failures are retried
 * (null: all); {@code limits}: the keys it needs room in to start (empty: none); {@code env}: its own
 * environment variables (empty: none); {@code progress}: the latest it reported (null: none);
 * {@code tags}: its tags ({@link Tags}, empty: none); {@code rerunOf}: the job a rerun copied (null: none).
 */
public record Job(String id, String command, JobState state, String queue, int priority, int attempts,
		int maxRetries, Instant runAt, Duration timeout, String workingDir, Instant createdAt, Instant updatedAt,
		Instant startedAt, Instant finishedAt, Integer exitCode, String lastError, String workerId,
		Instant leaseExpiresAt, Instant cancelRequestedAt, String uniqueKey, Resources resources, int slots,
		Instant startBy, RetryRule retryRule, List<String> limits, java.util.Map<String, String> env,
		Progress progress, List<String> tags, String rerunOf) {

	/** A job without variables of its own, progress or tags, not a rerun. */
	public Job(String id, String command, JobState state, String queue, int priority, int attempts,
			int maxRetries, Instant runAt, Duration timeout, String workingDir, Instant createdAt, Instant updatedAt,
			Instant startedAt, Instant finishedAt, Integer exitCode, String lastError, String workerId,
			Instant leaseExpiresAt, Instant cancelRequestedAt, String uniqueKey, Resources resources, int slots,
			Instant startBy, RetryRule retryRule, List<String> limits) {
		this(id, command, state, queue, priority, attempts, maxRetries, runAt, timeout, workingDir, createdAt, updatedAt,
				startedAt, finishedAt, exitCode, lastError, workerId, leaseExpiresAt, cancelRequestedAt, uniqueKey,
				resources, slots, startBy, retryRule, limits, java.util.Map.of(), null, List.of(), null);
	}

	/** A job without tags, not a rerun. */
	public Job(String id, String command, JobState state, String queue, int priority, int attempts,
			int maxRetries, Instant runAt, Duration timeout, String workingDir, Instant createdAt, Instant updatedAt,
			Instant startedAt, Instant finishedAt, Integer exitCode, String lastError, String workerId,
			Instant leaseExpiresAt, Instant cancelRequestedAt, String uniqueKey, Resources resources, int slots,
			Instant startBy, RetryRule retryRule, List<String> limits, java.util.Map<String, String> env,
			Progress progress) {
		this(id, command, state, queue, priority, attempts, maxRetries, runAt, timeout, workingDir, createdAt, updatedAt,
				startedAt, finishedAt, exitCode, lastError, workerId, leaseExpiresAt, cancelRequestedAt, uniqueKey,
				resources, slots, startBy, retryRule, limits, env, progress, List.of(), null);
	}

	/** A job without variables of its own or progress. */
	public Job(String id, String command, JobState state, String queue, int priority, int attempts,
			int maxRetries, Instant runAt, Duration timeout, String workingDir, Instant createdAt, Instant updatedAt,
			Instant startedAt, Instant finishedAt, Integer exitCode, String lastError, String workerId,
			Instant leaseExpiresAt, Instant cancelRequestedAt, String uniqueKey, Resources resources, int slots,
			Instant startBy, RetryRule retryRule, List<String> limits, List<String> tags,
			String rerunOf) {
		this(id, command, state, queue, priority, attempts, maxRetries, runAt, timeout, workingDir, createdAt, updatedAt,
				startedAt, finishedAt, exitCode, lastError, workerId, leaseExpiresAt, cancelRequestedAt, uniqueKey,
				resources, slots, startBy, retryRule, limits, java.util.Map.of(), null, tags, rerunOf);
	}

	/** A job that asks no resources and one slot, without deadline, retry rule or limits. */
	public Job(String id, String command, JobState state, String queue, int priority, int attempts,
			int maxRetries, Instant runAt, Duration timeout, String workingDir, Instant createdAt, Instant updatedAt,
			Instant startedAt, Instant finishedAt, Integer exitCode, String lastError, String workerId,
			Instant leaseExpiresAt, Instant cancelRequestedAt, String uniqueKey) {
		this(id, command, state, queue, priority, attempts, maxRetries, runAt, timeout, workingDir, createdAt, updatedAt,
				startedAt, finishedAt, exitCode, lastError, workerId, leaseExpiresAt, cancelRequestedAt, uniqueKey,
				Resources.NONE, 1, null, null, List.of());
	}
}
