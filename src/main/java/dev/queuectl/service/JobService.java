package dev.queuectl.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;

import dev.queuectl.job.AfterCondition;
import dev.queuectl.job.JobsEnqueued;
import dev.queuectl.job.JobFilter;
import dev.queuectl.job.JobSpecParser;
import dev.queuectl.job.RetryRule;
import dev.queuectl.job.NewJob;
import dev.queuectl.job.JobState;
import dev.queuectl.job.JobRun;
import dev.queuectl.job.Job;
import dev.queuectl.config.Durations;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.store.JobStore;
import tools.jackson.databind.JsonNode;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Enqueueing, inspecting and canceling jobs, and the dead letter queue: the rules of a job's life. */
@Service
public class JobService {

	private final JobStore store;

	private final Settings settings;

	private final TransactionTemplate tx;

	private final Clock clock;

	private final ApplicationEventPublisher events;

	private final GroupCommit singles = new GroupCommit(this::insertEach, job -> insert(List.of(job), i -> "",
			BatchProgress.NONE));

	/** Listings that name tags (issue 28) read through their index. */
	private final dev.queuectl.store.JobTagStore tagged;

	private final dev.queuectl.store.BatchStore batches;

	/**
	 * Spans of enqueues (issue 31); {@link Tracing#OFF} unless the environment asks. Looked up at the
	 * first traced enqueue, so other commands never start a tracer.
	 */
	private final org.springframework.beans.factory.ObjectProvider<Tracing> tracing;

	JobService(JobStore store, Settings settings, TransactionTemplate tx, Clock clock, ApplicationEventPublisher events,
			dev.queuectl.store.JobTagStore tagged, dev.queuectl.store.BatchStore batches,
			org.springframework.beans.factory.ObjectProvider<Tracing> tracing) {
		this.tracing = tracing;
		this.tagged = tagged;
		this.batches = batches;
		this.store = store;
		this.settings = settings;
		this.tx = tx;
		this.clock = clock;
		this.events = events;
	}

	/**
	 * Stores one job given as JSON. Returns its id, or the id of the live job that holds its unique
	 * key (then nothing was stored). Validation is the caller's own; concurrent callers' jobs are
	 * committed together ({@link GroupCommit}), and each returns once its job is on disk.
	 */
	public Enqueued enqueue(String json, String workingDir) {
		return enqueue(json, workingDir, List.of());
	}

	/** {@link #enqueue(String, String)} with {@code tags} added to the job's own (enqueue --tag). */
	public Enqueued enqueue(String json, String workingDir, List<String> tags) {
		JsonNode node = JobSpecParser.readTree(json, "");
		NewJob job = JobSpecParser.parse(node, "", defaults(workingDir, tags));
		return this.singles.submit(job);
	}

	/**
	 * Where an enqueue came from, for its span (issue 31): {@code name} is "cli", "socket" (a served
	 * command) or "api"; {@code parent} the trace it continues (null: a new one).
	 */
	public record Via(String name, dev.queuectl.job.TraceContext parent) {
	}

	/**
	 * {@link #enqueue(String, String, List)} in a span of its own (issue 31) that came {@code via} the
	 * CLI, a served command or the API; the job stores the span's context, so its attempts are its
	 * children. While tracing is off this is the plain enqueue.
	 */
	public Enqueued enqueue(String json, String workingDir, List<String> tags, Via via) {
		Tracing.Span span = this.tracing.getObject().enqueue(via.name(), via.parent());
		try {
			JsonNode node = JobSpecParser.readTree(json, "");
			NewJob job = JobSpecParser.parse(node, "", defaults(workingDir, tags));
			dev.queuectl.job.TraceContext context = span.context();
			if (context != null) {
				job = job.traced(context);
				span.attribute("queuectl.job.id", job.id());
				span.attribute("queuectl.queue", job.queue());
			}
			Enqueued result = this.singles.submit(job);
			if (!result.duplicates().isEmpty()) {
				span.attribute("queuectl.duplicate_of", result.firstId());
			}
			return result;
		}
		catch (RuntimeException ex) {
			span.error(ex.getMessage());
			throw ex;
		}
		finally {
			span.end();
		}
	}

	/** The trace this process runs in ({@link Tracing#processParent}): a one-shot enqueue's parent. */
	public dev.queuectl.job.TraceContext processTrace() {
		return this.tracing.getObject().processParent();
	}

	/** Stores one validated job (a rerun's copy) as {@link #enqueue(String, String)} does. */
	public Enqueued enqueue(NewJob job) {
		return this.singles.submit(job);
	}

	/** Independent single jobs in one transaction, all or nothing: each one's answer, as if stored alone. */
	private List<Enqueued> insertEach(List<NewJob> jobs) {
		Enqueued all = insert(jobs, i -> "", BatchProgress.NONE);
		Map<String, Duplicate> duplicates = new java.util.HashMap<>();
		all.duplicates().forEach(d -> duplicates.put(d.id(), d));
		return jobs.stream().map(job -> {
			Duplicate d = duplicates.get(job.id());
			return d == null ? new Enqueued(1, job.id(), List.of()) : new Enqueued(0, d.existingId(), List.of(d));
		}).toList();
	}

