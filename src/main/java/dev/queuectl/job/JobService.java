package dev.queuectl.job;

import java.io.IOException;
import java.io.InputStream;
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

	/** At most this many jobs in one batch. */
	public static final int MAX_BATCH_JOBS = 1_000_000;

	/**
	 * Stores every job of a JSON array or of JSON Lines, all or nothing. Returns the count. The
	 * input is UTF-8 (strictly: an invalid byte is refused with its line), at most 256 MiB and
	 * {@value #MAX_BATCH_JOBS} jobs; a line of JSON Lines is at most 1 MiB. Blank lines are skipped.
	 */
	public int enqueueAll(InputStream input, String workingDir) throws IOException {
		BatchReader reader = new BatchReader(input);
		String lineLimit = "longer than 1 MiB, the most one job may take";
		String line;
		do {
			line = reader.readLine(JobSpecParser.MAX_DOCUMENT_BYTES, lineLimit);
		}
		while (line != null && line.isBlank());
		JobSpecParser.Defaults defaults = defaults(workingDir);
		List<NewJob> jobs = new ArrayList<>();
		List<Integer> lines = new ArrayList<>();
		if (line != null && line.strip().startsWith("[")) {
			int firstLine = reader.lineNo();
			StringBuilder all = new StringBuilder(line);
			for (String next; (next = reader.readLine(BatchReader.MAX_BATCH_BYTES, lineLimit)) != null;) {
				all.append('\n').append(next);
			}
			JsonNode array = JobSpecParser.readAnyTree(all.toString(), firstLine > 1 ? "line " + firstLine + ": " : "");
			int item = 0;
			for (JsonNode node : array) {
				item++;
				if (item > MAX_BATCH_JOBS) {
					throw QueuectlException.usage("item " + item + ": more than " + MAX_BATCH_JOBS + " jobs in one batch");
				}
				jobs.add(JobSpecParser.parse(node, "item " + item + ": ", defaults));
				lines.add(item);
			}
			return insert(jobs, i -> "item " + lines.get(i) + ": ");
		}
		for (; line != null; line = reader.readLine(JobSpecParser.MAX_DOCUMENT_BYTES, lineLimit)) {
			if (line.isBlank()) {
				continue;
			}
			String where = "line " + reader.lineNo() + ": ";
			if (jobs.size() == MAX_BATCH_JOBS) {
				throw QueuectlException.usage(where + "more than " + MAX_BATCH_JOBS + " jobs in one batch");
			}
			jobs.add(JobSpecParser.parse(JobSpecParser.readTree(line, where), where, defaults));
			lines.add(reader.lineNo());
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
