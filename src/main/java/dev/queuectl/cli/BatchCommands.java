package dev.queuectl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.job.Batch;
import dev.queuectl.server.Invocation;
import dev.queuectl.service.BatchService;
import dev.queuectl.service.JobService;
import dev.queuectl.view.Render;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

/** batch list/show/cancel/add (issue 28): parse, call {@link BatchService} or {@link JobService}, render. */
@Component
class BatchCommands {

	private final BatchService batches;

	private final JobService jobs;

	private final JobCommands enqueue;

	BatchCommands(BatchService batches, JobService jobs, JobCommands enqueue) {
		this.batches = batches;
		this.jobs = jobs;
		this.enqueue = enqueue;
	}

	@Command(name = { "batch", "list" }, group = "Jobs", description = "Every batch: done/total, dead and canceled, open or settled",
			help = """
					A batch is made by enqueue --file F --batch NAME (or -); its callbacks run once when
					every job is final: --on-success (all completed), --on-failure (one dead or canceled),
					--on-complete (either).
					  queuectl enqueue --file thumbs.jsonl --batch thumbs --on-complete '{"command":"./index.sh"}'
					  queuectl batch list
					  queuectl batch list --json""")
	void list(@Option(longName = "json", description = "print a JSON array") Boolean json, CommandContext ctx) {
		List<Batch> all = this.batches.list();
		PrintWriter out = ctx.outputWriter();
		if (Boolean.TRUE.equals(json)) {
			Render.json(out, all.stream().map(b -> {
				java.util.Map<String, Object> m = Render.batch(b);
				m.remove("counts"); // the live split is read by show
				m.put("completed", b.completed());
				m.put("dead", b.dead());
				m.put("canceled", b.canceled());
				return m;
			}).toList());
			return;
		}
		if (all.isEmpty()) {
			out.println("no batches");
			return;
		}
		List<List<String>> rows = new ArrayList<>();
		for (Batch b : all) {
			rows.add(List.of(b.name(), b.status(), b.done() + "/" + b.total(), Long.toString(b.dead()),
					Long.toString(b.canceled()), Render.time(b.createdAt()), Render.time(b.settledAt())));
		}
		Render.table(out, List.of("NAME", "STATUS", "DONE", "DEAD", "CANCELED", Render.utc("STARTED"), Render.utc("SETTLED")), rows);
	}

	@Command(name = { "batch", "show" }, group = "Jobs",
			description = "A batch: jobs per state, done/total, when it started and settled, its callbacks", help = """
					  queuectl batch show thumbs
					  queuectl batch show thumbs --json      (a batch's jobs: GET /api/batches/NAME/jobs, or the dashboard)""")
	void show(@Argument(index = 0) String name, @Option(longName = "json", description = "print JSON") Boolean json,
			CommandContext ctx) {
		if (name == null) {
			throw QueuectlException.usage("batch show needs a batch name");
		}
		Batch b = this.batches.get(name);
		PrintWriter out = ctx.outputWriter();
		if (Boolean.TRUE.equals(json)) {
			Render.json(out, Render.batch(b));
			return;
		}
		out.println("name       " + b.name());
		out.println("status     " + b.status());
		out.println("done       " + b.done() + "/" + b.total());
		StringBuilder counts = new StringBuilder();
		b.live().forEach((state, n) -> counts.append(state.dbValue()).append(' ').append(n).append(", "));
		counts.append("completed ").append(b.completed()).append(", dead ").append(b.dead()).append(", canceled ")
			.append(b.canceled());
		out.println("jobs       " + counts);
		out.println("started    " + utc(b.createdAt()));
		out.println("settled    " + utc(b.settledAt()));
		out.println("on_success " + callback(b, b.onSuccess(), true));
		out.println("on_failure " + callback(b, b.onFailure(), false));
		out.println("on_complete " + (b.onComplete() == null ? "-" : b.onComplete()));
	}

	/** A time as the tables write it, labelled UTC; "-" for none (a batch not settled). */
	private static String utc(java.time.Instant at) {
		return at == null ? "-" : Render.time(at) + " UTC";
	}

	/** A callback's id; "-" when none, or "not run" for the one the batch settled against. */
	private static String callback(Batch b, String id, boolean onSuccess) {
		if (id != null) {
			return id;
		}
		boolean succeeded = b.status().equals("succeeded");
		return b.settled() && succeeded != onSuccess ? "- (not run)" : "-";
	}

	@Command(name = { "batch", "cancel" }, group = "Jobs",
			description = "Cancel every unfinished job of a batch; it settles as failed and its callbacks run", help = """
					Jobs not started are canceled at once (with the jobs that run after them); running ones
					are terminated by their hosts. --on-failure and --on-complete run once the last one ends.
					  queuectl batch cancel thumbs""")
	void cancel(@Argument(index = 0) String name, CommandContext ctx) {
		if (name == null) {
			throw QueuectlException.usage("batch cancel needs a batch name");
		}
		BatchService.Canceled c = this.batches.cancel(name);
		ctx.outputWriter().println(name + ": " + c.canceled() + " canceled" + (c.requested() > 0
				? ", " + c.requested() + " running asked to stop" : ""));
	}

	@Command(name = { "batch", "add" }, group = "Jobs", description = "Add jobs from a file or stdin to an open batch",
			help = """
					All or nothing, as enqueue --file. A batch that has settled takes no more (exit 2).
					  queuectl batch add thumbs --file more.jsonl
					  generate-more | queuectl batch add thumbs -""")
	void add(@Arguments List<String> args,
			@Option(longName = "file", shortName = 'f', description = "read a JSON array or JSON Lines from a file") String file,
			@Option(longName = "json", description = "print JSON: the count, the ids and the duplicates") Boolean json,
			CommandContext ctx) throws IOException {
		if (args.isEmpty()) {
			throw QueuectlException.usage("batch add needs a batch name and --file F or -");
		}
		String name = args.get(0);
		List<String> rest = args.subList(1, args.size());
		if (file == null && !(rest.size() == 1 && rest.get(0).equals("-"))) {
			throw QueuectlException.usage("batch add takes its jobs from --file F or - (stdin)");
		}
		Invocation invocation = Invocation.current();
		JobService.Enqueued result = this.enqueue.enqueueInto(this.jobs.addTo(name), file, rest, invocation, List.of());
		JobCommands.printEnqueued(result, true, Boolean.TRUE.equals(json), ctx.outputWriter(), invocation.err());
	}
}