	/**
	 * What an enqueue stored: how many jobs and their ids (in the input's order), and the ones it did
	 * not store because their unique key was held.
	 */
	public record Enqueued(int stored, String firstId, List<Duplicate> duplicates, List<String> ids) {

		/** One job: stored (its id), or not (a duplicate). */
		public Enqueued(int stored, String firstId, List<Duplicate> duplicates) {
			this(stored, firstId, duplicates, stored == 1 ? List.of(firstId) : List.of());
		}
	}

	/** A job not stored: a live job ({@code existingId}) holds its unique key. */
	public record Duplicate(String where, String id, String uniqueKey, String existingId) {
	}

	/** At most this many jobs in one batch. */
	public static final int MAX_BATCH_JOBS = 1_000_000;

	/**
	 * Stores every job of a JSON array or of JSON Lines, all or nothing (but for jobs whose unique
	 * key a live job holds: those are reported, not stored). The
	 * input is UTF-8 (strictly: an invalid byte is refused with its line), at most 256 MiB and
	 * {@value #MAX_BATCH_JOBS} jobs; a line of JSON Lines is at most 1 MiB. Blank lines are skipped.
	 */
	public Enqueued enqueueAll(InputStream input, String workingDir) throws IOException {
		return enqueueAll(input, workingDir, BatchProgress.NONE);
	}

	/** Told how a large batch goes: jobs read so far, then jobs stored so far. */
	public interface BatchProgress {

		BatchProgress NONE = new BatchProgress() {
		};

		/** Called every {@value JobService#PROGRESS_EVERY} jobs read. */
		default void read(int jobs) {
		}

		/** Called as the jobs are stored, in steps of a thousand. */
		default void stored(int jobs, int total) {
		}
	}

	/** How often a batch says how far it is. */
	public static final int PROGRESS_EVERY = 10_000;

	/** {@link #enqueueAll(InputStream, String)}, telling {@code progress} how it goes. */
	public Enqueued enqueueAll(InputStream input, String workingDir, BatchProgress progress) throws IOException {
		return enqueueAll(input, workingDir, progress, false);
	}

	/**
	 * {@link #enqueueAll(InputStream, String, BatchProgress)} for input that comes as fast as it is
	 * read (a file, not a pipe): its jobs are parsed on a second thread while the first ones are
	 * stored. The transaction, and SQLite's write lock, start before the input is read, so input
	 * that trickles in would hold the lock while it waits: stdin and request bodies go the other way.
	 */
	public Enqueued enqueueFile(InputStream input, String workingDir, BatchProgress progress) throws IOException {
		return enqueueAll(input, workingDir, progress, true);
	}

	/**
	 * Parses on a {@link BatchParser}'s thread. With {@code overlap}, chunks of jobs that run after
	 * no other are stored as they come, all pending, until the first chunk with a job that does
	 * (its state depends on the rest); everything is checked as before once the input is parsed,
	 * in the same order, and a failure anywhere rolls the whole batch back.
	 */
	private Enqueued enqueueAll(InputStream input, String workingDir, BatchProgress progress, boolean overlap)
			throws IOException {
		return enqueueAll(input, workingDir, progress, overlap, List.of(), null, null);
	}

	/**
	 * {@link #enqueueFile} ({@code file}) or {@link #enqueueAll(InputStream, String, BatchProgress)},
	 * with {@code tags} added to every job's own (enqueue --tag).
	 */
	public Enqueued enqueueAll(InputStream input, String workingDir, BatchProgress progress, boolean file,
			List<String> tags) throws IOException {
		return enqueueAll(input, workingDir, progress, file, tags, null, null);
	}

	/**
	 * {@link #enqueueAll(InputStream, String, BatchProgress, boolean, List)} in one span (issue 31) that
	 * came {@code via} the CLI, a served command or the API: one for the whole input, not one per
	 * job, and each job stores its context, so every job's attempts are its children.
	 */
	public Enqueued enqueueAll(InputStream input, String workingDir, BatchProgress progress, boolean file,
			List<String> tags, Via via) throws IOException {
		return enqueueAll(input, workingDir, progress, file, tags, null, via);
	}

	/** The same, into a batch ({@code plan}; null: none), traced as {@code via} says (null: not traced). */
	private Enqueued enqueueAll(InputStream input, String workingDir, BatchProgress progress, boolean overlap,
			List<String> tags, BatchPlan plan, Via via) throws IOException {
		Tracing.Span span = via == null ? Tracing.Span.NONE : this.tracing.getObject().enqueue(via.name(), via.parent());
		try (BatchParser parser = new BatchParser(input, defaults(workingDir, tags))) {
			Enqueued result = enqueueAll(parser, progress, overlap, plan, span.context());
			span.attribute("queuectl.jobs", result.stored());
			if (plan != null) {
				span.attribute("queuectl.batch", plan.name());
			}
			if (!result.duplicates().isEmpty()) {
				span.attribute("queuectl.duplicates", result.duplicates().size());
			}
			return result;
		}
		catch (RuntimeException | IOException ex) {
			span.error(ex.getMessage());
			throw ex;
		}
		finally {
			span.end();
		}
	}

