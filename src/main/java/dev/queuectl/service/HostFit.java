package dev.queuectl.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.queuectl.job.Resources;
import dev.queuectl.job.WorkerInfo;
import dev.queuectl.job.JobState;
import dev.queuectl.job.Job;
import dev.queuectl.store.JobStore;
import dev.queuectl.store.WorkerRegistryStore;
import org.springframework.stereotype.Service;

/**
 * Whether any live worker host could ever run a job that asks resources or slots: each host records
 * what it offers in the registry ({@code worker start --resources}), so a job asking {@code gpu} when
 * no live host that takes its queue offers any waits for ever, and {@code show}, {@code status}, the
 * job's page and {@code /api/jobs/{id}} say so plainly ("no live host offers gpu"). Only a host's
 * whole offer counts here, not what it has free now: a job that waits its turn is not reported.
 * {@link #reason} is the rule, pure; a place that tells why a pending job waits calls
 * {@link #noHostFor}.
 */
@Service
public class HostFit {

	/** At most this many waiting jobs that ask resources or slots are judged by {@link #unrunnable}. */
	static final int STATUS_LIMIT = 1000;

	private final WorkerRegistryStore registry;

	private final JobStore jobs;

	private final Settings settings;

	private final Clock clock;

	HostFit(WorkerRegistryStore registry, JobStore jobs, Settings settings, Clock clock) {
		this.registry = registry;
		this.jobs = jobs;
		this.settings = settings;
		this.clock = clock;
	}

	/** Why no live host could ever run {@code job}, when it waits (pending, failed, waiting) and that is so. */
	public Optional<String> noHostFor(Job job) {
		if (!waits(job) || job.resources().isEmpty() && job.slots() <= 1) {
			return Optional.empty();
		}
		return Optional.ofNullable(reason(job.queue(), job.slots(), job.resources(), live()));
	}

	/**
	 * The waiting jobs (at most {@value #STATUS_LIMIT} of those that ask resources or slots) that no live
	 * host could ever run, their ids by the reason, for {@code status}.
	 */
	public Map<String, List<String>> unrunnable() {
		List<Job> weighted = this.jobs.waitingWithDemand(STATUS_LIMIT);
		Map<String, List<String>> byReason = new LinkedHashMap<>();
		if (weighted.isEmpty()) {
			return byReason;
		}
		List<WorkerInfo> hosts = live();
		for (Job job : weighted) {
			String why = reason(job.queue(), job.slots(), job.resources(), hosts);
			if (why != null) {
				byReason.computeIfAbsent(why, k -> new ArrayList<>()).add(job.id());
			}
		}
		return byReason;
	}

	/** Whether any worker host of this database is alive (its heartbeat within the lease). */
	public boolean anyLive() {
		return !live().isEmpty();
	}

	private static boolean waits(Job job) {
		return job.state() == JobState.PENDING || job.state() == JobState.FAILED || job.state() == JobState.WAITING;
	}

	private List<WorkerInfo> live() {
		Instant now = this.clock.instant();
		Instant cutoff = now.minus(this.settings.snapshot().leaseTimeout());
		return this.registry.workers(now).stream().filter(w -> w.heartbeatAt().isAfter(cutoff)).toList();
	}

	/**
	 * Why none of {@code hosts} could ever run a job of {@code queue} taking {@code slots} slots and
	 * asking {@code asked}, or null when one could: only hosts that take the queue count; the first
	 * resource that none offers, or none offers enough of; the slots; else that none offers all at once.
	 */
	public static String reason(String queue, int slots, Resources asked, List<WorkerInfo> hosts) {
		List<WorkerInfo> taking = hosts.stream().filter(h -> takes(h, queue)).toList();
		for (Map.Entry<String, Long> e : asked.amounts().entrySet()) {
			String name = e.getKey();
			long most = taking.stream().mapToLong(h -> h.resources().amounts().getOrDefault(name, -1L)).max().orElse(-1);
			if (e.getValue() > 0 && most < 0) {
				return "no live host offers " + name;
			}
			if (e.getValue() > most && most >= 0) {
				return "no live host offers " + name + "=" + Resources.format(e.getValue()) + " (the most: "
						+ Resources.format(most) + ")";
			}
		}
		int mostSlots = taking.stream().mapToInt(WorkerInfo::slots).max().orElse(0);
		if (slots > mostSlots) {
			return taking.isEmpty() ? "no live host takes queue " + queue
					: "no live host has " + slots + " slots (the most: " + mostSlots + ")";
		}
		boolean one = taking.stream().anyMatch(h -> slots <= h.slots() && asked.fitsIn(h.resources()));
		return one ? null : "no live host offers " + (asked.isEmpty() ? "" : asked + " with ") + slots + " slots at once";
	}

	private static boolean takes(WorkerInfo host, String queue) {
		return host.queues() == null || List.of(host.queues().split(",")).contains(queue);
	}
}
