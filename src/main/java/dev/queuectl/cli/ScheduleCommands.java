package dev.queuectl.cli;

import dev.queuectl.job.Ticks;
import dev.queuectl.server.Invocation;
import dev.queuectl.view.Render;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.Durations;
import dev.queuectl.job.Job;
import dev.queuectl.job.JobState;
import dev.queuectl.service.RetentionService;
import dev.queuectl.job.Schedule;
import dev.queuectl.service.ScheduleService;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

/** The schedule commands and prune: parse, call {@link ScheduleService} or {@link RetentionService}, render. */
@Component
class ScheduleCommands {

	private final ScheduleService schedules;

	private final RetentionService retention;

	ScheduleCommands(ScheduleService schedules, RetentionService retention) {
		this.schedules = schedules;
		this.retention = retention;
	}

	@Command(name = { "schedule", "add" }, group = "Schedules",
			description = "Enqueue a job from a template at every tick of a cron expression or interval", help = """
					Worker hosts fire the ticks: each tick enqueues one job, with the id NAME:yyyyMMddTHHmmssZ (the
					tick in UTC), however many hosts run. The job is the JSON template (the fields of enqueue but
					id, run_at and after); it runs in the directory the schedule was added from.
					--cron: 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or a
					macro (@hourly, @daily, @weekly, @monthly, @yearly), in --tz (default: the system's zone).
					--every: fires at the multiples of D since 1970-01-01 UTC (every 10m: at :00, :10, ...).
					--catch-up: ticks missed while no worker host ran: latest (default: one job, for the latest),
					all (one job each), none (no job; a tick more than a minute late counts as missed).
					--no-overlap: a tick is skipped (the worker log says so) while the previous tick's job has
					not finished.
					  queuectl schedule add nightly --cron '30 2 * * *' --tz Europe/Paris '{"command":"./backup.sh"}'
					  queuectl schedule add poll --every 5m --no-overlap '{"command":"./poll.sh","timeout":"4m"}'
					  queuectl schedule add report --cron @daily --catch-up all '{"command":"make report","queue":"batch"}'""")
	void add(@Arguments List<String> args,
			@Option(longName = "cron", description = "a cron expression (quote it)") String cron,
			@Option(longName = "every", description = "an interval: 30s, 10m, 1h, 1d") String every,
			@Option(longName = "tz", description = "time zone of --cron, e.g. Europe/Paris (default: the system's)") String tz,
			@Option(longName = "catch-up", description = "missed ticks: all, latest (default) or none") String catchUp,
			@Option(longName = "no-overlap", description = "skip a tick while the previous run is unfinished") Boolean noOverlap,
			CommandContext ctx) {
		nameAndJob("schedule add", args);
		Schedule s = this.schedules.add(new ScheduleService.Spec(args.get(0), cron, every, tz, catchUp,
				Boolean.TRUE.equals(noOverlap), args.get(1)), Invocation.current().workingDir().toString());
		ctx.outputWriter().println(s.name() + " added: next run " + Render.time(s.nextFireAt()) + " UTC");
	}

	/** {@code schedule add} and {@code edit} take a NAME and one JSON job: anything else is a usage error. */
	private static void nameAndJob(String command, List<String> args) {
		if (args.size() != 2) {
			throw QueuectlException.usage(args.isEmpty() ? command + " needs a NAME and a JSON job (try 'queuectl help " + command + "')"
					: args.size() == 1 ? command + " needs a JSON job after the name (quote the JSON)"
							: command + " takes a NAME and one JSON argument, got " + args.size() + " arguments (quote the JSON)");
		}
	}

	@Command(name = { "schedule", "edit" }, group = "Schedules",
			description = "Replace a schedule's rule and job (its pause and past runs stay; the next run is the first after now)", help = """
					Takes what schedule add takes, all of it as the schedule is to be; anything refused changes nothing.
					The jobs of its ticks keep running in the directory it was added from.
					  queuectl schedule edit nightly --cron '0 3 * * *' '{"command":"./backup.sh --full"}'
					  queuectl schedule edit poll --every 10m --no-overlap '{"command":"./poll.sh"}'""")
	void edit(@Arguments List<String> args,
			@Option(longName = "cron", description = "a cron expression (quote it)") String cron,
			@Option(longName = "every", description = "an interval: 30s, 10m, 1h, 1d") String every,
			@Option(longName = "tz", description = "time zone of --cron, e.g. Europe/Paris (default: the system's)") String tz,
			@Option(longName = "catch-up", description = "missed ticks: all, latest (default) or none") String catchUp,
			@Option(longName = "no-overlap", description = "skip a tick while the previous run is unfinished") Boolean noOverlap,
			CommandContext ctx) {
		nameAndJob("schedule edit", args);
		Schedule s = this.schedules.edit(args.get(0), new ScheduleService.Spec(args.get(0), cron, every, tz, catchUp,
				Boolean.TRUE.equals(noOverlap), args.get(1)));
		ctx.outputWriter().println(s.name() + " saved: next run "
				+ (s.paused() ? "none (paused)" : Render.time(s.nextFireAt()) + " UTC"));
	}