	/** Stores what {@code parser} reads; each job with {@code trace}, its enqueue's span (null: not traced). */
	private Enqueued enqueueAll(BatchParser parser, BatchProgress progress, boolean overlap, BatchPlan plan,
			dev.queuectl.job.TraceContext trace) throws IOException {
		try {
			Batch batch = new Batch();
			batch.member = plan == null ? null : plan.name();
			batch.trace = trace;
			if (!overlap) {
				batch.read(parser, null, progress); // all of it before the transaction starts
			}
			return insert(now -> {
				if (overlap) {
					try {
						batch.read(parser, now, progress);
					}
					catch (IOException ex) {
						throw new UncheckedIOException(ex);
					}
				}
				return batch;
			}, i -> parser.where(batch.positions[i]), progress, plan);
		}
		catch (UncheckedIOException ex) {
			throw ex.getCause();
		}
	}

	/**
	 * The jobs of an input, of which the first {@code stored} are already stored (pending), with the
	 * indexes of those that a conflict skipped.
	 */
	private final class Batch {

		final List<NewJob> jobs = new ArrayList<>();

		/** The line (or array item) of each job. */
		int[] positions = new int[0];

		int stored;

		final List<Integer> conflicts = new ArrayList<>();

		/** The batch its jobs join (issue 28); null: none. */
		String member;

		/** The context of the span that enqueues them, stored with each (issue 31); null: not traced. */
		dev.queuectl.job.TraceContext trace;

		/** Reads every chunk; with {@code storeAt}, stores them as they come while no job runs after another. */
		void read(BatchParser parser, Instant storeAt, BatchProgress progress) throws IOException {
			boolean storing = storeAt != null;
			for (BatchParser.Chunk chunk; (chunk = parser.next()) != null;) {
				int before = this.jobs.size();
				List<NewJob> more = chunk.jobs();
				if (this.trace != null) {
					more = more.stream().map(job -> job.traced(this.trace)).toList();
				}
				this.jobs.addAll(more);
				if (this.positions.length < this.jobs.size()) {
					this.positions = Arrays.copyOf(this.positions, Math.max(this.jobs.size(), this.positions.length * 2));
				}
				System.arraycopy(chunk.positions(), 0, this.positions, before, more.size());
				for (int n = (before / PROGRESS_EVERY + 1) * PROGRESS_EVERY; n <= this.jobs.size(); n += PROGRESS_EVERY) {
					progress.read(n);
				}
				storing = storing && more.stream().allMatch(job -> job.after().isEmpty());
				if (storing) {
					JobService.this.store.insertAll(more, Collections.nCopies(more.size(), JobState.PENDING), storeAt, this.member, n -> {
					}).forEach(i -> this.conflicts.add(before + i));
					this.stored = this.jobs.size();
				}
			}
		}
	}

	/** Stores the jobs in one transaction (the next method). */
	private Enqueued insert(List<NewJob> jobs, IntFunction<String> where, BatchProgress progress) {
		return insert(now -> {
			Batch batch = new Batch();
			batch.jobs.addAll(jobs);
			return batch;
		}, where, progress, null);
	}

