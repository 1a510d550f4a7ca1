package dev.queuectl.worker;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.config.Durations;
import dev.queuectl.config.Settings;
import dev.queuectl.job.JobState;
import dev.queuectl.job.RetryPolicy;
import dev.queuectl.store.WorkerStore;
import org.springframework.core.task.TaskExecutor;

/**
 * One worker host: a process running {@code worker start} with N slots. A dispatcher (the thread
 * that calls {@link #run}) owns the database side: in one transaction it records every run the
 * slots finished since its last turn and claims jobs for the idle slots (a group commit); the
 * slots, on the task executor, only run commands. A heartbeat renews the leases of running jobs
 * and takes back jobs whose worker died. On stop no job is claimed; running ones finish within
 * the shutdown grace, then are killed and go back to the queue uncounted.
 */
final class WorkerHost {

	private static final Logger log = LoggerFactory.getLogger("dev.queuectl.worker");

	static final Duration IDLE_POLL = Duration.ofMillis(200);

	private static final Claim POISON = new Claim("", "", "", 0, 0, null, Instant.EPOCH, Instant.EPOCH);

	private final String id;

	private final WorkerOptions options;

	private final WorkerStore store;

	private final Settings settings;

	private final Clock clock;

	private final TaskExecutor executor;

	private final JobRunner runner;

	private final WorkerMetrics metrics;

	private final Map<String, JobExecutor.RunningJob> running = new ConcurrentHashMap<>();

	/** Runs the slots finished, waiting for the dispatcher to record them. */
	private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();

	private final Object wakeup = new Object();

	private final ScheduledExecutorService heartbeat = Executors
		.newSingleThreadScheduledExecutor(JobExecutor.daemon("queuectl-heartbeat"));

	private volatile Settings.Snapshot config;

	private volatile boolean stopping;

	private volatile boolean nudged;

	private volatile Instant lastHeartbeat;

	private volatile int busy;

	WorkerHost(WorkerOptions options, WorkerStore store, Settings settings, Clock clock, TaskExecutor executor,
			JobRunner runner, WorkerMetrics metrics) {
		this.options = options;
		this.store = store;
		this.settings = settings;
		this.clock = clock;
		this.executor = executor;
		this.runner = runner;
		this.metrics = metrics;
		this.config = settings.snapshot();
		this.id = hostname() + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID().toString().substring(0, 8);
	}

	String id() {
		return this.id;
	}

	Instant lastHeartbeat() {
		return this.lastHeartbeat;
	}

	Duration heartbeatInterval() {
		return Duration.ofMillis(Math.max(500, Math.min(5000, this.config.leaseTimeout().toMillis() / 5)));
	}

	/** Registers, then claims and runs jobs until asked to stop; returns once every job is settled. */
	void run() {
		Instant now = this.clock.instant();
		this.store.register(this.id, hostname(), ProcessHandle.current().pid(), this.options.slots(),
				this.options.queues().isEmpty() ? null : String.join(",", this.options.queues()),
				this.options.httpPort(), now);
		this.lastHeartbeat = now;
		long every = heartbeatInterval().toMillis();
		this.heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
		this.store.reapExpired(now).forEach(jobId -> log.info("{} taken back from a dead worker", jobId));
		log.info("worker {} started: {} slot(s), queues {}", this.id, this.options.slots(),
				this.options.queues().isEmpty() ? "all" : this.options.queues());
		List<Slot> slots = new ArrayList<>();
		for (int i = 0; i < this.options.slots(); i++) {
			Slot slot = new Slot();
			slots.add(slot);
			this.executor.execute(slot);
		}
		try {
			dispatch(new ArrayDeque<>(slots));
		}
		finally {
			slots.forEach(slot -> slot.inbox.offer(POISON));
			this.heartbeat.shutdownNow();
			this.store.unregister(this.id);
			this.runner.close();
			log.info("worker {} stopped", this.id);
		}
	}

