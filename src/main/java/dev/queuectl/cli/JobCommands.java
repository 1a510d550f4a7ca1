package dev.queuectl.cli;

import dev.queuectl.server.Invocation;
import dev.queuectl.server.ResidentServer;
import dev.queuectl.view.Render;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.Durations;
import dev.queuectl.store.StorageErrors;
import dev.queuectl.job.Job;
import dev.queuectl.job.JobFilter;
import dev.queuectl.job.JobRun;
import dev.queuectl.service.JobService;
import dev.queuectl.job.JobState;
import dev.queuectl.service.QueueService;
import dev.queuectl.job.WorkerInfo;
import dev.queuectl.worker.WorkerService;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

/** enqueue, list, show, status and dlq: parse, call {@link JobService}, render. */
@Component
class JobCommands {

	private final JobService jobs;

	private final WorkerService workers;

	private final QueueService queues;

	private final dev.queuectl.service.RetentionService retention;

	private final dev.queuectl.service.HostFit hostFit;

	private final dev.queuectl.service.WaitReasons waitReasons;

	private final dev.queuectl.service.TalkService talk;

	private final dev.queuectl.service.JobEditService edits;

	/** For {@code status}: the count of notifications given up on. */
	private final dev.queuectl.service.NotifyService notify;

	JobCommands(JobService jobs, WorkerService workers, QueueService queues, dev.queuectl.service.RetentionService retention,
			dev.queuectl.service.HostFit hostFit, dev.queuectl.service.WaitReasons waitReasons,
			dev.queuectl.service.TalkService talk,
			dev.queuectl.service.JobEditService edits, dev.queuectl.service.NotifyService notify) {
		this.notify = notify;
		this.talk = talk;
		this.edits = edits;
		this.hostFit = hostFit;
		this.waitReasons = waitReasons;
		this.retention = retention;
		this.jobs = jobs;
		this.workers = workers;
		this.queues = queues;
	}

