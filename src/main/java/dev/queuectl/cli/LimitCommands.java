package dev.queuectl.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.service.LimitService;
import dev.queuectl.job.LimitSetting;
import dev.queuectl.view.Render;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

/** limit set/list/rm and queue rate: parse, call {@link LimitService}, render. */
@Component
class LimitCommands {

	private final LimitService limits;

	LimitCommands(LimitService limits) {
		this.limits = limits;
	}

	@Command(name = { "limit", "set" }, group = "Queues",
			description = "Limit the jobs that name a key (\"limits\": [...]): at most N running, at most N starts per window", help = """
					KEY is a name (stripe) or a family PREFIX* (customer:*), whose settings apply to each
					matching key separately; a key's own setting wins over a family's. A job naming keys starts
					only when every key has room: fewer than --concurrency running, fewer than N starts in the
					last DURATION (a sliding window). The setting not given keeps its value.
					  queuectl limit set stripe --rate 100/1m
					  queuectl limit set 'customer:*' --concurrency 2
					  queuectl enqueue '{"command":"./export.sh 42","limits":["customer:42","stripe"]}'""")
	void set(@Argument(index = 0) String key,
			@Option(longName = "concurrency", shortName = 'c', description = "at most N jobs of the key running at once") String concurrency,
			@Option(longName = "rate", shortName = 'r', description = "at most N starts per DURATION, like 100/1m") String rate,
			CommandContext ctx) {
		if (key == null) {
			throw QueuectlException.usage("limit set needs a key and --concurrency N and/or --rate N/DURATION");
		}
		LimitSetting s = this.limits.set(key, concurrency, rate);
		ctx.outputWriter().println(s.key() + ": " + describe(s));
	}

	@Command(name = { "limit", "list" }, group = "Queues",
			description = "Every limit: its settings, jobs running now and starts in the current window", help = """
					  queuectl limit list
					  queuectl limit list --json

					A family's row (customer:*) sums the keys it governs; each key in use follows,
					indented, with its own running jobs and starts (the settings hold per key).""")
	void list(@Option(longName = "json", description = "print JSON") Boolean json, CommandContext ctx) {
		List<LimitSetting> all = this.limits.list();
		PrintWriter out = ctx.outputWriter();
		if (Boolean.TRUE.equals(json)) {
			Render.json(out, all.stream().map(Render::limit).toList());
			return;
		}
		if (all.isEmpty()) {
			out.println("no limits");
			return;
		}
		List<List<String>> rows = new ArrayList<>();
		for (LimitSetting s : all) {
			rows.add(List.of(s.key(), s.concurrency() == null ? "-" : s.concurrency().toString(),
					s.rate() == null ? "-" : s.rate().text(), Integer.toString(s.running()),
					s.rate() == null ? "-" : Integer.toString(s.starts())));
			for (LimitSetting.KeyUse k : s.keys()) { // a family's row sums its keys; each key's own below it
				rows.add(List.of("  " + k.key(), s.concurrency() == null ? "-" : s.concurrency().toString(),
						s.rate() == null ? "-" : s.rate().text(), Integer.toString(k.running()),
						s.rate() == null ? "-" : Integer.toString(k.starts())));
			}
		}
		Render.table(out, List.of("KEY", "CONCURRENCY", "RATE", "RUNNING", "STARTS"), rows);
	}

	@Command(name = { "limit", "rm" }, group = "Queues", description = "Remove a key's limit: its jobs run freely", help = """
			  queuectl limit rm stripe""")
	void rm(@Argument(index = 0) String key, CommandContext ctx) {
		if (key == null) {
			throw QueuectlException.usage("limit rm needs a key");
		}
		this.limits.remove(key);
		ctx.outputWriter().println(key + " removed");
	}

	@Command(name = { "queue", "rate" }, group = "Queues",
			description = "Start at most N jobs of a queue per DURATION across all worker hosts (off: no rate)", help = """
					  queuectl queue rate emails 100/1m
					  queuectl queue rate emails off""")
	void rate(@Argument(index = 0) String queue, @Argument(index = 1) String rate, CommandContext ctx) {
		if (queue == null || rate == null) {
			throw QueuectlException.usage("queue rate needs a queue and N/DURATION (like 100/1m), or off");
		}
		LimitSetting.Rate r = this.limits.queueRate(queue, rate);
		ctx.outputWriter().println(queue + (r == null ? " has no rate" : " starts at most " + r.count() + " job(s) per "
				+ dev.queuectl.config.Durations.format(r.window())));
	}

	private static String describe(LimitSetting s) {
		List<String> parts = new ArrayList<>();
		if (s.concurrency() != null) {
			parts.add("at most " + s.concurrency() + " running");
		}
		if (s.rate() != null) {
			parts.add("at most " + s.rate().text() + " starts");
		}
		return String.join(", ", parts) + (s.isFamily() ? " per key" : "");
	}
}
