package dev.queuectl.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.servlet.http.HttpServletRequest;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.view.Render;
import dev.queuectl.job.Job;
import dev.queuectl.job.JobRun;
import dev.queuectl.service.JobService;
import dev.queuectl.service.HostFit;
import dev.queuectl.job.JobSpecParser;
import dev.queuectl.job.JobState;
import dev.queuectl.service.QueueService;
import dev.queuectl.job.Schedule;
import dev.queuectl.service.ScheduleService;
import dev.queuectl.worker.WorkerService;
import tools.jackson.databind.JsonNode;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HTTP API under /api: what the commands do, through the same services, with the same checks
 * and the same one-line errors (as problem+json, see {@link Problems}). JSON fields are those of
 * the commands' {@code --json}.
 */
@RestController
@ConditionalOnWebApplication
@RequestMapping("/api")
class ApiController {

	private final JobService jobs;

	private final QueueService queues;

	private final WorkerService workers;

	private final ScheduleService schedules;

	private final OutputStreams output;

	private final WebAccess access;

	/** Why no live host could run a job that asks resources or slots. */
	private final HostFit hostFit;

	private final dev.queuectl.service.LimitService limits;

	private final dev.queuectl.service.WaitReasons waitReasons;

	/** Progress and results (issue 27). */
	private final dev.queuectl.service.TalkService talk;

	/** edit, rerun and rm (issue 28). */
	private final dev.queuectl.service.JobEditService edits;

	/** For {@code /api/status}: the count of notifications given up on. */
	private final dev.queuectl.service.NotifyService notify;

	ApiController(JobService jobs, QueueService queues, WorkerService workers, ScheduleService schedules,
			OutputStreams output, WebAccess access, HostFit hostFit, dev.queuectl.service.LimitService limits,
			dev.queuectl.service.WaitReasons waitReasons, dev.queuectl.service.TalkService talk,
			dev.queuectl.service.JobEditService edits, dev.queuectl.service.NotifyService notify) {
		this.notify = notify;
		this.talk = talk;
		this.edits = edits;
		this.hostFit = hostFit;
		this.limits = limits;
		this.waitReasons = waitReasons;
		this.jobs = jobs;
		this.queues = queues;
		this.workers = workers;
		this.schedules = schedules;
		this.output = output;
		this.access = access;
	}

	/** The CSRF token a script sends back in the X-Queuectl-Csrf header with every POST. */
	@GetMapping("/csrf")
	Map<String, Object> csrf() {
		return Map.of("header", WebAccess.CSRF_HEADER, "token", this.access.csrf());
	}

	@GetMapping("/jobs")
	Map<String, Object> list(@RequestParam(required = false) String state, @RequestParam(required = false) String queue,
			@RequestParam(required = false) String q, @RequestParam(required = false) String after,
			@RequestParam(required = false) String limit, @RequestParam(required = false) List<String> tag) {
		JobService.Page page = this.jobs.page(state, queue, tag == null || tag.isEmpty() ? null : String.join(",", tag), q,
				after, number("limit", limit, 50));
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("jobs", page.jobs().stream().map(Render::job).toList());
		m.put("next", page.next());
		return m;
	}

	/** One job as JSON, or many as JSON Lines ({@code application/x-ndjson}) or a JSON array, all or nothing. */
	@PostMapping("/jobs")
	ResponseEntity<Map<String, Object>> enqueue(HttpServletRequest request) throws IOException {
		String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase(java.util.Locale.ROOT);
		String cwd = System.getProperty("user.dir");
		Map<String, Object> m = new LinkedHashMap<>();
		JobService.Enqueued result;
		if (type.startsWith("application/x-ndjson") || type.startsWith("application/jsonl")) {
			try (InputStream in = request.getInputStream()) {
				result = this.jobs.enqueueAll(in, cwd, JobService.BatchProgress.NONE, false, java.util.List.of(), via(request));
			}
			m.put("stored", result.stored());
			m.put("ids", result.ids());
			m.put("duplicates", duplicates(result));
			return ResponseEntity.status(HttpStatus.CREATED).body(m);
		}
		if (!type.startsWith("application/json")) {
			throw QueuectlException.usage("send one job as application/json, or many as application/x-ndjson (JSON Lines)");
		}
		result = this.jobs.enqueue(jsonBody(request), cwd, java.util.List.of(), via(request));
		m.put("id", result.firstId());
		m.put("duplicate", !result.duplicates().isEmpty());
		if (!result.duplicates().isEmpty()) {
			m.put("duplicates", duplicates(result));
			return ResponseEntity.ok(m);
		}
		return ResponseEntity.created(URI.create("/api/jobs/" + result.firstId())).body(m);
	}

