package dev.queuectl.job;

import java.time.Instant;
import java.util.List;

/** A registered worker host, the jobs it is running, and the resources it offers. */
public record WorkerInfo(String id, String hostname, long pid, int slots, String queues, Integer httpPort,
		Instant startedAt, Instant heartbeatAt, boolean stopRequested, List<String> runningJobs, Resources resources) {

	/** A host that offers no resources. */
	public WorkerInfo(String id, String hostname, long pid, int slots, String queues, Integer httpPort,
			Instant startedAt, Instant heartbeatAt, boolean stopRequested, List<String> runningJobs) {
		this(id, hostname, pid, slots, queues, httpPort, startedAt, heartbeatAt, stopRequested, runningJobs,
				Resources.NONE);
	}
}