	@Command(name = "enqueue", group = "Jobs", description = "Add a job given as JSON, or many from a file or stdin",
			help = """
					Fields: command (required), id, max_retries, priority, queue, run_at or delay, timeout,
					after (ids of jobs that must complete first), unique_key (while a job with the same key
					has not finished, another is not stored: its id is printed, exit 0), resources (what a
					host must have free: {"gpu":1,"mem":"16G"}, names a-z 0-9 _ -, integers, K/M/G/T sizes;
					see worker start --resources), slots (how many of a host's slots it takes at once, default 1), start_within or
					start_by (a deadline: not started by then, it is canceled, and so are the jobs after it),
					retry_on or no_retry_on (exit codes 0-255 and "timeout": only these are retried, or
					these end the job dead at once; config retry-on / no-retry-on give a default), limits
					(1-16 keys whose room it needs to start: see limit set), tags (at most 16, each 1-64
					characters of A-Z a-z 0-9 . _ : -; --tag adds tags to every job given), env (its own environment
					variables: {"NAME":"value"}, names A-Z a-z 0-9 _ not starting with a digit, at most 64
					and 64 KiB; they are stored in the database as given). --env NAME=VALUE (repeatable) adds
					to env; --env NAME copies the caller's own value (exit 2 when it is not set).
					Each job also gets QUEUECTL_JOB_ID, QUEUECTL_ATTEMPT, QUEUECTL_QUEUE, QUEUECTL_DB (the
					queue: a queuectl run inside the job reaches it) and QUEUECTL_AFTER (the ids it ran after).
					The job runs in the directory it was enqueued from.
					Input is UTF-8 whatever the locale; an invalid byte is refused (with its line number).
					id: 1-128 characters of A-Z a-z 0-9 . _ : - not starting with a dot.
					Limits: a command at most 128 KiB (UTF-8 bytes), no NUL character in any field; one
					JSON job (an argument or a line) at most 1 MiB; a batch (--file or -) at most
					1,000,000 jobs and 256 MiB. Anything over is refused with exit 2, naming the line.
					  queuectl enqueue '{"command":"echo hi"}'
					  queuectl enqueue '{"id":"backup","command":"./backup.sh","max_retries":5,"timeout":"10m"}'
					  queuectl enqueue '{"command":"make report","delay":"5m","priority":10}'
					  queuectl enqueue '{"id":"upload","command":"./upload.sh","after":["backup"]}'
					  queuectl enqueue '{"command":"./sync.sh","unique_key":"sync"}' --json
					  queuectl enqueue '{"command":"./train.sh","resources":{"gpu":1,"mem":"16G"},"slots":2}'
					  queuectl enqueue '{"command":"make report","start_within":"2h","no_retry_on":[2,64]}'
					  queuectl enqueue '{"command":"./fetch.sh","start_by":"2026-12-07T09:00:00Z","retry_on":[75]}'
					  queuectl enqueue '{"command":"./export.sh 42","limits":["customer:42","stripe"]}'
					  queuectl enqueue '{"command":"./deploy.sh"}' --env STAGE=prod --env AWS_PROFILE
					  queuectl enqueue '{"command":"./export.sh 42","tags":["nightly","customer:42"]}'
					  queuectl enqueue --file jobs.jsonl --tag import-7
					  queuectl enqueue --file jobs.jsonl     (a JSON array or one object per line; all or nothing; prints the ids)
					  generate-jobs | queuectl enqueue -
					after_any and after_failed (ids, like after): run once all of them are final whatever the
					outcome, or once all are final and one ended dead or canceled (canceled when all completed).
					--batch NAME stores the jobs of --file or - as one batch; --on-success, --on-failure and
					--on-complete (JSON jobs) run once when it settles: all completed, all final with one dead or
					canceled, all final. A callback has QUEUECTL_BATCH=NAME in its environment. See batch --help.
					  queuectl enqueue '{"id":"cleanup","command":"./cleanup.sh","after_failed":["import"]}'
					  queuectl enqueue --file thumbs.jsonl --batch thumbs --on-complete '{"command":"./index.sh"}'""")
	void enqueue(@Arguments List<String> args,
			@Option(longName = "file", shortName = 'f', description = "read a JSON array or JSON Lines from a file") String file,
			@Option(longName = "json", description = "print JSON: the id, or the count and ids, and the duplicates") Boolean json,
			@Option(longName = "env", description = "NAME=VALUE, or NAME for your own value: a variable of the job (repeatable)") String env,
			@Option(longName = "tag", description = "add this tag to every job (repeated)") String tag,
			@Option(longName = "batch", shortName = 'b', description = "store the jobs of --file or - as one batch NAME") String batch,
			@Option(longName = "on-success", description = "a JSON job run once when every job of the batch completed") String onSuccess,
			@Option(longName = "on-failure", description = "a JSON job run once when the batch is final with a job dead or canceled") String onFailure,
			@Option(longName = "on-complete", description = "a JSON job run once when every job of the batch is final") String onComplete,
			CommandContext ctx) throws IOException {
		List<String> tags = dev.queuectl.job.Tags.words(tag, "--tag");
		Invocation invocation = Invocation.current();
		if (env != null && (file != null || args.size() == 1 && args.get(0).equals("-"))) {
			throw QueuectlException.usage("--env goes with one JSON job, not --file or - (give each job its \"env\")");
		}
		String cwd = invocation.workingDir().toString();
		JobService.Enqueued result;
		boolean many = true;
		if (batch == null && (onSuccess != null || onFailure != null || onComplete != null)) {
			throw QueuectlException.usage("--on-success, --on-failure and --on-complete need --batch NAME");
		}
		if (batch != null) {
			if (file == null && !(args.size() == 1 && args.get(0).equals("-"))) {
				throw QueuectlException.usage("--batch takes its jobs from --file F or - (stdin)");
			}
			JobService.BatchPlan plan = this.jobs.newBatch(batch, onSuccess, onFailure, onComplete, cwd);
			printEnqueued(enqueueInto(plan, file, args, invocation, tags), true, Boolean.TRUE.equals(json), ctx.outputWriter(),
					invocation.err());
			return;
		}
		if (file != null) {
			if (!args.isEmpty()) {
				throw QueuectlException.usage("give either a JSON job or --file, not both");
			}
			Path path = readable(file, invocation);
			InputStream in;
			try {
				in = Files.newInputStream(path);
			}
			catch (NoSuchFileException ex) {
				throw QueuectlException.usage("no such file: " + file);
			}
			catch (IOException ex) {
				throw QueuectlException.usage("cannot read " + file + ": " + StorageErrors.reason(ex));
			}
			try (in) {
				result = enqueueFile(in, path, invocation, tags);
			}
			catch (IOException ex) {
				throw new QueuectlException(QueuectlException.FAILURE, "cannot read " + file + ": " + StorageErrors.reason(ex));
			}
		}
		else if (args.size() != 1) {
			throw QueuectlException.usage(args.isEmpty() ? "enqueue needs a JSON job, --file F or - (try 'queuectl help enqueue')"
					: "enqueue takes one JSON argument, got " + args.size() + " (quote the JSON)");
		}
		else if (args.get(0).equals("-")) {
			result = this.jobs.enqueueAll(invocation.stdin(), cwd, JobService.BatchProgress.NONE, false, tags, via(invocation));
		}
		else {
			String job = env == null ? args.get(0)
					: dev.queuectl.job.JobEnv.merge(args.get(0), List.of(env.split("\0", -1)), name -> null);
			result = this.jobs.enqueue(job, cwd, tags, via(invocation));
			many = false;
		}
		printEnqueued(result, many, Boolean.TRUE.equals(json), ctx.outputWriter(), invocation.err());
	}