	/**
	 * An enqueue by the API, traced (issue 31): an incoming W3C {@code traceparent} (and
	 * {@code tracestate}) header is the parent of the enqueue's span.
	 */
	static JobService.Via via(HttpServletRequest request) {
		String traceparent = request.getHeader("traceparent");
		return new JobService.Via("api",
				traceparent == null ? null : new dev.queuectl.job.TraceContext(traceparent, request.getHeader("tracestate")));
	}

	/** A request's body of at most 1 MiB, as text. */
	private static String jsonBody(HttpServletRequest request) throws IOException {
		byte[] body;
		try (InputStream in = request.getInputStream()) {
			body = in.readNBytes(JobSpecParser.MAX_DOCUMENT_BYTES + 1);
		}
		if (body.length > JobSpecParser.MAX_DOCUMENT_BYTES) {
			throw QueuectlException.usage("a job is at most 1 MiB of JSON");
		}
		return new String(body, StandardCharsets.UTF_8);
	}

	private static List<Map<String, Object>> duplicates(JobService.Enqueued result) {
		return result.duplicates().stream().map(d -> {
			Map<String, Object> dm = new LinkedHashMap<>();
			dm.put("id", d.id());
			dm.put("unique_key", d.uniqueKey());
			dm.put("existing_id", d.existingId());
			dm.put("where", d.where().isEmpty() ? null : d.where().substring(0, d.where().length() - 2));
			return dm;
		}).toList();
	}

	@GetMapping("/jobs/{id}")
	Map<String, Object> show(@PathVariable String id) {
		Job job = this.jobs.get(id);
		Map<String, Object> m = Render.job(job);
		List<String> after = this.jobs.dependencies(id);
		Map<String, dev.queuectl.job.AfterCondition> conditions = this.jobs.conditions(id);
		m.putAll(Render.dependencies(after, conditions));
		m.put("batch", this.jobs.batchOf(id));
		m.put("waiting", this.waitReasons.of(job));
		m.put("runs", this.jobs.runs(id).stream().map(Render::run).toList());
		JobRun running = this.jobs.running(job);
		m.put("running", running == null ? null : Render.run(running));
		m.put("result", this.talk.resultIfAny(id).map(dev.queuectl.job.JobResult::value).orElse(null));
		return m;
	}

	/**
	 * Records a job's progress, as {@code queuectl progress --job ID}: a body
	 * {@code {"progress":"40/100","message":"..."}} (or "40%"). Answers the job's progress as stored;
	 * {@code "recorded": false} when the queue was too busy to take it in time.
	 */
	@PostMapping("/jobs/{id}/progress")
	Map<String, Object> progress(@PathVariable String id, HttpServletRequest request) throws IOException {
		JsonNode body = JobSpecParser.readTree(jsonBody(request), "");
		JsonNode amount = body.get("progress");
		JsonNode message = body.get("message");
		if (amount == null || !amount.isString() || message != null && !message.isNull() && !message.isString()) {
			throw QueuectlException.usage("progress wants a JSON body {\"progress\":\"40/100\",\"message\":\"...\"} (message optional)");
		}
		boolean recorded = this.talk.progress(id, amount.stringValue(),
				message == null || message.isNull() ? null : message.stringValue());
		Map<String, Object> m = new java.util.LinkedHashMap<>();
		m.put("id", id);
		m.put("recorded", recorded);
		m.put("progress", Render.progress(this.jobs.get(id).progress()));
		return m;
	}

	/**
	 * An attempt's output (the newest by default) as text; with {@code Accept: text/event-stream} (or
	 * {@code ?follow=true}) as server-sent events that follow a running attempt until it ends.
	 */
	@GetMapping("/jobs/{id}/output")
	Object output(@PathVariable String id, @RequestParam(required = false) String attempt,
			@RequestParam(required = false) String follow, HttpServletRequest request) throws IOException {
		Integer n = attempt == null ? null : number("attempt", attempt, 1);
		String accept = request.getHeader("Accept");
		if ("true".equals(follow) || (accept != null && accept.contains(MediaType.TEXT_EVENT_STREAM_VALUE))) {
			return this.output.follow(id, n);
		}
		return ResponseEntity.ok()
			.contentType(new MediaType("text", "plain", StandardCharsets.UTF_8))
			.body(this.output.text(id, n));
	}

