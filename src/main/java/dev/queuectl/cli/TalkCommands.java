package dev.queuectl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.job.JobResult;
import dev.queuectl.server.Invocation;
import dev.queuectl.service.TalkService;
import dev.queuectl.view.Render;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

/**
 * progress, result set and result get (issue 27): parse, call {@link TalkService}, render. Inside
 * a job the client adds {@code --job} and {@code --attempt} from the job's environment
 * ({@link dev.queuectl.server.JobWords}); these commands never read an environment themselves.
 */
@Component
class TalkCommands {

	private final TalkService talk;

	TalkCommands(TalkService talk) {
		this.talk = talk;
	}

	@Command(name = "progress", group = "Jobs", description = "Record how far a job is: DONE/TOTAL or N%, and a message",
			help = """
					Inside a job it means that job (the worker host sets QUEUECTL_JOB_ID); elsewhere give
					--job ID. Only the latest report is kept; list, show, wait, the API and the dashboard
					show it. It is quick (served by the running worker host) and never fails the job
					when the queue is busy: a report the database cannot take within 1.5 s is dropped,
					exit 0. Exit 2 for a report that is not DONE/TOTAL (0 <= DONE <= TOTAL, TOTAL >= 1)
					or N% (0-100), 3 for an unknown job.
					  queuectl progress 40/100
					  queuectl progress 75% "uploading part 3"
					  queuectl progress --job backup 3/10 "table users\"""")
	void progress(@Arguments List<String> args,
			@Option(longName = "job", description = "the job (inside a job: that one)") String job,
			@Option(longName = "attempt", description = "the attempt reporting (set inside a job)") Integer attempt,
			CommandContext ctx) {
		if (args.isEmpty()) {
			throw QueuectlException.usage("progress needs DONE/TOTAL or N% (like 40/100 or 40%)");
		}
		if (job == null || job.isEmpty()) {
			throw QueuectlException.usage("progress outside a job needs --job ID");
		}
		String message = args.size() > 1 ? String.join(" ", args.subList(1, args.size())) : null;
		this.talk.progress(job, args.get(0), message); // false: the queue was busy; the job goes on
	}

	@Command(name = { "result", "set" }, group = "Jobs", description = "Store a job's result (inside a job: its own), or - for stdin",
			help = """
					The result of the attempt that runs: a later attempt's result replaces it. At most
					1 MiB of UTF-8 text. Jobs that run after this one read it with result get (their
					QUEUECTL_AFTER lists the ids). Outside a job give --job ID.
					Exit 2 for a result over 1 MiB, 3 for an unknown job, 1 when the job no longer runs
					the attempt that sets it.
					  queuectl result set "$(wc -l < out.csv)"
					  ./summarize.sh | queuectl result set -""")
	void set(@Argument(index = 0) String value,
			@Option(longName = "job", description = "the job (inside a job: that one)") String job,
			@Option(longName = "attempt", description = "the attempt setting it (set inside a job)") Integer attempt,
			CommandContext ctx) throws IOException {
		if (value == null) {
			throw QueuectlException.usage("result set needs a value, or - to read it from stdin");
		}
		if (job == null || job.isEmpty()) {
			throw QueuectlException.usage("result set outside a job needs --job ID");
		}
		String text = value.equals("-")
				? TalkService.resultFrom(Invocation.current().stdin().readNBytes(TalkService.MAX_RESULT + 1))
				: TalkService.checkResult(value);
		this.talk.setResult(job, attempt, text);
	}

	@Command(name = { "result", "get" }, group = "Jobs", description = "Print a job's result",
			help = """
					Prints the result as it was set (a newline added when it has none). Exit 3 for an
					unknown job, 1 when the job has no result.
					  queuectl result get backup
					  for id in $QUEUECTL_AFTER; do queuectl result get "$id"; done
					  queuectl result get backup --json""")
	void get(@Argument(index = 0) String id,
			@Option(longName = "json", description = "print JSON: the job, attempt, result and when") Boolean json,
			CommandContext ctx) {
		if (id == null || id.isEmpty()) {
			throw QueuectlException.usage("result get needs a job id");
		}
		JobResult r = this.talk.result(id)
			.orElseThrow(() -> new QueuectlException(QueuectlException.FAILURE, "job " + id + " has no result"));
		PrintWriter out = ctx.outputWriter();
		if (Boolean.TRUE.equals(json)) {
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("id", id);
			m.put("attempt", r.attempt());
			m.put("result", r.value());
			m.put("at", Render.iso(r.at()));
			Render.json(out, m);
		}
		else {
			out.print(r.value().endsWith("\n") ? r.value() : r.value() + "\n");
		}
	}
}
