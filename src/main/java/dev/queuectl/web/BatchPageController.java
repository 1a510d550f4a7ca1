package dev.queuectl.web;

import java.util.List;

import dev.queuectl.job.Batch;
import dev.queuectl.job.Job;
import dev.queuectl.job.JobState;
import dev.queuectl.service.BatchService;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The dashboard's batches (issue 28): every batch with its progress bar, counts and callbacks, and
 * one batch's jobs page by page (the same services as {@code batch list} and {@code batch show}).
 */
@Controller
@ConditionalOnWebApplication
class BatchPageController {

	private static final PageFormat FORMAT = new PageFormat();

	private final BatchService batches;

	private final WebAccess access;

	BatchPageController(BatchService batches, WebAccess access) {
		this.batches = batches;
		this.access = access;
	}

	private void common(Model model) {
		model.addAttribute("csrf", this.access.csrf());
		model.addAttribute("page", "batches");
		model.addAttribute("states", List.of(JobState.values()).stream().map(JobState::dbValue).toList());
		model.addAttribute("fmt", FORMAT);
	}

	@GetMapping("/batches")
	String list(Model model) {
		common(model);
		model.addAttribute("batches", this.batches.list());
		return "batches";
	}

	@GetMapping("/batches/{name}")
	String show(@PathVariable String name, @RequestParam(required = false) String state,
			@RequestParam(required = false) String after, @RequestParam(required = false) String error, Model model) {
		common(model);
		model.addAttribute("error", error);
		Batch b = this.batches.get(name);
		int limit = 50;
		List<Job> page = this.batches.jobs(name, state == null || state.isEmpty() ? null : JobState.parse(state),
				after == null || after.isEmpty() ? null : after, limit + 1);
		model.addAttribute("batch", b);
		model.addAttribute("jobs", page.size() > limit ? page.subList(0, limit) : page);
		model.addAttribute("state", state == null ? "" : state);
		model.addAttribute("next", page.size() > limit ? page.get(limit - 1).id() : null);
		return "batch";
	}

	@PostMapping("/batches/{name}/cancel")
	String cancel(@PathVariable String name) {
		String page = "redirect:/batches/" + DashboardController.encode(name);
		try {
			this.batches.cancel(name);
			return page;
		}
		catch (dev.queuectl.config.QueuectlException ex) { // settled meanwhile: back to the page, with the line
			return page + "?error=" + DashboardController.encode(ex.getMessage());
		}
	}
}