	@Command(name = { "schedule", "list" }, group = "Schedules",
			description = "Every schedule with its next 3 fire times", help = """
					Times are UTC in the table, ISO-8601 in JSON.
					  queuectl schedule list
					  queuectl schedule list --json""")
	void list(@Option(longName = "json", description = "print JSON") Boolean json, CommandContext ctx) {
		List<Schedule> all = this.schedules.list();
		PrintWriter out = ctx.outputWriter();
		if (Boolean.TRUE.equals(json)) {
			Render.json(out, all.stream().map(s -> Render.schedule(s, this.schedules.upcoming(s, 3))).toList());
			return;
		}
		if (all.isEmpty()) {
			out.println("no schedules");
			return;
		}
		List<List<String>> rows = new ArrayList<>();
		for (Schedule s : all) {
			List<Instant> next = this.schedules.upcoming(s, 3);
			rows.add(List.of(s.name(), s.paused() ? "paused" : "active", s.when(),
					s.cron() == null ? "-" : s.zone().getId(), s.catchUp().dbValue() + (s.noOverlap() ? ",no-overlap" : ""),
					next.isEmpty() ? "-" : String.join(", ", next.stream().map(Render::time).toList()),
					s.lastJobId() == null ? "-" : s.lastJobId()));
		}
		Render.table(out, List.of("NAME", "STATE", "WHEN", "TZ", "CATCH-UP", "NEXT (UTC)", "LAST JOB"), rows);
	}

	@Command(name = { "schedule", "show" }, group = "Schedules",
			description = "A schedule's settings, next fire times and recent runs", help = """
					  queuectl schedule show nightly
					  queuectl schedule show nightly --json""")
	void show(@Argument(index = 0) String name,
			@Option(longName = "limit", shortName = 'n', defaultValue = "10", description = "recent runs shown (default 10)") Integer limit,
			@Option(longName = "json", description = "print JSON") Boolean json, CommandContext ctx) {
		Schedule s = this.schedules.get(required(name, "show"));
		if (limit < 1) {
			throw QueuectlException.usage("--limit must be at least 1");
		}
		List<Job> recent = this.schedules.recentJobs(s.name(), limit);
		PrintWriter out = ctx.outputWriter();
		if (Boolean.TRUE.equals(json)) {
			Map<String, Object> m = Render.schedule(s, this.schedules.upcoming(s, 3));
			m.put("recent", recent.stream().map(Render::job).toList());
			Render.json(out, m);
			return;
		}
		List<Instant> next = this.schedules.upcoming(s, 3);
		List<List<String>> rows = new ArrayList<>();
		rows.add(List.of("name", s.name()));
		rows.add(List.of("state", s.paused() ? "paused" : "active"));
		rows.add(List.of(s.cron() != null ? "cron" : "every", s.cron() != null ? s.cron() : Durations.format(s.every())));
		if (s.cron() != null) {
			rows.add(List.of("tz", s.zone().getId()));
		}
		rows.add(List.of("catch-up", s.catchUp().dbValue()));
		rows.add(List.of("no-overlap", Boolean.toString(s.noOverlap())));
		rows.add(List.of("job", s.template()));
		rows.add(List.of("working_dir", s.workingDir()));
		rows.add(List.of("next (UTC)", next.isEmpty() ? "-" : String.join(", ", next.stream().map(Render::time).toList())));
		rows.add(List.of("last tick (UTC)", Render.time(s.lastTickAt())));
		rows.add(List.of("ticks skipped", Long.toString(s.skipped())));
		rows.add(List.of("created (UTC)", Render.time(s.createdAt())));
		Render.table(out, List.of("FIELD", "VALUE"), rows);
		out.println();
		if (recent.isEmpty()) {
			out.println("no runs yet");
			return;
		}
		List<List<String>> runs = new ArrayList<>();
		for (Job job : recent) {
			runs.add(List.of(job.id(), job.state().dbValue(), Integer.toString(job.attempts()),
					job.exitCode() == null ? "-" : job.exitCode().toString(), Render.time(job.updatedAt()),
					job.lastError() == null ? "" : Render.oneLine(job.lastError(), 60)));
		}
		Render.table(out, List.of("JOB", "STATE", "ATTEMPTS", "EXIT", Render.utc("UPDATED"), "ERROR"), runs);
	}

	@Command(name = { "schedule", "rm" }, group = "Schedules",
			description = "Delete a schedule (the jobs it enqueued stay)", help = """
					  queuectl schedule rm nightly""")
	void rm(@Argument(index = 0) String name, CommandContext ctx) {
		this.schedules.remove(required(name, "rm"));
		ctx.outputWriter().println(name + " removed");
	}

