package dev.queuectl.worker;

import dev.queuectl.job.RunResult;

import dev.queuectl.job.Claim;
import dev.queuectl.job.TraceContext;
import dev.queuectl.service.Tracing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.config.Durations;
import dev.queuectl.store.OutputStore;

/**
 * Runs one job's command and says how it ended. The command runs under {@code sh -c} in the
 * directory it was enqueued from, as the leader of its own process group, so Ctrl-C on the
 * worker's terminal does not reach it and a timeout kills its whole tree: SIGTERM to the group,
 * SIGKILL after a grace. Its stdout and stderr together go to an {@link OutputSink}, into the
 * {@link OutputStore}.
 * <p>
 * On Linux and macOS a {@link Spawner} (a bash per slot) starts the jobs; elsewhere, or without
 * bash, the JVM starts them itself ({@code setsid sh -c}, or {@code cmd /c} on Windows). Either
 * way a job's environment is what {@link JobEnvironment} leaves of the host's.
 * <p>
 * How the process ended decides the outcome, never what was asked of it meanwhile: exit 0 is
 * {@code completed} even when a cancel, timeout or stop was asked a moment before (the process
 * ended before the signal reached it). A run is {@code canceled}, {@code timeout} or
 * {@code interrupted} only when the process died of the signal this class sent it, SIGTERM or
 * SIGKILL (or exited 128 + that signal, as a shell that traps it does, and as the bash spawner
 * and the JVM report a death by signal); any other exit is a failure like any other.
 * <p>
 * While the host traces (issue 31), each run is an attempt's span, a child of the span that enqueued
 * the job, with the outcome and exit code; the job gets {@code TRACEPARENT} naming it. Off, a run
 * is as it was: no span, no variable.
 */
final class JobExecutor implements JobRunner {