	void requestStop() {
		if (!this.stopping) {
			this.stopping = true;
			log.info("worker {} stopping: no new jobs; waiting up to {} for {} running", this.id,
					Durations.format(this.config.shutdownGrace()), this.busy);
		}
		wake();
	}

	boolean stopping() {
		return this.stopping;
	}

	/** Wakes the dispatcher now: a run finished, a job may be waiting, or a stop was asked for. */
	void wake() {
		synchronized (this.wakeup) {
			this.nudged = true;
			this.wakeup.notifyAll();
		}
	}

	/** The dispatcher's loop: settle finished runs and fill idle slots, one transaction a turn. */
	private void dispatch(ArrayDeque<Slot> idle) {
		Instant killAt = null;
		while (true) {
			List<Done> finished = new ArrayList<>();
			for (Done d; (d = this.done.poll()) != null;) {
				finished.add(d);
			}
			int free = idle.size() + finished.size();
			int want = this.stopping ? 0 : free;
			if (finished.isEmpty() && want > 0 && !hasRunnable()) {
				want = 0; // an idle poll: nothing to claim, no transaction
			}
			if (!finished.isEmpty() || want > 0) {
				Settings.Snapshot cfg = this.config;
				WorkerStore.Settled settled;
				try {
					settled = this.store.settleAndClaim(finished.stream().map(Done::outcome).toList(), this.id,
							cfg.backoffBase(), cfg.maxBackoff(), this.options.queues(), want, this.clock.instant(),
							cfg.leaseTimeout());
				}
				catch (RuntimeException ex) {
					log.warn("database write failed, retrying: {}", ex.getMessage());
					this.done.addAll(finished);
					pause(IDLE_POLL);
					continue;
				}
				for (int i = 0; i < finished.size(); i++) {
					Done d = finished.get(i);
					report(d, settled.states().get(i), cfg);
					this.running.remove(d.claim().jobId());
					idle.push(d.slot());
				}
				this.busy -= finished.size();
				for (Claim claim : settled.claimed()) {
					Slot slot = idle.pop();
					this.busy++;
					JobExecutor.RunningJob handle = new JobExecutor.RunningJob();
					this.running.put(claim.jobId(), handle);
					slot.handle = handle;
					slot.inbox.add(claim);
				}
			}
			if (this.stopping) {
				if (this.busy == 0 && this.done.isEmpty()) {
					return;
				}
				if (killAt == null) {
					killAt = this.clock.instant().plus(this.config.shutdownGrace());
				}
				else if (this.clock.instant().isAfter(killAt)) {
					log.info("shutdown grace over: killing {} job(s) and returning them to the queue", this.busy);
					this.running.values().forEach(job -> new Thread(() -> job.interrupt(Duration.ofSeconds(2))).start());
					killAt = Instant.MAX;
				}
			}
			waitForWork(this.stopping ? Duration.ofMillis(100) : IDLE_POLL);
		}
	}

	private boolean hasRunnable() {
		try {
			return this.store.hasRunnable(this.options.queues(), this.clock.instant());
		}
		catch (RuntimeException ex) {
			log.warn("database read failed: {}", ex.getMessage());
			return false;
		}
	}

	private void waitForWork(Duration timeout) {
		synchronized (this.wakeup) {
			if (!this.nudged && this.done.isEmpty()) {
				try {
					this.wakeup.wait(timeout.toMillis());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					this.stopping = true;
				}
			}
			this.nudged = false;
		}
	}

