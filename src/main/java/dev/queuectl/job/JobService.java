package dev.queuectl.job;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.queuectl.QueuectlException;
import dev.queuectl.config.Settings;
import dev.queuectl.store.JobStore;
import tools.jackson.databind.JsonNode;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Enqueueing and inspecting jobs, and moving dead ones back to the queue. */
@Service
public class JobService {

	private final JobStore store;

	private final Settings settings;

	private final TransactionTemplate tx;

	private final Clock clock;

	private final ApplicationEventPublisher events;

	JobService(JobStore store, Settings settings, TransactionTemplate tx, Clock clock, ApplicationEventPublisher events) {
		this.store = store;
		this.settings = settings;
		this.tx = tx;
		this.clock = clock;
		this.events = events;
	}

	/** Stores one job given as JSON; returns its id. */
	public String enqueue(String json, String workingDir) {
		JsonNode node = JobSpecParser.readTree(json, "");
		NewJob job = JobSpecParser.parse(node, "", defaults(workingDir));
		insert(List.of(job), i -> "");
		return job.id();
	}

	/**
	 * Stores every job of a JSON array or of JSON Lines, all or nothing. Returns the count.
	 */
	public int enqueueAll(Reader input, String workingDir) throws IOException {
		BufferedReader reader = new BufferedReader(input, 1 << 16);
		reader.mark(1 << 16);
		int first;
		do {
			first = reader.read();
		}
		while (first != -1 && Character.isWhitespace(first));
		reader.reset();
		JobSpecParser.Defaults defaults = defaults(workingDir);
		List<NewJob> jobs = new ArrayList<>();
		List<Integer> lines = new ArrayList<>();
		if (first == '[') {
			StringBuilder all = new StringBuilder();
			char[] buf = new char[1 << 16];
			for (int n; (n = reader.read(buf)) != -1;) {
				all.append(buf, 0, n);
			}
			JsonNode array = JobSpecParser.readTree(all.toString(), "");
			int item = 0;
			for (JsonNode node : array) {
				item++;
				jobs.add(JobSpecParser.parse(node, "item " + item + ": ", defaults));
				lines.add(item);
			}
			return insert(jobs, i -> "item " + lines.get(i) + ": ");
		}
		int lineNo = 0;
		for (String line; (line = reader.readLine()) != null;) {
			lineNo++;
			if (line.isBlank()) {
				continue;
			}
			String where = "line " + lineNo + ": ";
			jobs.add(JobSpecParser.parse(JobSpecParser.readTree(line, where), where, defaults));
			lines.add(lineNo);
		}
		return insert(jobs, i -> "line " + lines.get(i) + ": ");
	}

	private int insert(List<NewJob> jobs, java.util.function.IntFunction<String> where) {
		Set<String> ids = new HashSet<>(jobs.size() * 2);
		for (int i = 0; i < jobs.size(); i++) {
			if (!ids.add(jobs.get(i).id())) {
				throw QueuectlException.usage(where.apply(i) + "duplicate id '" + jobs.get(i).id() + "' in the input");
			}
		}
		Instant now = this.clock.instant();
		this.tx.executeWithoutResult(status -> {
			int duplicate = this.store.insertAll(jobs, now);
			if (duplicate >= 0) {
				status.setRollbackOnly();
				throw QueuectlException.usage(where.apply(duplicate) + "a job with id '" + jobs.get(duplicate).id()
						+ "' already exists");
			}
		});
		this.events.publishEvent(new JobsEnqueued(jobs.size()));
		return jobs.size();
	}

	private JobSpecParser.Defaults defaults(String workingDir) {
		return new JobSpecParser.Defaults(this.settings.snapshot().maxRetries(), this.clock.instant(), workingDir);
	}

	public List<Job> list(JobState state, String queue, int limit) {
		if (limit < 1) {
			throw QueuectlException.usage("--limit must be at least 1");
		}
		return this.store.list(state, queue, limit);
	}

	public Job get(String id) {
		return this.store.find(id).orElseThrow(() -> QueuectlException.noSuchJob(id));
	}

	public List<JobRun> runs(String id) {
		return this.store.runs(id);
	}

	public Map<JobState, Long> countByState() {
		return this.store.countByState();
	}

	/** Moves a dead job back to pending, attempts reset, history kept. */
	public void retryDead(String id) {
		if (!this.store.retryDead(id, this.clock.instant())) {
			Job job = get(id);
			throw QueuectlException.usage("job " + id + " is " + job.state().dbValue() + ", not dead");
		}
		this.events.publishEvent(new JobsEnqueued(1));
	}
}