	@Command(name = { "schedule", "pause" }, group = "Schedules",
			description = "Fire no more ticks of a schedule until it is resumed", help = """
					  queuectl schedule pause nightly""")
	void pause(@Argument(index = 0) String name, CommandContext ctx) {
		this.schedules.pause(required(name, "pause"));
		ctx.outputWriter().println(name + " paused");
	}

	@Command(name = { "schedule", "resume" }, group = "Schedules",
			description = "Fire a paused schedule's ticks again, from the next one to come", help = """
					Ticks that passed while the schedule was paused are not fired.
					  queuectl schedule resume nightly""")
	void resume(@Argument(index = 0) String name, CommandContext ctx) {
		this.schedules.resume(required(name, "resume"));
		ctx.outputWriter().println(name + " resumed");
	}

	@Command(name = { "schedule", "run" }, group = "Schedules",
			description = "Enqueue a schedule's job once, now; prints its id", help = """
					The job's id is NAME:run-TIME; the schedule's ticks go on as before.
					  queuectl schedule run nightly""")
	void run(@Argument(index = 0) String name, CommandContext ctx) {
		ctx.outputWriter().println(this.schedules.runNow(required(name, "run")));
	}

	@Command(name = "prune", group = "Jobs",
			description = "Delete finished jobs past their retention, with their attempts and output", help = """
					Without options, uses the settings retention-completed, retention-dead and retention-canceled
					(0 keeps that state's jobs). --older-than applies one age to every finished state (or to
					--state). Also removes output folders of jobs that no longer exist. Worker hosts prune by the
					settings every minute by themselves.
					  queuectl prune --dry-run
					  queuectl prune --older-than 1d
					  queuectl prune --state dead --older-than 90d""")
	void prune(@Option(longName = "older-than", description = "jobs finished longer ago than this (e.g. 12h, 7d)") String olderThan,
			@Option(longName = "state", shortName = 's', description = "only completed, dead or canceled jobs") String state,
			@Option(longName = "dry-run", description = "print what would be removed, remove nothing") Boolean dryRun,
			CommandContext ctx) {
		Duration age = null;
		if (olderThan != null) {
			age = Durations.parseOrNull(olderThan);
			if (age == null || age.isZero()) {
				throw QueuectlException.usage("--older-than must be a duration like 12h or 7d, more than 0, got '"
						+ olderThan + "'");
			}
		}
		List<JobState> states = RetentionService.STATES;
		if (state != null) {
			JobState s = JobState.parse(state);
			if (!RetentionService.STATES.contains(s)) {
				throw QueuectlException.usage("--state must be completed, dead or canceled, got '" + state + "'");
			}
			states = List.of(s);
		}
		Map<JobState, Duration> configured = this.retention.configured();
		Map<JobState, Duration> ages = new LinkedHashMap<>();
		for (JobState s : states) {
			ages.put(s, age != null ? age : configured.get(s));
		}
		boolean dry = Boolean.TRUE.equals(dryRun);
		RetentionService.Pruned pruned = this.retention.prune(ages, dry, true);
		PrintWriter out = ctx.outputWriter();
		List<List<String>> rows = new ArrayList<>();
		pruned.jobs().forEach((s, n) -> {
			Duration d = pruned.olderThan().get(s);
			rows.add(List.of(s.dbValue(), d.isZero() ? "kept (retention 0)" : Durations.format(d), Long.toString(n)));
		});
		Render.table(out, List.of("STATE", "OLDER THAN", dry ? "WOULD REMOVE" : "REMOVED"), rows);
		if (dry) {
			out.println("dry run: " + pruned.total() + " job(s) would be removed");
		}
		else {
			out.println(pruned.total() + " job(s) removed, " + size(pruned.outputBytes()) + " of output"
					+ (pruned.orphanFolders() > 0 ? ", " + pruned.orphanFolders() + " output folder(s) of jobs that no longer exist" : ""));
		}
	}

	/** Bytes in the unit a person reads best. */
	static String size(long bytes) {
		if (bytes < 1024) {
			return bytes + " B";
		}
		String[] units = { "KiB", "MiB", "GiB", "TiB" };
		double v = bytes;
		int u = -1;
		while (v >= 1024 && u < units.length - 1) {
			v /= 1024;
			u++;
		}
		// %.1f's rounding (half up) without a Formatter: one per call looked up the locale's digits,
		// ~10 us each, a fifth of a served status's CPU (docs/benchmarks.md, session 26). v is exact
		// (a division by a power of two), so its exact decimal rounds as %.1f rounds it (checked on
		// 70 million sizes: ScheduleCommandsTest).
		return new java.math.BigDecimal(v).setScale(1, java.math.RoundingMode.HALF_UP).toPlainString() + " " + units[u];
	}

	private static String required(String name, String command) {
		if (name == null || name.isEmpty()) {
			throw QueuectlException.usage("schedule " + command + " needs a schedule name");
		}
		return name;
	}
}