	@PostMapping("/jobs/{id}/retry")
	Map<String, Object> retry(@PathVariable String id) {
		this.jobs.retryDead(id);
		return Map.of("id", id, "state", JobState.PENDING.dbValue());
	}

	@PostMapping("/jobs/{id}/cancel")
	Map<String, Object> cancel(@PathVariable String id) {
		JobService.Canceled done = this.jobs.cancel(id);
		return Map.of("id", id, "result", done == JobService.Canceled.CANCELED ? "canceled" : "canceling");
	}

	@PostMapping("/jobs/{id}/run-now")
	Map<String, Object> runNow(@PathVariable String id) {
		this.jobs.runNow(id);
		return Map.of("id", id, "state", this.jobs.get(id).state().dbValue());
	}

	/** {@code edit}: the body is a JSON object of the fields to change; the answer the job as edited. */
	@org.springframework.web.bind.annotation.PatchMapping("/jobs/{id}")
	Map<String, Object> edit(@PathVariable String id, HttpServletRequest request) throws IOException {
		return Render.job(this.edits.edit(id, JobSpecParser.readTree(jsonBody(request), "")));
	}

	/** {@code rerun}: a copy of the job as a new one; an optional body of fields to change, as edit's. */
	@PostMapping("/jobs/{id}/rerun")
	ResponseEntity<Map<String, Object>> rerun(@PathVariable String id, HttpServletRequest request) throws IOException {
		String body = jsonBody(request);
		JobService.Enqueued result = this.edits.rerun(id, body.isBlank() ? null : JobSpecParser.readTree(body, ""));
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("id", result.firstId());
		m.put("rerun_of", id);
		m.put("duplicate", !result.duplicates().isEmpty());
		return result.duplicates().isEmpty() ? ResponseEntity.created(URI.create("/api/jobs/" + result.firstId())).body(m)
				: ResponseEntity.ok(m);
	}

	/** {@code rm}: a finished job, its attempts and output. */
	@DeleteMapping("/jobs/{id}")
	Map<String, Object> remove(@PathVariable String id) {
		this.edits.remove(id);
		return Map.of("id", id, "removed", true);
	}

	/** Every dead job (of {@code ?queue=}) back to pending, as {@code dlq retry --all}. */
	@PostMapping("/dlq/retry")
	Map<String, Object> retryAll(@RequestParam(required = false) String queue) {
		return Map.of("retried", this.jobs.retryAllDead(queue == null || queue.isEmpty() ? null : queue));
	}

	@GetMapping("/status")
	Map<String, Object> status() {
		Map<String, Object> jobs = new LinkedHashMap<>();
		this.jobs.countByState().forEach((state, n) -> jobs.put(state.dbValue(), n));
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("jobs", jobs);
		m.put("paused_queues", this.queues.paused());
		m.put("workers", this.workers.workers().stream().map(Render::worker).toList());
		m.put("no_host", this.hostFit.unrunnable());
		m.put("notifications_failed", this.notify.failedCount());
		return m;
	}

	/** Per minute over the last hour: attempts completed and failed (retried or not), and jobs that died. */
	@GetMapping("/stats")
	Map<String, Object> stats() {
		List<Map<String, Object>> minutes = new ArrayList<>();
		for (long[] row : this.jobs.endedPerMinute(Instant.now().minusSeconds(3600))) {
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("minute", Render.iso(Instant.ofEpochSecond(row[0] * 60)));
			m.put("completed", row[1]);
			m.put("failed", row[2]);
			m.put("dead", row[3]);
			minutes.add(m);
		}
		JobService.Durations d = this.jobs.recentDurations();
		Map<String, Object> durations = new LinkedHashMap<>();
		durations.put("attempts", d.attempts());
		durations.put("p50_ms", d.p50());
		durations.put("p95_ms", d.p95());
		durations.put("p99_ms", d.p99());
		return Map.of("per_minute", minutes, "durations", durations);
	}

	@GetMapping("/queues")
	List<Map<String, Object>> queues() {
		return this.queues.list().stream().map(Render::queue).toList();
	}

	/** {@code queue pause} and {@code queue resume}. */
	@PostMapping("/queues/{queue}/{action:pause|resume}")
	Map<String, Object> pauseOrResume(@PathVariable String queue, @PathVariable String action) {
		return pauseOrResume(queue, action, this.queues::pause, this.queues::resume);
	}

