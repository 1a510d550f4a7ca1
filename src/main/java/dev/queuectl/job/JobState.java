package dev.queuectl.job;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.queuectl.QueuectlException;

/** The life cycle of a job: pending -> processing -> completed | failed (retry later) | dead. */
public enum JobState {

	PENDING, PROCESSING, COMPLETED, FAILED, DEAD;

	public String dbValue() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static JobState fromDb(String value) {
		return valueOf(value.toUpperCase(Locale.ROOT));
	}

	/** Parses a state named by a user, with a one-line error listing the valid ones. */
	public static JobState parse(String value) {
		for (JobState state : values()) {
			if (state.dbValue().equalsIgnoreCase(value.trim())) {
				return state;
			}
		}
		throw QueuectlException.usage("unknown state '" + value + "' (expected one of: " + names() + ")");
	}

	public static String names() {
		return Arrays.stream(values()).map(JobState::dbValue).collect(Collectors.joining(", "));
	}
}