	/**
	 * Stores the jobs that {@code read} gives in one transaction, which {@code read} runs in (it may
	 * store the first ones itself, at the time it is given). A job runs after jobs that exist or come
	 * earlier in the input (so no cycle can form); it waits while one of them has not completed, and
	 * is refused when one ended dead or canceled, since it could never run.
	 */
	private Enqueued insert(Function<Instant, Batch> read, IntFunction<String> where, BatchProgress progress,
			BatchPlan plan) {
		Instant now = this.clock.instant();
		Enqueued result = this.tx.execute(status -> {
			if (plan != null) {
				openBatch(plan, now);
			}
			Batch batch = read.apply(now);
			List<NewJob> jobs = batch.jobs;
			Set<String> ids = new HashSet<>(jobs.size() * 2);
			for (int i = 0; i < jobs.size(); i++) {
				if (!ids.add(jobs.get(i).id())) {
					throw QueuectlException.usage(where.apply(i) + "duplicate id '" + jobs.get(i).id() + "' in the input");
				}
			}
			int from = batch.stored;
			List<JobState> states = initialStates(jobs, from, where);
			List<Integer> conflicts = new ArrayList<>(batch.conflicts);
			if (from > 0) {
				progress.stored(from, jobs.size());
			}
			this.store.insertAll(jobs.subList(from, jobs.size()), states, now, batch.member,
					n -> progress.stored(from + n, jobs.size()))
				.forEach(i -> conflicts.add(from + i));
			List<Duplicate> duplicates = new ArrayList<>();
			for (int i : conflicts) {
				NewJob job = jobs.get(i);
				String holder = job.uniqueKey() == null || this.store.exists(job.id()) ? null
						: this.store.liveJobWithKey(job.uniqueKey()).orElse(null);
				if (holder == null) {
					status.setRollbackOnly();
					throw QueuectlException.conflict(where.apply(i) + "a job with id '" + job.id() + "' already exists");
				}
				duplicates.add(new Duplicate(where.apply(i), job.id(), job.uniqueKey(), holder));
			}
			if (!duplicates.isEmpty()) {
				// a job stored nowhere cannot be run after: refuse the input rather than leave a job waiting forever
				Set<String> skipped = new HashSet<>();
				duplicates.forEach(d -> skipped.add(d.id()));
				for (int i = 0; i < jobs.size(); i++) {
					for (String dep : jobs.get(i).after()) {
						if (skipped.contains(dep)) {
							status.setRollbackOnly();
							throw QueuectlException.usage(where.apply(i) + "field '" + jobs.get(i).condition(dep).field() + "' names '" + dep
									+ "', which was not stored: its unique key is held by another job");
						}
					}
				}
			}
			String firstId = duplicates.size() == jobs.size() && !jobs.isEmpty() ? duplicates.get(0).existingId()
					: jobs.isEmpty() ? null : jobs.get(0).id();
			Set<Integer> notStored = new HashSet<>(conflicts);
			List<String> stored = new ArrayList<>(jobs.size() - duplicates.size());
			for (int i = 0; i < jobs.size(); i++) {
				if (!notStored.contains(i)) {
					stored.add(jobs.get(i).id());
				}
			}
			if (plan != null) {
				fillBatch(plan, jobs.size(), stored.size(), now);
			}
			return new Enqueued(stored.size(), firstId, duplicates, stored);
		});
		if (result.stored() > 0) {
			this.events.publishEvent(new JobsEnqueued(result.stored()));
		}
		return result;
	}

	// ---- batches (issue 28)

	/**
	 * Where a bulk enqueue's jobs go: a new batch {@code name} with its callbacks (each null: none),
	 * parsed and checked before anything is stored, or ({@code add}) an open batch.
	 */
	public record BatchPlan(String name, boolean add, NewJob onSuccess, NewJob onFailure, NewJob onComplete) {

		List<NewJob> callbacks() {
			List<NewJob> all = new ArrayList<>();
			for (NewJob job : java.util.Arrays.asList(this.onSuccess, this.onFailure, this.onComplete)) {
				if (job != null) {
					all.add(job);
				}
			}
			return all;
		}
	}

