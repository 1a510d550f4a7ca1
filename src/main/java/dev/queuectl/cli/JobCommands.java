package dev.queuectl.cli;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.queuectl.QueuectlException;
import dev.queuectl.store.StorageErrors;
import dev.queuectl.job.Job;
import dev.queuectl.job.JobRun;
import dev.queuectl.job.JobService;
import dev.queuectl.job.JobState;
import dev.queuectl.worker.WorkerInfo;
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

	JobCommands(JobService jobs, WorkerService workers) {
		this.jobs = jobs;
		this.workers = workers;
	}

	@Command(name = "enqueue", group = "Jobs", description = "Add a job given as JSON, or many from a file or stdin",
			help = """
					Fields: command (required), id, max_retries, priority, queue, run_at or delay, timeout.
					The job runs in the directory it was enqueued from.
					  queuectl enqueue '{"command":"echo hi"}'
					  queuectl enqueue '{"id":"backup","command":"./backup.sh","max_retries":5,"timeout":"10m"}'
					  queuectl enqueue '{"command":"make report","delay":"5m","priority":10}'
					  queuectl enqueue --file jobs.jsonl     (a JSON array or one object per line; all or nothing)
					  generate-jobs | queuectl enqueue -""")
	void enqueue(@Arguments List<String> args,
			@Option(longName = "file", shortName = 'f', description = "read a JSON array or JSON Lines from a file") String file,
			CommandContext ctx) throws IOException {
		Invocation invocation = Invocation.current();
		String cwd = invocation.workingDir().toString();
		PrintWriter out = ctx.outputWriter();
		if (file != null) {
			if (!args.isEmpty()) {
				throw QueuectlException.usage("give either a JSON job or --file, not both");
			}
			Path path = invocation.workingDir().resolve(file);
			if (Files.isDirectory(path)) {
				throw QueuectlException.usage("--file " + file + " is a folder, not a file");
			}
			try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
				out.println(this.jobs.enqueueAll(reader, cwd));
			}
			catch (NoSuchFileException ex) {
				throw QueuectlException.usage("no such file: " + file);
			}
			catch (IOException ex) {
				throw QueuectlException.usage("cannot read " + file + ": " + StorageErrors.reason(ex));
			}
			return;
		}
		if (args.size() != 1) {
			throw QueuectlException.usage(args.isEmpty() ? "enqueue needs a JSON job, --file F or - (try 'queuectl help enqueue')"
					: "enqueue takes one JSON argument, got " + args.size() + " (quote the JSON)");
		}
		if (args.get(0).equals("-")) {
			Reader reader = new InputStreamReader(invocation.stdin(), StandardCharsets.UTF_8);
			out.println(this.jobs.enqueueAll(reader, cwd));
			return;
		}
		out.println(this.jobs.enqueue(args.get(0), cwd));
	}

	@Command(name = "list", group = "Jobs", description = "List jobs, most recently updated first", help = """
			  queuectl list
			  queuectl list --state dead --limit 100
			  queuectl list --queue emails --json""")
	void list(@Option(longName = "state", shortName = 's', description = "only jobs in this state") String state,
			@Option(longName = "queue", shortName = 'q', description = "only jobs of this queue") String queue,
			@Option(longName = "limit", shortName = 'n', defaultValue = "50", description = "at most this many (default 50)") Integer limit,
			@Option(longName = "json", description = "print a JSON array") Boolean json, CommandContext ctx) {
		List<Job> found = this.jobs.list(state == null ? null : JobState.parse(state), queue, limit);
		printJobs(found, Boolean.TRUE.equals(json), ctx.outputWriter());
	}

	@Command(name = "show", group = "Jobs", description = "Show every field of a job and its attempts", help = """
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
		if (Boolean.TRUE.equals(json)) {
			Map<String, Object> m = Render.job(job);
			m.put("runs", runs.stream().map(Render::run).toList());
			Render.json(out, m);
			return;
		}
		Map<String, Object> fields = Render.job(job);
		int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
		fields.forEach((k, v) -> out.println(k + " ".repeat(width - k.length() + 2) + (v == null ? "-" : v)));
		out.println();
		if (runs.isEmpty()) {
			out.println("no attempts yet");
			return;
		}
		List<List<String>> rows = new ArrayList<>();
		for (JobRun run : runs) {
			rows.add(List.of(Integer.toString(run.attempt()), Render.time(run.startedAt()),
					run.durationMs() == null ? "-" : run.durationMs() + "ms", String.valueOf(run.outcome()),
					run.exitCode() == null ? "-" : run.exitCode().toString(),
					run.error() == null ? "" : Render.oneLine(run.error(), 60)));
		}
		Render.table(out, List.of("ATTEMPT", "STARTED", "DURATION", "OUTCOME", "EXIT", "ERROR"), rows);
	}

	@Command(name = "status", group = "Jobs", description = "Count jobs in every state and show live worker hosts", help = """
			  queuectl status
			  queuectl status --json""")
	void status(@Option(longName = "json", description = "print JSON") Boolean json, CommandContext ctx) {
		Map<JobState, Long> counts = this.jobs.countByState();
		List<WorkerInfo> live = this.workers.workers();
		PrintWriter out = ctx.outputWriter();
		if (Boolean.TRUE.equals(json)) {
			Map<String, Object> jobs = new LinkedHashMap<>();
			counts.forEach((state, n) -> jobs.put(state.dbValue(), n));
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("jobs", jobs);
			m.put("workers", live.stream().map(Render::worker).toList());
			Render.json(out, m);
			return;
		}
		List<List<String>> rows = new ArrayList<>();
		counts.forEach((state, n) -> rows.add(List.of(state.dbValue(), Long.toString(n))));
		Render.table(out, List.of("STATE", "JOBS"), rows);
		out.println();
		if (live.isEmpty()) {
			out.println("no worker hosts running");
			return;
		}
		List<List<String>> hosts = new ArrayList<>();
		for (WorkerInfo w : live) {
			hosts.add(List.of(w.id(), Long.toString(w.pid()), w.runningJobs().size() + "/" + w.slots(),
					w.queues() == null ? "all" : w.queues(), w.httpPort() == null ? "-" : w.httpPort().toString(),
					w.stopRequested() ? "stopping" : "running",
					w.runningJobs().isEmpty() ? "-" : String.join(",", w.runningJobs())));
		}
		Render.table(out, List.of("WORKER", "PID", "BUSY", "QUEUES", "HTTP", "STATE", "RUNNING"), hosts);
	}

	@Command(name = { "dlq", "list" }, group = "Dead letter queue", description = "List dead jobs", help = """
			  queuectl dlq list
			  queuectl dlq list --json""")
	void dlqList(@Option(longName = "limit", shortName = 'n', defaultValue = "50", description = "at most this many (default 50)") Integer limit,
			@Option(longName = "json", description = "print a JSON array") Boolean json, CommandContext ctx) {
		printJobs(this.jobs.list(JobState.DEAD, null, limit), Boolean.TRUE.equals(json), ctx.outputWriter());
	}

	@Command(name = { "dlq", "retry" }, group = "Dead letter queue",
			description = "Put a dead job back in the queue with its attempts reset", help = """
					  queuectl dlq retry job1""")
	void dlqRetry(@Argument(index = 0) String id, CommandContext ctx) {
		if (id == null || id.isEmpty()) {
			throw QueuectlException.usage("dlq retry needs a job id");
		}
		this.jobs.retryDead(id);
		ctx.outputWriter().println(id);
	}

	private static void printJobs(List<Job> found, boolean json, PrintWriter out) {
		if (json) {
			Render.json(out, found.stream().map(Render::job).toList());
		}
		else {
			Render.table(out, Render.JOB_HEADERS, Render.jobRows(found));
		}
	}
}
