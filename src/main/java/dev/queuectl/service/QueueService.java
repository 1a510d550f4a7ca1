package dev.queuectl.service;

import java.time.Clock;
import java.util.List;

import dev.queuectl.job.JobSpecParser;
import dev.queuectl.job.QueueInfo;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.store.QueueStore;
import org.springframework.stereotype.Service;

/**
 * Queues as users steer them: pause and resume (no new job starts from a paused queue on any
 * host; running ones finish), and a limit on how many of a queue's jobs run at once across every
 * host on the database. The claim enforces both in its one statement.
 */
@Service
public class QueueService {

	/** The most a limit may say; more is the same as none on any machine. */
	static final int MAX_LIMIT = 100_000;

	private final QueueStore store;

	private final Clock clock;

	QueueService(QueueStore store, Clock clock) {
		this.store = store;
		this.clock = clock;
	}

	public List<QueueInfo> list() {
		return this.store.list();
	}

	/** The names of paused queues. */
	public List<String> paused() {
		return this.store.paused();
	}

	public void pause(String queue) {
		this.store.setPaused(checkName(queue), true, this.clock.instant());
	}

	/** Resumes a queue; an unknown one (a typo) is refused: resuming it would create it. */
	public void resume(String queue) {
		this.store.setPaused(known(queue), false, this.clock.instant());
	}

	/**
	 * Removes a queue that holds no job: its pause and its limit go. One that holds jobs is refused,
	 * naming them (finished ones go with prune or retention).
	 */
	public void remove(String queue) {
		QueueStore.Removal removal = this.store.removeIfEmpty(checkName(queue));
		if (!removal.jobs().isEmpty()) {
			String held = removal.jobs().entrySet().stream()
				.map(e -> e.getValue() + " " + e.getKey().dbValue())
				.collect(java.util.stream.Collectors.joining(", "));
			throw QueuectlException.conflict("queue " + queue + " is not empty: it holds " + held
					+ " job(s) (cancel or wait for them; finished ones go with 'queuectl prune' or retention)");
		}
		if (!removal.found()) {
			throw noSuchQueue(queue);
		}
	}

	/** Whether the queue exists: it holds jobs or was paused or limited. */
	public boolean exists(String queue) {
		return this.store.exists(checkName(queue));
	}

	/** The queue's name, checked, when the queue exists (it holds jobs or was paused or limited). */
	private String known(String queue) {
		if (!this.store.exists(checkName(queue))) {
			throw noSuchQueue(queue);
		}
		return queue;
	}

	private static QueuectlException noSuchQueue(String queue) {
		return new QueuectlException(QueuectlException.NOT_FOUND, "no such queue: " + queue
				+ " (a queue exists once it holds jobs or was paused or limited; queuectl queue list)");
	}

	/**
	 * Sets a queue's limit from a user's word: a positive number, or 0 / none to remove it. A queue
	 * may be limited before its first job (it then exists: {@link #exists}).
	 */
	public Integer limit(String queue, String limit) {
		checkName(queue);
		Integer max;
		if (limit.equals("none") || limit.equals("0")) {
			max = null;
		}
		else if (!limit.matches("[0-9]{1,6}") || Integer.parseInt(limit) > MAX_LIMIT) {
			throw QueuectlException.usage("a queue limit is a number of jobs from 1 to " + MAX_LIMIT
					+ ", or 0 or none for no limit; got '" + limit + "'");
		}
		else {
			max = Integer.parseInt(limit);
		}
		this.store.setLimit(queue, max, this.clock.instant());
		return max;
	}

	private static String checkName(String queue) {
		if (queue == null || !JobSpecParser.QUEUE.matcher(queue).matches()) {
			throw QueuectlException.usage("a queue name is 1-64 characters of A-Z a-z 0-9 . _ : -"
					+ (queue == null ? "" : ", got '" + queue + "'"));
		}
		return queue;
	}
}
