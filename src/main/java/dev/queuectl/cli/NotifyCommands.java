package dev.queuectl.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.job.Notification;
import dev.queuectl.service.NotifyService;
import dev.queuectl.view.Render;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

/** notify list and notify retry (issue 27): parse, call {@link NotifyService}, render. */
@Component
class NotifyCommands {

	private final NotifyService notify;

	NotifyCommands(NotifyService notify) {
		this.notify = notify;
	}

	@Command(name = { "notify", "list" }, group = "Notifications",
			description = "The newest notifications of jobs' ends: pending, delivered or failed", help = """
					A notification is made when a job ends as notify-on says (config), for notify-url and
					notify-command each; worker hosts deliver it, retrying (1s, 2s, 4s, ... at most 10m apart)
					for notify-retry-for, then keep it as failed.
					  queuectl notify list
					  queuectl notify list --failed
					  queuectl notify list --json --limit 200""")
	void list(@Option(longName = "failed", description = "only the failed ones") Boolean failed,
			@Option(longName = "limit", description = "at most N (default 50)") String limit,
			@Option(longName = "json", description = "print JSON") Boolean json, CommandContext ctx) {
		int n = limit == null ? 50 : parseLimit(limit);
		List<Notification> all = this.notify.list(Boolean.TRUE.equals(failed), n);
		PrintWriter out = ctx.outputWriter();
		if (Boolean.TRUE.equals(json)) {
			Render.json(out, all.stream().map(NotifyService::render).toList());
			return;
		}
		if (all.isEmpty()) {
			out.println(Boolean.TRUE.equals(failed) ? "no failed notifications" : "no notifications");
			return;
		}
		List<List<String>> rows = new ArrayList<>();
		for (Notification x : all) {
			rows.add(List.of(Long.toString(x.id()), x.jobId(), Integer.toString(x.attempt()), x.event(), x.channel(),
					x.status(), Integer.toString(x.tries()), Render.time(x.createdAt()),
					x.error() == null ? "-" : Render.oneLine(x.error(), 60)));
		}
		Render.table(out, List.of("ID", "JOB", "ATTEMPT", "EVENT", "TO", "STATUS", "TRIES", Render.utc("MADE"), "ERROR"), rows);
	}

	@Command(name = { "notify", "retry" }, group = "Notifications",
			description = "Deliver failed notifications again (one by its id, or --all)", help = """
					A failed notification is tried again at once, and for notify-retry-for from now.
					  queuectl notify retry 42
					  queuectl notify retry --all""")
	void retry(@Argument(index = 0) String id, @Option(longName = "all", description = "every failed notification") Boolean all,
			CommandContext ctx) {
		boolean every = Boolean.TRUE.equals(all);
		id = id == null || id.isEmpty() ? null : id;
		if ((id == null) == !every) {
			throw QueuectlException.usage("notify retry needs a notification id or --all");
		}
		int n = this.notify.retry(every ? null : id);
		ctx.outputWriter().println(every ? n + " notification(s) to deliver again" : "notification " + id + " to deliver again");
	}

	private static int parseLimit(String limit) {
		Integer n = dev.queuectl.config.AsciiNumbers.parseInt(limit);
		if (n == null || n < 1 || n > 10_000) {
			throw QueuectlException.usage("--limit must be 1-10000, got '" + limit + "'");
		}
		return n;
	}
}
