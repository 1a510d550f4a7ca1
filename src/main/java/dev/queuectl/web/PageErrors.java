package dev.queuectl.web;

import dev.queuectl.config.QueuectlException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import jakarta.servlet.http.HttpServletResponse;

/** A page asked for something the CLI would refuse: the same line, on a page, with the CLI's status. */
@ControllerAdvice(assignableTypes = { DashboardController.class, NotificationsPage.class, BatchPageController.class })
@ConditionalOnWebApplication
class PageErrors {

	private final WebAccess access;

	PageErrors(WebAccess access) {
		this.access = access;
	}

	@ExceptionHandler(QueuectlException.class)
	String refused(QueuectlException ex, Model model, HttpServletResponse response) {
		response.setStatus(Problems.status(ex));
		model.addAttribute("csrf", this.access.csrf());
		model.addAttribute("page", "error");
		model.addAttribute("message", ex.getMessage());
		return "error-page";
	}
}
