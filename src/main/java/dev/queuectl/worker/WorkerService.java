package dev.queuectl.worker;

import dev.queuectl.job.WorkerInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.config.OwnerOnly;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.Durations;
import dev.queuectl.service.JobService;
import dev.queuectl.service.Settings;
import dev.queuectl.service.RetentionService;
import dev.queuectl.service.ScheduleService;
import org.springframework.beans.factory.annotation.Value;
import dev.queuectl.store.DatabaseLocation;
import dev.queuectl.store.HostWakeups;
import dev.queuectl.store.OutputStore;
import dev.queuectl.store.StorageErrors;
import dev.queuectl.store.WorkerRegistryStore;
import dev.queuectl.store.WorkerStore;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import dev.queuectl.job.JobsEnqueued;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.stereotype.Service;

/** Starts a worker host in this process, stops the hosts of the database, lists them. */
@Service
public class WorkerService implements HealthIndicator {

	private static final Logger log = LoggerFactory.getLogger("dev.queuectl.worker");

	private final WorkerStore store;

	private final WorkerRegistryStore registry;

	private final Settings settings;

	private final Clock clock;

	private final DatabaseLocation location;

	private final WorkerMetrics metrics;

	private final ApplicationEventPublisher events;

	private final AtomicReference<WorkerHost> host = new AtomicReference<>();

	private final WorkerHost.Housekeeping chores;

	private final HostWakeups wakeups;

	private final OutputStore outputs;

	private final dev.queuectl.store.TalkStore talk;

	private final dev.queuectl.store.NotificationStore notifications;

	private final dev.queuectl.service.NotifyService notify;

	/** Spans of attempts (issue 31), decided as the host starts. */
	private final org.springframework.beans.factory.ObjectProvider<dev.queuectl.service.Tracing> tracing;

	WorkerService(WorkerStore store, WorkerRegistryStore registry, Settings settings, Clock clock, DatabaseLocation location,
			WorkerMetrics metrics, ApplicationEventPublisher events, ScheduleService schedules, RetentionService retention, JobService jobs, HostWakeups wakeups,
			OutputStore outputs, @Value("${queuectl.worker.housekeeping-interval:60s}") String housekeepingInterval,
			dev.queuectl.store.TalkStore talk, dev.queuectl.store.NotificationStore notifications,
			dev.queuectl.service.NotifyService notify,
			org.springframework.beans.factory.ObjectProvider<dev.queuectl.service.Tracing> tracing) {
		this.tracing = tracing;
		this.talk = talk;
		this.notifications = notifications; // notifications (issue 27)
		this.notify = notify;
		Duration interval = Durations.parseOrNull(housekeepingInterval);
		if (interval == null || interval.toMillis() < 100) {
			throw QueuectlException.usage("queuectl.worker.housekeeping-interval must be a duration of at least 100ms, got '"
					+ housekeepingInterval + "'");
		}
		this.chores = new WorkerHost.Housekeeping(schedules, retention, interval, jobs);
		this.store = store;
		this.registry = registry;
		this.settings = settings;
		this.clock = clock;
		this.location = location;
		this.metrics = metrics;
		this.events = events;
		this.wakeups = wakeups;
		this.outputs = outputs;
	}

	/**
	 * Runs a worker host in the foreground until SIGINT, SIGTERM, SIGHUP or {@code worker stop}; running
	 * jobs finish first (within the shutdown grace).
	 */
	public void run(WorkerOptions options) {
		run(options, () -> {
		});
	}

	/**
	 * {@link #run(WorkerOptions)}, running {@code registered} once the host is in the registry and
	 * before it claims anything (where a host starts its command server: a {@code worker stop} it
	 * serves then finds it).
	 */
	public void run(WorkerOptions options, Runnable registered) {
		WorkerOptions.checkCount(options.slots());
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setCorePoolSize(options.slots());
		executor.setMaxPoolSize(options.slots());
		executor.setQueueCapacity(options.slots());
		executor.setThreadNamePrefix("queuectl-slot-");
		executor.initialize();
		Path outputDir = this.location.dataDir().resolve("output");
		try {
			OwnerOnly.directory(outputDir); // also closes one an older version left open to others
		}
		catch (IOException ex) {
			throw new QueuectlException(QueuectlException.FAILURE, "cannot create " + outputDir + ": " + ex.getMessage());
		}
		dev.queuectl.service.Tracing traces = this.tracing.getObject();
		JobExecutor jobs = new JobExecutor(this.outputs, this.clock, Duration.ofSeconds(5),
				new JobEnvironment(options.cleanEnv())).withVariables(new JobVariables(this.talk, this.location, traces.on()))
			.withTracing(traces);
		WorkerHost worker = new WorkerHost(options, this.store, this.registry, this.settings, this.clock, executor, jobs, this.metrics,
				this.chores);
		if (!this.host.compareAndSet(null, worker)) {
			throw QueuectlException.usage("a worker host is already running in this process");
		}
		worker.describeFailuresWith(ex -> StorageErrors.describeAt(ex, this.location));
		worker.onRegistered(registered);
		HostWakeups.Listening listening = this.wakeups.listen(worker::heard);
		worker.listenWith(listening, WorkerHost.LISTENING_POLL);
		AvailabilityChangeEvent.publish(this.events, this, ReadinessState.ACCEPTING_TRAFFIC);
		try {
			this.settings.syncNotifyTargets(); // this host's defaults of the notify-* settings count too
		}
		catch (RuntimeException ex) {
			log.warn("notifications: could not record the notify-* settings for the database: {}", ex.getMessage());
		}
		try (StopSignals signals = StopSignals.onStop(worker::requestStop);
				NotificationDelivery delivery = new NotificationDelivery(this.notifications, this.notify, this.settings,
						this.clock, worker.id(), this.metrics::notificationFailed,
						ex -> StorageErrors.describeAt(ex, this.location)).start()) {
			worker.run();
		}
		finally {
			listening.close();
			executor.shutdown();
			this.host.set(null);
		}
	}

