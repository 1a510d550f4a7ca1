package dev.queuectl.worker;

import dev.queuectl.job.RunResult;

import dev.queuectl.job.Claim;

import java.time.Duration;

/** Runs one claimed job to its end. {@link JobExecutor} runs real commands; a benchmark may run none. */
interface JobRunner {

	RunResult run(Claim claim, Duration timeout, long outputCap, JobExecutor.RunningJob running);

	default void close() {
	}
}