	/**
	 * An enqueue's origin, for its span (issue 31): a one-shot run continues the trace of its own
	 * {@code TRACEPARENT} (a job's tools have it); a served one its caller's, which the client passed
	 * with the request.
	 */
	private JobService.Via via(Invocation invocation) {
		return invocation.served()
				? new JobService.Via("socket", dev.queuectl.job.TraceContext.fromEnvironment(invocation.variables()))
				: new JobService.Via("cli", this.jobs.processTrace());
	}

	/**
	 * Enqueues a file; one of more than {@value #PROGRESS_FROM} jobs shows its progress on a
	 * terminal: the share of the file read, then the jobs stored.
	 */
	private JobService.Enqueued enqueueFile(InputStream in, Path path, Invocation invocation, List<String> tags)
			throws IOException {
		ProgressLine reading = new ProgressLine(invocation.err(), "enqueue: reading", "MiB");
		if (!reading.terminal()) {
			return enqueueAll(in, path, invocation, JobService.BatchProgress.NONE, tags);
		}
		long size = Math.max(1, Files.size(path));
		long[] read = { 0 };
		InputStream counted = new java.io.FilterInputStream(in) {
			@Override
			public int read(byte[] b, int off, int len) throws IOException {
				int n = super.read(b, off, len);
				read[0] += Math.max(n, 0);
				return n;
			}
		};
		ProgressLine storing = new ProgressLine(invocation.err(), "enqueue: storing", "jobs");
		try {
			return enqueueAll(counted, path, invocation, new JobService.BatchProgress() {
				@Override
				public void read(int jobs) {
					if (jobs >= PROGRESS_FROM) {
						reading.show(read[0] >> 20, size >> 20, jobs);
					}
				}

				@Override
				public void stored(int jobs, int total) {
					if (total >= PROGRESS_FROM) {
						reading.end();
						storing.show(jobs, total, jobs);
					}
				}
			}, tags);
		}
		finally {
			reading.end();
			storing.end();
		}
	}