	private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);

	private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

	private static final boolean SETSID = !WINDOWS && Spawner.SETSID;

	private final OutputStore outputs;

	private final Clock clock;

	private final Duration killGrace;

	private final boolean useSpawner;

	/** The compiled spawner a slot runs, or null for the bash one. */
	private final java.nio.file.Path spawnerProgram;

	private final ConcurrentLinkedQueue<Spawner> idle = new ConcurrentLinkedQueue<>();

	private final JobEnvironment environment;

	/** Spans of attempts (issue 31); off unless the host's environment asks. */
	private Tracing tracing = Tracing.OFF;

	/** A job's own variables and queuectl's (issue 27); none in tests that run bare commands. */
	private java.util.function.Function<Claim, java.util.Map<String, String>> variables = c -> java.util.Map.of();

	/** Reads the variables of a turn's claims in one statement ({@link #claimed}); null: each is read as it starts. */
	private java.util.function.Function<List<Claim>, java.util.Map<Claim, java.util.Map<String, String>>> allVariables;

	/**
	 * The variables read for claims no slot has started yet, by claim (its start time differs from
	 * any later claim of the same job, so an entry left behind never reaches another attempt).
	 */
	private final java.util.Map<Claim, java.util.Map<String, String>> prepared = new java.util.concurrent.ConcurrentHashMap<>();

	private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, daemon("queuectl-timeout"));

	JobExecutor(OutputStore outputs, Clock clock, Duration killGrace, JobEnvironment environment) {
		this(outputs, clock, killGrace, environment, Spawner.available(), Spawner.NATIVE);
	}

	/** Starts jobs on spawners running {@code spawnerProgram} (null: bash), or from the JVM itself. */
	JobExecutor(OutputStore outputs, Clock clock, Duration killGrace, JobEnvironment environment, boolean useSpawner,
			java.nio.file.Path spawnerProgram) {
		this.outputs = outputs;
		this.clock = clock;
		this.killGrace = killGrace;
		this.environment = environment;
		this.useSpawner = useSpawner;
		this.spawnerProgram = spawnerProgram;
	}

	/** Makes a span of each attempt ({@link Tracing#attempt}). */
	JobExecutor withTracing(Tracing tracing) {
		this.tracing = tracing;
		return this;
	}

	/** Gives each job these variables ({@link JobVariables}). */
	JobExecutor withVariables(java.util.function.Function<Claim, java.util.Map<String, String>> variables) {
		this.variables = variables;
		return this;
	}

	/** Gives each job its {@link JobVariables}, read once for all the jobs a turn claims. */
	JobExecutor withVariables(JobVariables variables) {
		this.variables = variables;
		this.allVariables = variables::forClaims;
		return this;
	}

	@Override
	public void claimed(List<Claim> claims) {
		if (this.allVariables != null && !claims.isEmpty()) {
			this.prepared.putAll(this.allVariables.apply(claims));
		}
	}

	@Override
	public void unclaimed(Claim claim) {
		this.prepared.remove(claim);
	}

	/**
	 * Runs the command to its end, or until {@code timeout} (zero: no limit). {@code running}
	 * learns the job's process group as soon as it exists, so a stopping worker can kill it.
	 */
	@Override
	public RunResult run(Claim claim, Duration timeout, long outputCap, RunningJob running) {
		java.util.Map<String, String> vars = this.prepared.remove(claim); // read with the turn's claims
		if (vars == null) {
			vars = this.variables.apply(claim); // JobVariables.Unavailable: not started
		}
		if (!this.tracing.on()) {
			return execute(claim, vars, timeout, outputCap, running);
		}
		// issue 31: the attempt's span, a child of the enqueue's (JobVariables named it TRACEPARENT);
		// the job gets the attempt's own context instead, so its tools continue the trace under it
		String tracestate = vars.get(JobVariables.TRACESTATE);
		Tracing.Span span = this.tracing.attempt(
				vars.containsKey(JobVariables.TRACEPARENT) ? new TraceContext(vars.get(JobVariables.TRACEPARENT), tracestate) : null,
				claim.jobId(), vars.get("QUEUECTL_QUEUE"), claim.attempt(), WorkerHost.hostname());
		TraceContext context = span.context();
		vars = new java.util.LinkedHashMap<>(vars);
		vars.remove(JobVariables.TRACEPARENT);
		vars.remove(JobVariables.TRACESTATE);
		if (context != null) {
			vars.put(JobVariables.TRACEPARENT, context.traceparent());
			if (context.tracestate() != null) {
				vars.put(JobVariables.TRACESTATE, context.tracestate());
			}
		}
		RunResult result = null;
		try {
			result = execute(claim, vars, timeout, outputCap, running);
			return result;
		}
		finally {
			if (result != null) {
				span.attribute("queuectl.outcome", result.outcome());
				if (result.exitCode() != null) {
					span.attribute("process.exit.code", result.exitCode());
				}
				if (!result.outcome().equals("completed")) {
					span.error(result.error());
				}
			}
			else {
				span.error("not run");
			}
			span.end();
		}
	}

	/** Runs the command with these variables and says how it ended. */
	private RunResult execute(Claim claim, java.util.Map<String, String> vars, Duration timeout, long outputCap,
			RunningJob running) {
		Instant started = this.clock.instant();
		OutputSink sink;
		try {
			sink = new OutputSink(this.outputs.create(claim.jobId(), claim.attempt(), claim.startedAt()), outputCap);
		}
		catch (IllegalArgumentException ex) {
			return new RunResult("failed", null, null, started, 0, "cannot run: " + ex.getMessage(), null, null);
		}
		ScheduledFuture<?> timer = timeout.isZero() ? null
				: this.timers.schedule(() -> running.timeOut(this.killGrace), timeout.toMillis(), TimeUnit.MILLISECONDS);
		Integer exit;
		try {
			exit = this.useSpawner ? runWithSpawner(claim, vars, sink, running) : runWithProcessBuilder(claim, vars, sink, running);
		}
		catch (IOException | IllegalArgumentException ex) {
			// IllegalArgumentException: a command no process can be given (a NUL character)
			return ended(started, "failed", null, null, "cannot run: " + ex.getMessage(), sink);
		}
		finally {
			running.ended(); // no signal for this group any more: its id may be another's soon
			if (timer != null) {
				timer.cancel(false);
			}
		}
		if (exit == null) {
			return ended(started, "failed", null, null,
					"working directory " + claim.workingDir() + " does not exist on host " + WorkerHost.hostname(), sink);
		}
		Integer signal = exit > 128 && exit < 160 ? exit - 128 : null;
		if (exit == 0) { // it ended on its own, whatever was asked of it in the meantime
			return ended(started, "completed", 0, null, null, sink);
		}
		if (running.killedIt(exit)) {
			if (running.canceled()) {
				return ended(started, "canceled", exit, signal, "canceled by user", sink);
			}
			if (running.interrupted()) {
				return ended(started, "interrupted", exit, signal, "interrupted: the worker stopped", sink);
			}
			if (running.timedOut()) {
				return ended(started, "timeout", exit, signal, "timed out after " + Durations.format(timeout), sink);
			}
		}
		return ended(started, "failed", exit, signal, describeExit(exit), sink);
	}

	/**
	 * Runs the job on an idle spawner, or a new one. A spawner that dies before the job started
	 * (a new one killed by a signal to the worker's process group in the moment before it left
	 * it for a session of its own) costs the job nothing: it gets one more, fresh spawner.
	 */
	private Integer runWithSpawner(Claim claim, java.util.Map<String, String> vars, OutputSink sink, RunningJob running)
			throws IOException {
		boolean[] started = { false };
		try {
			return runOnSpawner(claim, vars, sink, pid -> {
				started[0] = true;
				running.started(pid);
			});
		}
		catch (IOException ex) {
			if (started[0] || running.canceled() || running.interrupted()) {
				throw ex;
			}
			log.debug("the job spawner died before {} started; on a new one", claim.jobId(), ex);
			return runOnSpawner(claim, vars, sink, running::started);
		}
	}

	private Integer runOnSpawner(Claim claim, java.util.Map<String, String> vars, OutputSink sink, Spawner.Listener listener)
			throws IOException {
		Spawner spawner = this.idle.poll();
		if (spawner == null || !spawner.isAlive()) {
			spawner = new Spawner(this.spawnerProgram, this.environment);
		}
		boolean healthy = false;
		try {
			Integer exit = spawner.run(claim.workingDir(), JobVariables.prefixed(vars, claim.command()),
					sink, listener);
			healthy = true;
			return exit;
		}
		catch (IllegalArgumentException ex) {
			healthy = true; // refused before anything was sent
			throw ex;
		}
		finally {
			if (healthy) {
				this.idle.add(spawner);
			}
			else {
				spawner.close();
			}
		}
	}

	private Integer runWithProcessBuilder(Claim claim, java.util.Map<String, String> vars, OutputSink sink,
			RunningJob running) throws IOException {
		File dir = new File(claim.workingDir());
		if (!dir.isDirectory()) {
			return null;
		}
		List<String> command = WINDOWS ? List.of("cmd", "/c", claim.command())
				: SETSID ? List.of(Spawner.SETSID_PATH.toString(), "sh", "-c", claim.command())
						: List.of("sh", "-c", claim.command());
		ProcessBuilder builder = new ProcessBuilder(command);
		this.environment.applyTo(builder.environment());
		builder.environment().putAll(vars);
		Process process = builder.directory(dir)
			.redirectErrorStream(true)
			.redirectInput(ProcessBuilder.Redirect.from(new File(WINDOWS ? "NUL" : "/dev/null")))
			.start();
		running.started(process.pid());
		byte[] buf = new byte[64 * 1024];
		try (InputStream in = process.getInputStream()) {
			for (int n; (n = in.read(buf)) != -1;) {
				sink.write(buf, 0, n);
			}
		}
		try {
			return process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			killGroup(process.pid(), "KILL");
			return -1;
		}
	}

	private RunResult ended(Instant started, String outcome, Integer exit, Integer signal, String error, OutputSink sink) {
		String outputPath = sink.close();
		Instant finished = this.clock.instant();
		return new RunResult(outcome, exit, signal, finished, Duration.between(started, finished).toMillis(), error,
				sink.tail(), outputPath);
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

	/** Sends a signal to a job's process group (its leader's pid is the group id). */
	static void killGroup(long pgid, String signal) {
		if (WINDOWS) {
			ProcessHandle.of(pgid).ifPresent(p -> {
				p.descendants().forEach(ProcessHandle::destroyForcibly);
				p.destroyForcibly();
			});
			return;
		}
		try {
			new ProcessBuilder("kill", "-" + signal, "--", "-" + pgid).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start()
				.waitFor(5, TimeUnit.SECONDS);
		}
		catch (IOException ex) {
			log.debug("kill failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		this.timers.shutdownNow();
		Spawner s;
		while ((s = this.idle.poll()) != null) {
			s.close();
		}
	}

	static java.util.concurrent.ThreadFactory daemon(String name) {
		AtomicInteger n = new AtomicInteger();
		return r -> {
			Thread t = new Thread(r, name + "-" + n.incrementAndGet());
			t.setDaemon(true);
			return t;
		};
	}

	/**
	 * A running job's process group, what was asked of it (cancel, timeout, worker stop), and
	 * whether a signal was sent to it: only then can its death by SIGTERM or SIGKILL be ours.
	 */
	static final class RunningJob {

		/** The exit statuses of a death by the signals {@link #kill} sends (128 + SIGTERM, 128 + SIGKILL). */
		private static final int TERMINATED = 128 + 15, KILLED = 128 + 9;

		private volatile long pgid;

		private volatile boolean signaled;

		private volatile boolean ended;

		private volatile boolean interrupted;

		private volatile boolean timedOut;

		private volatile boolean canceled;

		private volatile Duration pendingKillGrace;

		void started(long pid) {
			this.pgid = pid;
			Duration grace = this.pendingKillGrace;
			if (grace != null) {
				kill(grace);
			}
		}

		boolean interrupted() {
			return this.interrupted;
		}

		/** The process was reaped: its group gets no signal from now on. */
		void ended() {
			this.ended = true;
		}

		/**
		 * Whether an exit status is a death by a signal that {@link #kill} had sent when it came (on
		 * Windows, where a forced end is exit 1, any failure after the kill).
		 */
		boolean killedIt(int exit) {
			return this.signaled && (WINDOWS || exit == TERMINATED || exit == KILLED);
		}

		boolean timedOut() {
			return this.timedOut;
		}

		void timeOut(Duration grace) {
			this.timedOut = true;
			kill(grace);
		}

		boolean canceled() {
			return this.canceled;
		}

		/** Kills the job's group because a user canceled it: SIGTERM now, SIGKILL after the grace. */
		void cancel(Duration grace) {
			this.canceled = true;
			kill(grace);
		}

		/** Kills the job's group because the worker is stopping. */
		void interrupt(Duration grace) {
			this.interrupted = true;
			kill(grace);
		}

		private void kill(Duration grace) {
			long group = this.pgid;
			if (group == 0) {
				this.pendingKillGrace = grace; // not started yet: kill as soon as it is
				return;
			}
			if (this.ended) {
				return; // it ended on its own: nothing of ours may be signaled
			}
			this.signaled = true; // before the signal: a death by it is then known as ours
			killGroup(group, "TERM");
			long deadline = System.nanoTime() + grace.toNanos();
			while (System.nanoTime() < deadline && ProcessHandle.of(group).map(ProcessHandle::isAlive).orElse(false)) {
				try {
					Thread.sleep(50);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					break;
				}
			}
			if (!this.ended) {
				killGroup(group, "KILL");
			}
		}
	}
}
