package dev.queuectl.worker;

import dev.queuectl.job.RunResult;

import dev.queuectl.job.Claim;
import dev.queuectl.job.FreeOnHost;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.config.Durations;
import dev.queuectl.service.JobService;
import dev.queuectl.service.Settings;
import dev.queuectl.job.JobState;
import dev.queuectl.service.RetentionService;
import dev.queuectl.job.RetryPolicy;
import dev.queuectl.service.ScheduleService;
import dev.queuectl.store.HostWakeups;
import dev.queuectl.store.WorkerRegistryStore;
import dev.queuectl.store.WorkerStore;
import org.springframework.core.task.TaskExecutor;

/**
 * One worker host: a process running {@code worker start} with N slots. A dispatcher (the thread
 * that calls {@link #run}) owns the database side: in one transaction it records every run the
 * slots finished since its last turn and claims jobs for the idle slots (a group commit); the
 * slots, on the task executor, only run commands: what a claimed job needs of the database to start
 * (its variables) the dispatcher reads for the whole turn's claims right after the claim, so a slot
 * goes from one job to the next without waiting for the database. A heartbeat renews the leases of
 * running jobs and takes back jobs whose worker died. On stop no job is claimed; running ones finish within
 * the shutdown grace, then are killed and go back to the queue uncounted.
 * <p>
 * While jobs take only milliseconds, the dispatcher claims a few more than there are slots, so
 * that a slot finds its next job waiting and one transaction covers several jobs. Those claims
 * go back to the queue, uncounted, as soon as they have waited {@link #IDLE_POLL} (a job turned
 * out long) or the host stops.
 * <p>
 * Its claims take only jobs that fit what it has free ({@link HostCapacity}): the slots and the
 * resources ({@code --resources}) its claimed jobs do not take.
 */
final class WorkerHost {

	private static final Logger log = LoggerFactory.getLogger("dev.queuectl.worker");

	static final Duration IDLE_POLL = Duration.ofMillis(200);

	/**
	 * The idle poll while the database wakes the host (PostgreSQL's LISTEN, SQLite's watched WAL file):
	 * a fallback, and what finds retries and delayed jobs falling due.
	 */
	static final Duration LISTENING_POLL = Duration.ofSeconds(1);

	/** How often a host with running jobs reads whether someone canceled one of them. */
	static final Duration CANCEL_POLL = Duration.ofMillis(500);

	/** A canceled job gets SIGTERM, then SIGKILL this much later. */
	static final Duration CANCEL_GRACE = Duration.ofSeconds(5);

	/** At most this many claims ahead per slot... */
	static final int MAX_AHEAD_PER_SLOT = 8;

	/**
	 * ...except that a host of fewer slots may claim as many in all as a 6-slot one: a turn then records
	 * and claims about half of them in one transaction, whatever the host's size. With 8 a slot, 3
	 * hosts of 2 slots took 3 times as many turns as 1 host of 6 for the same jobs, and their JVMs
	 * 59 against 35 ms of CPU per 1,000 `true` jobs: 0.86x its rate (docs/benchmarks.md, issue 15).
	 */
	static final int MIN_AHEAD_PER_HOST = 6 * MAX_AHEAD_PER_SLOT;

	/**
	 * ...and no more than a slot runs in about this many ms: enough to outlast a slow turn (on a
	 * busy machine a commit's flush to disk, or a time slice of the database server, takes tens of
	 * ms, and a slot whose queue ran dry waits for the rest of that turn), short enough that a claim
	 * does not wait long while another host could run it.
	 */
	static final double AHEAD_MS = 100;

	/**
	 * Jobs shorter than this on average are claimed ahead, within {@link #AHEAD_MS} of work a slot:
	 * as long as the horizon, so the number ahead falls smoothly with the jobs' length instead of
	 * dropping to none. At 20 ms a `true` job on a busy machine (its wall time, waiting for a CPU)
	 * counted as long: every run was then a transaction of its own, and the host's CPU a job grew by
	 * a third to nearly double just when CPU was short (docs/benchmarks.md, session 24).
	 */
	static final double SHORT_JOB_MS = AHEAD_MS;

	private static final Assignment POISON = new Assignment(null, null, 0);

	private final String id;

	private final WorkerOptions options;

	private final WorkerStore store;

	private final WorkerRegistryStore registry;

	private final Settings settings;

	private final Clock clock;

	private final TaskExecutor executor;

	private final JobRunner runner;

