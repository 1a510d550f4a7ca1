package dev.queuectl.worker;

import dev.queuectl.job.RunResult;

import dev.queuectl.job.Claim;

import java.time.Duration;
import java.util.List;

/** Runs one claimed job to its end. {@link JobExecutor} runs real commands; a benchmark may run none. */
interface JobRunner {

	RunResult run(Claim claim, Duration timeout, long outputCap, JobExecutor.RunningJob running);

	/**
	 * The dispatcher claimed these jobs (its transaction committed) and hands them to the slots
	 * next: what {@link #run} will need of the database for them can be read now, at once.
	 */
	default void claimed(List<Claim> claims) {
	}

	/** A claim goes back unstarted: nothing prepared for it is needed any more. */
	default void unclaimed(Claim claim) {
	}

	default void close() {
	}
}
