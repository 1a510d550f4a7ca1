package dev.queuectl.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.config.Durations;

/**
 * Runs one job's command as a child process and says how it ended. The command runs under
 * {@code sh -c} in the directory it was enqueued from, in its own session and process group
 * ({@code setsid}), so Ctrl-C on the worker's terminal does not reach it and a timeout can kill its
 * whole tree. Its stdout and stderr go, together, into a file per attempt, capped: past the cap the
 * output is read and dropped, so a chatty job costs neither heap nor unbounded disk.
 */
final class JobExecutor {

	private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);

	static final int TAIL_BYTES = 4096;

	private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

	private static final boolean SETSID = !WINDOWS && Files.isExecutable(Path.of("/usr/bin/setsid"));

	private final Path outputDir;

	private final Clock clock;

	private final Duration killGrace;

	private final ExecutorService pumps = Executors.newCachedThreadPool(daemon("queuectl-output"));

	JobExecutor(Path outputDir, Clock clock, Duration killGrace) {
		this.outputDir = outputDir;
		this.clock = clock;
		this.killGrace = killGrace;
	}

	/** The file that holds an attempt's output. */
	static Path outputFile(Path outputDir, String jobId, int attempt, Instant startedAt) {
		return outputDir.resolve(jobId).resolve(attempt + "-" + startedAt.toEpochMilli() + ".log");
	}

	/**
	 * Runs the command to its end, or until {@code timeout} (zero: no limit). {@code running}
	 * receives the process as soon as it exists, so a stopping worker can kill it.
	 */
	RunResult run(Claim claim, Duration timeout, long outputCap, RunningJob running) {
		Instant started = this.clock.instant();
		Path output = outputFile(this.outputDir, claim.jobId(), claim.attempt(), claim.startedAt());
		Process process;
		try {
			Files.createDirectories(output.getParent());
			ProcessBuilder pb = new ProcessBuilder(command(claim.command()));
			pb.directory(Path.of(claim.workingDir()).toFile());
			pb.redirectErrorStream(true);
			pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File(WINDOWS ? "NUL" : "/dev/null")));
			process = pb.start();
		}
		catch (IOException ex) {
			return ended(started, "failed", null, null, "cannot start: " + ex.getMessage(), null, null);
		}
		running.started(process);
		AtomicInteger dropped = new AtomicInteger();
		Future<?> pump = this.pumps.submit(() -> copyCapped(process.getInputStream(), output, outputCap, dropped));
		boolean timedOut = false;
		try {
			if (timeout.isZero()) {
				process.waitFor();
			}
			else if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				timedOut = true;
				kill(process, this.killGrace);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			kill(process, Duration.ZERO);
		}
		awaitPump(pump, process);
		String tail = tail(output, dropped.get());
		int exit = exitValue(process);
		Integer signal = exit > 128 && exit < 160 ? exit - 128 : null;
		if (running.interrupted()) {
			return ended(started, "interrupted", exit, signal, "interrupted: the worker stopped", tail, output);
		}
		if (timedOut) {
			return ended(started, "timeout", exit, signal, "timed out after " + Durations.format(timeout), tail, output);
		}
		if (exit == 0) {
			return ended(started, "completed", 0, null, null, tail, output);
		}
		return ended(started, "failed", exit, signal, describeExit(exit), tail, output);
	}

	private RunResult ended(Instant started, String outcome, Integer exit, Integer signal, String error, String tail,
			Path output) {
		Instant finished = this.clock.instant();
		return new RunResult(outcome, exit, signal, finished, Duration.between(started, finished).toMillis(), error,
				tail, output == null ? null : output.toString());
	}

	static String describeExit(int exit) {
		if (exit == 127) {
			return "command not found (exit 127)";
		}
		if (exit == 126) {
			return "command not executable (exit 126)";
		}
		if (exit > 128 && exit < 160) {
			return "killed by signal " + (exit - 128) + " (exit " + exit + ")";
		}
		return "exit code " + exit;
	}

	private static java.util.List<String> command(String command) {
		if (WINDOWS) {
			return java.util.List.of("cmd", "/c", command);
		}
		return SETSID ? java.util.List.of("/usr/bin/setsid", "sh", "-c", command) : java.util.List.of("sh", "-c", command);
	}

	/** SIGTERM to the job's process group, then SIGKILL after {@code grace}. */
	static void kill(Process process, Duration grace) {
		signalGroup(process, "TERM");
		try {
			if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
				signalGroup(process, "KILL");
				process.waitFor(5, TimeUnit.SECONDS);
			}
			else {
				// the leader is gone; make sure nothing it started lingers
				signalGroup(process, "KILL");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			signalGroup(process, "KILL");
		}
	}

	private static void signalGroup(Process process, String signal) {
		if (SETSID) {
			try {
				new ProcessBuilder("kill", "-" + signal, "--", "-" + process.pid()).redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.DISCARD)
					.start()
					.waitFor(5, TimeUnit.SECONDS);
				return;
			}
			catch (IOException ex) {
				log.debug("kill failed", ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		process.descendants().forEach(p -> {
			if (signal.equals("KILL")) {
				p.destroyForcibly();
			}
			else {
				p.destroy();
			}
		});
		if (signal.equals("KILL")) {
			process.destroyForcibly();
		}
		else {
			process.destroy();
		}
	}

	private static int exitValue(Process process) {
		try {
			return process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return process.isAlive() ? -1 : process.exitValue();
		}
	}

	/** Waits for the output to drain; a background child still holding the pipe is not waited for long. */
	private static void awaitPump(Future<?> pump, Process process) {
		try {
			pump.get(2, TimeUnit.SECONDS);
		}
		catch (TimeoutException ex) {
			log.debug("output of pid {} still open after exit; not waiting", process.pid());
		}
		catch (Exception ex) {
			log.debug("output pump failed", ex);
		}
	}

	private static void copyCapped(InputStream in, Path file, long cap, AtomicInteger droppedKiB) {
		byte[] buf = new byte[64 * 1024];
		long written = 0;
		long dropped = 0;
		try (in; OutputStream out = Files.newOutputStream(file)) {
			for (int n; (n = in.read(buf)) != -1;) {
				int keep = (int) Math.max(0, Math.min(n, cap - written));
				if (keep > 0) {
					out.write(buf, 0, keep);
					written += keep;
				}
				dropped += n - keep;
			}
			if (dropped > 0) {
				out.write(("\n[queuectl: output cap of " + cap + " bytes reached; " + dropped + " more bytes dropped]\n")
					.getBytes(StandardCharsets.UTF_8));
				droppedKiB.set((int) Math.min(Integer.MAX_VALUE, dropped));
			}
		}
		catch (IOException ex) {
			log.debug("reading job output failed", ex);
		}
	}

	private static String tail(Path file, int dropped) {
		try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
			long len = raf.length();
			int n = (int) Math.min(len, TAIL_BYTES);
			byte[] buf = new byte[n];
			raf.seek(len - n);
			raf.readFully(buf);
			String text = new String(buf, StandardCharsets.UTF_8);
			if (len > n) {
				int nl = text.indexOf('\n');
				text = nl >= 0 && nl < text.length() - 1 ? text.substring(nl + 1) : text;
			}
			return text;
		}
		catch (IOException ex) {
			return null;
		}
	}

	void close() {
		this.pumps.shutdownNow();
	}

	static java.util.concurrent.ThreadFactory daemon(String name) {
		AtomicInteger n = new AtomicInteger();
		return r -> {
			Thread t = new Thread(r, name + "-" + n.incrementAndGet());
			t.setDaemon(true);
			return t;
		};
	}

	/** The process of a running job, and whether the worker interrupted it. */
	static final class RunningJob {

		private volatile Process process;

		private volatile boolean interrupted;

		void started(Process p) {
			this.process = p;
			if (this.interrupted) {
				kill(p, Duration.ZERO);
			}
		}

		boolean interrupted() {
			return this.interrupted;
		}

		/** Kills the job's group because the worker is stopping. */
		void interrupt(Duration grace) {
			this.interrupted = true;
			Process p = this.process;
			if (p != null) {
				kill(p, grace);
			}
		}
	}
}
