package dev.queuectl.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.job.Job;
import dev.queuectl.job.JobSpecParser;
import dev.queuectl.server.Invocation;
import dev.queuectl.service.JobEditService;
import dev.queuectl.service.JobService;
import dev.queuectl.view.Render;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/** edit, rerun, rm and add (issue 28): parse, call {@link JobEditService}, render. */
@Component
class PipelineCommands {

	private final JobEditService edits;

	PipelineCommands(JobEditService edits) {
		this.edits = edits;
	}

	@Command(name = "edit", group = "Jobs", description = "Change a job that has not started: its command, priority, queue...",
			help = """
					Fields: command, priority, queue, run_at or delay, timeout, max_retries, tags, limits, env,
					as enqueue takes them; --set tags=a,b or limits=k1,k2 (empty: none); env is the job's own
					variables as a whole: --set env=NAME=VALUE once a variable, --set env= for none. Only a
					job that has not started (pending, waiting, or failed awaiting its retry) can be edited;
					exit 2 for one that is running or finished, also when a worker host takes it meanwhile:
					either the edit is made before the job starts, or it is refused. Prints the id (--json:
					the job as edited).
					  queuectl edit job1 --set command='make report2' --set priority=10
					  queuectl edit job1 --set delay=1h --set tags=nightly,customer:42
					  queuectl edit job1 --set env=STAGE=prod --set env=REGION=eu
					  queuectl edit job1 '{"queue":"slow","timeout":"30m"}'""")
	void edit(@Argument(index = 0) String id, @Argument(index = 1) String json,
			@Option(longName = ArgvParser.SET, description = "FIELD=VALUE to change (repeated)") String set,
			@Option(longName = "json", description = "print the job as edited, as JSON") Boolean asJson, CommandContext ctx) {
		if (id == null || id.isEmpty()) {
			throw QueuectlException.usage("edit needs a job id, then --set FIELD=VALUE or a JSON object of fields");
		}
		Job job = this.edits.edit(id, fields(json, set, true));
		PrintWriter out = ctx.outputWriter();
		if (Boolean.TRUE.equals(asJson)) {
			Render.json(out, Render.job(job));
		}
		else {
			out.println(job.id());
		}
	}

	/** The fields of --set or of a JSON argument (not both); none when {@code required} is false and neither is given. */
	private static JsonNode fields(String given, String set, boolean required) {
		String json = given == null || given.isEmpty() ? null : given; // Shell gives "" for an argument not given
		if (json != null && set != null) {
			throw QueuectlException.usage("give either --set FIELD=VALUE or a JSON object of fields, not both");
		}
		if (json != null) {
			return JobSpecParser.readTree(json, "");
		}
		if (set != null) {
			return JobEditService.setFields(ArgvParser.setValues(set));
		}
		if (required) {
			throw QueuectlException.usage("edit needs --set FIELD=VALUE or a JSON object of the fields to change");
		}
		return null;
	}

	@Command(name = "rerun", group = "Jobs", description = "Enqueue a copy of any job as a new job; prints its id",
			help = """
					Copies the command, queue, priority, retries, timeout, directory, unique key, resources,
					slots, retry rule, limits, env and tags of any job (finished ones too) into a new job due now;
					--set changes fields as edit does. The new job records rerun_of (show, --json, the API).
					  queuectl rerun job1
					  queuectl rerun job1 --set priority=10 --set queue=urgent""")
	void rerun(@Argument(index = 0) String id,
			@Option(longName = ArgvParser.SET, description = "FIELD=VALUE to change in the copy (repeated)") String set,
			@Option(longName = "json", description = "print JSON: the new id and the job it copies") Boolean json,
			CommandContext ctx) {
		if (id == null || id.isEmpty()) {
			throw QueuectlException.usage("rerun needs a job id");
		}
		JobService.Enqueued result = this.edits.rerun(id, fields(null, set, false));
		if (Boolean.TRUE.equals(json)) {
			JobCommands.printDuplicates(result, Invocation.current().err());
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("id", result.firstId());
			m.put("rerun_of", id);
			m.put("duplicate", !result.duplicates().isEmpty());
			Render.json(ctx.outputWriter(), m);
			return;
		}
		JobCommands.printEnqueued(result, false, false, ctx.outputWriter(), Invocation.current().err());
	}

	@Command(name = "rm", group = "Jobs", description = "Delete finished jobs, their attempts and their output", help = """
			Removes completed, dead and canceled jobs. Exit 2 for a job that has not finished (cancel it
			first), 3 for an unknown id; the other ids are still removed.
			  queuectl rm job1 job2""")
	void remove(@Arguments List<String> ids, @Option(longName = "json", description = "print JSON: the ids removed") Boolean json,
			CommandContext ctx) {
		if (ids.isEmpty()) {
			throw QueuectlException.usage("rm needs job ids");
		}
		PrintWriter out = ctx.outputWriter();
		PrintWriter err = Invocation.current().err();
		List<String> removed = new ArrayList<>();
		int code = 0;
		for (String id : ids) {
			try {
				this.edits.remove(id);
				removed.add(id);
				if (!Boolean.TRUE.equals(json)) {
					out.println(id + " removed");
				}
			}
			catch (QueuectlException ex) {
				if (ids.size() == 1) {
					throw ex;
				}
				err.println("queuectl: " + ex.getMessage());
				code = Math.max(code, ex.exitCode());
			}
		}
		if (Boolean.TRUE.equals(json)) {
			Render.json(out, Map.of("removed", removed));
		}
		if (code != 0) {
			throw new QueuectlException.Reported(code);
		}
	}

	@Command(name = "add", group = "Jobs", description = "Add a job from a command's words, no JSON: add -- CMD ARGS...",
			help = """
					The words after -- become one command line that runs exactly those words, as the shell
					you typed them in passed them: quotes, $, globs and newlines arrive as they are. Prints
					the id, like enqueue. --env NAME=VALUE (repeatable) gives the job a variable of its own;
					--env NAME copies the caller's own value (exit 2 when it is not set), as enqueue does.
					  queuectl add -- echo "a b"
					  queuectl add --queue emails --priority 5 --tag nightly -- ./send.sh --to 'ann@example.com'
					  queuectl add --env STAGE=prod --env AWS_PROFILE -- ./deploy.sh
					  queuectl add --after build -- ./deploy.sh "$RELEASE\"""")
	void add(@Arguments List<String> words,
			@Option(longName = "queue", shortName = 'q', description = "the job's queue") String queue,
			@Option(longName = "after", shortName = 'a', description = "run after these jobs completed (repeated or a,b)") String after,
			@Option(longName = "priority", shortName = 'p', description = "higher runs first (default 0)") Integer priority,
			@Option(longName = "tag", description = "a tag of the job (repeated)") String tag,
			@Option(longName = "env", description = "NAME=VALUE, or NAME for your own value: a variable of the job (repeatable)") String env,
			@Option(longName = "json", description = "print JSON: the id") Boolean json, CommandContext ctx) {
		JobService.Enqueued result = this.edits.add(words, JobEditService.addOptions(queue, after, priority, tag),
				env == null ? List.of() : List.of(env.split("\0", -1)), Invocation.current().workingDir().toString());
		JobCommands.printEnqueued(result, false, Boolean.TRUE.equals(json), ctx.outputWriter(), Invocation.current().err());
	}
}