	/** Enqueues {@code --file F} or stdin ({@code -}) into a batch (issue 28): shared by enqueue --batch and batch add. */
	JobService.Enqueued enqueueInto(JobService.BatchPlan plan, String file, List<String> args, Invocation invocation,
			List<String> tags) throws IOException {
		String cwd = invocation.workingDir().toString();
		if (file == null) {
			return this.jobs.enqueueBatch(invocation.stdin(), cwd, JobService.BatchProgress.NONE, false, plan, tags, via(invocation));
		}
		if (!args.isEmpty()) {
			throw QueuectlException.usage("give either --file or -, not both");
		}
		Path path = readable(file, invocation);
		try (InputStream in = Files.newInputStream(path)) {
			return this.jobs.enqueueBatch(in, cwd, JobService.BatchProgress.NONE, Files.isRegularFile(path), plan, tags, via(invocation));
		}
		catch (NoSuchFileException ex) {
			throw QueuectlException.usage("no such file: " + file);
		}
		catch (IOException ex) {
			throw new QueuectlException(QueuectlException.FAILURE, "cannot read " + file + ": " + StorageErrors.reason(ex));
		}
	}

	/** The file {@code --file} names, refused with one line when it is no file name or a folder. */
	private static Path readable(String file, Invocation invocation) {
		Path path;
		try {
			path = invocation.workingDir().resolve(file);
		}
		catch (InvalidPathException ex) {
			throw QueuectlException.usage("not a file name: " + file);
		}
		if (Files.isDirectory(path)) {
			throw QueuectlException.usage("--file " + file + " is a folder, not a file");
		}
		return path;
	}

	/** A regular file is parsed while it is stored; a pipe (--file <(...)) may trickle, so it is read first. */
	private JobService.Enqueued enqueueAll(InputStream in, Path path, Invocation invocation,
			JobService.BatchProgress progress, List<String> tags) throws IOException {
		String cwd = invocation.workingDir().toString();
		return this.jobs.enqueueAll(in, cwd, progress, Files.isRegularFile(path), tags, via(invocation));
	}

	/** Batches of more jobs than this show their progress on a terminal. */
	static final int PROGRESS_FROM = 50_000;

	/**
	 * One job: its id (or the id of the job holding its unique key). Many: the ids stored, one a line
	 * (for {@code xargs}, {@code wait}), or with --json the count and the ids. Each job
	 * not stored for its unique key gets a line on stderr; the exit code stays 0.
	 */
	static void printEnqueued(JobService.Enqueued result, boolean many, boolean json, PrintWriter out,
			PrintWriter err) {
		printDuplicates(result, err);
		if (json) {
			Map<String, Object> m = new LinkedHashMap<>();
			if (many) {
				m.put("stored", result.stored());
				m.put("ids", result.ids());
				m.put("duplicates", result.duplicates().stream().map(d -> {
					Map<String, Object> dm = new LinkedHashMap<>();
					dm.put("id", d.id());
					dm.put("unique_key", d.uniqueKey());
					dm.put("existing_id", d.existingId());
					return dm;
				}).toList());
			}
			else {
				m.put("id", result.firstId());
				m.put("duplicate", !result.duplicates().isEmpty());
			}
			Render.json(out, m);
			return;
		}
		if (many) {
			result.ids().forEach(out::println);
		}
		else {
			out.println(result.firstId());
		}
	}

	/** A line on stderr for each job not stored for its unique key. */
	static void printDuplicates(JobService.Enqueued result, PrintWriter err) {
		for (JobService.Duplicate d : result.duplicates()) {
			err.println("queuectl: " + d.where() + "not stored: job " + d.existingId() + " holds unique_key '"
					+ d.uniqueKey() + "'");
		}
	}

