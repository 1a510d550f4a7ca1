package dev.queuectl.worker;

import java.time.Duration;
import java.util.Map;

import dev.queuectl.service.JobService;
import dev.queuectl.job.JobState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * The meters a worker host publishes: jobs completed, failed and dead, claims given back unstarted
 * (counters), jobs per state (gauges, read from the database at most every two seconds), job
 * duration and pickup lag (timers).
 */
@Component
class WorkerMetrics {

	private final Counter completed;

	private final Counter failed;

	private final Counter dead;

	private final Counter returned;

	private final Timer duration;

	private final Timer pickupLag;

	private final JobService jobs;

	private volatile Map<JobState, Long> counts;

	private volatile long countsReadAt;

	WorkerMetrics(MeterRegistry registry, JobService jobs) {
		this.jobs = jobs;
		this.completed = Counter.builder("queuectl.jobs.completed").description("jobs that completed").register(registry);
		this.failed = Counter.builder("queuectl.jobs.failed").description("failed runs that will be retried").register(registry);
		this.dead = Counter.builder("queuectl.jobs.dead").description("jobs moved to the dead letter queue").register(registry);
		this.returned = Counter.builder("queuectl.claims.returned")
			.description("jobs claimed ahead that went back to the queue unstarted (a long job, or a stop)")
			.register(registry);
		this.duration = Timer.builder("queuectl.job.duration").description("how long runs took").register(registry);
		this.pickupLag = Timer.builder("queuectl.job.pickup.lag")
			.description("from when a job could run to when a worker started it")
			.register(registry);
		for (JobState state : JobState.values()) {
			Gauge.builder("queuectl.jobs", () -> count(state))
				.tag("state", state.dbValue())
				.description("jobs in the database, by state")
				.register(registry);
		}
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

	private double count(JobState state) {
		long now = System.currentTimeMillis();
		if (this.counts == null || now - this.countsReadAt > 2000) {
			this.counts = this.jobs.countByState();
			this.countsReadAt = now;
		}
		return this.counts.getOrDefault(state, 0L);
	}
}