	private final WorkerMetrics metrics;

	private final Map<String, JobExecutor.RunningJob> running = new ConcurrentHashMap<>();

	/** A claim failed in flight: it may have committed; the next turn gives back what this host does not hold. */
	private boolean claimAnswerMayBeLost;

	/** Runs the slots finished, waiting for the dispatcher to record them. */
	private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();

	/** Claimed jobs no slot has taken yet: whoever polls one owns it. */
	private final BlockingDeque<Assignment> ready = new LinkedBlockingDeque<>();

	/** Average run time of recent jobs, in ms (exponentially weighted), deciding claims ahead. */
	private double averageRunMs = Double.MAX_VALUE;

	private final Object wakeup = new Object();

	/** How long until a job held back by a rate may start, as the last idle poll found (null: none is). */
	private Duration heldFor;

	private final ScheduledExecutorService heartbeat = Executors
		.newSingleThreadScheduledExecutor(JobExecutor.daemon("queuectl-heartbeat"));

	/** Pruning and checkpoints: a thread of their own, so a long prune never delays a heartbeat. */
	private final ScheduledExecutorService housekeeping = Executors
		.newSingleThreadScheduledExecutor(JobExecutor.daemon("queuectl-housekeeping"));

	/** How often a host looks for a schedule's tick that is due. */
	static final Duration TICK_POLL = Duration.ofSeconds(1);

	private final Housekeeping chores;

	/** System.nanoTime() of the last claim or recorded run: the host is idle when it is old. */
	private volatile long lastActive = System.nanoTime();

	private volatile Settings.Snapshot config;

	private long lastCancelPoll;

	/** Set when the database said a job was canceled: the next turn reads cancels at once. */
	private volatile boolean cancelHeard;

	private volatile HostWakeups.Listening listening;

	private volatile Function<RuntimeException, String> describe = ex -> null;

	/** Database failures logged (their line) and when (System.nanoTime()), until the database answers again. */
	private final Map<String, Long> failures = new java.util.HashMap<>();

	/** A database failure logged is not logged again for this long. */
	static final Duration REPEAT_QUIET = Duration.ofSeconds(30);

	private volatile Duration listeningPoll = LISTENING_POLL;

	/** The queues paused when last read, to log a change once. */
	private volatile List<String> paused = List.of();

	private volatile boolean stopping;

	private volatile boolean nudged;

	private volatile Instant lastHeartbeat;

	/** When this host first registered (kept when it registers again after being forgotten). */
	private Instant startedAt;

	/** Jobs claimed and not yet recorded: running, waiting in {@link #ready}, or finished. */
	private volatile int busy;

	/** Whether the listener was last told that this host is idle (dispatcher only). */
	private boolean idle = true;

	/** How many finished runs make a dispatcher turn worth its transaction. */
	private volatile int batch = 1;

	/** The slots and resources the claimed jobs take, and so what is free (dispatcher only). */
	private final HostCapacity capacity;

	WorkerHost(WorkerOptions options, WorkerStore store, WorkerRegistryStore registry, Settings settings, Clock clock,
			TaskExecutor executor, JobRunner runner, WorkerMetrics metrics, Housekeeping chores) {
		this.chores = chores;
		this.options = options;
		this.store = store;
		this.registry = registry;
		this.settings = settings;
		this.clock = clock;
		this.executor = executor;
		this.runner = runner;
		this.metrics = metrics;
		this.config = settings.snapshot();
		this.capacity = new HostCapacity(options.slots(), options.resources());
		this.id = hostname() + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID().toString().substring(0, 8);
	}

	String id() {
		return this.id;
	}

	Instant lastHeartbeat() {
		return this.lastHeartbeat;
	}

	Duration heartbeatInterval() {
		return Duration.ofMillis(Math.max(500, Math.min(5000, this.config.leaseTimeout().toMillis() / 5)));
	}

	/** Puts this host in the registry of worker hosts (again, with its first start time, after it was forgotten). */
	private void register(Instant now) {
		this.registry.register(this.id, hostname(), ProcessHandle.current().pid(), this.options.slots(),
				this.options.queues().isEmpty() ? null : String.join(",", this.options.queues()),
				this.options.httpPort(), this.startedAt, now, this.options.resources());
	}

