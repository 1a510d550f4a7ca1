package dev.queuectl.web;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.service.NotifyService;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The dashboard's notifications page (issue 27): the newest notifications with their status, tries
 * and last error, pending and failed counted; a failed one's Retry button and Retry all post with
 * the CSRF token, as every form of the dashboard, and come back to the page.
 */
@Controller
@ConditionalOnWebApplication
class NotificationsPage {

	private static final PageFormat FORMAT = new PageFormat();

	private final NotifyService notify;

	private final WebAccess access;

	NotificationsPage(NotifyService notify, WebAccess access) {
		this.notify = notify;
		this.access = access;
	}

	@GetMapping("/notifications")
	String page(@RequestParam(required = false) String failed, @RequestParam(required = false) String message, Model model) {
		model.addAttribute("csrf", this.access.csrf());
		model.addAttribute("page", "notifications");
		model.addAttribute("fmt", FORMAT);
		boolean onlyFailed = "true".equals(failed);
		model.addAttribute("onlyFailed", onlyFailed);
		model.addAttribute("notifications", this.notify.list(onlyFailed, 100));
		long[] counts = this.notify.counts();
		model.addAttribute("pending", counts[0]);
		model.addAttribute("failed", counts[1]);
		model.addAttribute("message", message);
		return "notifications";
	}

	@PostMapping("/notifications/retry")
	String retry(@RequestParam(required = false) String id) {
		String message;
		try {
			if (id == null || id.isEmpty()) {
				message = this.notify.retry(null) + " notification(s) to deliver again";
			}
			else {
				this.notify.retry(id);
				message = "notification " + id + " to deliver again";
			}
		}
		catch (QueuectlException ex) {
			message = ex.getMessage();
		}
		return "redirect:/notifications?message=" + DashboardController.encode(message);
	}
}
