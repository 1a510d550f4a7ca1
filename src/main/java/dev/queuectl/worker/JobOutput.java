package dev.queuectl.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.job.Job;
import dev.queuectl.job.JobRun;
import dev.queuectl.service.JobService;
import dev.queuectl.job.JobState;
import dev.queuectl.store.OutputStore;
import org.springframework.stereotype.Service;

/**
 * The captured output of a job's attempts, from the {@link OutputStore} (files on SQLite, the
 * database on PostgreSQL, so any machine reads it): printing it, and following a running one.
 */
@Service
public class JobOutput {

	private final JobService jobs;

	private final OutputStore outputs;

	JobOutput(JobService jobs, OutputStore outputs) {
		this.jobs = jobs;
		this.outputs = outputs;
	}

	/**
	 * Copies an attempt's output to {@code out}: the given attempt (the newest run with that number)
	 * or else the newest. With {@code follow}, keeps copying while that attempt runs.
	 */
	public void print(String jobId, Integer attempt, boolean follow, PrintWriter out) throws IOException {
		Job job = this.jobs.get(jobId);
		try {
			this.outputs.checkId(jobId);
		}
		catch (IllegalArgumentException ex) {
			throw QueuectlException.usage(ex.getMessage());
		}
		List<JobRun> runs = this.jobs.runs(jobId);
		boolean runningNow = job.state() == JobState.PROCESSING && job.startedAt() != null;
		if (runningNow && (attempt == null || attempt == job.attempts())) {
			copy(jobId, job.attempts(), job.startedAt(), null, follow, out);
			return;
		}
		JobRun run = null;
		for (JobRun r : runs) {
			if (attempt == null || r.attempt() == attempt) {
				run = r;
			}
		}
		if (run == null) {
			throw QueuectlException.usage(attempt == null ? "job " + jobId + " has not run yet"
					: "job " + jobId + " has no attempt " + attempt);
		}
		if (run.outputRemovedAt() != null) {
			throw new QueuectlException(QueuectlException.FAILURE, removed(run));
		}
		if (run.outputPath() == null) {
			return; // the attempt printed nothing
		}
		copy(jobId, run.attempt(), run.startedAt(), run.outputPath(), false, out);
	}

	/**
	 * {@code logs --follow}: the job's output from its newest attempt on (waiting for the first when
	 * it has not started), attempt after attempt while it is retried, until the job ends. Between
	 * attempts a line on {@code err} says how the last one ended; returns the job as it ended.
	 */
	public Job followAll(String jobId, PrintWriter out, PrintWriter err) throws IOException {
		Job job = this.jobs.get(jobId);
		try {
			this.outputs.checkId(jobId);
		}
		catch (IllegalArgumentException ex) {
			throw QueuectlException.usage(ex.getMessage());
		}
		for (int attempt = Math.max(1, job.attempts());; attempt++) {
			while (job.attempts() < attempt && !job.state().terminal()) { // not started yet
				sleep(200);
				job = this.jobs.get(jobId);
			}
			if (job.attempts() < attempt) {
				return job; // it ended (canceled, past its deadline) before this attempt
			}
			if (job.state() == JobState.PROCESSING && job.attempts() == attempt) {
				copy(jobId, attempt, job.startedAt(), null, true, out);
			}
			else { // it ended before we looked
				JobRun run = endedRun(jobId, attempt);
				if (run != null && run.outputRemovedAt() != null) {
					err.println("queuectl: " + removed(run));
				}
				else if (run != null && run.outputPath() != null) {
					copy(jobId, attempt, run.startedAt(), run.outputPath(), false, out);
				}
			}
			job = this.jobs.get(jobId);
			if (job.attempts() <= attempt && job.state().terminal()) {
				return job;
			}
			JobRun run = endedRun(jobId, attempt);
			out.flush();
			err.println("queuectl: attempt " + attempt + (run == null ? " ended" : " " + run.outcome()
					+ (run.error() == null ? "" : ": " + run.error())) + "; following the next one");
			err.flush();
		}
	}

	private JobRun endedRun(String jobId, int attempt) {
		JobRun found = null;
		for (JobRun r : this.jobs.runs(jobId)) {
			if (r.attempt() == attempt) {
				found = r; // the newest run with that number (a dlq retry starts counting again)
			}
		}
		return found;
	}

	/** The line that says an attempt's output was removed to keep output under its bound. */
	public static String removed(JobRun run) {
		return "output of job " + run.jobId() + " attempt " + run.attempt() + " was removed at "
				+ run.outputRemovedAt() + " to keep all output under output-max-total";
	}

	/** Copies one attempt's output; {@code follow}: while it runs (a running attempt has no output path yet). */
	private void copy(String jobId, int attempt, Instant startedAt, String outputPath, boolean follow, PrintWriter out)
			throws IOException {
		byte[] buf = new byte[64 * 1024];
		InputStream opened = this.outputs.open(jobId, attempt, startedAt, outputPath);
		// the output appears with the first byte the job prints
		while (opened == null && follow && stillRunning(jobId, attempt)) {
			sleep(100);
			opened = this.outputs.open(jobId, attempt, startedAt, outputPath);
		}
		if (opened == null) {
			if (outputPath != null) {
				throw new QueuectlException(QueuectlException.FAILURE, "output of job " + jobId + " attempt " + attempt
						+ " is gone" + (outputPath.startsWith("/") ? ": " + outputPath : ""));
			}
			return;
		}
		try (InputStream in = opened) {
			int carry = 0;
			while (true) {
				int n = in.read(buf, carry, buf.length - carry);
				if (n > 0) {
					carry = write(buf, carry + n, out);
					continue;
				}
				out.flush();
				if (!follow || !stillRunning(jobId, attempt)) {
					// drain what was written between the last read and the end of the run
					for (int m; (m = in.read(buf, carry, buf.length - carry)) > 0;) {
						carry = write(buf, carry + m, out);
					}
					if (carry > 0) {
						out.write(new String(buf, 0, carry, StandardCharsets.UTF_8));
					}
					out.flush();
					return;
				}
				sleep(100);
			}
		}
	}

	/**
	 * Writes the complete UTF-8 characters among the first {@code len} bytes, moves an incomplete
	 * trailing character to the front of the buffer and returns its length.
	 */
	private static int write(byte[] buf, int len, PrintWriter out) {
		int start = len;
		int back = 0;
		while (start > 0 && back < 4 && (buf[start - 1] & 0xC0) == 0x80) {
			start--;
			back++;
		}
		int complete = len;
		if (start > 0) {
			int lead = buf[start - 1] & 0xFF;
			int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
			if (need > 1 && back + 1 < need) {
				complete = start - 1;
			}
		}
		out.write(new String(buf, 0, complete, StandardCharsets.UTF_8));
		int carry = len - complete;
		System.arraycopy(buf, complete, buf, 0, carry);
		return carry;
	}

	private boolean stillRunning(String jobId, int attempt) {
		Job job = this.jobs.get(jobId);
		return job.state() == JobState.PROCESSING && job.attempts() == attempt;
	}

	private static void sleep(long ms) {
		try {
			Thread.sleep(ms);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new QueuectlException(QueuectlException.FAILURE, "interrupted");
		}
	}
}