	/** Pauses or resumes the queue or schedule {@code name} by {@code action}; what the API answers. */
	private static Map<String, Object> pauseOrResume(String name, String action, Consumer<String> pause,
			Consumer<String> resume) {
		boolean paused = action.equals("pause");
		(paused ? pause : resume).accept(name);
		return Map.of("name", name, "paused", paused);
	}

	/** {@code queue rm}: an empty queue's pause and limit go; 409 when it holds jobs, 404 when unknown. */
	@PostMapping("/queues/{queue}/rm")
	Map<String, Object> removeQueue(@PathVariable String queue) {
		this.queues.remove(queue);
		return Map.of("name", queue, "removed", true);
	}

	/** {@code ?limit=N}, or 0 / none to remove it, as {@code queue limit}. */
	@PostMapping("/queues/{queue}/limit")
	Map<String, Object> limit(@PathVariable String queue, @RequestParam(required = false) String limit) {
		if (limit == null) {
			throw QueuectlException.usage("queue limit needs a queue and a number (0 or none removes the limit)");
		}
		Integer max = this.queues.limit(queue, limit);
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("name", queue);
		m.put("limit", max);
		return m;
	}

	/** {@code ?rate=N/DURATION}, or off to remove it, as {@code queue rate}. */
	@PostMapping("/queues/{queue}/rate")
	Map<String, Object> rate(@PathVariable String queue, @RequestParam(required = false) String rate) {
		dev.queuectl.job.LimitSetting.Rate r = this.limits.queueRate(queue, rate);
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("name", queue);
		m.put("rate", r == null ? null : r.text());
		return m;
	}

	/** Every limit by key, as {@code limit list --json}. */
	@GetMapping("/limits")
	List<Map<String, Object>> limits() {
		return this.limits.list().stream().map(Render::limit).toList();
	}

	/** {@code ?key=K&concurrency=N&rate=N/DURATION}, as {@code limit set}. */
	@PostMapping("/limits")
	Map<String, Object> setLimit(@RequestParam(required = false) String key,
			@RequestParam(required = false) String concurrency, @RequestParam(required = false) String rate) {
		if (key == null) {
			throw QueuectlException.usage("limit set needs a key and --concurrency N and/or --rate N/DURATION");
		}
		return Render.limit(this.limits.set(key, concurrency, rate));
	}

	/** {@code ?key=K}, as {@code limit rm}. */
	@DeleteMapping("/limits")
	Map<String, Object> removeLimit(@RequestParam(required = false) String key) {
		if (key == null) {
			throw QueuectlException.usage("limit rm needs a key");
		}
		this.limits.remove(key);
		return Map.of("key", key, "removed", true);
	}

	/** Every schedule, as {@code schedule list --json}. */
	@GetMapping("/schedules")
	List<Map<String, Object>> schedules() {
		return this.schedules.list().stream().map(s -> Render.schedule(s, this.schedules.upcoming(s, 3))).toList();
	}

	/** One schedule and its recent jobs, as {@code schedule show --json}. */
	@GetMapping("/schedules/{name}")
	Map<String, Object> schedule(@PathVariable String name, @RequestParam(required = false) String limit) {
		Schedule s = this.schedules.get(name);
		int n = number("limit", limit, 10);
		if (n < 1) {
			throw QueuectlException.usage("--limit must be at least 1");
		}
		Map<String, Object> m = Render.schedule(s, this.schedules.upcoming(s, 3));
		m.put("recent", this.schedules.recentJobs(name, n).stream().map(Render::job).toList());
		return m;
	}

	/**
	 * {@code schedule add}: a JSON object with {@code name}, {@code cron} or {@code every}, and
	 * {@code job} (an object or its JSON text); optional {@code tz}, {@code catch_up},
	 * {@code no_overlap}. Its jobs run in the directory the server was started from.
	 */
	@PostMapping("/schedules")
	ResponseEntity<Map<String, Object>> addSchedule(HttpServletRequest request) throws IOException {
		JsonNode body = JobSpecParser.readTree(jsonBody(request), "");
		if (!body.isObject()) {
			throw QueuectlException.usage("a schedule is a JSON object with name, cron or every, and job");
		}
		for (String field : body.propertyNames()) {
			if (!SCHEDULE_FIELDS.contains(field)) {
				throw QueuectlException.usage("unknown field '" + JobSpecParser.shown(field) + "' (allowed: "
						+ String.join(", ", SCHEDULE_FIELDS) + ")");
			}
		}
		JsonNode job = body.get("job");
		JsonNode noOverlap = body.get("no_overlap");
		if (noOverlap != null && !noOverlap.isNull() && !noOverlap.isBoolean()) {
			throw QueuectlException.usage("field 'no_overlap' must be true or false");
		}
		Schedule s = this.schedules.add(new ScheduleService.Spec(text(body, "name"), text(body, "cron"),
				text(body, "every"), text(body, "tz"), text(body, "catch_up"), noOverlap != null && noOverlap.asBoolean(),
				job == null || job.isNull() ? null : job.isString() ? job.asString() : job.toString()),
				System.getProperty("user.dir"));
		return ResponseEntity.created(URI.create("/api/schedules/" + s.name()))
			.body(Render.schedule(s, this.schedules.upcoming(s, 3)));
	}

