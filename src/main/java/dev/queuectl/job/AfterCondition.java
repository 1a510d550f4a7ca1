package dev.queuectl.job;

import java.util.Collection;
import java.util.Map;

/**
 * On what a job that runs after another waits for it (issue 28), as job_deps.kind stores it:
 * {@code after} (it completed), {@code after_any} (it is final, whatever its outcome) or
 * {@code after_failed} (it is final, and at least one of the job's after_failed jobs ended dead or
 * canceled). {@link #decide} is the one rule, for the store's release and the enqueue's first state.
 */
public enum AfterCondition {

	COMPLETED("completed", "after"), ANY("any", "after_any"), FAILED("failed", "after_failed");

	private final String dbValue;

	private final String field;

	AfterCondition(String dbValue, String field) {
		this.dbValue = dbValue;
		this.field = field;
	}

	/** As job_deps.kind stores it. */
	public String dbValue() {
		return this.dbValue;
	}

	/** The job field that names it. */
	public String field() {
		return this.field;
	}

	public static AfterCondition fromDb(String value) {
		for (AfterCondition c : values()) {
			if (c.dbValue.equals(value)) {
				return c;
			}
		}
		throw new IllegalArgumentException(value);
	}

	/**
	 * What becomes of a waiting job: it waits on, runs (pending), or is canceled ({@code reason});
	 * {@code cause}: the {@code after} job whose end canceled it (null for any other decision).
	 */
	public record Decision(JobState state, String reason, Named cause) {

		static final Decision WAIT = new Decision(JobState.WAITING, null, null);

		static final Decision RUN = new Decision(JobState.PENDING, null, null);

		/** Canceled because {@code ended}, which it runs after, ended dead or canceled. */
		public static Decision endedAfter(Named ended) {
			return new Decision(JobState.CANCELED,
					"canceled: job " + ended.id() + ", which it runs after, ended " + ended.state().dbValue(), ended);
		}
	}

	/** One job named: its id, the condition it is named with, and its state (null: not stored yet, as if waiting). */
	public record Named(String id, AfterCondition condition, JobState state) {
	}

	/**
	 * The rule over every job a job runs after: canceled as soon as an {@code after} job ended dead or
	 * canceled (naming it); else waiting while one is not final; else canceled when it names
	 * after_failed jobs and all of them completed; else it runs.
	 */
	public static Decision decide(Collection<Named> named) {
		boolean open = false;
		boolean failedNamed = false;
		boolean failedSeen = false;
		for (Named n : named) {
			boolean ended = n.state() == JobState.DEAD || n.state() == JobState.CANCELED;
			if (n.condition() == COMPLETED && ended) {
				return Decision.endedAfter(n);
			}
			if (n.state() == null || !n.state().terminal()) {
				open = true;
			}
			if (n.condition() == FAILED) {
				failedNamed = true;
				failedSeen |= ended;
			}
		}
		if (open) {
			return Decision.WAIT;
		}
		if (failedNamed && !failedSeen) {
			return new Decision(JobState.CANCELED, "canceled: every job it runs after_failed completed", null);
		}
		return Decision.RUN;
	}

	/** The condition each id is named with: {@code conditions} says the ones not plain {@code after}. */
	public static AfterCondition of(Map<String, AfterCondition> conditions, String id) {
		return conditions.getOrDefault(id, COMPLETED);
	}
}
