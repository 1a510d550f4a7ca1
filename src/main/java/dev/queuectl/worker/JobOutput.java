package dev.queuectl.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.queuectl.QueuectlException;
import dev.queuectl.job.Job;
import dev.queuectl.job.JobRun;
import dev.queuectl.job.JobService;
import dev.queuectl.job.JobState;
import dev.queuectl.store.DatabaseLocation;
import org.springframework.stereotype.Service;

/** The captured output of a job's attempts: printing it, and following a running one. */
@Service
public class JobOutput {

	private final JobService jobs;

	private final Path outputDir;

	JobOutput(JobService jobs, DatabaseLocation location) {
		this.jobs = jobs;
		this.outputDir = location.dataDir().resolve("output");
	}

	/**
	 * Copies an attempt's output to {@code out}: the given attempt (the newest run with that number)
	 * or else the newest. With {@code follow}, keeps copying while that attempt runs.
	 */
	public void print(String jobId, Integer attempt, boolean follow, PrintWriter out) throws IOException {
		Job job = this.jobs.get(jobId);
		try {
			JobExecutor.jobOutputDir(this.outputDir, jobId); // defence in depth: never read outside output/
		}
		catch (IllegalArgumentException ex) {
			throw QueuectlException.usage(ex.getMessage());
		}
		List<JobRun> runs = this.jobs.runs(jobId);
		boolean runningNow = job.state() == JobState.PROCESSING && job.startedAt() != null;
		Path file;
		if (runningNow && (attempt == null || attempt == job.attempts())) {
			file = JobExecutor.outputFile(this.outputDir, jobId, job.attempts(), job.startedAt());
		}
		else {
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
			if (run.outputPath() == null) {
				return; // the attempt printed nothing
			}
			file = Path.of(run.outputPath());
			runningNow = false;
		}
		copy(jobId, job.attempts(), file, runningNow && follow, out);
	}

	private void copy(String jobId, int attempt, Path file, boolean follow, PrintWriter out) throws IOException {
		byte[] buf = new byte[64 * 1024];
		// the file appears with the first byte the job prints
		while (follow && !Files.exists(file) && stillRunning(jobId, attempt)) {
			sleep(100);
		}
		if (!Files.exists(file)) {
			if (!follow && !stillRunning(jobId, attempt)) {
				throw new QueuectlException(QueuectlException.FAILURE, "output file is gone: " + file);
			}
			return;
		}
		try (InputStream in = Files.newInputStream(file)) {
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
