package dev.queuectl.worker;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.config.Durations;
import dev.queuectl.config.Settings;
import dev.queuectl.job.JobState;
import dev.queuectl.store.WorkerStore;
import org.springframework.core.task.TaskExecutor;

/**
 * One worker host: a process running {@code worker start} with N slots. It claims jobs while it
 * has free slots, runs each on the task executor, renews the leases of its running jobs by
 * heartbeat, takes back jobs whose worker died, and on stop lets running jobs finish within the
 * shutdown grace before killing them and putting them back in the queue.
 */
final class WorkerHost {

	private static final Logger log = LoggerFactory.getLogger("dev.queuectl.worker");

	static final Duration IDLE_POLL = Duration.ofMillis(200);

	private final String id;

	private final WorkerOptions options;

	private final WorkerStore store;

	private final Settings settings;

	private final Clock clock;

	private final TaskExecutor executor;

	private final JobExecutor jobs;

	private final WorkerMetrics metrics;

	private final Map<String, JobExecutor.RunningJob> running = new ConcurrentHashMap<>();

	private final AtomicInteger busy = new AtomicInteger();

	private final Object wakeup = new Object();

	private final ScheduledExecutorService heartbeat = Executors
		.newSingleThreadScheduledExecutor(JobExecutor.daemon("queuectl-heartbeat"));

	private volatile Settings.Snapshot config;

	private volatile boolean stopping;

	private volatile Instant lastHeartbeat;

	WorkerHost(WorkerOptions options, WorkerStore store, Settings settings, Clock clock, TaskExecutor executor,
			Path outputDir, WorkerMetrics metrics) {
		this.options = options;
		this.store = store;
		this.settings = settings;
		this.clock = clock;
		this.executor = executor;
		this.metrics = metrics;
		this.config = settings.snapshot();
		this.jobs = new JobExecutor(outputDir, clock, Duration.ofSeconds(5));
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
		try {
			claimLoop();
		}
		finally {
			drain();
			this.heartbeat.shutdownNow();
			this.store.unregister(this.id);
			this.jobs.close();
			log.info("worker {} stopped", this.id);
		}
	}

	void requestStop() {
		if (!this.stopping) {
			this.stopping = true;
			log.info("worker {} stopping: no new jobs; waiting up to {} for {} running", this.id,
					Durations.format(this.config.shutdownGrace()), this.busy.get());
		}
		wake();
	}

	boolean stopping() {
		return this.stopping;
	}

	/** Wakes the claim loop now: a slot freed or a job may be waiting. */
	void wake() {
		synchronized (this.wakeup) {
			this.wakeup.notifyAll();
		}
	}

	private void claimLoop() {
		while (!this.stopping) {
			int free = this.options.slots() - this.busy.get();
			List<Claim> claims = List.of();
			if (free > 0) {
				try {
					claims = this.store.claim(this.id, this.options.queues(), free, this.clock.instant(),
							this.config.leaseTimeout());
				}
				catch (RuntimeException ex) {
					log.warn("claim failed: {}", ex.getMessage());
				}
				for (Claim claim : claims) {
					this.busy.incrementAndGet();
					JobExecutor.RunningJob handle = new JobExecutor.RunningJob();
					this.running.put(claim.jobId(), handle);
					this.executor.execute(() -> runOne(claim, handle));
				}
			}
			if (claims.isEmpty() || this.busy.get() >= this.options.slots()) {
				synchronized (this.wakeup) {
					if (!this.stopping) {
						try {
							this.wakeup.wait(IDLE_POLL.toMillis());
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
							this.stopping = true;
						}
					}
				}
			}
		}
	}

	private void runOne(Claim claim, JobExecutor.RunningJob handle) {
		try {
			Settings.Snapshot cfg = this.config;
			Duration timeout = claim.timeout() != null ? claim.timeout() : cfg.jobTimeout();
			log.info("{} start (attempt {} of {}): {}", claim.jobId(), claim.attempt(), claim.maxRetries() + 1,
					oneLine(claim.command()));
			this.metrics.pickedUp(Duration.between(claim.runAt(), claim.startedAt()));
			RunResult result = this.jobs.run(claim, timeout, cfg.outputCap(), handle);
			this.metrics.ran(Duration.ofMillis(result.durationMs()));
			if (handle.interrupted()) {
				boolean back = this.store.returnToQueue(claim, this.id, this.clock.instant());
				log.info("{} interrupted by shutdown; {}", claim.jobId(), back ? "back in the queue" : "no longer ours");
				return;
			}
			JobState next = this.store.finish(claim, this.id, result, cfg.backoffBase(), cfg.maxBackoff());
			report(claim, result, next, cfg);
		}
		catch (RuntimeException ex) {
			log.error("{}: could not record the result: {}", claim.jobId(), ex.toString());
		}
		finally {
			this.running.remove(claim.jobId());
			this.busy.decrementAndGet();
			wake();
		}
	}

	private void report(Claim claim, RunResult result, JobState next, Settings.Snapshot cfg) {
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
						claim.maxRetries(), Durations.format(dev.queuectl.job.RetryPolicy.backoff(claim.attempt(),
								cfg.backoffBase(), cfg.maxBackoff())));
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

	/** Waits for running jobs up to the shutdown grace, then kills the rest and queues them again. */
	private void drain() {
		Instant deadline = this.clock.instant().plus(this.config.shutdownGrace());
		while (this.busy.get() > 0 && this.clock.instant().isBefore(deadline)) {
			synchronized (this.wakeup) {
				try {
					this.wakeup.wait(100);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					break;
				}
			}
		}
		if (this.busy.get() > 0) {
			log.info("shutdown grace over: killing {} job(s) and returning them to the queue", this.busy.get());
			this.running.values().forEach(job -> job.interrupt(Duration.ofSeconds(2)));
			Instant hard = this.clock.instant().plusSeconds(15);
			while (this.busy.get() > 0 && this.clock.instant().isBefore(hard)) {
				synchronized (this.wakeup) {
					try {
						this.wakeup.wait(100);
					}
					catch (InterruptedException ex) {
						break;
					}
				}
			}
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