	/** A job was stored by this process (perhaps for a client over the socket): start it now. */
	@EventListener
	void onEnqueued(JobsEnqueued event) {
		WorkerHost worker = this.host.get();
		if (worker != null) {
			worker.wake();
		}
	}

	/**
	 * Who migrated the database past the schema this build knows ("queuectl 0.5.0 (schema version
	 * 6)"), if a newer queuectl did: long-running processes of this build then stop.
	 */
	public java.util.Optional<String> newerSchemaWriter() {
		return this.registry.newerSchemaWriter();
	}

	/** Asks every worker host on this database to stop, and waits until they are gone. */
	public int stopAll(Duration timeout) {
		return stop(null, timeout);
	}

	/**
	 * Asks one worker host ({@code hostId}) or every one (null) to stop, and waits until they are
	 * gone. Each reads the request at its next heartbeat (up to 5 s); a host on this machine also
	 * gets SIGTERM, which it takes as the same request at once, so an idle one is gone in a moment;
	 * the host of this process (a {@code worker stop} it serves) is told directly, and its command
	 * server answers before it closes (CommandServer#stop).
	 */
	public int stop(String hostId, Duration timeout) {
		Instant now = this.clock.instant();
		this.registry.forgetSilent(now, this.settings.leaseTimeout());
		List<WorkerInfo> asked = this.registry.workers(now).stream().filter(w -> hostId == null || w.id().equals(hostId)).toList();
		if (hostId != null && !this.registry.requestStop(hostId)) {
			throw new QueuectlException(QueuectlException.NOT_FOUND, "no such worker host: " + hostId + " (queuectl status lists them)");
		}
		int count = hostId == null ? this.registry.requestStopAll() : 1;
		asked.forEach(WorkerService::nudge);
		WorkerHost own = this.host.get(); // served by a host it asks: that one stops at once too
		if (own != null && (hostId == null || hostId.equals(own.id()))) {
			own.requestStop();
		}
		Instant deadline = now.plus(timeout);
		for (long left; (left = this.registry.workers(this.clock.instant()).stream()
			.filter(w -> hostId == null || w.id().equals(hostId)).count()) > 0;) {
			if (this.clock.instant().isAfter(deadline)) {
				throw new QueuectlException(QueuectlException.FAILURE,
						left + " worker host(s) still running after " + timeout.toSeconds() + "s");
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new QueuectlException(QueuectlException.FAILURE, "interrupted");
			}
		}
		return count;
	}

	/** SIGTERM to a host on this machine (a live JVM of this user with the registered pid), which it reads as a stop request. */
	private static void nudge(WorkerInfo host) {
		if (!host.hostname().equals(WorkerHost.hostname()) || host.pid() == ProcessHandle.current().pid()) {
			return;
		}
		ProcessHandle.of(host.pid())
			.filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
			.ifPresent(ProcessHandle::destroy);
	}

	public List<WorkerInfo> workers() {
		Instant now = this.clock.instant();
		Instant cutoff = now.minus(this.settings.leaseTimeout());
		return this.registry.workers(now).stream().filter(w -> w.heartbeatAt().isAfter(cutoff)).toList();
	}

	/** One live host (the dashboard's worker page, issue 29); not found when it is not running. */
	public WorkerInfo worker(String id) {
		return workers().stream().filter(w -> w.id().equals(id)).findFirst()
			.orElseThrow(() -> new QueuectlException(QueuectlException.NOT_FOUND,
					"no such worker host: " + id + " (queuectl status lists them)"));
	}

	/** The attempts a host has recorded, by outcome (completed, failed, timeout, canceled, lost). */
	public Map<String, Long> outcomes(String id) {
		return this.registry.outcomes(id);
	}

	/** UP while this process's worker host beats on time; the database check is Boot's own. */
	@Override
	public Health health() {
		WorkerHost worker = this.host.get();
		if (worker == null) {
			return Health.unknown().withDetail("worker", "not running in this process").build();
		}
		Instant last = worker.lastHeartbeat();
		Duration age = last == null ? Duration.ofDays(1) : Duration.between(last, this.clock.instant());
		Health.Builder health = age.compareTo(worker.heartbeatInterval().multipliedBy(3)) <= 0 ? Health.up() : Health.down();
		return health.withDetail("worker", worker.id())
			.withDetail("heartbeatAgeMs", age.toMillis())
			.withDetail("stopping", worker.stopping())
			.build();
	}
}
