package dev.queuectl.store;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;

/**
 * Where the output of jobs' attempts is kept: on SQLite in files beside the database
 * ({@link FileOutputStore}: one machine, no setup), on PostgreSQL in the database
 * ({@link PostgresOutputStore}: a job runs on one machine, {@code logs} reads it on another).
 * Chosen by the database; the worker, {@code logs}, the web and retention see only this.
 * An attempt is named by its job, attempt number and start time.
 */
public interface OutputStore {

	/**
	 * A writer of one attempt's output; nothing is stored before the first byte. Refuses
	 * ({@link IllegalArgumentException}) a job id the store cannot keep output for.
	 */
	Output create(String jobId, int attempt, Instant startedAt);

	/**
	 * The output of an attempt as far as it is written now, or null when there is none (yet).
	 * {@code outputPath} is what {@link Output#close()} returned for a finished attempt (null for a
	 * running one). The stream's {@code read} returns -1 at what is written so far; once the
	 * attempt writes more, a later {@code read} returns that too (follow by reading again).
	 */
	InputStream open(String jobId, int attempt, Instant startedAt, String outputPath) throws IOException;

	/** Refuses ({@link IllegalArgumentException}) a job id the store cannot read output for. */
	default void checkId(String jobId) {
	}

	/** Deletes the output of these jobs; returns the bytes freed. */
	long delete(List<String> jobIds);

	/** Deletes the output of jobs that no longer exist; returns for how many jobs. */
	long sweepOrphans();

	/** The bytes output takes, and whether that is a lower bound (too many files to measure). */
	Size size();

	/**
	 * The bytes each finished attempt's output takes (by {@link Attempt#runId()}): a file's size, or
	 * the bytes of its chunks; 0 when it is gone. One look per attempt, never a scan.
	 */
	java.util.Map<Long, Long> measure(List<Attempt> attempts);

	/** Removes these finished attempts' output (the bound on kept output); their runs stay. */
	void remove(List<Attempt> attempts);

	/** A finished attempt's output, as the bound sees it: its run, where it is, its measured bytes. */
	record Attempt(long runId, String jobId, int attempt, Instant startedAt, String outputPath, long bytes) {
	}

	record Size(long bytes, boolean lowerBound) {
	}

	/** One attempt's output being written. */
	interface Output {

		void write(byte[] b, int off, int len) throws IOException;

		/** Stores what is left; returns where the output is (for job_runs.output_path), null when there was none. */
		String close() throws IOException;
	}
}