	@Command(name = "list", group = "Jobs", description = "List jobs, most recently updated first", help = """
			--state, --queue and --tag take several values, repeated or separated by commas (--tag: jobs
			that carry every tag named). When more jobs follow than --limit shows, a line on stderr says
			how many and how to list the next ones.
			RUN AT: when a pending or failed job may start (in 4m12s: a delay, a schedule or a retry's
			backoff; due; paused: its queue is). Times are UTC.
			  queuectl list
			  queuectl list --state dead --limit 100
			  queuectl list --state failed,dead --queue emails --queue sms
			  queuectl list --state canceling         (running jobs whose cancel was asked for)
			  queuectl list --queue emails --json
			  queuectl list --tag customer:42 --tag nightly
			  queuectl list --after JOB_ID        (the next page: the jobs after the last one shown)""")
	void list(@Option(longName = "state", shortName = 's', description = "only jobs in these states (repeated or a,b)") String state,
			@Option(longName = "queue", shortName = 'q', description = "only jobs of these queues (repeated or a,b)") String queue,
			@Option(longName = "after", shortName = 'a', description = "only jobs listed after this job (the next page)") String after,
			@Option(longName = "limit", shortName = 'n', defaultValue = "50", description = "at most this many (default 50)") Integer limit,
			@Option(longName = "json", description = "print a JSON array") Boolean json,
			@Option(longName = "tag", description = "only jobs carrying every one of these tags (repeated or a,b)") String tag,
			CommandContext ctx) {
		JobService.Listing found = this.jobs.list(JobFilter.parse(state, queue, tag), after, limit);
		if (Boolean.TRUE.equals(json)) {
			printJobs(found.jobs(), ctx.outputWriter());
		}
		else {
			Render.table(ctx.outputWriter(), Render.JOB_HEADERS, Render.jobRows(found.jobs(), this.jobs.dueNow(), this.queues.paused()));
		}
		if (found.more()) {
			StringBuilder next = new StringBuilder("queuectl list");
			if (state != null) {
				next.append(" --state ").append(state);
			}
			if (queue != null) {
				next.append(" --queue ").append(queue);
			}
			if (tag != null) {
				next.append(" --tag ").append(tag);
			}
			if (limit != 50) {
				next.append(" --limit ").append(limit);
			}
			if (Boolean.TRUE.equals(json)) {
				next.append(" --json");
			}
			next.append(" --after ").append(found.jobs().get(found.jobs().size() - 1).id());
			ctx.outputWriter().flush(); // the table first, then the line after it
			Invocation.current().err().println(pageLine(found, after != null) + "; next: " + next);
		}
	}

	/** "50 of 64 shown", or on a later page "50 more of 64 shown". */
	static String pageLine(JobService.Listing found, boolean later) {
		return found.jobs().size() + (later ? " more" : "") + " of " + found.total() + " shown";
	}