	/** Registers, then claims and runs jobs until asked to stop; returns once every job is settled. */
	void run() {
		Instant now = this.clock.instant();
		this.startedAt = now;
		register(now);
		this.registered.run();
		this.lastHeartbeat = now;
		long every = heartbeatInterval().toMillis();
		this.heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
		this.heartbeat.scheduleWithFixedDelay(this::fireTicks, 0, TICK_POLL.toMillis(), TimeUnit.MILLISECONDS);
		long prune = this.chores.interval().toMillis();
		this.housekeeping.scheduleWithFixedDelay(this::keepHouse, Math.min(prune, 5000), prune, TimeUnit.MILLISECONDS);
		this.store.reapExpired(now).forEach(jobId -> {
			this.metrics.attempt("lost");
			log.info("{} taken back from a dead worker", jobId);
		});
		log.info("worker {} started: {} slot(s), queues {}{}", this.id, this.options.slots(),
				this.options.queues().isEmpty() ? "all" : this.options.queues(),
				this.options.resources().isEmpty() ? "" : ", resources " + this.options.resources());
		logPausedQueues();
		for (int i = 0; i < this.options.slots(); i++) {
			this.executor.execute(new Slot());
		}
		try {
			dispatch();
		}
		finally {
			for (int i = 0; i < this.options.slots(); i++) {
				this.ready.addFirst(POISON);
			}
			HostWakeups.Listening l = this.listening;
			if (l != null) {
				l.close();
			}
			this.heartbeat.shutdownNow();
			this.housekeeping.shutdownNow();
			// a beat still in flight would find the row gone and register this host again
			awaitQuietly(this.heartbeat);
			awaitQuietly(this.housekeeping);
			this.registry.unregister(this.id);
			this.runner.close();
			log.info("worker {} stopped", this.id);
		}
	}

