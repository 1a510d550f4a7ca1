package dev.queuectl.job;

import java.util.Map;

/**
 * A queue as {@code queue list} shows it: its jobs per state, whether it is paused, and its limit on
 * jobs running at once across all worker hosts (null: none), its rate of starts ({@code 100/1m}; null: none).
 */
public record QueueInfo(String name, Map<JobState, Long> counts, boolean paused, Integer maxRunning, String rate) {

	public long running() {
		return this.counts.getOrDefault(JobState.PROCESSING, 0L);
	}

	/** Whether it holds no job (then {@code queue rm} may remove it). */
	public boolean empty() {
		return this.counts.values().stream().allMatch(n -> n == 0);
	}
}