	private static void pause(Duration d) {
		try {
			Thread.sleep(d.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** A slot: runs the claims the dispatcher hands it, one at a time, and hands back the results. */
	private final class Slot implements Runnable {

		final BlockingQueue<Claim> inbox = new ArrayBlockingQueue<>(2);

		volatile JobExecutor.RunningJob handle;

		@Override
		public void run() {
			while (true) {
				Claim claim;
				try {
					claim = this.inbox.take();
				}
				catch (InterruptedException ex) {
					return;
				}
				if (claim == POISON) {
					return;
				}
				JobExecutor.RunningJob job = this.handle;
				RunResult result = runOne(claim, job);
				WorkerHost.this.done.add(new Done(claim, result, job.interrupted(), this));
				wake();
			}
		}
	}

	private RunResult runOne(Claim claim, JobExecutor.RunningJob handle) {
		Settings.Snapshot cfg = this.config;
		Duration timeout = claim.timeout() != null ? claim.timeout() : cfg.jobTimeout();
		log.info("{} start (attempt {} of {}): {}", claim.jobId(), claim.attempt(), claim.maxRetries() + 1,
				oneLine(claim.command()));
		this.metrics.pickedUp(Duration.between(claim.runAt(), claim.startedAt()));
		RunResult result;
		try {
			result = this.runner.run(claim, timeout, cfg.outputCap(), handle);
		}
		catch (RuntimeException ex) {
			Instant now = this.clock.instant();
			result = new RunResult("failed", null, null, now, 0, "cannot run: " + ex, null, null);
		}
		this.metrics.ran(Duration.ofMillis(result.durationMs()));
		return result;
	}

	/** A run a slot finished, waiting to be recorded. */
	private record Done(Claim claim, RunResult result, boolean interrupted, Slot slot) {

		WorkerStore.Outcome outcome() {
			return new WorkerStore.Outcome(this.claim, this.result, this.interrupted);
		}
	}

	private void report(Done d, JobState next, Settings.Snapshot cfg) {
		Claim claim = d.claim();
		RunResult result = d.result();
		if (d.interrupted()) {
			log.info("{} interrupted by shutdown; {}", claim.jobId(), next != null ? "back in the queue" : "no longer ours");
			return;
		}
		if (next == null) {
			log.warn("{} finished ({}) but its lease was taken over; result dropped", claim.jobId(), result.outcome());
			return;
		}
		switch (next) {
			case COMPLETED -> {
				this.metrics.completed();
				log.info("{} completed in {} ms", claim.jobId(), result.durationMs());
			}
			case FAILED -> {
				this.metrics.failed();
				log.info("{} failed: {}; retry {} of {} in {}", claim.jobId(), result.error(), claim.attempt(),
						claim.maxRetries(),
						Durations.format(RetryPolicy.backoff(claim.attempt(), cfg.backoffBase(), cfg.maxBackoff())));
			}
			case DEAD -> {
				this.metrics.dead();
				log.info("{} dead after {} attempt(s): {}", claim.jobId(), claim.attempt(), result.error());
			}
			default -> log.info("{} is now {}", claim.jobId(), next.dbValue());
		}
	}

	/** Renews leases, reads stop requests and settings, takes back jobs of dead workers. */
	private void beat() {
		try {
			Instant now = this.clock.instant();
			this.config = this.settings.snapshot();
			this.store.renewLeases(this.id, now.plus(this.config.leaseTimeout()));
			if (this.store.heartbeat(this.id, now)) {
				requestStop();
			}
			this.lastHeartbeat = now;
			for (String jobId : this.store.reapExpired(now)) {
				log.info("{} taken back from a worker that stopped renewing its lease", jobId);
				wake();
			}
			this.store.forgetSilent(now.minus(this.config.leaseTimeout()));
		}
		catch (RuntimeException ex) {
			log.warn("heartbeat failed: {}", ex.getMessage());
		}
	}

	private static String oneLine(String s) {
		String flat = s.replaceAll("\\s+", " ").trim();
		return flat.length() > 80 ? flat.substring(0, 77) + "..." : flat;
	}

	static String hostname() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (Exception ex) {
			String name = ManagementFactory.getRuntimeMXBean().getName();
			int at = name.indexOf('@');
			return at >= 0 ? name.substring(at + 1) : "localhost";
		}
	}
}
