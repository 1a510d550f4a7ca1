package dev.queuectl.service;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.job.JobsEnqueued;
import dev.queuectl.job.JobSpecParser;
import dev.queuectl.job.Ticks;
import dev.queuectl.job.Schedule;
import dev.queuectl.job.NewJob;
import dev.queuectl.job.JobState;
import dev.queuectl.job.Job;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.store.ScheduleStore;
import tools.jackson.databind.JsonNode;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Recurring schedules: adding, listing, pausing them, and firing their ticks. Worker hosts call
 * {@link #fireDue} every second; when nothing is due that is one indexed read. A tick is fired in
 * one write transaction (queuectl's transactions take the write lock at BEGIN) that re-reads the
 * schedule, inserts the tick's job (its id is {@code NAME:yyyyMMddTHHmmssZ}, ON CONFLICT DO
 * NOTHING) and moves the schedule past the tick: however many hosts run, and whichever restarts,
 * a tick fires at most once.
 */
@Service
public class ScheduleService {

	private static final Logger log = LoggerFactory.getLogger("dev.queuectl.schedule");

	/** A schedule's name: it starts the ids of its jobs, so no ':' (the separator). */
	static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

	/** A tick later than this (catch-up none) counts as missed. */
	static final Duration MISSED_AFTER = Duration.ofMinutes(1);

	/** At most this many ticks of catch-up all are fired per transaction; the rest on the next turn. */
	static final int MAX_TICKS_PER_TURN = 500;

	/** Missed ticks of a cron schedule are counted up to this many (the count is for the log). */
	static final long MAX_COUNTED = 100_000;

	private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();

	private static final DateTimeFormatter TICK_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
		.withZone(ZoneOffset.UTC);

	private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
		.withZone(ZoneOffset.UTC);

	private final ScheduleStore store;

	private final JobService jobs;

	private final Settings settings;

	private final TransactionTemplate tx;

	private final java.time.Clock clock;

	private final ApplicationEventPublisher events;

	ScheduleService(ScheduleStore store, JobService jobs, Settings settings, TransactionTemplate tx, java.time.Clock clock,
			ApplicationEventPublisher events) {
		this.store = store;
		this.jobs = jobs;
		this.settings = settings;
		this.tx = tx;
		this.clock = clock;
		this.events = events;
	}

	/** What {@code schedule add} was given, before validation. */
	public record Spec(String name, String cron, String every, String zone, String catchUp, boolean noOverlap,
			String template) {
	}

	/** Validates everything, then stores the schedule; its first tick is the first after now. */
	public Schedule add(Spec spec, String workingDir) {
		Instant now = this.clock.instant();
		Schedule s = checked(spec, workingDir, now);
		if (!this.store.insert(s, now)) {
			throw QueuectlException.conflict("a schedule named '" + spec.name() + "' already exists");
		}
		return s;
	}

	/**
	 * Replaces what schedule {@code name} does and when (the dashboard's Edit, issue 29): {@code spec}
	 * is checked as {@link #add} checks it (its name is {@code name}); the schedule keeps its working
	 * folder, its pause, its history, and its next tick is the first after now. Nothing changes when
	 * anything is refused.
	 */
	public Schedule edit(String name, Spec spec) {
		Schedule old = get(name);
		Instant now = this.clock.instant();
		Schedule s = checked(new Spec(name, spec.cron(), spec.every(), spec.zone(), spec.catchUp(), spec.noOverlap(),
				spec.template()), old.workingDir(), now);
		Schedule edited = new Schedule(name, s.cron(), s.every(), s.zone(), s.catchUp(), s.noOverlap(), s.template(),
				old.workingDir(), old.paused(), s.nextFireAt(), old.lastTickAt(), old.lastJobId(), old.skipped(),
				old.createdAt());
		if (!this.store.update(edited, now)) {
			throw new QueuectlException(QueuectlException.NOT_FOUND, "no such schedule: " + name);
		}
		return edited;
	}

	/** The schedule {@code spec} describes, every rule checked; its first tick is the first after {@code now}. */
	private Schedule checked(Spec spec, String workingDir, Instant now) {
		if (spec.name() == null || !NAME.matcher(spec.name()).matches()) {
			throw QueuectlException.usage("a schedule name must be 1-64 characters of A-Z a-z 0-9 . _ - and not start "
					+ "with a dot or a dash, got '" + (spec.name() == null ? "" : JobSpecParser.shown(spec.name())) + "'");
		}
		if ((spec.cron() == null) == (spec.every() == null)) {
			throw QueuectlException.usage("give either --cron 'EXPR' or --every D");
		}
		ZoneId zone = ZoneId.systemDefault();
		if (spec.zone() != null) {
			if (spec.every() != null) {
				throw QueuectlException.usage("--tz goes with --cron: an interval does not depend on a time zone");
			}
			try {
				zone = ZoneId.of(spec.zone().trim());
			}
			catch (DateTimeException ex) {
				throw QueuectlException.usage("unknown time zone '" + JobSpecParser.shown(spec.zone())
						+ "' (use a name like Europe/Paris or UTC)");
			}
		}
		Schedule.CatchUp catchUp = Schedule.CatchUp.LATEST;
		if (spec.catchUp() != null) {
			try {
				catchUp = Schedule.CatchUp.fromDb(spec.catchUp().trim());
			}
			catch (IllegalArgumentException ex) {
				throw QueuectlException.usage("--catch-up must be all, latest or none, got '"
						+ JobSpecParser.shown(spec.catchUp()) + "'");
			}
		}
		String cron = spec.cron() == null ? null : spec.cron().trim();
		Duration every = spec.every() == null ? null : Ticks.parseEvery(spec.every());
		if (cron != null) {
			Ticks.parseCron(cron);
		}
		if (spec.template() == null || spec.template().isBlank()) {
			throw QueuectlException.usage("schedule add needs the job as JSON, e.g. '{\"command\":\"backup.sh\"}'");
		}
		JsonNode node = JobSpecParser.readTree(spec.template(), "");
		for (String field : List.of("id", "run_at", "after", "start_by")) {
			if (node.isObject() && node.has(field)) {
				throw QueuectlException.usage("field '" + field + "' has no place in a schedule's job: "
						+ (field.equals("id") ? "each tick's job gets the id NAME:TICK" : field.equals("run_at")
								? "the tick says when (use 'delay' to start later)" : field.equals("start_by")
								? "every tick would share one deadline (use 'start_within')" : "a tick's job runs after no other"));
			}
		}
		JobSpecParser.parse(node, "", new JobSpecParser.Defaults(0, now, workingDir)); // the whole template, or nothing
		Schedule draft = new Schedule(spec.name(), cron, every, zone, catchUp, spec.noOverlap(), spec.template().strip(),
				workingDir, false, now, null, null, 0, now);
		Instant first = Ticks.of(draft).next(now);
		if (first.equals(Schedule.NEVER)) {
			throw QueuectlException.usage("the cron expression '" + cron + "' never fires");
		}
		return new Schedule(draft.name(), cron, every, zone, catchUp, spec.noOverlap(), draft.template(),
				workingDir, false, first, null, null, 0, now);
	}

	public List<Schedule> list() {
		return this.store.list();
	}

	public Schedule get(String name) {
		return this.store.find(name)
			.orElseThrow(() -> new QueuectlException(QueuectlException.NOT_FOUND, "no such schedule: " + name));
	}

	/** The next {@code n} fire times after now (fewer when the expression ends, none while it is paused). */
	public List<Instant> upcoming(Schedule s, int n) {
		List<Instant> times = new ArrayList<>();
		if (s.paused()) {
			return times;
		}
		Ticks ticks = Ticks.of(s);
		Instant t = s.nextFireAt();
		Instant now = this.clock.instant();
		if (t.isBefore(now)) { // due now: the first one to come after the missed ones is next
			t = ticks.next(now);
		}
		while (times.size() < n && !t.equals(Schedule.NEVER)) {
			times.add(t);
			t = ticks.next(t);
		}
		return times;
	}

	/** A schedule's recent jobs, newest first. */
	public List<Job> recentJobs(String name, int limit) {
		return this.jobs.withIdPrefix(name + ":", limit);
	}

	public void remove(String name) {
		if (!this.store.delete(name)) {
			throw new QueuectlException(QueuectlException.NOT_FOUND, "no such schedule: " + name);
		}
	}

	public void pause(String name) {
		if (!this.store.setPaused(name, true, null, this.clock.instant())) {
			throw new QueuectlException(QueuectlException.NOT_FOUND, "no such schedule: " + name);
		}
	}

	/** Resumes a schedule from its next tick after now: ticks that passed while it was paused do not fire. */
	public void resume(String name) {
		Instant now = this.clock.instant();
		Schedule s = get(name);
		this.store.setPaused(name, false, s.paused() ? Ticks.of(s).next(now) : null, now);
	}

	/** Enqueues the schedule's job once, now (its id is {@code NAME:run-TIME}); returns the job's id. */
	public String runNow(String name) {
		Schedule s = get(name);
		Instant now = this.clock.instant();
		NewJob job = jobOf(s, "run-" + RUN_ID.format(now), now);
		Boolean stored = this.tx.execute(status -> {
			if (!this.jobs.insertInTransaction(job, now)) {
				return false;
			}
			this.store.setLastJob(name, job.id(), now);
			return true;
		});
		if (!Boolean.TRUE.equals(stored)) {
			String holder = job.uniqueKey() == null ? null : this.jobs.liveJobWithKey(job.uniqueKey()).orElse(null);
			throw QueuectlException.conflict(holder != null ? "not enqueued: job " + holder + " holds the unique key '"
					+ job.uniqueKey() + "'" : "a job with id '" + job.id() + "' already exists");
		}
		this.events.publishEvent(new JobsEnqueued(1));
		return job.id();
	}

	/** Ticks this process could not enqueue: a firing that failed (retried), or a job not valid now (skipped). */
	public long failures() {
		return this.failures.get();
	}

	/**
	 * Fires every tick due now, by each schedule's catch-up policy. Cheap when nothing is due: one
	 * read of the index of next fire times. Returns how many jobs were enqueued.
	 */
	public int fireDue() {
		Instant now = this.clock.instant();
		Instant next = this.store.nextDue();
		if (next == null || next.isAfter(now)) {
			return 0;
		}
		int enqueued = 0;
		for (Schedule s : this.store.due(now)) {
			try {
				Integer n = this.tx.execute(status -> fire(s.name(), now));
				enqueued += n == null ? 0 : n;
			}
			catch (RuntimeException ex) {
				this.failures.incrementAndGet();
				log.warn("schedule {}: firing failed, will retry: {}", s.name(), ex.getMessage());
			}
		}
		if (enqueued > 0) {
			this.events.publishEvent(new JobsEnqueued(enqueued));
		}
		return enqueued;
	}

	/** Fires one schedule's due ticks, in the caller's write transaction. */
	private int fire(String name, Instant now) {
		Schedule s = this.store.find(name).orElse(null);
		if (s == null || s.paused() || s.nextFireAt().isAfter(now)) {
			return 0; // another host fired it first
		}
		Ticks ticks = Ticks.of(s);
		List<Instant> toFire = new ArrayList<>();
		long skipped = 0;
		Instant last;
		if (s.catchUp() == Schedule.CatchUp.ALL) {
			for (Instant t = s.nextFireAt(); !t.isAfter(now) && toFire.size() < MAX_TICKS_PER_TURN; t = ticks.next(t)) {
				toFire.add(t);
			}
			last = toFire.get(toFire.size() - 1);
		}
		else {
			last = ticks.latest(s.nextFireAt(), now);
			skipped = ticks.count(s.nextFireAt(), last, MAX_COUNTED); // a cron's ticks are counted one by one
			boolean late = Duration.between(last, now).compareTo(MISSED_AFTER) > 0;
			if (s.catchUp() == Schedule.CatchUp.NONE && late) {
				skipped++;
			}
			else {
				toFire.add(last);
			}
			if (skipped > 0) {
				log.info("schedule {}: {}{} missed tick(s) since {} not enqueued (catch-up {})", name,
						skipped >= MAX_COUNTED ? "at least " : "", skipped, s.nextFireAt(), s.catchUp().dbValue());
			}
		}
		String lastJob = s.lastJobId();
		String firedJob = null;
		int enqueued = 0;
		for (Instant tick : toFire) {
			if (s.noOverlap() && lastJob != null) {
				JobState state = this.jobs.states(List.of(lastJob)).get(lastJob);
				if (state != null && !state.terminal()) {
					log.info("schedule {}: tick {} skipped: the previous run {} is still {} (--no-overlap)", name, tick,
							lastJob, state.dbValue());
					skipped++;
					continue;
				}
			}
			NewJob job;
			try {
				job = jobOf(s, TICK_ID.format(tick), tick);
			}
			catch (QueuectlException ex) {
				this.failures.incrementAndGet();
				log.warn("schedule {}: tick {} skipped: its job is not valid now: {}", name, tick, ex.getMessage());
				skipped++;
				continue;
			}
			if (this.jobs.insertInTransaction(job, now)) {
				log.info("schedule {}: tick {} enqueued {}", name, tick, job.id());
				lastJob = job.id();
				firedJob = job.id();
				enqueued++;
			}
			else {
				String holder = job.uniqueKey() == null ? null : this.jobs.liveJobWithKey(job.uniqueKey()).orElse(null);
				log.info("schedule {}: tick {} skipped: {}", name, tick, holder != null ? "job " + holder
						+ " holds the unique key '" + job.uniqueKey() + "'" : "job " + job.id() + " exists already");
				skipped++;
			}
		}
		if (!this.store.advance(name, s.nextFireAt(), ticks.next(last), last, firedJob, skipped, now)) {
			throw new IllegalStateException("schedule " + name + " changed while it fired"); // rolls back
		}
		return enqueued;
	}

	/**
	 * The template as a job: its id NAME:suffix, runnable from {@code runAt} (plus its delay). A tick
	 * fires when this host's clock reaches it: its time is counted from this host's now, like a delay.
	 */
	private NewJob jobOf(Schedule s, String suffix, Instant runAt) {
		JsonNode node = JobSpecParser.readTree(s.template(), "");
		Settings.Snapshot cfg = this.settings.snapshot();
		NewJob t = JobSpecParser.parse(node, "",
				new JobSpecParser.Defaults(cfg.maxRetries(), runAt, s.workingDir(), JobService.defaultRetryRule(cfg)));
		return new NewJob(s.name() + ":" + suffix, t.command(), t.queue(), t.priority(), t.maxRetries(), t.runAt(),
				t.runAtNamed(), t.timeout(), t.workingDir(), t.uniqueKey(), List.of(), t.resources(), t.slots(),
				t.startBy(), t.startByNamed(), t.retryRule(), t.limits(), t.env());
	}

	/** The states of the named jobs that exist. */
	public Map<String, JobState> states(List<String> ids) {
		return this.jobs.states(ids);
	}
}