	@Command(name = "show", group = "Jobs",
			description = "Show every field of a job, its attempts and the end of its output", help = """
			  queuectl show job1
			  queuectl show job1 --json""")
	void show(@Argument(index = 0) String id, @Option(longName = "json", description = "print JSON") Boolean json,
			CommandContext ctx) {
		if (id == null || id.isEmpty()) {
			throw QueuectlException.usage("show needs a job id");
		}
		Job job = this.jobs.get(id);
		List<JobRun> runs = this.jobs.runs(id);
		PrintWriter out = ctx.outputWriter();
		Map<String, Object> fields = Render.job(job);
		List<String> after = this.jobs.dependencies(id);
		Map<String, dev.queuectl.job.AfterCondition> conditions = this.jobs.conditions(id);
		String batch = this.jobs.batchOf(id);
		List<String> waiting = this.waitReasons.of(job);
		java.util.Optional<dev.queuectl.job.JobResult> result = this.talk.resultIfAny(id);
		JobRun running = this.jobs.running(job);
		if (job.state() == JobState.WAITING && after.isEmpty() && batch != null) {
			waiting = List.of("a callback of batch " + batch + ": runs when it settles");
		}
		if (Boolean.TRUE.equals(json)) {
			fields.putAll(Render.dependencies(after, conditions));
			fields.put("batch", batch);
			fields.put("waiting", waiting);
			fields.put("result", result.map(dev.queuectl.job.JobResult::value).orElse(null));
			fields.put("runs", runs.stream().map(Render::run).toList());
			fields.put("running", running == null ? null : Render.run(running));
			Render.json(out, fields);
			return;
		}
		if (!after.isEmpty()) {
			Map<String, JobState> states = this.jobs.states(after);
			fields.put("after", String.join(", ", after.stream()
				.map(a -> a + " (" + (states.containsKey(a) ? states.get(a).dbValue() : "gone")
						+ (conditions.containsKey(a) ? "; " + conditions.get(a).field() : "") + ")")
				.toList()));
		}
		if (batch != null) {
			fields.put("batch", batch);
		}
		fields.put("resources", Render.resources(job.resources()));
		fields.put("limits", job.limits().isEmpty() ? null : String.join(", ", job.limits()));
		fields.put("env", job.env().isEmpty() ? null : String.join(" ", job.env().keySet()));
		dev.queuectl.job.Progress p = job.progress();
		fields.put("progress", p == null ? null : p.shortText() + (p.message() == null ? "" : " " + Render.oneLine(p.message(), 60))
				+ " (" + Render.time(p.at()) + " UTC)");
		fields.put("result", result.map(r -> Render.oneLine(r.value(), 80) + " (attempt " + r.attempt() + ")").orElse(null));
		fields.put("tags", job.tags().isEmpty() ? null : String.join(", ", job.tags()));
		if (!waiting.isEmpty()) {
			fields.put("waiting", String.join("; ", waiting));
		}
		int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
		fields.forEach((k, v) -> out.println(k + " ".repeat(width - k.length() + 2) + (v == null ? "-" : v)));
		out.println();
		if (runs.isEmpty() && running == null) {
			out.println("no attempts yet");
			return;
		}
		List<List<String>> rows = new ArrayList<>();
		for (JobRun run : runs) {
			rows.add(List.of(Integer.toString(run.attempt()), Render.time(run.startedAt()), Render.elapsed(run.durationMs()),
					String.valueOf(run.outcome()), run.exitCode() == null ? "-" : run.exitCode().toString(),
					String.valueOf(run.workerId()), run.error() == null ? "" : Render.oneLine(run.error(), 60)));
		}
		if (running != null) { // the attempt under way: its time so far
			rows.add(List.of(Integer.toString(running.attempt()), Render.time(running.startedAt()),
					Render.elapsed(running.durationMs()) + " so far", "running", "-", String.valueOf(running.workerId()), ""));
		}
		Render.table(out, List.of("ATTEMPT", Render.utc("STARTED"), "DURATION", "OUTCOME", "EXIT", "HOST", "ERROR"), rows);
		runs.stream().filter(r -> r.outputRemovedAt() != null).reduce((a, b) -> b)
			.ifPresent(r -> out.println(dev.queuectl.worker.JobOutput.removed(r)
					+ (runs.stream().filter(x -> x.outputRemovedAt() != null).count() > 1 ? " (and of earlier attempts)" : "")));
		if (runs.isEmpty()) {
			return;
		}
		JobRun last = runs.get(runs.size() - 1);
		List<String> tail = Render.tail(last.outputTail(), TAIL_LINES);
		if (!tail.isEmpty()) {
			out.println();
			out.println("output of attempt " + last.attempt() + ", its last lines (all of it: queuectl logs " + id + "):");
			tail.forEach(line -> out.println("  " + line));
		}
	}

	/** The lines of the last attempt's output that {@code show} prints. */
	static final int TAIL_LINES = 10;