	/**
	 * Edits a schedule (issue 29), as the schedule page's Edit: a JSON object of the fields of
	 * POST /api/schedules less {@code name}, all of them as the schedule is to be (its pause and
	 * history stay; its next tick is the first after now).
	 */
	@org.springframework.web.bind.annotation.PatchMapping("/schedules/{name}")
	Map<String, Object> editSchedule(@PathVariable String name, HttpServletRequest request) throws IOException {
		JsonNode body = JobSpecParser.readTree(jsonBody(request), "");
		if (!body.isObject()) {
			throw QueuectlException.usage("a schedule is a JSON object with cron or every, and job");
		}
		for (String field : body.propertyNames()) {
			if (!SCHEDULE_FIELDS.contains(field) || field.equals("name")) {
				throw QueuectlException.usage("unknown field '" + JobSpecParser.shown(field) + "' (allowed: "
						+ String.join(", ", SCHEDULE_FIELDS.subList(1, SCHEDULE_FIELDS.size())) + ")");
			}
		}
		JsonNode job = body.get("job");
		JsonNode noOverlap = body.get("no_overlap");
		if (noOverlap != null && !noOverlap.isNull() && !noOverlap.isBoolean()) {
			throw QueuectlException.usage("field 'no_overlap' must be true or false");
		}
		Schedule s = this.schedules.edit(name, new ScheduleService.Spec(name, text(body, "cron"), text(body, "every"),
				text(body, "tz"), text(body, "catch_up"), noOverlap != null && noOverlap.asBoolean(),
				job == null || job.isNull() ? null : job.isString() ? job.asString() : job.toString()));
		return Render.schedule(s, this.schedules.upcoming(s, 3));
	}

	/**
	 * One live worker host (issue 29's worker page): what {@code /api/status} says of it, with
	 * {@code uptime_ms} and {@code done}, its recorded attempts by outcome.
	 */
	@GetMapping("/workers/{id}")
	Map<String, Object> worker(@PathVariable String id) {
		dev.queuectl.job.WorkerInfo w = this.workers.worker(id);
		Map<String, Object> m = Render.worker(w);
		m.put("uptime_ms", Math.max(0, System.currentTimeMillis() - w.startedAt().toEpochMilli()));
		m.put("done", this.workers.outcomes(id));
		return m;
	}

	private static final List<String> SCHEDULE_FIELDS = List.of("name", "cron", "every", "tz", "catch_up",
			"no_overlap", "job");

	/** A string field of a request's JSON, null when absent or null. */
	private static String text(JsonNode body, String field) {
		JsonNode value = body.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw QueuectlException.usage("field '" + field + "' must be a string");
		}
		return value.asString();
	}

	/** {@code schedule pause} and {@code schedule resume}. */
	@PostMapping("/schedules/{name}/{action:pause|resume}")
	Map<String, Object> pauseOrResumeSchedule(@PathVariable String name, @PathVariable String action) {
		return pauseOrResume(name, action, this.schedules::pause, this.schedules::resume);
	}

	/** {@code schedule run}: its job once, now. */
	@PostMapping("/schedules/{name}/run")
	Map<String, Object> runSchedule(@PathVariable String name) {
		return Map.of("name", name, "id", this.schedules.runNow(name));
	}

	/** {@code schedule rm}: the jobs it enqueued stay. */
	@PostMapping("/schedules/{name}/rm")
	Map<String, Object> removeSchedule(@PathVariable String name) {
		this.schedules.remove(name);
		return Map.of("name", name, "removed", true);
	}

	/** A whole number parameter, with the CLI's wording when it is not one. */
	static int number(String name, String value, int absent) {
		if (value == null || value.isEmpty()) {
			return absent;
		}
		if (!value.matches("-?[0-9]{1,9}")) {
			throw QueuectlException.usage("option --" + name + " expects an integer, got '" + value + "'");
		}
		return Integer.parseInt(value);
	}
}
