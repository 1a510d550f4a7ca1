package dev.queuectl.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.queuectl.job.JobState;
import dev.queuectl.service.ScheduleService;
import dev.queuectl.service.Settings;
import dev.queuectl.store.MetricsStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * The meters a worker host or dashboard publishes on /actuator/prometheus (Prometheus names in
 * brackets). Counters of this process: attempts by outcome ({@code queuectl_attempts_total}), jobs
 * completed, failed and dead, claims given back unstarted, notification tries that failed
 * ({@code queuectl_notification_failures_total{channel}}), schedule ticks that could not be enqueued
 * ({@code queuectl_schedule_failures_total}); run time as a histogram with fixed buckets
 * ({@code queuectl_job_duration_seconds_bucket}) and pickup lag (timers). Gauges of the database,
 * for whichever process is scraped: jobs per queue and state ({@code queuectl_jobs}), the age of each
 * queue's oldest due job ({@code queuectl_oldest_due_job_age_seconds}: the autoscaling and alerting
 * signal) and live worker hosts ({@code queuectl_worker_hosts}). Every gauge reads one {@link
 * MetricsStore#read snapshot} (one statement), at most every {@link #SNAPSHOT_TTL}, however many
 * series and scrapes. Queue cardinality is bounded: the first {@link #MAX_QUEUE_SERIES} queues this
 * process meets (in name order at each reading) get series of their own for its life; jobs of any
 * other queue count under {@code queue="}{@value #OTHER}{@code "}, which no queue name can be. A
 * queue's series appear from the reading that first finds it (read when the HTTP port opens, then
 * by scrapes: a queue new since shows from the scrape after its first job).
 */
@Component
class WorkerMetrics {

	/** The most queues with series of their own; the rest are summed under {@link #OTHER}. */
	static final int MAX_QUEUE_SERIES = 50;

	/** The queue label of the queues past {@link #MAX_QUEUE_SERIES} ('~' is in no queue name). */
	static final String OTHER = "~other";

	/** How long a reading of the gauges serves. */
	static final Duration SNAPSHOT_TTL = Duration.ofSeconds(5);

	/** The histogram's buckets of run time, in seconds: a job runs from milliseconds to hours. */
	private static final double[] RUN_BUCKETS = { 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
			1800, 3600, 7200, 21600 };

	/** The outcomes of an attempt (RunResult): their counters exist from the start, at zero. */
	private static final String[] OUTCOMES = { "completed", "failed", "timeout", "canceled", "lost" };

	private final MeterRegistry registry;

	private final Counter completed;

	private final Counter failed;

	private final Counter dead;

	private final Counter returned;

	private final Timer duration;

	private final Timer pickupLag;

	private final Map<String, Counter> attempts = new ConcurrentHashMap<>();

	private final Map<String, Counter> notificationFailures = new ConcurrentHashMap<>();

	private final MetricsStore store;

	private final Settings settings;

	private final Clock clock = Clock.systemUTC();

	/** Queues with series of their own, in the order met; at most {@link #MAX_QUEUE_SERIES}. */
	private final Set<String> ownSeries = new LinkedHashSet<>();

	private volatile MetricsStore.Snapshot snapshot;

	private volatile long snapshotReadAt;

	WorkerMetrics(MeterRegistry registry, MetricsStore store, Settings settings, ScheduleService schedules) {
		this.registry = registry;
		this.store = store;
		this.settings = settings;
		this.completed = Counter.builder("queuectl.jobs.completed").description("jobs that completed").register(registry);
		this.failed = Counter.builder("queuectl.jobs.failed").description("failed runs that will be retried").register(registry);
		this.dead = Counter.builder("queuectl.jobs.dead").description("jobs moved to the dead letter queue").register(registry);
		this.returned = Counter.builder("queuectl.claims.returned")
			.description("jobs claimed ahead that went back to the queue unstarted (a long job, or a stop)")
			.register(registry);
		for (String outcome : OUTCOMES) {
			attempt(outcome, 0);
		}
		notificationFailed("url", 0);
		notificationFailed("command", 0);
		FunctionCounter.builder("queuectl.schedule.failures", schedules, ScheduleService::failures)
			.description("schedule ticks this process could not enqueue (firing failed, or the job was not valid)")
			.register(registry);
		this.duration = Timer.builder("queuectl.job.duration")
			.description("how long runs took")
			.serviceLevelObjectives(buckets())
			.register(registry);
		this.pickupLag = Timer.builder("queuectl.job.pickup.lag")
			.description("from when a job could run to when a worker started it")
			.register(registry);
		Gauge.builder("queuectl.worker.hosts", () -> snapshot().liveHosts())
			.description("worker hosts whose heartbeat is within the lease")
			.register(registry);
	}

	/**
	 * Reads the gauges once when the HTTP port opens, so that the first scrape has the series of the
	 * queues there are (a series first registered during a scrape may miss that scrape).
	 */
	@org.springframework.context.event.EventListener(org.springframework.boot.web.server.context.WebServerInitializedEvent.class)
	void prime() {
		try {
			snapshot();
		}
		catch (RuntimeException ex) {
			// the database is away: the first scrape reads it (and says so)
		}
	}

	private static Duration[] buckets() {
		Duration[] d = new Duration[RUN_BUCKETS.length];
		for (int i = 0; i < d.length; i++) {
			d[i] = Duration.ofMillis((long) (RUN_BUCKETS[i] * 1000));
		}
		return d;
	}

	void completed() {
		this.completed.increment();
	}

	double completedCount() {
		return this.completed.count();
	}

	void failed() {
		this.failed.increment();
	}

	void dead() {
		this.dead.increment();
	}

	/** This process's finished attempts by outcome, those taken back from dead hosts ("lost") left out. */
	Map<String, Long> finishedAttempts() {
		Map<String, Long> m = new java.util.TreeMap<>();
		this.attempts.forEach((outcome, counter) -> {
			if (!outcome.equals("lost") && counter.count() > 0) {
				m.put(outcome, (long) counter.count());
			}
		});
		return m;
	}

	/** An attempt ended with {@code outcome} (completed, failed, timeout, canceled, lost). */
	void attempt(String outcome) {
		attempt(outcome, 1);
	}

	private void attempt(String outcome, int n) {
		this.attempts.computeIfAbsent(outcome, o -> Counter.builder("queuectl.attempts")
			.tag("outcome", o)
			.description("attempts that ended, by outcome")
			.register(this.registry)).increment(n);
	}

	/** A try to deliver a notification by {@code channel} (url, command) failed. */
	void notificationFailed(String channel) {
		notificationFailed(channel.equals("url") || channel.equals("command") ? channel : "other", 1);
	}

	private void notificationFailed(String channel, int n) {
		this.notificationFailures.computeIfAbsent(channel, c -> Counter.builder("queuectl.notification.failures")
			.tag("channel", c)
			.description("tries to deliver a notification (webhook or command) that failed")
			.register(this.registry)).increment(n);
	}

	void returned(int claims) {
		this.returned.increment(claims);
	}

	double returnedCount() {
		return this.returned.count();
	}

	void ran(Duration d) {
		this.duration.record(d);
	}

	void pickedUp(Duration lag) {
		this.pickupLag.record(lag.isNegative() ? Duration.ZERO : lag);
	}

	/** The gauges' reading, read again when older than {@link #SNAPSHOT_TTL}; new queues get their series. */
	MetricsStore.Snapshot snapshot() {
		long now = System.nanoTime();
		MetricsStore.Snapshot s = this.snapshot;
		if (s != null && now - this.snapshotReadAt < SNAPSHOT_TTL.toNanos()) {
			return s;
		}
		synchronized (this) {
			if (this.snapshot != null && now - this.snapshotReadAt < SNAPSHOT_TTL.toNanos()) {
				return this.snapshot;
			}
			s = this.store.read(this.clock.instant(), this.settings.snapshot().leaseTimeout());
			this.snapshot = s;
			this.snapshotReadAt = System.nanoTime();
			for (String queue : s.jobs().keySet()) {
				admit(queue);
			}
			for (String queue : s.oldestDue().keySet()) {
				admit(queue);
			}
			return s;
		}
	}

	/** Gives {@code queue} series of its own while there is room; the first one past it opens {@link #OTHER}'s. */
	private void admit(String queue) {
		if (this.ownSeries.contains(queue)) {
			return;
		}
		String label = this.ownSeries.size() < MAX_QUEUE_SERIES ? queue : OTHER;
		if (label.equals(OTHER) && this.ownSeries.contains(OTHER)) {
			return;
		}
		this.ownSeries.add(label);
		for (JobState state : JobState.values()) {
			Gauge.builder("queuectl.jobs", () -> jobs(label, state))
				.tag("queue", label)
				.tag("state", state.dbValue())
				.description("jobs in the database, by queue and state")
				.strongReference(true)
				.register(this.registry);
		}
		Gauge.builder("queuectl.oldest.due.job.age", () -> oldestDue(label))
			.tag("queue", label)
			.baseUnit("seconds")
			.description("how long the queue's oldest due job (pending or failed, run_at passed) has waited; 0 when none")
			.strongReference(true)
			.register(this.registry);
	}

	private boolean ownLabel(String queue) {
		return !queue.equals(OTHER) && this.ownSeries.contains(queue);
	}

	private double jobs(String label, JobState state) {
		MetricsStore.Snapshot s = snapshot();
		if (!label.equals(OTHER)) {
			Map<JobState, Long> byState = s.jobs().get(label);
			return byState == null ? 0 : byState.getOrDefault(state, 0L);
		}
		long n = 0;
		synchronized (this) {
			for (Map.Entry<String, Map<JobState, Long>> e : s.jobs().entrySet()) {
				if (!ownLabel(e.getKey())) {
					n += e.getValue().getOrDefault(state, 0L);
				}
			}
		}
		return n;
	}

	private double oldestDue(String label) {
		MetricsStore.Snapshot s = snapshot();
		if (!label.equals(OTHER)) {
			Duration d = s.oldestDue().get(label);
			return d == null ? 0 : d.toMillis() / 1000.0;
		}
		long ms = 0;
		synchronized (this) {
			for (Map.Entry<String, Duration> e : s.oldestDue().entrySet()) {
				if (!ownLabel(e.getKey())) {
					ms = Math.max(ms, e.getValue().toMillis());
				}
			}
		}
		return ms / 1000.0;
	}
}
