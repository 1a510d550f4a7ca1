package dev.queuectl.view;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.queuectl.config.Durations;
import dev.queuectl.job.Job;
import dev.queuectl.job.JobRun;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** How results look: aligned tables for people, JSON for scripts (the HTTP API's JSON too). */
public final class Render {

	private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

	private static final DateTimeFormatter TABLE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
		.withZone(ZoneOffset.UTC);

	private Render() {
	}

	public static void table(PrintWriter out, List<String> headers, List<List<String>> rows) {
		int[] widths = new int[headers.size()];
		for (int i = 0; i < widths.length; i++) {
			widths[i] = headers.get(i).length();
		}
		for (List<String> row : rows) {
			for (int i = 0; i < widths.length; i++) {
				widths[i] = Math.max(widths[i], row.get(i).length());
			}
		}
		line(out, headers, widths);
		for (List<String> row : rows) {
			line(out, row, widths);
		}
	}

	private static void line(PrintWriter out, List<String> cells, int[] widths) {
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < cells.size(); i++) {
			String cell = cells.get(i);
			sb.append(cell);
			if (i < cells.size() - 1) {
				sb.append(" ".repeat(widths[i] - cell.length() + 2));
			}
		}
		out.println(sb);
	}

	public static void json(PrintWriter out, Object value) {
		out.println(JSON.writeValueAsString(value));
	}

	public static String time(Instant instant) {
		return instant == null ? "-" : TABLE_TIME.format(instant);
	}

	public static String iso(Instant instant) {
		return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS).toString();
	}

	/** Runs of blanks, tabs and line breaks: {@link #oneLine}'s, compiled once, not once a row. */
	private static final java.util.regex.Pattern SPACES = java.util.regex.Pattern.compile("\\s+");

	public static String oneLine(String text, int max) {
		String flat = SPACES.matcher(text).replaceAll(" ").trim();
		return flat.length() <= max ? flat : flat.substring(0, max - 3) + "...";
	}

	public static Map<String, Object> job(Job job) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("id", job.id());
		m.put("command", job.command());
		m.put("state", job.state().dbValue());
		m.put("queue", job.queue());
		m.put("priority", job.priority());
		m.put("attempts", job.attempts());
		m.put("max_retries", job.maxRetries());
		m.put("run_at", iso(job.runAt()));
		m.put("timeout", job.timeout() == null ? null : Durations.format(job.timeout()));
		m.put("working_dir", job.workingDir());
		m.put("created_at", iso(job.createdAt()));
		m.put("updated_at", iso(job.updatedAt()));
		m.put("started_at", iso(job.startedAt()));
		m.put("finished_at", iso(job.finishedAt()));
		m.put("exit_code", job.exitCode());
		m.put("last_error", job.lastError());
		m.put("worker_id", job.workerId());
		m.put("lease_expires_at", iso(job.leaseExpiresAt()));
		m.put("unique_key", job.uniqueKey());
		m.put("cancel_requested_at", iso(job.cancelRequestedAt()));
		m.put("resources", job.resources().isEmpty() ? null : job.resources().amounts());
		m.put("slots", job.slots());
		m.put("start_by", iso(job.startBy()));
		m.put("retry_on", retryList(job.retryRule(), true));
		m.put("no_retry_on", retryList(job.retryRule(), false));
		m.put("limits", job.limits());
		m.put("tags", job.tags());
		m.put("rerun_of", job.rerunOf());
		m.put("env", job.env().isEmpty() ? null : job.env());
		m.put("progress", progress(job.progress()));
		return m;
	}

	/** A job's progress as --json and the API give it: {"done":40,"total":100,"message":...,"at":...}, or null. */
	public static Map<String, Object> progress(dev.queuectl.job.Progress p) {
		if (p == null) {
			return null;
		}
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("done", p.done());
		m.put("total", p.total());
		m.put("message", p.message());
		m.put("at", iso(p.at()));
		return m;
	}

	/**
	 * The jobs a job runs after as `show --json` and GET /api/jobs/{id} give them: "after" (plain),
	 * and "after_any" / "after_failed" when it names any so (issue 28).
	 */
	public static Map<String, Object> dependencies(List<String> after, Map<String, dev.queuectl.job.AfterCondition> conditions) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("after", after.stream().filter(a -> !conditions.containsKey(a)).toList());
		for (dev.queuectl.job.AfterCondition c : List.of(dev.queuectl.job.AfterCondition.ANY, dev.queuectl.job.AfterCondition.FAILED)) {
			if (conditions.containsValue(c)) {
				m.put(c.field(), after.stream().filter(a -> conditions.get(a) == c).toList());
			}
		}
		return m;
	}

	/** A batch as `batch show --json` and GET /api/batches/{name} give it (issue 28); {@code live} only when read. */
	public static Map<String, Object> batch(dev.queuectl.job.Batch b) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("name", b.name());
		m.put("status", b.status());
		m.put("total", b.total());
		m.put("done", b.done());
		Map<String, Object> counts = new LinkedHashMap<>();
		b.live().forEach((state, n) -> counts.put(state.dbValue(), n));
		counts.put("completed", b.completed());
		counts.put("dead", b.dead());
		counts.put("canceled", b.canceled());
		m.put("counts", counts);
		m.put("started_at", iso(b.createdAt()));
		m.put("settled_at", iso(b.settledAt()));
		Map<String, Object> callbacks = new LinkedHashMap<>();
		callbacks.put("on_success", b.onSuccess());
		callbacks.put("on_failure", b.onFailure());
		callbacks.put("on_complete", b.onComplete());
		m.put("callbacks", callbacks);
		return m;
	}

	/** A limit as `limit list --json` and GET /api/limits give it. */
	public static Map<String, Object> limit(dev.queuectl.job.LimitSetting s) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("key", s.key());
		m.put("concurrency", s.concurrency());
		m.put("rate", s.rate() == null ? null : s.rate().text());
		m.put("running", s.running());
		m.put("starts", s.rate() == null ? null : s.starts());
		if (s.isFamily()) { // the sums above; each key's own use, which is what its jobs wait on
			m.put("keys", s.keys().stream().map(k -> {
				Map<String, Object> u = new LinkedHashMap<>();
				u.put("key", k.key());
				u.put("running", k.running());
				u.put("starts", s.rate() == null ? null : k.starts());
				return u;
			}).toList());
		}
		return m;
	}

	/** A rule's list as the job field gives it ([75, 111, "timeout"]), when it is of that kind; else null. */
	private static List<Object> retryList(dev.queuectl.job.RetryRule rule, boolean only) {
		if (rule == null || rule.only() != only) {
			return null;
		}
		List<Object> items = new ArrayList<>(rule.codes());
		if (rule.timeout()) {
			items.add("timeout");
		}
		return items;
	}

	/** A queue as `queue list --json` and GET /api/queues give it. */
	public static Map<String, Object> queue(dev.queuectl.job.QueueInfo q) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("name", q.name());
		m.put("paused", q.paused());
		m.put("limit", q.maxRunning());
		m.put("running", q.running());
		m.put("rate", q.rate());
		Map<String, Object> counts = new LinkedHashMap<>();
		q.counts().forEach((state, n) -> counts.put(state.dbValue(), n));
		m.put("jobs", counts);
		return m;
	}

	/** A schedule as `schedule list --json` and GET /api/schedules give it, with its next fire times. */
	public static Map<String, Object> schedule(dev.queuectl.job.Schedule s, List<Instant> next) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("name", s.name());
		m.put("paused", s.paused());
		m.put("cron", s.cron());
		m.put("every", s.every() == null ? null : Durations.format(s.every()));
		m.put("tz", s.cron() == null ? null : s.zone().getId());
		m.put("catch_up", s.catchUp().dbValue());
		m.put("no_overlap", s.noOverlap());
		m.put("job", s.template());
		m.put("working_dir", s.workingDir());
		m.put("next", next.stream().map(Render::iso).toList());
		m.put("last_tick", iso(s.lastTickAt()));
		m.put("last_job", s.lastJobId());
		m.put("skipped", s.skipped());
		m.put("created_at", iso(s.createdAt()));
		return m;
	}

	public static Map<String, Object> run(JobRun run) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("attempt", run.attempt());
		m.put("worker_id", run.workerId());
		m.put("started_at", iso(run.startedAt()));
		m.put("finished_at", iso(run.finishedAt()));
		m.put("outcome", run.outcome());
		m.put("exit_code", run.exitCode());
		m.put("signal", run.signal());
		m.put("duration_ms", run.durationMs());
		m.put("error", run.error());
		m.put("output_tail", run.outputTail());
		m.put("output_removed_at", iso(run.outputRemovedAt()));
		return m;
	}

	public static Map<String, Object> worker(dev.queuectl.job.WorkerInfo w) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("id", w.id());
		m.put("hostname", w.hostname());
		m.put("pid", w.pid());
		m.put("slots", w.slots());
		m.put("queues", w.queues());
		m.put("http_port", w.httpPort());
		m.put("started_at", iso(w.startedAt()));
		m.put("heartbeat_at", iso(w.heartbeatAt()));
		m.put("stop_requested", w.stopRequested());
		m.put("running", w.runningJobs());
		m.put("resources", w.resources().amounts());
		return m;
	}

	/**
	 * A listing's rows; RUN AT tells when a pending or failed job may start: {@code in 4m12s} (a
	 * delay, a schedule, a retry's backoff; {@code dueNow}: now on the clock of due times), {@code
	 * due}, or {@code paused} (its queue is one of {@code paused}).
	 */
	public static List<List<String>> jobRows(List<Job> jobs, Instant dueNow, java.util.Collection<String> paused) {
		List<List<String>> rows = new ArrayList<>();
		for (Job job : jobs) {
			String state = job.state() == dev.queuectl.job.JobState.PROCESSING && job.cancelRequestedAt() != null ? "canceling"
					: job.state().dbValue();
			String runAt = "-";
			if (job.state() == dev.queuectl.job.JobState.PENDING || job.state() == dev.queuectl.job.JobState.FAILED) {
				runAt = job.runAt() != null && job.runAt().isAfter(dueNow)
						? "in " + Durations.elapsed(job.runAt().toEpochMilli() - dueNow.toEpochMilli())
						: paused.contains(job.queue()) ? "paused" : "due";
			}
			rows.add(List.of(job.id(), state, job.attempts() + "/" + (job.maxRetries() + 1),
					Integer.toString(job.priority()), runAt, oneLine(job.command(), 48), time(job.updatedAt()),
					job.progress() == null ? "-" : job.progress().shortText()));
		}
		return rows;
	}

	public static final List<String> JOB_HEADERS = List.of("ID", "STATE", "ATTEMPTS", "PRI", "RUN AT", "COMMAND", utc("UPDATED"),
			"PROGRESS");

	/** Resources for people: {@code gpu=1,mem=16G}, or "-" for none. */
	public static String resources(dev.queuectl.job.Resources r) {
		return r.isEmpty() ? "-" : r.toString();
	}

	/** Dead jobs: why each died (the last attempt's exit code and error) rather than their state. */
	public static List<List<String>> deadRows(List<Job> jobs) {
		List<List<String>> rows = new ArrayList<>();
		for (Job job : jobs) {
			rows.add(List.of(job.id(), Integer.toString(job.attempts()), job.exitCode() == null ? "-" : job.exitCode().toString(),
					job.lastError() == null ? "-" : oneLine(job.lastError(), 40), oneLine(job.command(), 40),
					time(job.updatedAt())));
		}
		return rows;
	}

	public static final List<String> DEAD_HEADERS = List.of("ID", "ATTEMPTS", "EXIT", "ERROR", "COMMAND", utc("DIED"));

	/**
	 * The last {@code lines} lines of a job's output as a terminal may show them: colour and other
	 * escape sequences left out, other control characters but tabs as '?'.
	 */
	public static List<String> tail(String output, int lines) {
		if (output == null || output.isBlank()) {
			return List.of();
		}
		String plain = ESCAPES.matcher(output).replaceAll("");
		List<String> all = plain.lines().map(l -> {
			StringBuilder b = new StringBuilder(l.length());
			l.codePoints().forEach(c -> {
				if (c != '\t' && (Character.isISOControl(c) || c == 0x2028 || c == 0x2029)) {
					b.append('?');
				}
				else {
					b.appendCodePoint(c);
				}
			});
			return b.toString();
		}).toList();
		int end = all.size();
		while (end > 0 && all.get(end - 1).isBlank()) {
			end--;
		}
		return all.subList(Math.max(0, end - lines), end);
	}

	/** CSI (colours, cursor moves) and OSC (titles, links) sequences. */
	private static final java.util.regex.Pattern ESCAPES = java.util.regex.Pattern
		.compile("\u001b\\[[0-?]*[ -/]*[@-~]|\u001b\\][^\u0007\u001b]*(\u0007|\u001b\\\\)?|\u001b[@-Z\\\\-_]");

	public static String duration(Duration d) {
		return d == null ? "-" : Durations.format(d);
	}

	/** How long something took or has run, for people ({@link Durations#elapsed}); "-" for null. */
	public static String elapsed(Long millis) {
		return millis == null ? "-" : Durations.elapsed(millis);
	}

	/** The word a table's time column carries: table times ({@link #time}) are UTC. */
	public static String utc(String header) {
		return header + " (UTC)";
	}
}
