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

	public void resume(String queue) {
		this.store.setPaused(checkName(queue), false, this.clock.instant());
	}

	/** Sets a queue's limit from a user's word: a positive number, or 0 / none to remove it. */
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
