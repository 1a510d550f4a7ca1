package dev.queuectl.service;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.queuectl.config.AsciiNumbers;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.job.Job;
import dev.queuectl.job.JobEdit;
import dev.queuectl.job.JobEnv;
import dev.queuectl.job.JobSpecParser;
import dev.queuectl.job.JobState;
import dev.queuectl.job.JobsEnqueued;
import dev.queuectl.job.NewJob;
import dev.queuectl.job.ShellWords;
import dev.queuectl.job.Tags;
import dev.queuectl.store.JobEditStore;
import dev.queuectl.store.JobTagStore;
import dev.queuectl.store.OutputStore;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pipeline commands of issue 28 on single jobs and tags: {@code edit} (a job that has not
 * started), {@code rerun} (a copy of any job), {@code rm} (finished jobs and their output),
 * {@code add} (a command from words) and the jobs a tag names. Every field is checked by
 * {@link JobSpecParser}'s rules, as at enqueue; the store's conditional UPDATE makes an edit atomic
 * against a claim, so a job never runs its old command after an edit was accepted.
 */
@Service
public class JobEditService {

	private final JobService jobs;

	private final JobEditStore store;

	private final JobTagStore tags;

	private final OutputStore outputs;

	private final Settings settings;

	private final Clock clock;

	private final ApplicationEventPublisher events;

	JobEditService(JobService jobs, JobEditStore store, JobTagStore tags, OutputStore outputs, Settings settings,
			Clock clock, ApplicationEventPublisher events) {
		this.jobs = jobs;
		this.store = store;
		this.tags = tags;
		this.outputs = outputs;
		this.settings = settings;
		this.clock = clock;
		this.events = events;
	}

	// ---- edit

	/**
	 * Changes the fields a JSON object names in a job that has not started (waiting, pending, or
	 * failed awaiting its retry). Refused (exit 2, HTTP 409) for a job running or finished, also
	 * when a claim takes it meanwhile; an unknown id is exit 3. Returns the job as edited.
	 */
	public Job edit(String id, JsonNode fields) {
		Job job = this.jobs.get(id);
		refuseStarted(job);
		JobEdit edit = parse(fields, job.workingDir());
		if (edit.isEmpty()) {
			throw QueuectlException.usage("edit needs a field to change (" + String.join(", ", JobEdit.FIELDS) + ")");
		}
		if (!this.store.edit(id, edit, this.clock.instant())) {
			refuseStarted(this.jobs.get(id));
			throw QueuectlException.conflict("job " + id + " changed while it was edited; try again");
		}
		this.events.publishEvent(new JobsEnqueued(1));
		return this.jobs.get(id);
	}

	private static void refuseStarted(Job job) {
		if (job.state() == JobState.PROCESSING || job.state().terminal()) {
			throw QueuectlException.conflict("job " + job.id() + " is " + job.state().dbValue()
					+ ": only a job that has not started (pending, waiting, or failed awaiting its retry) can be edited");
		}
	}

	/**
	 * The edit a JSON object asks: only {@link JobEdit#FIELDS}, each checked as at enqueue. Null for
	 * tags or limits removes them all.
	 */
	JobEdit parse(JsonNode fields, String workingDir) {
		if (fields == null || !fields.isObject()) {
			throw QueuectlException.usage("the fields to change must be a JSON object, like {\"priority\":5}");
		}
		ObjectNode spec = JsonNodeFactory.instance.objectNode();
		spec.put("command", "true");
		for (Map.Entry<String, JsonNode> field : fields.properties()) {
			if (!JobEdit.FIELDS.contains(field.getKey())) {
				throw QueuectlException.usage("field '" + JobSpecParser.shown(field.getKey()) + "' cannot be changed (it may be one of: "
						+ String.join(", ", JobEdit.FIELDS) + ")");
			}
			spec.set(field.getKey(), field.getValue());
		}
		JobSpecParser.Defaults defaults = new JobSpecParser.Defaults(0, this.clock.instant(), workingDir);
		NewJob parsed = JobSpecParser.parse(spec, "", defaults);
		boolean when = fields.has("run_at") && !fields.get("run_at").isNull() || fields.has("delay") && !fields.get("delay").isNull();
		return new JobEdit(named(fields, "command") ? parsed.command() : null,
				named(fields, "priority") ? parsed.priority() : null, named(fields, "queue") ? parsed.queue() : null,
				when ? parsed.runAt() : null, parsed.runAtNamed(), named(fields, "timeout") ? parsed.timeout() : null,
				named(fields, "max_retries") ? parsed.maxRetries() : null,
				fields.has("limits") ? parsed.limits() : null, fields.has("tags") ? parsed.tags() : null,
				fields.has("env") ? parsed.env() : null);
	}