	/** A batch's name: as a job id. */
	private static final java.util.regex.Pattern BATCH_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_:][A-Za-z0-9._:-]{0,127}");

	/** The name checked, or the one-line refusal. */
	public static String batchName(String name) {
		if (name == null || !BATCH_NAME.matcher(name).matches()) {
			throw QueuectlException.usage("a batch name is 1-128 characters of A-Z a-z 0-9 . _ : -, not starting with a dot or a dash"
					+ (name == null ? "" : ", got '" + name.replaceAll("[^\\x20-\\x7e]", "?") + "'"));
		}
		return name;
	}

	/**
	 * A new batch and its callbacks, each a JSON job (null: none) that must not run after another;
	 * {@code QUEUECTL_BATCH=NAME} is set in its command's environment.
	 */
	public BatchPlan newBatch(String name, String onSuccess, String onFailure, String onComplete, String workingDir) {
		batchName(name);
		return new BatchPlan(name, false, callback(name, "on_success", onSuccess, workingDir),
				callback(name, "on_failure", onFailure, workingDir), callback(name, "on_complete", onComplete, workingDir));
	}

	/** More jobs for an open batch. */
	public BatchPlan addTo(String name) {
		return new BatchPlan(batchName(name), true, null, null, null);
	}

	private NewJob callback(String batch, String field, String json, String workingDir) {
		if (json == null) {
			return null;
		}
		String where = field + ": ";
		NewJob job = JobSpecParser.parse(JobSpecParser.readTree(json, where), where, defaults(workingDir, List.of()));
		if (!job.after().isEmpty()) {
			throw QueuectlException.usage(where + "a callback runs when its batch settles: it takes no 'after', 'after_any' or 'after_failed'");
		}
		java.util.Map<String, String> env = new java.util.LinkedHashMap<>(job.env());
		env.put("QUEUECTL_BATCH", batch); // set by queuectl, as QUEUECTL_JOB_ID is: no job may name it itself
		return new NewJob(job.id(), job.command(), job.queue(), job.priority(), job.maxRetries(), job.runAt(),
				job.runAtNamed(), job.timeout(), job.workingDir(), job.uniqueKey(), job.after(), job.resources(), job.slots(),
				job.startBy(), job.startByNamed(), job.retryRule(), job.limits(), env, job.tags(), null, java.util.Map.of());
	}

	/** {@link #enqueueAll(InputStream, String, BatchProgress)} into a batch; {@code file}: as {@link #enqueueFile}. */
	public Enqueued enqueueBatch(InputStream input, String workingDir, BatchProgress progress, boolean file, BatchPlan plan)
			throws IOException {
		return enqueueBatch(input, workingDir, progress, file, plan, List.of());
	}

	/** {@link #enqueueBatch(InputStream, String, BatchProgress, boolean, BatchPlan)} with {@code tags} added to every job's own. */
	public Enqueued enqueueBatch(InputStream input, String workingDir, BatchProgress progress, boolean file, BatchPlan plan,
			List<String> tags) throws IOException {
		return enqueueAll(input, workingDir, progress, file, tags, plan, null);
	}

	/** {@link #enqueueBatch(InputStream, String, BatchProgress, boolean, BatchPlan, List)} in one span, as {@link #enqueueAll(InputStream, String, BatchProgress, boolean, List, Via)}. */
	public Enqueued enqueueBatch(InputStream input, String workingDir, BatchProgress progress, boolean file, BatchPlan plan,
			List<String> tags, Via via) throws IOException {
		return enqueueAll(input, workingDir, progress, file, tags, plan, via);
	}

	/** Makes the batch, or locks the open one to add to, first in the enqueue's transaction. */
	private void openBatch(BatchPlan plan, Instant now) {
		if (plan.add()) {
			switch (this.batches.lockOpen(plan.name())) {
				case MISSING -> throw new QueuectlException(QueuectlException.NOT_FOUND, "no such batch: " + plan.name());
				case SETTLED -> throw QueuectlException.conflict("batch " + plan.name() + " has settled: it takes no more jobs");
				default -> {
				}
			}
			return;
		}
		if (!this.batches.create(plan.name(), now, id(plan.onSuccess()), id(plan.onFailure()), id(plan.onComplete()))) {
			throw QueuectlException.conflict("batch " + plan.name() + " already exists (batch add " + plan.name()
					+ " --file F adds jobs while it is open)");
		}
	}

	private static String id(NewJob job) {
		return job == null ? null : job.id();
	}

	/** Counts the jobs stored into the batch and stores its callbacks (waiting until it settles). */
	private void fillBatch(BatchPlan plan, int given, int stored, Instant now) {
		if (given == 0) {
			throw QueuectlException.usage("the input holds no jobs: a batch needs at least one");
		}
		this.batches.added(plan.name(), stored);
		for (NewJob callback : plan.callbacks()) {
			if (!this.store.insertAll(List.of(callback), List.of(JobState.WAITING), now, n -> {
			}).isEmpty()) {
				throw QueuectlException.conflict("callback " + callback.id() + " was not stored: "
						+ (this.store.exists(callback.id()) ? "a job with that id already exists" : "its unique key is held by another job"));
			}
		}
		this.batches.settleDue(now); // every job a duplicate: nothing left to wait for
	}

	/**
	 * Settles the batches whose last job became final without their host settling them (a safety
	 * net: every path that ends a job settles its batch in the same transaction); a worker host calls
	 * it every second. Without such a batch: one read, no transaction.
	 */
	public int settleBatches() {
		if (!this.batches.anyDue()) {
			return 0;
		}
		Instant now = this.clock.instant();
		return this.tx.execute(status -> this.batches.settleDue(now).size());
	}

	/**
	 * Stores one job of a schedule in the caller's transaction (a tick's job and the schedule's
	 * advance commit together). Returns false, storing nothing, when its id or its unique key is
	 * taken; the caller publishes {@link JobsEnqueued} after its commit.
	 */
	boolean insertInTransaction(NewJob job, Instant now) {
		return this.store.insertAll(List.of(job), List.of(JobState.PENDING), now, n -> {
		}).isEmpty();
	}

	/** The live job holding a unique key, if any. */
	java.util.Optional<String> liveJobWithKey(String uniqueKey) {
		return this.store.liveJobWithKey(uniqueKey);
	}

	/** A schedule's jobs (ids starting with {@code prefix}), newest first. */
	List<Job> withIdPrefix(String prefix, int limit) {
		return this.store.withIdPrefix(prefix, limit);
	}

	/**
	 * waiting or pending for each job from {@code from} on, by the jobs it runs after; refuses unknown,
	 * dead or canceled ones. The jobs before {@code from} are stored already (pending): one named by a
	 * later job reads as pending, not completed, so that job waits, as it would for a job not yet stored.
	 */
	private List<JobState> initialStates(List<NewJob> jobs, int from, IntFunction<String> where) {
		Set<String> named = new HashSet<>();
		jobs.subList(from, jobs.size()).forEach(j -> named.addAll(j.after()));
		if (named.isEmpty()) {
			return Collections.nCopies(jobs.size() - from, JobState.PENDING);
		}
		Map<String, JobState> stored = this.store.states(named);
		Map<String, Integer> position = new java.util.HashMap<>();
		for (int i = 0; i < jobs.size(); i++) {
			position.put(jobs.get(i).id(), i);
		}
		List<JobState> states = new ArrayList<>(jobs.size() - from);
		for (int i = from; i < jobs.size(); i++) {
			NewJob job = jobs.get(i);
			List<AfterCondition.Named> deps = new ArrayList<>();
			for (String dep : job.after()) {
				Integer at = position.get(dep);
				JobState depState = stored.get(dep);
				if (depState == null && (at == null || at >= i)) {
					throw QueuectlException.usage(where.apply(i) + "field '" + job.condition(dep).field() + "' names unknown job '"
							+ dep + "'" + (at != null ? " (it must come earlier in the input)" : ""));
				}
				deps.add(new AfterCondition.Named(dep, job.condition(dep), depState)); // null: earlier in this input
			}
			AfterCondition.Decision decision = AfterCondition.decide(deps);
			if (decision.state() == JobState.CANCELED) {
				AfterCondition.Named ended = deps.stream()
					.filter(d -> d.condition() == AfterCondition.COMPLETED
							&& (d.state() == JobState.DEAD || d.state() == JobState.CANCELED))
					.findFirst().orElse(null);
				throw QueuectlException.usage(where.apply(i) + (ended != null
						? "field 'after' names job '" + ended.id() + "', which is " + ended.state().dbValue()
						: "field 'after_failed' names only jobs that completed") + ": this job could never run");
			}
			states.add(decision.state());
		}
		return states;
	}

	private JobSpecParser.Defaults defaults(String workingDir, List<String> tags) {
		Settings.Snapshot cfg = this.settings.snapshot();
		return new JobSpecParser.Defaults(cfg.maxRetries(), this.clock.instant(), workingDir, defaultRetryRule(cfg), tags);
	}

	/** The retry rule of jobs that name none: config retry-on, else no-retry-on, else none (null). */
	static RetryRule defaultRetryRule(Settings.Snapshot cfg) {
		RetryRule on = RetryRule.ofSetting(true, cfg.retryOn());
		return on != null ? on : RetryRule.ofSetting(false, cfg.noRetryOn());
	}

	/**
	 * Jobs newest first (by updated_at, then id), after the job {@code afterId} when given: the next
	 * page starts after the last job of the one before, read from the index on, at the same cost
	 * however deep it is. When more jobs follow, the listing says so and how many the filter selects
	 * in all.
	 */
	public Listing list(JobFilter filter, String afterId, int limit) {
		if (limit < 1) {
			throw QueuectlException.usage("--limit must be at least 1");
		}
		JobStore.Cursor cursor = null;
		if (afterId != null) {
			Job last = get(afterId);
			cursor = new JobStore.Cursor(last.updatedAt(), last.id());
		}
		List<Job> found = page(filter, null, cursor, limit == Integer.MAX_VALUE ? limit : limit + 1);
		if (found.size() <= limit) {
			return new Listing(found, false, -1);
		}
		return new Listing(found.subList(0, limit), true,
				filter.tags().isEmpty() ? this.store.count(filter) : this.tagged.count(filter));
	}

	private List<Job> page(JobFilter filter, String text, JobStore.Cursor cursor, int limit) {
		return filter.tags().isEmpty() ? this.store.page(filter, text, cursor, limit)
				: this.tagged.page(filter, text, cursor, limit);
	}

	/**
	 * A listing's jobs; {@code more}: others follow the last one, and {@code total} is how many the
	 * filter selects in all (else -1).
	 */
	public record Listing(List<Job> jobs, boolean more, long total) {
	}

	/** The most jobs one page of {@link #page} holds. */
	public static final int MAX_PAGE = 1000;

	/** A page of jobs, newest first, and the cursor of the next one (null at the end). */
	public record Page(List<Job> jobs, String next) {
	}

	/**
	 * A page of jobs newest first (by updated_at, then id), filtered by states and queues (as
	 * {@link JobFilter#parse} reads them) and text in the id or command, starting after
	 * {@code after}: the {@code next} of the page before.
	 */
	public Page page(String state, String queue, String text, String after, int limit) {
		return page(state, queue, null, text, after, limit);
	}

	/** {@link #page(String, String, String, String, int)} of the jobs that carry every tag of {@code tags} (a comma list; null: any). */
	public Page page(String state, String queue, String tags, String text, String after, int limit) {
		if (limit < 1 || limit > MAX_PAGE) {
			throw QueuectlException.usage("--limit must be from 1 to " + MAX_PAGE + ", got " + limit);
		}
		JobFilter filter = JobFilter.parse(state == null || state.isBlank() ? null : state,
				queue == null || queue.isEmpty() ? null : queue, tags == null || tags.isEmpty() ? null : tags);
		JobStore.Cursor cursor = null;
		if (after != null && !after.isEmpty()) {
			int colon = after.indexOf(':');
			if (colon < 1 || colon > 19 || !after.substring(0, colon).chars().allMatch(c -> c >= '0' && c <= '9')) {
				throw QueuectlException.usage("after must be the 'next' of a page before, got '" + after + "'");
			}
			cursor = new JobStore.Cursor(Instant.ofEpochMilli(Long.parseLong(after.substring(0, colon))),
					after.substring(colon + 1));
		}
		List<Job> found = page(filter, text == null || text.isEmpty() ? null : text, cursor, limit + 1);
		String next = null;
		if (found.size() > limit) {
			found = found.subList(0, limit);
			Job last = found.get(limit - 1);
			next = last.updatedAt().toEpochMilli() + ":" + last.id();
		}
		return new Page(found, next);
	}

	/**
	 * The dashboard's Scheduled view ({@code scheduled}: pending jobs whose run_at is still ahead,
	 * delayed or scheduled) or Retries view ({@code retries}: failed jobs waiting out their backoff),
	 * soonest first; {@code after} is the {@code next} of the page before.
	 */
	public Page waiting(String view, String after, int limit) {
		if (limit < 1 || limit > MAX_PAGE) {
			throw QueuectlException.usage("--limit must be from 1 to " + MAX_PAGE + ", got " + limit);
		}
		JobState state = switch (view) {
			case "scheduled" -> JobState.PENDING;
			case "retries" -> JobState.FAILED;
			default -> throw QueuectlException.usage("view must be scheduled or retries, got '" + view + "'");
		};
		JobStore.DueCursor cursor = null;
		if (after != null && !after.isEmpty()) {
			int colon = after.indexOf(':');
			if (colon < 1 || colon > 19 || !after.substring(0, colon).chars().allMatch(c -> c >= '0' && c <= '9')) {
				throw QueuectlException.usage("after must be the 'next' of a page before, got '" + after + "'");
			}
			cursor = new JobStore.DueCursor(Instant.ofEpochMilli(Long.parseLong(after.substring(0, colon))),
					after.substring(colon + 1));
		}
		List<Job> found = this.store.waitingPage(state, state == JobState.PENDING, this.clock.instant(), cursor, limit + 1);
		String next = null;
		if (found.size() > limit) {
			found = found.subList(0, limit);
			Job last = found.get(limit - 1);
			next = last.runAt().toEpochMilli() + ":" + last.id();
		}
		return new Page(found, next);
	}

	/** Attempts ended per minute since {@code since}: {@code [epoch minute, completed, failed, jobs dead]}. */
	public List<long[]> endedPerMinute(Instant since) {
		return this.store.endedPerMinute(since);
	}

	public Job get(String id) {
		return this.store.find(id).orElseThrow(() -> QueuectlException.noSuchJob(id));
	}

	public List<JobRun> runs(String id) {
		return this.store.runs(id);
	}

	/** Now on the clock of jobs' due times (run_at): this host's on SQLite, the server's on PostgreSQL. */
	public Instant dueNow() {
		return this.store.dueClock(this.clock.instant());
	}

	/** Pending and failed jobs not due yet (delayed or scheduled; waiting out a retry): {@code [pending, failed]}. */
	public long[] notDue() {
		return this.store.notDue(this.clock.instant());
	}

	/**
	 * The attempt running now, as a run with no end or outcome yet: its start, its time so far (as
	 * durationMs) and its host; null unless the job is processing.
	 */
	public JobRun running(Job job) {
		if (job.state() != JobState.PROCESSING || job.startedAt() == null) {
			return null;
		}
		return new JobRun(job.id(), job.attempts(), job.workerId(), job.startedAt(), null, null, null,
				Math.max(0, this.clock.millis() - job.startedAt().toEpochMilli()), null, null, null, null, null);
	}

	public Map<JobState, Long> countByState() {
		return this.store.countByState();
	}

	/** Moves a dead job back to pending, attempts reset, history kept. */
	public void retryDead(String id) {
		if (!this.store.retryDead(id, this.clock.instant())) {
			Job job = get(id);
			if (job.state() == JobState.DEAD) {
				throw QueuectlException.conflict("job " + id + " cannot come back: job "
						+ this.store.liveJobWithKey(job.uniqueKey()).orElse("?") + " holds its unique key '"
						+ job.uniqueKey() + "'");
			}
			throw QueuectlException.conflict("job " + id + " is " + job.state().dbValue() + ", not dead");
		}
		this.events.publishEvent(new JobsEnqueued(1));
	}

	/** Moves every dead job (of a queue, or all) back to pending; returns how many. */
	public int retryAllDead(String queue) {
		int n = this.store.retryAllDead(queue, this.clock.instant());
		if (n > 0) {
			this.events.publishEvent(new JobsEnqueued(n));
		}
		return n;
	}

	/**
	 * Runs a pending or failed job now: a delayed job, or one waiting out its retry backoff, becomes
	 * due at once (a worker host takes it at its next claim).
	 */
	public void runNow(String id) {
		if (!this.store.runNow(id, this.clock.instant())) {
			Job job = get(id);
			throw QueuectlException.conflict("job " + id + " is " + job.state().dbValue()
					+ ": only a pending or failed job can be run now");
		}
		this.events.publishEvent(new JobsEnqueued(1));
	}

	/** Percentiles (50, 95, 99) of how long the last hour's attempts ran, from at most the newest 10,000. */
	public record Durations(int attempts, long p50, long p95, long p99) {
	}

	public Durations recentDurations() {
		List<Long> ms = this.store.recentDurations(this.clock.instant().minus(Duration.ofHours(1)), 10_000);
		if (ms.isEmpty()) {
			return new Durations(0, 0, 0, 0);
		}
		return new Durations(ms.size(), percentile(ms, 50), percentile(ms, 95), percentile(ms, 99));
	}

	/** The nearest-rank percentile of sorted values. */
	static long percentile(List<Long> sorted, int p) {
		int rank = (int) Math.ceil(p / 100.0 * sorted.size());
		return sorted.get(Math.max(0, rank - 1));
	}

	/** What {@link #cancel} did to one job. */
	public enum Canceled {
		/** It had not started: it is canceled. */
		CANCELED,
		/** It runs: its worker host terminates it within seconds and records it canceled. */
		REQUESTED
	}

	/**
	 * Cancels a job: one that has not started at once; a running one by asking its worker host to
	 * kill it. Jobs that run after it are canceled too. A finished job cannot be canceled.
	 */
	public Canceled cancel(String id) {
		Instant now = this.clock.instant();
		Canceled done = this.tx.execute(status -> {
			if (this.store.cancelIdle(id, "canceled by user", now)) {
				this.store.cancelDependents(List.of(id), now);
				return Canceled.CANCELED;
			}
			if (this.store.requestCancel(id, now)) {
				return Canceled.REQUESTED;
			}
			return null;
		});
		if (done == null) {
			Job job = get(id);
			throw QueuectlException.conflict("job " + id + " is " + job.state().dbValue() + ": only a job that has not "
					+ "finished can be canceled");
		}
		return done;
	}

	/** At most this many expired jobs a sweep cancels in one transaction; the next turn takes the rest. */
	static final int EXPIRE_BATCH = 500;

	/**
	 * Cancels the jobs not started by their deadline (start_by), and the jobs that run after them,
	 * as a cancel does; a worker host calls it every second. Returns how many expired.
	 */
	public int expireDeadlines() {
		return this.store.expireDeadlines(this.clock.instant(), EXPIRE_BATCH).size();
	}

	/** The ids of a queue's (or every queue's) jobs in the states given, to cancel them. */
	public List<String> ids(String queue, List<JobState> states) {
		return this.store.ids(queue, states);
	}

	/**
	 * How far a {@code wait} is: of the named jobs, or else of every job (of a queue) that was
	 * live when the wait began or came since. {@code failed} lists the ones that ended dead or
	 * canceled (at most 20).
	 */
	public record Progress(long done, long total, List<Job> failed) {

		public boolean finished() {
			return this.done == this.total;
		}
	}

	/**
	 * A wait on the named jobs, or on every job of a queue (every queue's when null) that is live
	 * now or comes while it waits. Each call to the supplier reads the progress anew.
	 */
	public java.util.function.Supplier<Progress> waitFor(List<String> ids, String queue) {
		if (!ids.isEmpty()) {
			progress(ids); // unknown ids fail now
			return () -> progress(ids);
		}
		Instant since = this.clock.instant();
		return () -> progress(queue, since);
	}

	/** Progress of a wait on the named jobs; an unknown id is an error (exit 3). */
	private Progress progress(List<String> ids) {
		Map<String, JobState> states = this.store.states(ids);
		long done = 0;
		List<Job> failed = new ArrayList<>();
		for (String id : ids) {
			JobState state = states.get(id);
			if (state == null) {
				throw QueuectlException.noSuchJob(id);
			}
			if (state.terminal()) {
				done++;
			}
			if ((state == JobState.DEAD || state == JobState.CANCELED) && failed.size() < 20) {
				failed.add(get(id));
			}
		}
		return new Progress(done, ids.size(), failed);
	}

	/** Progress of a wait on a queue's jobs (every queue's when null) since {@code since}. */
	private Progress progress(String queue, Instant since) {
		long done = this.store.countFinishedSince(queue, since);
		long live = this.store.countLive(queue);
		return new Progress(done, done + live, live == 0 ? this.store.failedSince(queue, since, 20) : List.of());
	}

	/** The ids a job runs after. */
	public List<String> dependencies(String id) {
		return this.store.dependencies(id);
	}

	/** The ids of {@link #dependencies} named by after_any or after_failed, with their condition (issue 28). */
	public Map<String, AfterCondition> conditions(String id) {
		return this.store.conditions(id);
	}

	/** The batch a job belongs to, or whose callback it is; null for neither (issue 28). */
	public String batchOf(String id) {
		return this.batches.batchOf(id);
	}

	/** The states of the named jobs that exist. */
	public Map<String, JobState> states(List<String> ids) {
		return this.store.states(ids);
	}
}
