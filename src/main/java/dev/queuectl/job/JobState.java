package dev.queuectl.job;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.queuectl.config.QueuectlException;

/**
 * The life cycle of a job: [waiting ->] pending -> processing -> completed | failed (retry later) |
 * dead. A job waits while a job it runs after has not completed; canceled ends any job that has not
 * finished, by a user or because a job it runs after ended dead or canceled.
 */
public enum JobState {

	PENDING, WAITING, PROCESSING, COMPLETED, FAILED, DEAD, CANCELED;

	/** Whether the job is done for good: nothing will run it again (but dlq retry for dead ones). */
	public boolean terminal() {
		return this == COMPLETED || this == DEAD || this == CANCELED;
	}

	public String dbValue() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static JobState fromDb(String value) {
		return valueOf(value.toUpperCase(Locale.ROOT));
	}

	/**
	 * Parses a state named by a user, exactly as {@link #names()} spells it (no trimming, no case
	 * folding: 'PENDING ' is refused), with a one-line error listing the valid ones.
	 */
	public static JobState parse(String value) {
		for (JobState state : values()) {
			if (state.dbValue().equals(value)) {
				return state;
			}
		}
		throw QueuectlException.usage("unknown state '" + value + "' (expected one of: " + names() + ")");
	}

	public static String names() {
		return Arrays.stream(values()).map(JobState::dbValue).collect(Collectors.joining(", "));
	}
}