	/** A field named with a value: a null for any but tags, limits and env changes nothing. */
	private static boolean named(JsonNode fields, String name) {
		return fields.has(name) && !fields.get(name).isNull();
	}

	/**
	 * The JSON object of {@code FIELD=VALUE} words ({@code --set}): numbers for priority and
	 * max_retries, comma lists for tags and limits (empty: none), strings for the rest. {@code env}
	 * takes one {@code NAME=VALUE} a word and may be repeated (a value may hold commas); the
	 * variables given are the job's env as a whole, and {@code env=} alone removes it.
	 */
	public static ObjectNode setFields(List<String> assignments) {
		ObjectNode fields = JsonNodeFactory.instance.objectNode();
		for (String assignment : assignments) {
			int eq = assignment.indexOf('=');
			if (eq < 1) {
				throw QueuectlException.usage("--set takes FIELD=VALUE, got '" + JobSpecParser.shown(assignment) + "'");
			}
			String name = assignment.substring(0, eq);
			String value = assignment.substring(eq + 1);
			if (!JobEdit.FIELDS.contains(name)) {
				throw QueuectlException.usage("--set: field '" + JobSpecParser.shown(name) + "' cannot be changed (it may be one of: "
						+ String.join(", ", JobEdit.FIELDS) + ")");
			}
			if (name.equals("env")) {
				env(fields, value);
				continue;
			}
			if (fields.has(name)) {
				throw QueuectlException.usage("--set names field '" + name + "' twice");
			}
			switch (name) {
				case "priority", "max_retries" -> {
					Integer n = AsciiNumbers.parseInt(value);
					if (n == null) {
						fields.put(name, value); // the parser words the refusal
					}
					else {
						fields.put(name, n);
					}
				}
				case "tags", "limits" -> {
					if (value.isEmpty()) {
						fields.putNull(name);
					}
					else {
						var array = fields.putArray(name);
						for (String item : value.split(",", -1)) {
							array.add(item);
						}
					}
				}
				default -> fields.put(name, value);
			}
		}
		return fields;
	}

	/** One {@code --set env=NAME=VALUE} (or {@code env=}: none) into the fields' env object. */
	private static void env(ObjectNode fields, String value) {
		JsonNode given = fields.get("env");
		if (value.isEmpty()) {
			if (given != null) {
				throw QueuectlException.usage("--set env= (no variables) goes alone, not with env=NAME=VALUE");
			}
			fields.putNull("env");
			return;
		}
		int eq = value.indexOf('=');
		if (eq < 1) {
			throw QueuectlException.usage("--set env takes NAME=VALUE (one variable a --set), got 'env="
					+ JobSpecParser.shown(value) + "'");
		}
		if (given != null && given.isNull()) {
			throw QueuectlException.usage("--set env= (no variables) goes alone, not with env=NAME=VALUE");
		}
		ObjectNode env = given == null ? fields.putObject("env") : (ObjectNode) given;
		String name = value.substring(0, eq);
		if (env.has(name)) {
			throw QueuectlException.usage("--set names env " + JobSpecParser.shown(name) + " twice");
		}
		env.put(name, value.substring(eq + 1));
	}

	// ---- rerun