	private static void awaitQuietly(java.util.concurrent.ExecutorService executor) {
		try {
			if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
				log.warn("a heartbeat or housekeeping turn did not end within 30 s; unregistering anyway");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	void requestStop() {
		if (!this.stopping) {
			this.stopping = true;
			log.info("worker {} stopping: no new jobs; waiting up to {} for {} running", this.id,
					Durations.format(this.config.shutdownGrace()), this.busy);
		}
		wake();
	}

	boolean stopping() {
		return this.stopping;
	}

	/**
	 * Lets the database wake this host ({@link HostWakeups}): while {@code listening} is up the idle
	 * poll is {@code poll} instead of {@link #IDLE_POLL}. Before {@link #run}.
	 */
	void listenWith(HostWakeups.Listening listening, Duration poll) {
		this.listening = listening;
		this.listeningPoll = poll;
	}

	/**
	 * What runs once this host is in the registry, before it claims anything: a command server
	 * started here answers {@code worker stop} with this host counted (one started earlier could
	 * answer "0 worker host(s) stopped" and leave it running). Before {@link #run}.
	 */
	void onRegistered(Runnable registered) {
		this.registered = registered;
	}

	private Runnable registered = () -> {
	};

	/** Words for a database failure in a log line: the user's line ({@code StorageErrors}) where one exists. */
	void describeFailuresWith(Function<RuntimeException, String> describe) {
		this.describe = describe;
	}

	/**
	 * Logs a failed database call in one line, without a stack trace (--debug adds it). During an
	 * outage every thread fails the same way every turn: a failure said less than
	 * {@link #REPEAT_QUIET} ago is not said again, and the next heartbeat that succeeds says the
	 * database answers again.
	 */
	private void databaseFailed(String what, RuntimeException ex) {
		String why = this.describe.apply(ex);
		String line = what + ": " + (why != null ? why : rootMessage(ex));
		boolean repeat;
		synchronized (this.failures) {
			long now = System.nanoTime();
			repeat = this.failures.containsKey(line) && now - this.failures.get(line) < REPEAT_QUIET.toNanos();
			if (!repeat) {
				this.failures.put(line, now);
			}
		}
		if (repeat) {
			log.debug(line, ex);
		}
		else {
			log.warn(line);
			log.debug("the failure", ex);
		}
	}

	/**
	 * The innermost cause's first line (the driver's or the OS's words): the outer exceptions of the
	 * data access layer name its classes and callbacks, which mean nothing to a user.
	 */
	static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = root.getMessage();
		return message == null || message.isBlank() ? "the database call failed"
				: message.lines().findFirst().orElse("the database call failed");
	}

	/** After failures: one line saying that the database answers again. */
	private void databaseAnswered() {
		synchronized (this.failures) {
			if (this.failures.isEmpty()) {
				return;
			}
			this.failures.clear();
		}
		log.info("the database answers again");
	}

	private static Duration max(Duration a, Duration b) {
		return a.compareTo(b) >= 0 ? a : b;
	}

	/**
	 * The database told: jobs may be waiting ({@link HostWakeups#JOBS}), one was canceled, or (SQLite)
	 * someone committed. Only an idle host heeds the last (and SQLite's watch runs only while the
	 * host is idle, {@link HostWakeups.Listening#idle}): a busy one takes a turn as each run ends and
	 * polls every {@link #IDLE_POLL} anyway, and woken by every commit of every host (its own
	 * included) several hosts on one file drained 20,000 jobs at 0.75x instead of 1.19x the rate of
	 * one host with as many slots (docs/benchmarks.md).
	 */
	void heard(String why) {
		if (HostWakeups.CANCEL.equals(why)) {
			this.cancelHeard = true;
		}
		else if (HostWakeups.CHANGED.equals(why) && this.busy > 0) {
			return;
		}
		wake();
	}

	/** Wakes the dispatcher now: a run finished, a job may be waiting, or a stop was asked for. */
	void wake() {
		synchronized (this.wakeup) {
			this.nudged = true;
			this.wakeup.notifyAll();
		}
	}

	/** The dispatcher's loop: settle finished runs and fill idle slots, one transaction a turn. */
	private void dispatch() {
		int slots = this.options.slots();
		Instant killAt = null;
		while (true) {
			if (this.claimAnswerMayBeLost) {
				try {
					this.store.releaseUnheld(this.id, this.running.keySet(), this.clock.instant())
							.forEach(jobId -> log.info("{} was claimed as the database connection broke: back to the queue, uncounted", jobId));
					this.claimAnswerMayBeLost = false;
				}
				catch (RuntimeException ex) {
					databaseFailed("database write failed, retrying", ex);
					pause(IDLE_POLL);
					continue;
				}
			}
			List<Done> finished = new ArrayList<>();
			for (Done d; (d = this.done.poll()) != null;) {
				finished.add(d);
			}
			List<Assignment> returned = new ArrayList<>();
			Assignment oldest = this.ready.peekFirst();
			if (oldest != null && (this.stopping || System.nanoTime() - oldest.queuedAt() > IDLE_POLL.toNanos())) {
				this.ready.drainTo(returned); // not started: back to the queue, uncounted
				// every slot is held by a job that turned out long: claim no more ahead until they end
				this.averageRunMs = Math.max(this.averageRunMs, IDLE_POLL.toMillis());
			}
			finished.stream().filter(d -> d.result() != null).forEach(d -> learn(d.result()));
			// recorded in this turn: their slots and resources are free for its claim
			List<Claim> leaving = new ArrayList<>(finished.size() + returned.size());
			finished.forEach(d -> leaving.add(d.claim()));
			returned.forEach(a -> leaving.add(a.claim()));
			// none ahead while a job of several slots is held: the slots of claimed jobs stay within the host's
			int ahead = this.capacity.holdsMultiSlotWithout(leaving) ? 0 : claimsAhead(slots, this.averageRunMs);
			this.batch = Math.max(1, ahead / 2);
			int outstanding = this.capacity.usedWithout(leaving); // a job of N slots counts N
			int want = this.stopping ? 0 : Math.max(0, slots + ahead - outstanding);
			FreeOnHost free = this.capacity.freeWithout(leaving);
			if (finished.isEmpty() && returned.isEmpty() && want > 0 && !hasRunnable(free)) {
				want = 0; // an idle poll: nothing to claim, no transaction
			}
			if (!finished.isEmpty() || !returned.isEmpty() || want > 0) {
				List<WorkerStore.Outcome> outcomes = new ArrayList<>();
				finished.forEach(d -> outcomes.add(d.outcome()));
				returned.forEach(a -> outcomes.add(new WorkerStore.Outcome(a.claim(), null, true)));
				Settings.Snapshot cfg = this.config;
				WorkerStore.Settled settled;
				try {
					settled = this.store.settleAndClaim(outcomes, this.id,
							new RetryPolicy.Backoff(cfg.backoffBase(), cfg.maxBackoff(), cfg.backoffJitter()),
							this.options.queues(), want, this.clock.instant(), cfg.leaseTimeout(), free);
				}
				catch (RuntimeException ex) {
					databaseFailed("database write failed, retrying", ex);
					this.claimAnswerMayBeLost = want > 0; // committed claims whose answer never came back
					this.done.addAll(finished);
					returned.forEach(this.ready::addFirst);
					pause(IDLE_POLL);
					continue;
				}
				for (int i = 0; i < finished.size(); i++) {
					Done d = finished.get(i);
					report(d, settled.states().get(i), cfg);
					this.running.remove(d.claim().jobId());
				}
				for (Assignment a : returned) {
					this.running.remove(a.claim().jobId());
					this.runner.unclaimed(a.claim());
				}
				leaving.forEach(this.capacity::released);
				this.metrics.returned(returned.size());
				this.busy -= finished.size() + returned.size();
				this.lastActive = System.nanoTime();
				// the claimed jobs' variables in one read now, so that no slot reads the database between jobs
				this.runner.claimed(settled.claimed());
				for (Claim claim : settled.claimed()) {
					this.busy++;
					this.capacity.claimed(claim);
					JobExecutor.RunningJob handle = new JobExecutor.RunningJob();
					this.running.put(claim.jobId(), handle);
					this.ready.add(new Assignment(claim, handle, System.nanoTime()));
				}
			}
			if (this.stopping) {
				if (this.busy == 0 && this.done.isEmpty()) {
					return;
				}
				if (killAt == null) {
					killAt = this.clock.instant().plus(this.config.shutdownGrace());
				}
				else if (this.clock.instant().isAfter(killAt)) {
					log.info("shutdown grace over: killing {} job(s) and returning them to the queue", this.busy);
					this.running.values().forEach(job -> new Thread(() -> job.interrupt(Duration.ofSeconds(2))).start());
					killAt = Instant.MAX;
				}
			}
			pollCancels();
			HostWakeups.Listening l = this.listening;
			if (l != null && (this.busy == 0) != this.idle) {
				this.idle = this.busy == 0;
				l.idle(this.idle);
			}
			// the long poll only when idle: a busy host's turns (and claims ahead given back) keep their pace
			Duration poll = this.stopping ? Duration.ofMillis(100)
					: l != null && l.up() && this.busy == 0 ? this.listeningPoll : IDLE_POLL;
			Duration held = this.heldFor;
			this.heldFor = null;
			waitForWork(held != null && held.compareTo(poll) < 0 ? held : poll);
		}
	}

	/**
	 * Kills the jobs of this host that a user canceled: a read of the few processing jobs, at once
	 * when the database told of a cancel, else at most every {@link #CANCEL_POLL} (while it can tell:
	 * every listening poll), and only while jobs run. The kill waits out its grace on a thread
	 * of its own; the run then ends as canceled and is recorded so.
	 */
	private void pollCancels() {
		long now = System.nanoTime();
		boolean heard = this.cancelHeard;
		// while the database tells of cancels (LISTEN), one is heard at once: the poll is only the
		// fallback, as slow as the idle one
		HostWakeups.Listening l = this.listening;
		boolean told = l != null && l.up() && l.hearsCancels();
		long every = (told ? max(CANCEL_POLL, this.listeningPoll) : CANCEL_POLL).toNanos();
		if (this.running.isEmpty() || (!heard && now - this.lastCancelPoll < every)) {
			return;
		}
		this.lastCancelPoll = now;
		this.cancelHeard = false;
		List<String> ids;
		try {
			ids = this.store.cancelRequested(this.id);
		}
		catch (RuntimeException ex) {
			databaseFailed("database read failed", ex);
			return;
		}
		for (String jobId : ids) {
			JobExecutor.RunningJob job = this.running.get(jobId);
			if (job != null && !job.canceled()) {
				log.info("{} canceled by user: terminating it", jobId);
				Thread t = new Thread(() -> job.cancel(CANCEL_GRACE), "queuectl-cancel");
				t.setDaemon(true);
				t.start();
			}
		}
	}

	/**
	 * How many jobs to claim ahead, by the average run time of recent jobs: none for long jobs; for
	 * short ones at most {@link #AHEAD_MS} of work a slot, and no more than
	 * {@link #MAX_AHEAD_PER_SLOT} a slot or {@link #MIN_AHEAD_PER_HOST} in all, whichever is more.
	 */
	static int claimsAhead(int slots, double averageRunMs) {
		if (averageRunMs >= SHORT_JOB_MS) {
			return 0;
		}
		double withinHorizon = slots * AHEAD_MS / Math.max(averageRunMs, 0.1);
		int byCount = Math.max(slots * MAX_AHEAD_PER_SLOT, MIN_AHEAD_PER_HOST);
		return (int) Math.min(byCount, withinHorizon); // jobs under the horizon: at least one a slot
	}

	/** Folds a finished run's time into the average that decides whether to claim ahead. */
	private void learn(RunResult result) {
		long ms = result.durationMs();
		this.averageRunMs = this.averageRunMs == Double.MAX_VALUE ? ms : 0.8 * this.averageRunMs + 0.2 * ms;
	}

	/**
	 * Whether the dispatcher should take a turn now: a slot may run out of jobs, or enough runs
	 * finished to make one transaction of them.
	 */
	private boolean turnDue() {
		return this.ready.size() < this.options.slots() || this.done.size() >= this.batch || this.stopping;
	}

	/**
	 * Whether a job that fits {@code free} could be claimed now; when jobs wait only for a rate's
	 * window, {@link #heldFor} says how long, and the idle host sleeps that long at most instead of
	 * its poll.
	 */
	private boolean hasRunnable(FreeOnHost free) {
		try {
			WorkerStore.Probe probe = this.store.probe(this.options.queues(), this.clock.instant(), free);
			this.heldFor = probe.heldFor();
			return probe.runnable();
		}
		catch (RuntimeException ex) {
			databaseFailed("database read failed", ex);
			return false;
		}
	}

	private void waitForWork(Duration timeout) {
		synchronized (this.wakeup) {
			if (!this.nudged) {
				try {
					this.wakeup.wait(timeout.toMillis());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					this.stopping = true;
				}
			}
			this.nudged = false;
		}
	}

	private static void pause(Duration d) {
		try {
			Thread.sleep(d.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** A slot: runs claimed jobs one at a time, and hands back the results. */
	private final class Slot implements Runnable {

		@Override
		public void run() {
			while (true) {
				Assignment next;
				try {
					next = WorkerHost.this.ready.take();
				}
				catch (InterruptedException ex) {
					return;
				}
				if (next == POISON) {
					return;
				}
				if (leaseInDoubt(WorkerHost.this.lastHeartbeat, WorkerHost.this.clock.instant(),
						WorkerHost.this.config.leaseTimeout())) {
					// paused or cut off from the database: another host may have taken this job back
					log.info("{} not started: this host's last heartbeat is older than half the lease, so the job "
							+ "may be another host's now; back in the queue", next.claim().jobId());
					WorkerHost.this.runner.unclaimed(next.claim());
					WorkerHost.this.done.add(new Done(next.claim(), null, true));
					wake();
					continue;
				}
				RunResult result = runOne(next.claim(), next.handle());
				if (result == null) { // not started: the database did not answer for what it needs
					WorkerHost.this.done.add(new Done(next.claim(), null, true));
					wake();
					continue;
				}
				// given back only when the stop killed it: a job that ended on its own meanwhile is recorded as it ended
				WorkerHost.this.done.add(new Done(next.claim(), result, "interrupted".equals(result.outcome())));
				if (turnDue()) {
					wake();
				}
			}
		}
	}

	/**
	 * Whether a claimed job may no longer be this host's to start: its leases were last renewed at
	 * {@code lastHeartbeat}, and past half the lease (a stopped JVM, a frozen network, a database
	 * that does not answer) others may take them back at any moment. Fencing would reject the run's
	 * result, but the command would have run twice: such a claim goes back to the queue, uncounted.
	 */
	static boolean leaseInDoubt(Instant lastHeartbeat, Instant now, Duration lease) {
		return Duration.between(lastHeartbeat, now).compareTo(lease.dividedBy(2)) > 0;
	}

	/**
	 * Whether a heartbeat may take back other hosts' expired leases and forget silent hosts: not
	 * the first one after this host was itself silent longer than the lease. A host stopped while it
	 * held SQLite's write lock kept every other host from renewing its leases; waking, it would find
	 * them all expired and take back jobs that were running fine (bench/chaos.sh --fault pause). The
	 * next heartbeat, a second or a few later, judges again with everyone's renewals in.
	 */
	static boolean judgesOthers(Instant previousBeat, Instant now, Duration lease) {
		return Duration.between(previousBeat, now).compareTo(lease) <= 0;
	}

	/** A claimed job, the handle that can stop it, and when it was queued (System.nanoTime). */
	private record Assignment(Claim claim, JobExecutor.RunningJob handle, long queuedAt) {
	}

	/** Runs one claimed job; null when it was not started and goes back to the queue, uncounted. */
	private RunResult runOne(Claim claim, JobExecutor.RunningJob handle) {
		Settings.Snapshot cfg = this.config;
		if (handle.canceled()) { // canceled while it waited for this slot: never started
			this.runner.unclaimed(claim);
			Instant now = this.clock.instant();
			return new RunResult("canceled", null, null, now, 0, "canceled by user", null, null);
		}
		Duration timeout = claim.timeout() != null ? claim.timeout() : cfg.jobTimeout();
		log.info("{} start (attempt {} of {}): {}", claim.jobId(), claim.attempt(), claim.maxRetries() + 1,
				oneLine(claim.command()));
		this.metrics.pickedUp(Duration.between(claim.runAt(), claim.startedAt()));
		RunResult result;
		try {
			result = this.runner.run(claim, timeout, cfg.outputCap(), handle);
		}
		catch (JobVariables.Unavailable ex) {
			log.warn("{} not started: {}; back in the queue", claim.jobId(), ex.getMessage());
			return null;
		}
		catch (RuntimeException ex) {
			Instant now = this.clock.instant();
			result = new RunResult("failed", null, null, now, 0, "cannot run: " + ex, null, null);
		}
		this.metrics.ran(Duration.ofMillis(result.durationMs()));
		return result;
	}

	/** A run a slot finished, waiting to be recorded. */
	private record Done(Claim claim, RunResult result, boolean interrupted) {

		WorkerStore.Outcome outcome() {
			return new WorkerStore.Outcome(this.claim, this.result, this.interrupted);
		}
	}

	private void report(Done d, JobState next, Settings.Snapshot cfg) {
		Claim claim = d.claim();
		RunResult result = d.result();
		if (d.result() == null) { // never started (leaseInDoubt): said when it was put back
			return;
		}
		if (d.interrupted()) {
			log.info("{} interrupted by shutdown; {}", claim.jobId(), next != null ? "back in the queue" : "no longer ours");
			return;
		}
		if (next == null) {
			log.warn("{} finished ({}) but its lease was taken over; result dropped", claim.jobId(), result.outcome());
			return;
		}
		this.metrics.attempt(result.outcome());
		switch (next) {
			case COMPLETED -> {
				this.metrics.completed();
				log.info("{} completed in {} ms", claim.jobId(), result.durationMs());
			}
			case FAILED -> {
				this.metrics.failed();
				log.info("{} failed: {}; retry {} of {} in {}{}", claim.jobId(), result.error(), claim.attempt(),
						claim.maxRetries(),
						Durations.format(RetryPolicy.backoff(claim.attempt(), cfg.backoffBase(), cfg.maxBackoff())),
						cfg.backoffJitter() > 0 ? " less up to " + cfg.backoffJitter() + "%" : "");
			}
			case CANCELED -> log.info("{} canceled after {} ms", claim.jobId(), result.durationMs());
			case DEAD -> {
				this.metrics.dead();
				log.info("{} dead after {} attempt(s): {}", claim.jobId(), claim.attempt(), result.error());
			}
			default -> log.info("{} is now {}", claim.jobId(), next.dbValue());
		}
	}

	/**
	 * Renews leases, reads stop requests and settings, takes back jobs of dead workers; stops this
	 * host when a newer queuectl has migrated the database (it finishes its running jobs, claims no
	 * more: the newer release's worker hosts take over).
	 */
	private void beat() {
		try {
			Instant now = this.clock.instant();
			if (!this.stopping) {
				this.registry.newerSchemaWriter().ifPresent(writer -> {
					log.warn("the database was upgraded by {}; this worker host runs queuectl {} and stops: start the newer queuectl",
							writer, dev.queuectl.config.Version.number());
					requestStop();
				});
			}
			this.config = this.settings.snapshot();
			this.store.renewLeases(this.id, now, this.config.leaseTimeout());
			switch (this.registry.heartbeat(this.id, now, this.metrics.finishedAttempts())) {
				case STOP_REQUESTED -> requestStop();
				case FORGOTTEN -> {
					// silent past the lease (paused, cut off): the others took its jobs back and dropped its row
					log.warn("worker {} was silent longer than the lease and was forgotten by the other hosts: registered again", this.id);
					register(now);
				}
				case RECORDED -> {
				}
			}
			Instant previous = this.lastHeartbeat;
			this.lastHeartbeat = now;
			if (judgesOthers(previous, now, this.config.leaseTimeout())) {
				for (String jobId : this.store.reapExpired(now)) {
					this.metrics.attempt("lost");
					log.info("{} taken back from a worker that stopped renewing its lease", jobId);
					wake();
				}
				this.registry.forgetSilent(now, this.config.leaseTimeout());
			}
			else {
				log.info("worker {} was silent for {} ms, longer than the lease: it takes back no other host's jobs "
						+ "this turn (they may have been held up as it was)", this.id, Duration.between(previous, now).toMillis());
			}
			logPausedQueues();
			databaseAnswered();
		}
		catch (RuntimeException ex) {
			databaseFailed("heartbeat failed", ex);
		}
	}

	/**
	 * Enqueues the jobs of schedules' ticks that are due, and cancels the jobs not started by their
	 * deadline (with their dependents): when none is, one indexed read each.
	 */
	private void fireTicks() {
		if (this.stopping) {
			return;
		}
		try {
			this.chores.schedules().fireDue();
		}
		catch (RuntimeException ex) {
			databaseFailed("firing schedules failed", ex);
		}
		try {
			int expired = this.chores.jobs().expireDeadlines();
			if (expired > 0) {
				log.info("canceled {} job(s) not started by their deadline", expired);
			}
		}
		catch (RuntimeException ex) {
			databaseFailed("canceling expired jobs failed", ex);
		}
		try {
			this.chores.jobs().settleBatches(); // a safety net: batches settle with their last job (issue 28)
		}
		catch (RuntimeException ex) {
			databaseFailed("settling batches failed", ex);
		}
	}

	/**
	 * Deletes finished jobs past their retention, in small batches; when the host has been idle a
	 * while, empties the WAL (a checkpoint) so that it does not keep its high-water size.
	 */
	private void keepHouse() {
		if (this.stopping) {
			return;
		}
		try {
			RetentionService.Pruned pruned = this.chores.retention().pruneExpired();
			if (pruned.total() > 0) {
				log.info("retention: deleted {} finished job(s) ({})", pruned.total(), pruned.jobs());
			}
			if (this.busy == 0 && System.nanoTime() - this.lastActive > IDLE_CHECKPOINT.toNanos()) {
				this.chores.retention().checkpointIdle();
			}
		}
		catch (RuntimeException ex) {
			databaseFailed("housekeeping failed", ex);
		}
	}

	/** A host with no job for this long empties the WAL at its next housekeeping turn. */
	static final Duration IDLE_CHECKPOINT = Duration.ofSeconds(10);

	/** What a host does beside running jobs, and how often it prunes; {@code jobs}: the sweep of expired deadlines. */
	record Housekeeping(ScheduleService schedules, RetentionService retention, Duration interval, JobService jobs) {
	}

	/** Says in the log which queues are paused, at start and whenever that changes. */
	private void logPausedQueues() {
		List<String> pausedNow = this.store.pausedQueues();
		if (!pausedNow.equals(this.paused)) {
			if (pausedNow.isEmpty()) {
				log.info("no queue is paused now");
			}
			else {
				log.info("paused queues (no new jobs start from them): {}", String.join(", ", pausedNow));
			}
			this.paused = pausedNow;
		}
	}

	private static final java.util.regex.Pattern SPACES = java.util.regex.Pattern.compile("\\s+");

	/**
	 * The command for a log line: white space runs as one space, at most 80 characters. Every job's
	 * start says it, so the common command (short, single spaces, nothing to trim) goes as it is, and
	 * the pattern is compiled once (String.replaceAll compiled it for every job).
	 */
	static String oneLine(String s) {
		if (s.length() <= 80 && plain(s)) {
			return s;
		}
		String flat = SPACES.matcher(s).replaceAll(" ").trim();
		return flat.length() > 80 ? flat.substring(0, 77) + "..." : flat;
	}

	/** Whether {@code s} is already what the pattern and trim make of it: no \\s but single spaces, no ends to trim. */
	private static boolean plain(String s) {
		int n = s.length();
		if (n > 0 && (s.charAt(0) <= ' ' || s.charAt(n - 1) <= ' ')) {
			return false;
		}
		for (int i = 0; i < n; i++) {
			char c = s.charAt(i);
			if (c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r' || c == ' ' && s.charAt(i - 1) == ' ') {
				return false;
			}
		}
		return true;
	}

	static String hostname() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (Exception ex) {
			String name = ManagementFactory.getRuntimeMXBean().getName();
			int at = name.indexOf('@');
			return at >= 0 ? name.substring(at + 1) : "localhost";
		}
	}
}
