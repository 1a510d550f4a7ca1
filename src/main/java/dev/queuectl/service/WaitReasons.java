package dev.queuectl.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import dev.queuectl.job.Job;
import dev.queuectl.job.JobState;
import dev.queuectl.job.LimitBook;
import dev.queuectl.job.QueueInfo;
import dev.queuectl.store.JobStore;
import dev.queuectl.store.LimitStore;
import dev.queuectl.store.QueueStore;
import org.springframework.stereotype.Service;

/**
 * Why a job that could run is not running: the one job-level place that tells it, for {@code show},
 * the job's page and {@code GET /api/jobs/{id}}. Each rule that can hold a pending job back adds its
 * line here (a paused or full queue, a key's concurrency or rate, a queue's rate, resources or
 * slots no live host offers: {@link HostFit}), worded as the claim decides it ({@link LimitBook}). A job not due yet (delayed, scheduled, waiting out a
 * retry) has one reason, when it will be due. A job not pending or failed has none.
 */
@Service
public class WaitReasons {

	private final LimitStore limits;

	private final QueueStore queues;

	private final Clock clock;

	private final HostFit hostFit;

	private final JobStore jobs;

	WaitReasons(LimitStore limits, QueueStore queues, Clock clock, HostFit hostFit, JobStore jobs) {
		this.jobs = jobs;
		this.limits = limits;
		this.queues = queues;
		this.clock = clock;
		this.hostFit = hostFit;
	}

	/** The lines that say why {@code job} waits; empty when nothing holds it back (or it is not pending and due). */
	public List<String> of(Job job) {
		List<String> reasons = new ArrayList<>();
		if (job.state() != JobState.PENDING && job.state() != JobState.FAILED) {
			return reasons;
		}
		java.time.Instant now = job.runAt() == null ? null : this.jobs.dueClock(this.clock.instant());
		if (now != null && job.runAt().isAfter(now)) { // not due: when it will be, and nothing else
			String when = job.runAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " (in "
					+ dev.queuectl.config.Durations.elapsed(job.runAt().toEpochMilli() - now.toEpochMilli()) + ")";
			reasons.add(job.state() == JobState.FAILED
					? "waiting out its retry backoff: attempt " + (job.attempts() + 1) + " of " + (job.maxRetries() + 1) + " at " + when
					: "scheduled: due at " + when);
			return reasons;
		}
		for (QueueInfo q : this.queues.list()) {
			if (q.name().equals(job.queue())) {
				if (q.paused()) {
					reasons.add("queue " + q.name() + " is paused");
				}
				else if (q.maxRunning() != null && q.running() >= q.maxRunning()) {
					reasons.add("held by queue limit " + q.name() + " (" + q.running() + "/" + q.maxRunning() + " running)");
				}
			}
		}
		LimitBook book = this.limits.book(this.clock.instant());
		if (!book.isEmpty()) {
			// each key on its own, so that every key that holds the job is named
			for (String key : job.limits()) {
				LimitBook.Hold hold = book.hold(List.of(key), null);
				if (hold != null) {
					reasons.add(hold.reason());
				}
			}
			LimitBook.Hold queueRate = book.hold(List.of(), job.queue());
			if (queueRate != null) {
				reasons.add(queueRate.reason());
			}
		}
		this.hostFit.noHostFor(job).ifPresent(reasons::add); // resources or slots no live host offers
		return reasons;
	}
}
