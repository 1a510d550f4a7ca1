package dev.queuectl.cli;

import dev.queuectl.server.Invocation;
import dev.queuectl.view.Render;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.Durations;
import dev.queuectl.job.Job;
import dev.queuectl.service.JobService;
import dev.queuectl.job.JobState;
import dev.queuectl.job.QueueInfo;
import dev.queuectl.service.QueueService;
import dev.queuectl.service.JobEditService;
import dev.queuectl.job.Tags;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

/** cancel, wait and the queue commands: parse, call {@link JobService} or {@link QueueService}, render. */
@Component
class ControlCommands {

	/** Exit code of {@code wait} when its time ran out, as timeout(1) says. */
	static final int TIMED_OUT = 124;

	private final JobService jobs;

	private final QueueService queues;

	private final JobEditService edits;

	private final dev.queuectl.service.HostFit hosts;

	ControlCommands(JobService jobs, QueueService queues, JobEditService edits, dev.queuectl.service.HostFit hosts) {
		this.edits = edits;
		this.hosts = hosts;
		this.jobs = jobs;
		this.queues = queues;
	}

	@Command(name = "cancel", group = "Jobs", description = "Cancel jobs: never run or retried again", help = """
			A job that has not started is canceled at once. A running job's worker host sends its process
			group SIGTERM within about a second (SIGKILL 5 s later); the attempt is recorded as it ended:
			canceled when the signal ended it, completed (or dead, not retried, when it failed) when the
			process ended on its own first. --wait waits for that and prints each job's outcome: exit 0
			when every job was canceled, 1 when any completed or died first, 124 when --timeout passed.
			Jobs that run after a canceled job are canceled too. Exit 2 for a job that already finished,
			3 for an unknown id.
			  queuectl cancel job1 job2
			  queuectl cancel --wait --timeout 30s job1
			  queuectl cancel --queue emails --state pending
			  queuectl cancel --tag customer:42       (every job carrying the tag that has not finished)""")
	void cancel(@Arguments List<String> ids,
			@Option(longName = "queue", shortName = 'q', description = "cancel this queue's jobs (with --state)") String queue,
			@Option(longName = "state", shortName = 's', description = "with --queue: pending, waiting or failed jobs") String state,
			@Option(longName = "wait", shortName = 'w', description = "wait for each job's outcome and print it") Boolean wait,
			@Option(longName = "timeout", shortName = 't', description = "with --wait: give up after this long (e.g. 30s)") String timeout,
			@Option(longName = "tag", description = "every unfinished job carrying every one of these tags (repeated)") String tag,
			CommandContext ctx) {
		if (tag != null && (!ids.isEmpty() || queue != null || state != null)) {
			throw QueuectlException.usage("--tag goes alone: not with job ids, --queue or --state");
		}
		if (ids.isEmpty() && queue == null && state == null && tag == null) {
			throw QueuectlException.usage("cancel needs job ids, --queue Q --state pending|waiting|failed, or --tag T");
		}
		if (!ids.isEmpty() && (queue != null || state != null)) {
			throw QueuectlException.usage("give either job ids or --queue/--state, not both");
		}
		boolean waiting = Boolean.TRUE.equals(wait);
		if (timeout != null && !waiting) {
			throw QueuectlException.usage("--timeout goes with --wait");
		}
		Duration limit = timeout == null ? null : parseTimeout(timeout);
		List<String> targets = ids;
		if (tag != null) {
			targets = this.edits.tagged(Tags.words(tag, "--tag"), JobEditService.LIVE);
		}
		else if (ids.isEmpty()) {
			if (state == null) {
				throw QueuectlException.usage("--queue needs --state pending, waiting or failed");
			}
			JobState s = JobState.parse(state);
			if (s != JobState.PENDING && s != JobState.WAITING && s != JobState.FAILED) {
				throw QueuectlException.usage("--state must be pending, waiting or failed, got '" + state + "'");
			}
			targets = this.jobs.ids(queue, List.of(s));
		}
		PrintWriter out = ctx.outputWriter();
		PrintWriter err = Invocation.current().err();
		int code = 0;
		List<String> asked = new ArrayList<>();
		for (String id : targets) {
			try {
				JobService.Canceled done = this.jobs.cancel(id);
				asked.add(id);
				if (!waiting) {
					out.println(done == JobService.Canceled.CANCELED ? id + " canceled"
							: id + " canceling (running: its worker host stops it, unless it ends first)");
				}
			}
			catch (QueuectlException ex) {
				if (targets.size() == 1) {
					throw ex;
				}
				err.println("queuectl: " + ex.getMessage());
				code = Math.max(code, ex.exitCode());
			}
		}
		if (ids.isEmpty()) {
			err.println("queuectl: " + targets.size() + " job(s) canceled");
		}
		if (waiting && !asked.isEmpty()) {
			code = Math.max(code, printOutcomes(asked, limit, out, err));
		}
		if (code != 0) {
			throw new QueuectlException.Reported(code);
		}
	}

