package dev.queuectl.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.view.Render;
import dev.queuectl.job.Job;
import dev.queuectl.service.JobService;
import dev.queuectl.service.HostFit;
import dev.queuectl.job.JobState;
import dev.queuectl.service.QueueService;
import dev.queuectl.job.Schedule;
import dev.queuectl.service.ScheduleService;
import dev.queuectl.worker.JobOutput;
import dev.queuectl.worker.WorkerService;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The dashboard's pages, rendered by Thymeleaf on the server from the same services as the API (so
 * every value is escaped by the template engine, and a page works before any script runs). Small
 * scripts of our own (assets/app.js) keep the overview's counts live and follow a running job's
 * output; the buttons are forms that post with the CSRF token and come back to the page.
 */
@Controller
@ConditionalOnWebApplication
class DashboardController {

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

	/** Results (issue 27). */
	private final dev.queuectl.service.TalkService talk;

	/** The job page's Edit, Rerun and Remove (issue 28). */
	private final dev.queuectl.service.JobEditService edits;

	/** For the overview: the count of notifications given up on. */
	private final dev.queuectl.service.NotifyService notify;

	DashboardController(JobService jobs, QueueService queues, WorkerService workers, ScheduleService schedules,
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

	private static final PageFormat FORMAT = new PageFormat();

	private void common(Model model, String page) {
		model.addAttribute("csrf", this.access.csrf());
		model.addAttribute("page", page);
		model.addAttribute("states", List.of(JobState.values()).stream().map(JobState::dbValue).toList());
		model.addAttribute("allStates", List.of(JobState.values()));
		model.addAttribute("fmt", FORMAT);
	}

	@GetMapping("/")
	String overview(Model model) {
		common(model, "overview");
		model.addAttribute("counts", this.jobs.countByState());
		model.addAttribute("queues", this.queues.list());
		model.addAttribute("workers", this.workers.workers());
		model.addAttribute("durations", this.jobs.recentDurations());
		model.addAttribute("notifyFailed", this.notify.failedCount());
		return "overview";
	}

	@GetMapping(value = "/chart.svg", produces = "image/svg+xml")
	ResponseEntity<String> chart() {
		Instant now = Instant.now();
		return ResponseEntity.ok()
			.contentType(MediaType.parseMediaType("image/svg+xml"))
			.header("Cache-Control", "no-store")
			.body(ChartSvg.perMinute(this.jobs.endedPerMinute(now.minus(Duration.ofHours(1))), now));
	}

	/**
	 * The jobs list: all jobs newest first, filtered by state, queue, text and tags; or ({@code view})
	 * the Scheduled (pending, not due yet) or Retries (failed, waiting out a backoff) view, soonest
	 * first (issue 29). {@code message} or {@code error}: what the bulk buttons did.
	 */
	@GetMapping("/jobs")
	String jobs(@RequestParam(required = false) String state, @RequestParam(required = false) String queue,
			@RequestParam(required = false) String q, @RequestParam(required = false) String after,
			@RequestParam(required = false) String limit, @RequestParam(required = false) String tag,
			@RequestParam(required = false) String view, @RequestParam(required = false) String message, Model model) {
		common(model, "jobs");
		String shown = view == null ? "" : view;
		int size = ApiController.number("limit", limit, 50);
		JobService.Page page = shown.isEmpty() ? this.jobs.page(state, queue, tag, q, after, size)
				: this.jobs.waiting(shown, after, size);
		model.addAttribute("view", shown);
		model.addAttribute("message", message);
		model.addAttribute("error", null);
		model.addAttribute("tag", tag == null ? "" : tag);
		model.addAttribute("jobs", page.jobs());
		model.addAttribute("state", state == null ? "" : state);
		model.addAttribute("queue", queue == null ? "" : queue);
		model.addAttribute("q", q == null ? "" : q);
		model.addAttribute("limit", limit == null || limit.isEmpty() ? null : limit);
		String here = "/jobs?" + query("view", view) + query("state", state) + query("queue", queue) + query("q", q)
				+ query("tag", tag) + query("limit", limit);
		model.addAttribute("here", here + query("after", after));
		model.addAttribute("next", page.next() == null ? null : here + "after=" + encode(page.next()));
		return "jobs";
	}

	/**
	 * The jobs list's bulk buttons (issue 29): each picked job retried (a dead one back in the queue,
	 * a failed or delayed one due now), canceled, or deleted as {@code rm} does; back to the list
	 * ({@code back}, a /jobs address) with how many were done and the first refusal's line.
	 */
	@PostMapping("/jobs/bulk")
	String bulk(@RequestParam(required = false) List<String> id, @RequestParam(required = false) String action,
			@RequestParam(required = false) String back) {
		String page = back != null && (back.equals("/jobs") || back.startsWith("/jobs?")) && back.chars().allMatch(c -> c > ' ' && c < 127 && c != '\\') ? back : "/jobs";
		List<String> ids = id == null ? List.of() : id;
		String done = switch (action == null ? "" : action) {
			case "retry" -> "retried";
			case "cancel" -> "canceled";
			case "delete" -> "deleted";
			default -> null;
		};
		String message;
		if (done == null) {
			message = "unknown action '" + action + "' (retry, cancel or delete)";
		}
		else if (ids.isEmpty()) {
			message = "no job selected";
		}
		else {
			int n = 0;
			List<String> refused = new ArrayList<>();
			for (String one : ids) {
				try {
					switch (action) {
						case "retry" -> {
							if (this.jobs.get(one).state() == JobState.DEAD) {
								this.jobs.retryDead(one);
							}
							else {
								this.jobs.runNow(one);
							}
						}
						case "cancel" -> this.jobs.cancel(one);
						default -> this.edits.remove(one);
					}
					n++;
				}
				catch (QueuectlException ex) {
					refused.add(ex.getMessage());
				}
			}
			message = n + " job(s) " + done + (refused.isEmpty() ? ""
					: "; " + refused.size() + " refused: " + refused.get(0) + (refused.size() > 1 ? " (and more)" : ""));
		}
		return "redirect:" + page + (page.endsWith("?") || page.endsWith("&") ? "" : page.contains("?") ? "&" : "?")
				+ "message=" + encode(message);
	}

	@GetMapping("/jobs/{id}")
	String job(@PathVariable String id, @RequestParam(required = false) String error,
			@RequestParam(required = false) String attempt, Model model) {
		Integer shownAttempt = attempt == null || attempt.isEmpty() ? null : ApiController.number("attempt", attempt, 1);
		common(model, "jobs");
		Job job = this.jobs.get(id);
		model.addAttribute("job", job);
		Map<String, Object> fields = Render.job(job);
		fields.put("resources", Render.resources(job.resources()));
		fields.put("limits", job.limits().isEmpty() ? null : String.join(", ", job.limits()));
		fields.put("env", job.env().isEmpty() ? null : String.join(" ", job.env().keySet()));
		fields.put("progress", job.progress() == null ? null : job.progress().shortText());
		fields.put("result", this.talk.resultIfAny(id).map(r -> Render.oneLine(r.value(), 200)).orElse(null));
		fields.remove("tags"); // chips, linked to their listing
		fields.remove("rerun_of"); // a link
		model.addAttribute("fields", fields);
		model.addAttribute("editable", !job.state().terminal() && job.state() != JobState.PROCESSING);
		List<String> after = this.jobs.dependencies(id);
		String batch = this.jobs.batchOf(id);
		model.addAttribute("waiting", job.state() == JobState.WAITING && after.isEmpty() && batch != null
				? List.of("a callback of batch " + batch + ": runs when it settles") : this.waitReasons.of(job));
		model.addAttribute("after", after);
		// each job it runs after under its condition (after, after_any, after_failed), as show names them
		model.addAttribute("dependencies", Render.dependencies(after, this.jobs.conditions(id)));
		model.addAttribute("batch", batch);
		List<dev.queuectl.job.JobRun> runs = new java.util.ArrayList<>(this.jobs.runs(id));
		java.util.Optional.ofNullable(this.jobs.running(job)).ifPresent(runs::add); // its outcome: running
		model.addAttribute("runs", runs);
		model.addAttribute("running", job.state() == JobState.PROCESSING);
		model.addAttribute("error", error);
		String text = "";
		try {
			text = this.output.text(id, shownAttempt); // the newest attempt's unless one is asked (issue 29)
		}
		catch (QueuectlException | java.io.IOException ex) {
			text = ""; // not run yet, or the file is gone
		}
		model.addAttribute("output", text);
		model.addAttribute("attempt", shownAttempt);
		return "job";
	}

	/** A job page's buttons: back to the page, with the error when the action was refused. */
	@PostMapping("/jobs/{id}/{action:retry|run-now|cancel}")
	String jobAction(@PathVariable String id, @PathVariable String action) {
		return back("/jobs/" + encode(id), "error", () -> {
			switch (action) {
				case "retry" -> this.jobs.retryDead(id);
				case "run-now" -> this.jobs.runNow(id);
				default -> this.jobs.cancel(id);
			}
			return null;
		});
	}

	/** The job page's Edit (a JSON object of fields, as PATCH /api/jobs/ID takes), back to the page. */
	@PostMapping("/jobs/{id}/edit")
	String editJob(@PathVariable String id, @RequestParam(required = false) String fields) {
		return back("/jobs/" + encode(id), "error", () -> {
			this.edits.edit(id, dev.queuectl.job.JobSpecParser.readTree(fields == null ? "" : fields, ""));
			return null;
		});
	}

	/** The job page's Rerun: to the new job's page (or back, with the error). */
	@PostMapping("/jobs/{id}/rerun")
	String rerunJob(@PathVariable String id) {
		try {
			return "redirect:/jobs/" + encode(this.edits.rerun(id, null).firstId());
		}
		catch (QueuectlException ex) {
			return "redirect:/jobs/" + encode(id) + "?error=" + encode(ex.getMessage());
		}
	}

	/** The job page's Remove: to the jobs list (or back, with the error). */
	@PostMapping("/jobs/{id}/rm")
	String removeJob(@PathVariable String id) {
		try {
			this.edits.remove(id);
			return "redirect:/jobs";
		}
		catch (QueuectlException ex) {
			return "redirect:/jobs/" + encode(id) + "?error=" + encode(ex.getMessage());
		}
	}

	@GetMapping("/dlq")
	String dlq(@RequestParam(required = false) String queue, @RequestParam(required = false) String after,
			@RequestParam(required = false) String message, Model model) {
		common(model, "dlq");
		JobService.Page page = this.jobs.page("dead", queue, null, after, 50);
		model.addAttribute("jobs", page.jobs());
		model.addAttribute("dead", this.jobs.countByState().get(JobState.DEAD));
		model.addAttribute("message", message);
		model.addAttribute("next", page.next() == null ? null : "/dlq?" + query("queue", queue) + "after=" + encode(page.next()));
		return "dlq";
	}

	@PostMapping("/dlq/retry")
	String dlqRetry(@RequestParam(required = false) String id) {
		return back("/dlq", "message", () -> {
			if (id == null || id.isEmpty()) {
				return this.jobs.retryAllDead(null) + " job(s) back in the queue";
			}
			this.jobs.retryDead(id);
			return id + " back in the queue";
		});
	}

	@GetMapping("/queues")
	String queues(@RequestParam(required = false) String message, Model model) {
		common(model, "queues");
		model.addAttribute("queues", this.queues.list());
		model.addAttribute("limits", this.limits.list());
		model.addAttribute("message", message);
		return "queues";
	}

	/** The queues page's buttons, as {@code queue pause}, {@code resume} and {@code rm}. */
	@PostMapping("/queues/{queue}/{action:pause|resume|rm}")
	String pauseOrResume(@PathVariable String queue, @PathVariable String action) {
		return back("/queues", "message", () -> switch (action) {
			case "pause" -> {
				this.queues.pause(queue);
				yield queue + " paused";
			}
			case "resume" -> {
				this.queues.resume(queue);
				yield queue + " resumed";
			}
			default -> {
				this.queues.remove(queue);
				yield queue + " removed";
			}
		});
	}

	/**
	 * The queues page's limits form (issue 29): a queue's concurrency limit ({@code queue limit}: a
	 * number, 0 or none) and its rate ({@code queue rate}: N/DURATION or off), each left as it is when
	 * blank. The rate is checked before anything is stored, so a refused form changes nothing.
	 */
	@PostMapping("/queues/{queue}/limits")
	String queueLimits(@PathVariable String queue, @RequestParam(required = false) String limit,
			@RequestParam(required = false) String rate) {
		String max = limit == null ? "" : limit.strip();
		String per = rate == null ? "" : rate.strip();
		return back("/queues", "message", () -> {
			if (max.isEmpty() && per.isEmpty()) {
				throw QueuectlException.usage("give a limit (a number, 0 or none) or a rate (N/DURATION or off)");
			}
			if (!per.isEmpty() && !per.equals("off")) {
				dev.queuectl.service.LimitService.parseRate(per);
			}
			List<String> done = new ArrayList<>();
			if (!max.isEmpty()) {
				Integer n = this.queues.limit(queue, max);
				done.add(n == null ? "no limit" : "limit " + n);
			}
			if (!per.isEmpty()) {
				dev.queuectl.job.LimitSetting.Rate r = this.limits.queueRate(queue, per);
				done.add(r == null ? "no rate" : "rate " + r.text());
			}
			return queue + ": " + String.join(", ", done);
		});
	}

	@GetMapping("/schedules")
	String schedules(@RequestParam(required = false) String message, Model model) {
		common(model, "schedules");
		List<Schedule> all = this.schedules.list();
		Map<String, Instant> next = new java.util.HashMap<>(); // none while paused or when the expression has no more
		for (Schedule s : all) {
			this.schedules.upcoming(s, 1).forEach(t -> next.put(s.name(), t));
		}
		model.addAttribute("schedules", all);
		model.addAttribute("next", next);
		model.addAttribute("message", message);
		return "schedules";
	}

	/** The schedules page's buttons, as {@code schedule pause}, {@code resume}, {@code run} and {@code rm}. */
	@PostMapping("/schedules/{name}/{action:pause|resume|run|rm}")
	String scheduleAction(@PathVariable String name, @PathVariable String action) {
		return back("/schedules", "message", () -> switch (action) {
			case "pause" -> {
				this.schedules.pause(name);
				yield name + " paused";
			}
			case "resume" -> {
				this.schedules.resume(name);
				yield name + " resumed";
			}
			case "run" -> name + " enqueued " + this.schedules.runNow(name);
			default -> {
				this.schedules.remove(name);
				yield name + " removed";
			}
		});
	}

	/**
	 * The schedules page's New schedule form (issue 29), as {@code schedule add}: to the new
	 * schedule's page, or back with the refusal's line. Its jobs run in the server's folder, as
	 * POST /api/schedules.
	 */
	@PostMapping("/schedules/add")
	String addSchedule(@RequestParam(required = false) String name, @RequestParam(required = false) String cron,
			@RequestParam(required = false) String every, @RequestParam(required = false) String tz,
			@RequestParam(name = "catch_up", required = false) String catchUp,
			@RequestParam(name = "no_overlap", required = false) String noOverlap,
			@RequestParam(required = false) String job) {
		try {
			Schedule s = this.schedules.add(spec(name, cron, every, tz, catchUp, noOverlap, job), System.getProperty("user.dir"));
			return "redirect:/schedules/" + encode(s.name()) + "?message=" + encode(s.name() + " added");
		}
		catch (QueuectlException ex) {
			return "redirect:/schedules?message=" + encode(ex.getMessage());
		}
	}

	/** A form's fields as a schedule's spec: blank ones absent. */
	private static ScheduleService.Spec spec(String name, String cron, String every, String tz, String catchUp,
			String noOverlap, String job) {
		return new ScheduleService.Spec(blankless(name), blankless(cron), blankless(every), blankless(tz),
				blankless(catchUp), noOverlap != null && !noOverlap.isEmpty() && !noOverlap.equals("false"), blankless(job));
	}

	private static String blankless(String value) {
		return value == null || value.isBlank() ? null : value.strip();
	}

	/**
	 * A schedule's page (issue 29): its rule, next ticks and what it did, that is the jobs its ticks
	 * and Run now enqueued (their ids start with its name), newest first, with each one's state and
	 * outcome; and the form that edits it.
	 */
	@GetMapping("/schedules/{name}")
	String schedule(@PathVariable String name, @RequestParam(required = false) String message, Model model) {
		common(model, "schedules");
		Schedule s = this.schedules.get(name);
		model.addAttribute("schedule", s);
		model.addAttribute("upcoming", this.schedules.upcoming(s, 5));
		model.addAttribute("history", this.schedules.recentJobs(name, 50));
		model.addAttribute("every", s.every() == null ? "" : dev.queuectl.config.Durations.format(s.every()));
		model.addAttribute("message", message);
		return "schedule";
	}

	/** The schedule page's Edit, as PATCH /api/schedules/NAME: back to the page with what happened. */
	@PostMapping("/schedules/{name}/edit")
	String editSchedule(@PathVariable String name, @RequestParam(required = false) String cron,
			@RequestParam(required = false) String every, @RequestParam(required = false) String tz,
			@RequestParam(name = "catch_up", required = false) String catchUp,
			@RequestParam(name = "no_overlap", required = false) String noOverlap,
			@RequestParam(required = false) String job) {
		return back("/schedules/" + encode(name), "message", () -> {
			this.schedules.edit(name, spec(name, cron, every, tz, catchUp, noOverlap, job));
			return name + " saved";
		});
	}

	/**
	 * A worker host's page (issue 29): since when it runs, what it offers, the attempts it recorded
	 * by outcome, and each running job with its time so far.
	 */
	@GetMapping("/workers/{id}")
	String worker(@PathVariable String id, Model model) {
		common(model, "overview");
		dev.queuectl.job.WorkerInfo w = this.workers.worker(id);
		Map<String, Long> outcomes = this.workers.outcomes(id);
		List<dev.queuectl.job.JobRun> running = new ArrayList<>();
		for (String job : w.runningJobs()) {
			try {
				java.util.Optional.ofNullable(this.jobs.running(this.jobs.get(job))).ifPresent(running::add);
			}
			catch (QueuectlException gone) {
				// ended and removed meanwhile
			}
		}
		model.addAttribute("worker", w);
		model.addAttribute("uptime", Render.elapsed(Math.max(0, System.currentTimeMillis() - w.startedAt().toEpochMilli())));
		model.addAttribute("outcomes", outcomes);
		model.addAttribute("done", outcomes.values().stream().mapToLong(Long::longValue).sum());
		model.addAttribute("running", running);
		return "worker";
	}

	/**
	 * Does what a button asked and goes back to {@code page}, with the action's message (none when
	 * it returns null) or the error line when it was refused, in the query parameter {@code param}.
	 */
	private static String back(String page, String param, Supplier<String> action) {
		String message;
		try {
			message = action.get();
		}
		catch (QueuectlException ex) {
			message = ex.getMessage();
		}
		return "redirect:" + page + (message == null ? "" : "?" + param + "=" + encode(message));
	}

	/**
	 * The login page (also the body of every 401 for a page, so it shows nothing about jobs); with a
	 * fresh one-time {@code code} it logs the browser in and goes to the overview, taking the code out
	 * of the address bar.
	 */
	@GetMapping("/login")
	String login(@RequestParam(required = false) String code, @RequestParam(required = false) String failed,
			Model model, HttpServletResponse response) {
		if (code != null) {
			String session = this.access.loginWithCode(code);
			if (session != null) {
				session(response, session);
				response.setStatus(HttpServletResponse.SC_OK);
				return "redirect:/";
			}
			response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
		}
		model.addAttribute("page", "login");
		model.addAttribute("csrf", ""); // nothing of the server's before logging in
		model.addAttribute("failed", failed != null);
		model.addAttribute("expired", code != null);
		model.addAttribute("tokenFile", this.access.tokenFile() == null ? "queuectl.web.token in application.yml"
				: this.access.tokenFile().toString());
		return "login";
	}

	@PostMapping("/login")
	String login(@RequestParam(required = false) String token, HttpServletResponse response) {
		String session = this.access.loginWithToken(token == null ? null : token.strip());
		if (session == null) {
			return "redirect:/login?failed";
		}
		session(response, session);
		return "redirect:/";
	}

	private static void session(HttpServletResponse response, String id) {
		Cookie cookie = new Cookie(WebAccess.COOKIE, id);
		cookie.setHttpOnly(true);
		cookie.setPath("/");
		cookie.setMaxAge((int) (WebAccess.SESSION_HOURS * 3600));
		cookie.setAttribute("SameSite", "Strict");
		response.addCookie(cookie);
	}

	private static String query(String name, String value) {
		return value == null || value.isEmpty() ? "" : name + "=" + encode(value) + "&";
	}

	static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	/** Counts of a queue in the states the table shows. */
	static List<Long> row(Map<JobState, Long> counts) {
		List<Long> row = new ArrayList<>();
		for (JobState s : JobState.values()) {
			row.add(counts.getOrDefault(s, 0L));
		}
		return row;
	}
}
