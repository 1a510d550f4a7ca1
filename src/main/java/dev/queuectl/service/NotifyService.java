package dev.queuectl.service;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.queuectl.config.AsciiNumbers;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.job.Job;
import dev.queuectl.job.Notification;
import dev.queuectl.store.JobStore;
import dev.queuectl.store.NotificationStore;
import dev.queuectl.view.Render;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Notifications (issue 27) as the commands, the API and the dashboard see them: the outbox listed,
 * failed ones made due again, and what a delivery sends: the job's JSON as {@code show --json}
 * gives it (compact), with the state, attempts, exit code and last error the change that made the
 * notification left, which may differ from the job's by the time it is delivered (a retry's job is
 * running again). A job pruned since is sent as those fields alone.
 */
@Service
public class NotifyService {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final NotificationStore store;

	private final JobStore jobs;

	private final Clock clock;

	NotifyService(NotificationStore store, JobStore jobs, Clock clock) {
		this.store = store;
		this.jobs = jobs;
		this.clock = clock;
	}

	/** The newest notifications: all (at most {@code limit}), or only those kept as failed. */
	public List<Notification> list(boolean failedOnly, int limit) {
		return this.store.list(failedOnly, false, limit);
	}

	/** Pending and failed notifications: {pending, failed}. */
	public long[] counts() {
		return this.store.counts();
	}

	/** How many notifications were given up on (kept as failed): what {@code status} shows. */
	public long failedCount() {
		return this.store.failedCount();
	}

	/**
	 * Makes a failed notification (its id as typed) due again, or all of them with {@code id}
	 * null; returns how many. An id that is no notification: exit 3; one not failed: exit 2.
	 */
	public int retry(String id) {
		if (id == null) {
			return this.store.retry(null, this.clock.instant());
		}
		Long n = AsciiNumbers.parseLong(id);
		if (n == null || n <= 0) {
			throw QueuectlException.usage("a notification id is a number, got '" + id + "'");
		}
		Notification found = this.store.find(n)
			.orElseThrow(() -> new QueuectlException(QueuectlException.NOT_FOUND, "no such notification: " + id));
		if (found.failedAt() == null) {
			throw QueuectlException.conflict("notification " + id + " is " + found.status() + ", not failed: only failed ones are retried");
		}
		return this.store.retry(n, this.clock.instant());
	}

	/** What a delivery of {@code n} sends: UTF-8 JSON of one line. */
	public byte[] body(Notification n) {
		Map<String, Object> m = this.jobs.find(n.jobId()).map(NotifyService::jobMap).orElseGet(() -> {
			Map<String, Object> gone = new LinkedHashMap<>();
			gone.put("id", n.jobId());
			return gone;
		});
		m.put("state", n.state());
		m.put("attempts", n.attempt());
		m.put("exit_code", n.exitCode());
		m.put("last_error", n.lastError());
		return JSON.writeValueAsString(m).getBytes(StandardCharsets.UTF_8);
	}

	private static Map<String, Object> jobMap(Job job) {
		return new LinkedHashMap<>(Render.job(job));
	}

	/** A notification as {@code notify list --json} and GET /api/notifications give it. */
	public static Map<String, Object> render(Notification n) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("id", n.id());
		m.put("job_id", n.jobId());
		m.put("attempt", n.attempt());
		m.put("event", n.event());
		m.put("channel", n.channel());
		m.put("status", n.status());
		m.put("tries", n.tries());
		m.put("created_at", Render.iso(n.createdAt()));
		m.put("next_at", n.deliveredAt() == null && n.failedAt() == null ? Render.iso(n.nextAt()) : null);
		m.put("delivered_at", Render.iso(n.deliveredAt()));
		m.put("failed_at", Render.iso(n.failedAt()));
		m.put("error", n.error());
		m.put("idempotency_key", n.idempotencyKey());
		return m;
	}
}