	/**
	 * {@code cancel --wait}: waits until every job asked to cancel has finished, prints how each
	 * ended, and returns the exit code: 0 all canceled, 1 some completed or died first, 124 timed out.
	 */
	private int printOutcomes(List<String> ids, Duration limit, PrintWriter out, PrintWriter err) {
		JobService.Progress progress = awaitProgress(this.jobs.waitFor(ids, null), limit, null);
		int code = 0;
		for (String id : ids) {
			Job job = this.jobs.get(id);
			switch (job.state()) {
				case CANCELED -> out.println(id + " canceled");
				case COMPLETED -> {
					out.println(id + " completed (exit 0), not canceled: it ended on its own first");
					code = Math.max(code, QueuectlException.FAILURE);
				}
				case DEAD -> {
					out.println(id + " dead, not canceled" + (job.lastError() == null ? "" : ": " + Render.oneLine(job.lastError(), 100)));
					code = Math.max(code, QueuectlException.FAILURE);
				}
				default -> out.println(id + " still " + (job.cancelRequestedAt() != null ? "canceling" : job.state().dbValue()));
			}
		}
		if (!progress.finished()) {
			err.println("queuectl: timed out after " + Durations.format(limit) + ": " + progress.done() + " of "
					+ progress.total() + " job(s) finished");
			return TIMED_OUT;
		}
		return code;
	}

	/** ", job at 40/100 (40%): message" for a job that reported progress; else "". */
	private String jobProgress(String id) {
		try {
			dev.queuectl.job.Progress p = this.jobs.get(id).progress();
			return p == null ? "" : ", job at " + p.shortText() + (p.message() == null ? "" : ": " + Render.oneLine(p.message(), 60));
		}
		catch (QueuectlException ex) {
			return "";
		}
	}

