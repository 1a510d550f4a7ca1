package dev.queuectl.job;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.queuectl.config.QueuectlException;

/**
 * Which jobs a listing shows: any of some states and any of some queues (none named: all). The
 * states are those a user sees, the stored ones and {@code canceling}, which is not stored: it is a
 * processing job whose cancel was asked for ({@link Job#cancelRequestedAt}). Named as a listing
 * option takes them: repeated or comma-separated ({@code --state dead,failed}). {@code tags}: only jobs
 * that carry every one of them (none: any job).
 */
public record JobFilter(Set<JobState> states, List<String> queues, boolean cancelingOnly, List<String> tags) {

	/** The state a listing shows for a processing job being canceled. */
	public static final String CANCELING = "canceling";

	/** Every job. */
	public static final JobFilter ALL = new JobFilter(Set.of(), List.of(), false);

	public JobFilter {
		states = Set.copyOf(states);
		queues = List.copyOf(queues);
		tags = List.copyOf(tags);
	}

	/** Jobs of any tags. */
	public JobFilter(Set<JobState> states, List<String> queues, boolean cancelingOnly) {
		this(states, queues, cancelingOnly, List.of());
	}

	/** {@link #parse(String, String)} of the jobs that carry every tag of {@code tags} (a comma list; null: any). */
	public static JobFilter parse(String states, String queues, String tags) {
		JobFilter f = parse(states, queues);
		return new JobFilter(f.states(), f.queues(), f.cancelingOnly(), Tags.words(tags, "--tag"));
	}

	/** Jobs in these stored states, of any queue. */
	public static JobFilter of(JobState state) {
		return new JobFilter(Set.of(state), List.of(), false);
	}

	/**
	 * A filter from a user's words: {@code states} and {@code queues} each null (any) or names
	 * separated by commas. {@code canceling} is the processing jobs being canceled, unless
	 * {@code processing} is named too (which holds them).
	 */
	public static JobFilter parse(String states, String queues) {
		Set<JobState> stored = EnumSet.noneOf(JobState.class);
		boolean canceling = false;
		for (String word : words(states)) {
			if (word.equals(CANCELING)) {
				canceling = true;
			}
			else if (!names().contains(word)) {
				throw QueuectlException.usage("unknown state '" + word + "' (expected one of: " + String.join(", ", names()) + ")");
			}
			else {
				stored.add(JobState.fromDb(word));
			}
		}
		boolean cancelingOnly = canceling && !stored.contains(JobState.PROCESSING);
		if (canceling) {
			stored.add(JobState.PROCESSING);
		}
		Set<String> named = new LinkedHashSet<>();
		for (String queue : words(queues)) {
			if (!JobSpecParser.QUEUE.matcher(queue).matches()) {
				throw QueuectlException.usage("a queue name is 1-64 characters of A-Z a-z 0-9 . _ : -, got '" + queue + "'");
			}
			named.add(queue);
		}
		return new JobFilter(stored, new ArrayList<>(named), cancelingOnly);
	}

	/** The states a user may name, in a job's order of life: the stored ones and canceling after processing. */
	public static List<String> names() {
		List<String> names = new ArrayList<>();
		for (JobState state : JobState.values()) {
			names.add(state.dbValue());
			if (state == JobState.PROCESSING) {
				names.add(CANCELING);
			}
		}
		return names;
	}

	private static List<String> words(String value) {
		if (value == null) {
			return List.of();
		}
		// -1: "dead," has an empty last word, refused as any unknown state
		return List.of(value.split(",", -1));
	}
}
