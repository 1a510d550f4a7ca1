package dev.queuectl.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.job.Batch;
import dev.queuectl.job.Job;
import dev.queuectl.job.JobState;
import dev.queuectl.service.BatchService;
import dev.queuectl.service.JobService;
import dev.queuectl.view.Render;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The batches' part of the HTTP API (issue 28), through the services the batch commands call: a new
 * batch is {@code POST /api/batches?name=N[&on_success=JSON&on_failure=JSON&on_complete=JSON]} with
 * its jobs as JSON Lines (or a JSON array) in the body, all or nothing; more jobs are
 * {@code POST /api/batches/N/jobs}. Errors as the rest of the API's ({@link ApiErrors}).
 */
@RestController
@ConditionalOnWebApplication
@RequestMapping("/api/batches")
class BatchApiController {

	private final BatchService batches;

	private final JobService jobs;

	BatchApiController(BatchService batches, JobService jobs) {
		this.batches = batches;
		this.jobs = jobs;
	}

	@GetMapping
	List<Map<String, Object>> list() {
		return this.batches.list().stream().map(Render::batch).peek(m -> m.remove("counts")).toList();
	}

	@GetMapping("/{name}")
	Map<String, Object> show(@PathVariable String name) {
		return Render.batch(this.batches.get(name));
	}

	/** A page of the batch's jobs by id ({@code ?state=} one state, {@code ?after=} the {@code next} of the page before). */
	@GetMapping("/{name}/jobs")
	Map<String, Object> jobs(@PathVariable String name, @RequestParam(required = false) String state,
			@RequestParam(required = false) String after, @RequestParam(required = false) String limit) {
		int n = ApiController.number("limit", limit, 50);
		if (n < 1 || n > 1000) {
			throw QueuectlException.usage("limit must be 1-1000, got " + n);
		}
		List<Job> page = this.batches.jobs(name, state == null || state.isEmpty() ? null : JobState.parse(state),
				after == null || after.isEmpty() ? null : after, n + 1);
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("jobs", page.stream().limit(n).map(Render::job).toList());
		m.put("next", page.size() > n ? page.get(n - 1).id() : null);
		return m;
	}

	@PostMapping
	ResponseEntity<Map<String, Object>> create(@RequestParam(required = false) String name,
			@RequestParam(name = "on_success", required = false) String onSuccess,
			@RequestParam(name = "on_failure", required = false) String onFailure,
			@RequestParam(name = "on_complete", required = false) String onComplete, HttpServletRequest request)
			throws IOException {
		if (name == null) {
			throw QueuectlException.usage("a batch needs ?name=NAME");
		}
		JobService.BatchPlan plan = this.jobs.newBatch(name, onSuccess, onFailure, onComplete, System.getProperty("user.dir"));
		return ResponseEntity.created(URI.create("/api/batches/" + name)).body(enqueued(plan, request));
	}

	@PostMapping("/{name}/jobs")
	ResponseEntity<Map<String, Object>> add(@PathVariable String name, HttpServletRequest request) throws IOException {
		return ResponseEntity.status(HttpStatus.CREATED).body(enqueued(this.jobs.addTo(name), request));
	}

	@PostMapping("/{name}/cancel")
	Map<String, Object> cancel(@PathVariable String name) {
		BatchService.Canceled c = this.batches.cancel(name);
		return Map.of("name", name, "canceled", c.canceled(), "canceling", c.requested());
	}

	private Map<String, Object> enqueued(JobService.BatchPlan plan, HttpServletRequest request) throws IOException {
		String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase(java.util.Locale.ROOT);
		if (!type.startsWith("application/x-ndjson") && !type.startsWith("application/jsonl")
				&& !type.startsWith("application/json")) {
			throw QueuectlException.usage("send the batch's jobs as application/x-ndjson (JSON Lines) or a JSON array");
		}
		JobService.Enqueued result;
		try (InputStream in = request.getInputStream()) {
			result = this.jobs.enqueueBatch(in, System.getProperty("user.dir"), JobService.BatchProgress.NONE, false, plan,
					java.util.List.of(), ApiController.via(request));
		}
		Batch b = this.batches.get(plan.name());
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("batch", plan.name());
		m.put("stored", result.stored());
		m.put("ids", result.ids());
		m.put("duplicates", result.duplicates().stream().map(d -> Map.of("id", d.id(), "existing_id", d.existingId())).toList());
		m.put("callbacks", Render.batch(b).get("callbacks"));
		return m;
	}
}