	@Command(name = "status", group = "Jobs",
			description = "Count jobs in every state, show live worker hosts and the database and output sizes", help = """
			Pending and failed jobs not due yet (a delay, a schedule, a retry's backoff) are counted
			apart: "due now N; later M". Notifications given up on are counted when there are any
			("notifications_failed" in --json).
			--hosts: the live worker hosts' table alone, its ids first (what worker stop takes; the
			shells' completion of worker stop reads it).
			  queuectl status
			  queuectl status --json
			  queuectl status --hosts""")
	void status(@Option(longName = "json", description = "print JSON") Boolean json,
			@Option(longName = "hosts", description = "only the live worker hosts, one a line") Boolean hostsOnly,
			CommandContext ctx) {
		List<WorkerInfo> live = this.workers.workers();
		if (Boolean.TRUE.equals(hostsOnly)) {
			if (Boolean.TRUE.equals(json)) {
				Render.json(ctx.outputWriter(), live.stream().map(Render::worker).toList());
			}
			else if (live.isEmpty()) {
				ctx.outputWriter().println("no worker hosts running");
			}
			else {
				hostTable(ctx.outputWriter(), live);
			}
			return;
		}
		Map<JobState, Long> counts = this.jobs.countByState();
		List<String> paused = this.queues.paused();
		dev.queuectl.service.RetentionService.Sizes sizes = this.retention.sizes();
		Map<String, List<String>> noHost = this.hostFit.unrunnable();
		long[] later = this.jobs.notDue();
		long notifyFailed = this.notify.failedCount();
		PrintWriter out = ctx.outputWriter();
		if (Boolean.TRUE.equals(json)) {
			Map<String, Object> jobs = new LinkedHashMap<>();
			counts.forEach((state, n) -> jobs.put(state.dbValue(), n));
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("jobs", jobs);
			Map<String, Object> due = new LinkedHashMap<>();
			due.put("pending_later", later[0]);
			due.put("failed_later", later[1]);
			m.put("not_due", due);
			m.put("paused_queues", paused);
			m.put("workers", live.stream().map(Render::worker).toList());
			m.put("no_host", noHost);
			m.put("notifications_failed", notifyFailed);
			Map<String, Object> storage = new LinkedHashMap<>();
			storage.put("database_bytes", sizes.database());
			storage.put("wal_bytes", sizes.wal());
			storage.put("free_bytes", sizes.freeBytes());
			storage.put("output_bytes", sizes.output());
			storage.put("output_measured_in_full", !sizes.outputCapped());
			storage.put("output_counted_bytes", sizes.outputCounted());
			storage.put("output_limit_bytes", sizes.outputLimit());
			m.put("storage", storage);
			Render.json(out, m);
			return;
		}
		List<List<String>> rows = new ArrayList<>();
		counts.forEach((state, n) -> rows.add(List.of(state.dbValue(), Long.toString(n))));
		Render.table(out, List.of("STATE", "JOBS"), rows);
		if (later[0] + later[1] > 0) { // delayed and retrying jobs are pending and failed, but no host takes them yet
			long due = counts.getOrDefault(JobState.PENDING, 0L) + counts.getOrDefault(JobState.FAILED, 0L) - later[0] - later[1];
			out.println();
			out.println("due now " + Math.max(0, due) + "; later " + (later[0] + later[1]) + " (" + later[0] + " delayed or scheduled, "
					+ later[1] + " waiting out a retry)");
		}
		out.println();
		out.println("database " + ScheduleCommands.size(sizes.database()) + " (" + ScheduleCommands.size(sizes.freeBytes())
				+ " of it free for reuse), WAL " + ScheduleCommands.size(sizes.wal()) + ", output "
				+ (sizes.outputCapped() ? "more than " : "") + ScheduleCommands.size(sizes.output()) + " ("
				+ ScheduleCommands.size(sizes.outputCounted()) + " of finished attempts counted, limit "
				+ (sizes.outputLimit() == 0 ? "none" : ScheduleCommands.size(sizes.outputLimit())) + ")");
		if (!paused.isEmpty()) {
			out.println();
			out.println("paused queues: " + String.join(", ", paused) + " (no new jobs start from them)");
		}
		if (notifyFailed > 0) {
			out.println();
			out.println(notifyFailed + " notification(s) failed: no delivery succeeded within notify-retry-for"
					+ " (queuectl notify list --failed; queuectl notify retry)");
		}
		if (!noHost.isEmpty()) {
			out.println();
		}
		noHost.forEach((why, ids) -> out.println(ids.size() + " waiting job(s) no live host could run, " + why + ": "
				+ String.join(", ", ids.subList(0, Math.min(5, ids.size()))) + (ids.size() > 5 ? ", ..." : "")));
		out.println();
		if (ResidentServer.statusLine() != null) {
			out.println(ResidentServer.statusLine());
		}
		if (live.isEmpty()) {
			out.println("no worker hosts running");
			return;
		}
		hostTable(out, live);
	}

	/** The live worker hosts as {@code status} and {@code worker list} show them, one a row, the id first. */
	static void hostTable(PrintWriter out, List<WorkerInfo> live) {
		List<List<String>> hosts = new ArrayList<>();
		for (WorkerInfo w : live) {
			hosts.add(List.of(w.id(), Long.toString(w.pid()), w.runningJobs().size() + "/" + w.slots(),
					w.queues() == null ? "all" : w.queues(), w.httpPort() == null ? "-" : w.httpPort().toString(),
					w.stopRequested() ? "stopping" : "running",
					Render.resources(w.resources()), w.runningJobs().isEmpty() ? "-" : String.join(",", w.runningJobs())));
		}
		Render.table(out, List.of("WORKER", "PID", "BUSY", "QUEUES", "HTTP", "STATE", "RESOURCES", "RUNNING"), hosts);
	}

