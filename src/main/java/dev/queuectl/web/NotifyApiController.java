package dev.queuectl.web;

import java.util.List;
import java.util.Map;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.service.NotifyService;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The notifications of the HTTP API (issue 27), as {@code notify list --json} and {@code notify
 * retry}: the same service, checks and one-line errors ({@link ApiErrors}) as the rest of /api.
 */
@RestController
@ConditionalOnWebApplication
@RequestMapping("/api/notifications")
class NotifyApiController {

	private final NotifyService notify;

	NotifyApiController(NotifyService notify) {
		this.notify = notify;
	}

	/** {@code ?failed=true&limit=N}, as {@code notify list [--failed] [--limit N] --json}. */
	@GetMapping
	List<Map<String, Object>> list(@RequestParam(required = false) String failed, @RequestParam(required = false) String limit) {
		int n = ApiController.number("limit", limit, 50);
		if (n < 1 || n > 10_000) {
			throw QueuectlException.usage("--limit must be 1-10000, got '" + limit + "'");
		}
		return this.notify.list("true".equals(failed), n).stream().map(NotifyService::render).toList();
	}

	/** As {@code notify retry ID}. */
	@PostMapping("/{id}/retry")
	Map<String, Object> retry(@PathVariable String id) {
		return Map.of("retried", this.notify.retry(id));
	}

	/** As {@code notify retry --all}. */
	@PostMapping("/retry")
	Map<String, Object> retryAll() {
		return Map.of("retried", this.notify.retry(null));
	}
}
