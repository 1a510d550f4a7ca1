package dev.queuectl.job;

import java.time.Instant;
import java.util.List;

/** A registered worker host and the jobs it is running. */
public record WorkerInfo(String id, String hostname, long pid, int slots, String queues, Integer httpPort,
		Instant startedAt, Instant heartbeatAt, boolean stopRequested, List<String> runningJobs) {
}