	/**
	 * Enqueues a copy of any job as a new job, due now, with the fields of {@code fields} changed
	 * (as {@link #edit} takes them; null: none): the same command, queue, priority, retries,
	 * timeout, directory, unique key, resources, slots, retry rule, limits, env and tags, with
	 * rerun_of naming the original. Not copied: its id, dependencies, batch, deadline and history.
	 */
	public JobService.Enqueued rerun(String id, JsonNode fields) {
		Job job = this.jobs.get(id);
		JobEdit edit = fields == null ? JobEdit.NONE : parse(fields, job.workingDir());
		Instant now = this.clock.instant();
		NewJob copy = new NewJob(JobSpecParser.newId(), or(edit.command(), job.command()), or(edit.queue(), job.queue()),
				or(edit.priority(), job.priority()), or(edit.maxRetries(), job.maxRetries()), or(edit.runAt(), now),
				edit.runAt() != null && edit.runAtNamed(), or(edit.timeout(), job.timeout()), job.workingDir(),
				job.uniqueKey(), List.of(), job.resources(), job.slots(), null, false, job.retryRule(),
				or(edit.limits(), job.limits()), or(edit.env(), job.env()), or(edit.tags(), job.tags()), job.id(), Map.of());
		return this.jobs.enqueue(copy);
	}

	private static <T> T or(T value, T otherwise) {
		return value != null ? value : otherwise;
	}

	// ---- rm

	/**
	 * Deletes a finished job (completed, dead or canceled), its attempts and their output. Refused
	 * (exit 2, HTTP 409) for a job that has not finished; an unknown id is exit 3.
	 */
	public void remove(String id) {
		if (!this.store.remove(id)) {
			Job job = this.jobs.get(id);
			throw QueuectlException.conflict("job " + id + " is " + job.state().dbValue()
					+ ": only a finished job (completed, dead or canceled) can be removed; cancel it first");
		}
		this.outputs.delete(List.of(id));
	}

	// ---- add

	/**
	 * Enqueues the words as one command line that sh splits back into exactly them
	 * ({@link ShellWords}), with the options a job's JSON would give and the variables of
	 * {@code --env} ({@code NAME=VALUE} words, as enqueue's; none: empty); the same rules as enqueue.
	 */
	public JobService.Enqueued add(List<String> words, Map<String, Object> options, List<String> env, String workingDir) {
		if (words.isEmpty()) {
			throw QueuectlException.usage("add needs a command after --, like: queuectl add -- echo \"a b\"");
		}
		ObjectNode spec = JsonNodeFactory.instance.objectNode();
		spec.put("command", ShellWords.join(words));
		options.forEach((name, value) -> {
			if (value instanceof Integer n) {
				spec.put(name, n);
			}
			else if (value instanceof List<?> list) {
				var array = spec.putArray(name);
				list.forEach(item -> array.add(item.toString()));
			}
			else if (value != null) {
				spec.put(name, value.toString());
			}
		});
		return this.jobs.enqueue(JobEnv.merge(spec.toString(), env, name -> null), workingDir);
	}

	/** The options of {@code add} as the fields of a job's JSON; null ones left out. */
	public static Map<String, Object> addOptions(String queue, String after, Integer priority, String tags) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("queue", queue);
		m.put("after", after == null ? null : List.of(after.split(",", -1)));
		m.put("priority", priority);
		m.put("tags", tags == null ? null : Tags.words(tags, "--tag"));
		return m;
	}

	// ---- tags

	/** The ids of the jobs in one of the states (any: empty) that carry every tag, oldest first. */
	public List<String> tagged(List<String> tags, Collection<JobState> states) {
		if (tags.isEmpty()) {
			throw QueuectlException.usage("--tag needs a tag");
		}
		return this.tags.ids(tags, states);
	}

	/** The states a job has not finished in: what {@code cancel --tag} and {@code wait --tag} take. */
	public static final List<JobState> LIVE = List.of(JobState.WAITING, JobState.PENDING, JobState.PROCESSING,
			JobState.FAILED);

	/** Every dead job carrying every tag, back to pending; returns how many came back. */
	public int retryDeadTagged(List<String> tags) {
		int n = 0;
		for (String id : tagged(tags, List.of(JobState.DEAD))) {
			try {
				this.jobs.retryDead(id);
				n++;
			}
			catch (QueuectlException.Conflict ex) {
				// retried meanwhile, or its unique key is held: left as it is, like dlq retry --all
			}
		}
		return n;
	}
}