	@Command(name = { "dlq", "list" }, group = "Dead letter queue",
			description = "List dead jobs with their last exit code and error", help = """
			  queuectl dlq list
			  queuectl dlq list --json""")
	void dlqList(@Option(longName = "limit", shortName = 'n', defaultValue = "50", description = "at most this many (default 50)") Integer limit,
			@Option(longName = "json", description = "print a JSON array") Boolean json, CommandContext ctx) {
		List<Job> dead = this.jobs.list(JobFilter.of(JobState.DEAD), null, limit).jobs();
		if (Boolean.TRUE.equals(json)) {
			printJobs(dead, ctx.outputWriter());
		}
		else {
			Render.table(ctx.outputWriter(), Render.DEAD_HEADERS, Render.deadRows(dead));
		}
	}

	@Command(name = { "dlq", "retry" }, group = "Dead letter queue",
			description = "Put dead jobs back in the queue with their attempts reset", help = """
					  queuectl dlq retry job1
					  queuectl dlq retry --all
					  queuectl dlq retry --all --queue emails
					  queuectl dlq retry --tag customer:42      (every dead job carrying the tag; prints how many)""")
	void dlqRetry(@Argument(index = 0) String id,
			@Option(longName = "all", description = "every dead job (of --queue)") Boolean all,
			@Option(longName = "queue", shortName = 'q', description = "with --all: only this queue's") String queue,
			@Option(longName = "tag", description = "every dead job carrying every one of these tags (repeated)") String tag,
			CommandContext ctx) {
		if (tag != null) {
			if ((id != null && !id.isEmpty()) || Boolean.TRUE.equals(all) || queue != null) {
				throw QueuectlException.usage("--tag goes alone: not with a job id, --all or --queue");
			}
			ctx.outputWriter().println(this.edits.retryDeadTagged(dev.queuectl.job.Tags.words(tag, "--tag")));
			return;
		}
		if (Boolean.TRUE.equals(all)) {
			if (id != null && !id.isEmpty()) {
				throw QueuectlException.usage("give either a job id or --all, not both");
			}
			ctx.outputWriter().println(this.jobs.retryAllDead(queue));
			return;
		}
		if (id == null || id.isEmpty()) {
			throw QueuectlException.usage("dlq retry needs a job id, or --all");
		}
		if (queue != null) {
			throw QueuectlException.usage("--queue goes with --all");
		}
		this.jobs.retryDead(id);
		ctx.outputWriter().println(id);
	}

	@Command(name = { "dlq", "purge" }, group = "Dead letter queue",
			description = "Delete dead jobs, their attempts and output; prints how many", help = """
					  queuectl dlq purge                     (every dead job)
					  queuectl dlq purge --older-than 7d     (those dead for more than a week)""")
	void dlqPurge(@Option(longName = "older-than", description = "only jobs dead for longer than this (e.g. 7d)") String olderThan,
			CommandContext ctx) {
		Duration age = Duration.ZERO;
		if (olderThan != null) {
			age = Durations.parseOrNull(olderThan);
			if (age == null || age.isNegative()) {
				throw QueuectlException.usage("--older-than must be a duration like 12h or 7d, got '" + olderThan + "'");
			}
		}
		// retention's own deletion (batches, runs, dependency rows, output folders); zero there means
		// "none", here "every dead job": dead at least a millisecond ago
		Duration dead = age.isZero() ? Duration.ofMillis(1) : age;
		ctx.outputWriter().println(this.retention.prune(Map.of(JobState.DEAD, dead), false, false).total());
	}

	private static void printJobs(List<Job> found, PrintWriter out) {
		Render.json(out, found.stream().map(Render::job).toList());
	}
}