	/** Reads a wait's progress until it is finished or {@code limit} (null: none) passed; shows it unless {@code shown} is null. */
	private static JobService.Progress awaitProgress(java.util.function.Supplier<JobService.Progress> waiting,
			Duration limit, ProgressLine shown) {
		long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
		JobService.Progress progress;
		while (true) {
			progress = waiting.get();
			if (shown != null) {
				shown.show(progress.done(), progress.total(), progress.done());
			}
			if (progress.finished() || System.nanoTime() >= deadline) {
				break;
			}
			try {
				Thread.sleep(Math.min(250, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new QueuectlException(QueuectlException.FAILURE, "interrupted");
			}
		}
		if (shown != null) {
			shown.end();
		}
		return progress;
	}

	private static Duration parseTimeout(String timeout) {
		Duration limit = Durations.parseOrNull(timeout);
		if (limit == null || limit.isNegative()) {
			throw QueuectlException.usage("--timeout must be a duration like 30s, 10m or 2h, got '" + timeout + "'");
		}
		return limit;
	}

	@Command(name = "run-now", group = "Jobs", description = "Make a delayed job, or one waiting to retry, due now",
			help = """
					A pending job with a delay or run_at, or a failed job waiting out its retry backoff,
					becomes due at once; a worker host takes it at its next claim. Exit 2 for a job in
					another state, 3 for an unknown id.
					  queuectl run-now report""")
	void runNow(@Argument(index = 0) String id, CommandContext ctx) {
		if (id == null || id.isEmpty()) {
			throw QueuectlException.usage("run-now needs a job id");
		}
		this.jobs.runNow(id);
		ctx.outputWriter().println(id);
	}

	@Command(name = "wait", group = "Jobs", description = "Wait until jobs finish; exit 0 if all completed", help = """
			Waits for the named jobs, or every job of a queue, or every job, to finish (completed, dead or
			canceled). Exit 0 when all completed, 1 when any ended dead or canceled (a line each on
			stderr), 124 when --timeout passed first. Progress goes to stderr, and a line when no worker
			host is running on the database (the jobs cannot end without one).
			  queuectl wait job1 job2
			  queuectl wait --queue emails --timeout 10m
			  queuectl wait --tag import-7            (the jobs carrying the tag when the wait begins)
			  queuectl wait""")
	void await(@Arguments List<String> ids,
			@Option(longName = "queue", shortName = 'q', description = "every job of this queue") String queue,
			@Option(longName = "timeout", shortName = 't', description = "give up after this long (e.g. 30s, 10m)") String timeout,
			@Option(longName = "tag", description = "the jobs carrying every one of these tags (repeated)") String tag,
			CommandContext ctx) {
		if (!ids.isEmpty() && queue != null || tag != null && (!ids.isEmpty() || queue != null)) {
			throw QueuectlException.usage("give one of job ids, --queue or --tag");
		}
		if (tag != null) {
			ids = this.edits.tagged(Tags.words(tag, "--tag"), List.of());
			if (ids.isEmpty()) {
				Invocation.current().err().println("queuectl: no job carries tag(s) " + tag);
				return;
			}
		}
		Duration limit = timeout == null ? null : parseTimeout(timeout);
		PrintWriter err = Invocation.current().err();
		ProgressLine line = new ProgressLine(err, "waiting", "done");
		List<String> waited = ids;
		if (waited.size() == 1) { // one job: its own progress too (issue 27)
			line.withDetail(() -> jobProgress(waited.get(0)));
		}
		java.util.function.Supplier<JobService.Progress> waiting = this.jobs.waitFor(waited, queue);
		int[] polls = { 0 }; // the first poll and every 20th (about 5 s) look for a live host, until one is missing
		JobService.Progress progress = awaitProgress(() -> {
			JobService.Progress p = waiting.get();
			if (!p.finished() && polls[0] >= 0 && polls[0]++ % 20 == 0 && !this.hosts.anyLive()) { // said once
				polls[0] = -1;
				err.println("queuectl: no worker host is running on this database: these jobs will not run until one"
						+ " starts (queuectl worker start)");
			}
			return p;
		}, limit, line);
		if (!progress.finished()) {
			err.println("queuectl: timed out after " + Durations.format(limit) + ": " + progress.done() + " of "
					+ progress.total() + " job(s) finished");
			throw new QueuectlException.Reported(TIMED_OUT);
		}
		for (Job job : progress.failed()) {
			err.println("queuectl: job " + job.id() + " ended " + job.state().dbValue()
					+ (job.lastError() == null ? "" : ": " + Render.oneLine(job.lastError(), 100)));
		}
		if (!progress.failed().isEmpty()) {
			throw new QueuectlException.Reported(QueuectlException.FAILURE);
		}
	}

	@Command(name = { "queue", "list" }, group = "Queues",
			description = "Every queue: jobs per state, paused or not, its limit and rate, how many run now", help = """
					  queuectl queue list
					  queuectl queue list --json""")
	void list(@Option(longName = "json", description = "print JSON") Boolean json, CommandContext ctx) {
		List<QueueInfo> all = this.queues.list();
		PrintWriter out = ctx.outputWriter();
		if (Boolean.TRUE.equals(json)) {
			Render.json(out, all.stream().map(Render::queue).toList());
			return;
		}
		if (all.isEmpty()) {
			out.println("no queues yet");
			return;
		}
		List<String> headers = new ArrayList<>(List.of("QUEUE", "STATE", "LIMIT", "RATE", "RUNNING"));
		for (JobState state : JobState.values()) {
			if (state != JobState.PROCESSING) {
				headers.add(state.dbValue().toUpperCase(java.util.Locale.ROOT));
			}
		}
		List<List<String>> rows = new ArrayList<>();
		for (QueueInfo q : all) {
			List<String> row = new ArrayList<>(List.of(q.name(), q.paused() ? "paused" : "active",
					q.maxRunning() == null ? "-" : q.maxRunning().toString(), q.rate() == null ? "-" : q.rate(),
					Long.toString(q.running())));
			for (JobState state : JobState.values()) {
				if (state != JobState.PROCESSING) {
					row.add(Long.toString(q.counts().get(state)));
				}
			}
			rows.add(row);
		}
		Render.table(out, headers, rows);
	}

	@Command(name = { "queue", "pause" }, group = "Queues",
			description = "Start no new job from a queue on any worker host (running ones finish)", help = """
					  queuectl queue pause emails""")
	void pause(@Argument(index = 0) String queue, CommandContext ctx) {
		this.queues.pause(queue);
		ctx.outputWriter().println(queue + " paused");
	}

	@Command(name = { "queue", "resume" }, group = "Queues", description = "Start jobs from a paused queue again",
			help = """
					  queuectl queue resume emails""")
	void resume(@Argument(index = 0) String queue, CommandContext ctx) {
		this.queues.resume(queue);
		ctx.outputWriter().println(queue + " resumed");
	}

	@Command(name = { "queue", "rm" }, group = "Queues",
			description = "Remove an empty queue (its pause and limit); one that holds jobs is refused", help = """
					A queue exists while it holds jobs (finished ones too, until prune or retention removes
					them) or was paused or limited. Exit 2 for a queue that holds jobs, 3 for an unknown one.
					  queuectl queue rm old-emails""")
	void remove(@Argument(index = 0) String queue, CommandContext ctx) {
		if (queue == null || queue.isEmpty()) {
			throw QueuectlException.usage("queue rm needs a queue name");
		}
		this.queues.remove(queue);
		ctx.outputWriter().println(queue + " removed");
	}

	@Command(name = { "queue", "limit" }, group = "Queues",
			description = "Run at most N jobs of a queue at once across all worker hosts (0 or none: no limit)", help = """
					A queue may be limited before its first job; a line on stderr says when it had none.
					  queuectl queue limit deploy 1
					  queuectl queue limit emails none""")
	void limit(@Argument(index = 0) String queue, @Argument(index = 1) String limit, CommandContext ctx) {
		if (queue == null || limit == null) {
			throw QueuectlException.usage("queue limit needs a queue and a number (0 or none removes the limit)");
		}
		boolean known = this.queues.exists(queue);
		Integer max = this.queues.limit(queue, limit);
		ctx.outputWriter().println(queue + (max == null ? " has no limit" : " runs at most " + max + " job(s) at once"));
		if (!known) {
			// a limit set ahead of a queue's first job is fine; a mistyped name should not pass unseen
			Invocation.current().err().println("queuectl: note: there was no queue " + queue
					+ " (no jobs, never paused or limited); the limit applies to its jobs when they come");
		}
	}
}
