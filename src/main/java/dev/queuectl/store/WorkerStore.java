package dev.queuectl.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;

import dev.queuectl.job.JobState;
import dev.queuectl.job.RetryPolicy;
import dev.queuectl.job.Claim;
import dev.queuectl.job.FreeOnHost;
import dev.queuectl.job.Resources;
import dev.queuectl.job.RunResult;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SQL of a worker host's jobs: claiming them (the statements' text in {@link ClaimQuery}),
 * recording their runs, leases and the reaping of dead hosts' jobs; the registry of the hosts
 * themselves is {@link WorkerRegistryStore}. Every write about a claimed job is fenced by (worker_id, attempts, state = 'processing'), so a
 * worker whose lease was taken over can never overwrite the job's newer state.
 */
@Repository
public class WorkerStore {

	private static final String FENCE = " WHERE id = ? AND state = 'processing' AND worker_id = ? AND attempts = ?";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate tx;

	private final JobStore jobs;

	private final QueueStore queues;

	private final LimitStore limits;

	private final Dialect dialect;

	/** The text of the claim's statements in this dialect. */
	private final ClaimQuery claimQuery;

	/** {@link #CONTROLS} in this dialect. */
	private final String controlsSql;

	private final BatchStore batches;

	WorkerStore(JdbcTemplate jdbc, TransactionTemplate tx, JobStore jobs, QueueStore queues, LimitStore limits,
			Dialect dialect, BatchStore batches) {
		this.batches = batches;
		this.jdbc = jdbc;
		this.tx = tx;
		this.jobs = jobs;
		this.queues = queues;
		this.limits = limits;
		this.dialect = dialect;
		this.claimQuery = new ClaimQuery(dialect);
		this.controlsSql = CONTROLS.formatted(dialect.indexedBy("jobs_deadline"));
	}

	/** {@link Dialect#clockArgs}. */
	private Object[] clockArgs(Instant now, Object... rest) {
		return this.dialect.clockArgs(now, rest);
	}

	/** Whether any job could be claimed now: a read, so an idle worker takes no write lock to ask. */
	public boolean hasRunnable(List<String> queues, Instant now) {
		return hasRunnable(queues, now, null);
	}

	/** {@link #probe(List, Instant, FreeOnHost)}'s answer: whether a job could be claimed now. */
	public boolean hasRunnable(List<String> queues, Instant now, FreeOnHost free) {
		return probe(queues, now, free).runnable();
	}

	/**
	 * What an idle host's poll finds: whether a job could be claimed now, else, when jobs wait only
	 * for a rate's window, how long until the next may start ({@code heldFor}, else null).
	 */
	public record Probe(boolean runnable, Duration heldFor) {

		static final Probe NONE = new Probe(false, null);
	}

	/** {@link #probe(List, Instant, FreeOnHost)} for a host that keeps no account of what it has free. */
	public Probe probe(List<String> queues, Instant now) {
		return probe(queues, now, null);
	}

	/**
	 * {@link #hasRunnable} with the wait for a rate, for a host with {@code free} (null: any job): a
	 * read, so an idle host takes no write lock to ask. While limits by key or queue rates are set,
	 * the job found is checked against them, as a claim would, so that jobs held back cost an idle
	 * host a read a poll and never a claim; a job that does not fit {@code free} counts only when it
	 * could (a host that offers no gpu, with only gpu jobs waiting). Each further read is made only
	 * when a job is found and limits, or jobs asking resources or slots, exist.
	 */
	public Probe probe(List<String> queues, Instant now, FreeOnHost free) {
		List<Object> args = new ArrayList<>();
		ProbeFlags[] read = new ProbeFlags[1]; // read once, when runnable jobs are found
		java.util.function.Supplier<ProbeFlags> flags = () -> read[0] != null ? read[0] : (read[0] = probeFlags());
		String sql = runnable(queues, 1, now, true, false, () -> flags.get().deadlines(), null, args);
		if (sql == null || this.jdbc.queryForList(sql, String.class, args.toArray()).isEmpty()) {
			return Probe.NONE;
		}
		ProbeFlags f = flags.get();
		if (f.flow()) {
			Selection s = select(queues, 1, now, false, f.deadlines(), null);
			Duration wait = s.nextStartMs() == null ? null : Duration.ofMillis(Math.max(1, s.nextStartMs() - s.book().now()));
			return new Probe(!s.chosen().isEmpty(), wait);
		}
		if (free == null || !f.weighted()) {
			return new Probe(true, null);
		}
		args.clear();
		sql = runnable(queues, 1, now, true, false, f::deadlines, free, args);
		return new Probe(sql != null && !this.jdbc.queryForList(sql, String.class, args.toArray()).isEmpty(), null);
	}

	/**
	 * The flags a probe needs once it found a due job ({@link ClaimQuery#probeFlags}): whether some
	 * job that may still start has a deadline, whether limits or rates are set, whether a runnable
	 * job asks resources or slots.
	 */
	private record ProbeFlags(boolean deadlines, boolean flow, boolean weighted) {
	}

	private ProbeFlags probeFlags() {
		return this.jdbc.queryForObject(this.claimQuery.probeFlags(),
				(rs, i) -> new ProbeFlags(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3)));
	}

	/**
	 * The ids of up to {@code n} runnable jobs, best first, as a select, its arguments added to
	 * {@code args}; null when no queue this host takes from may start a job. It reads arms, each an
	 * index range that ends at its first job not yet due, so that neither jobs waiting for their
	 * time (delayed, or a retry's backoff) nor the backlog of a queue no job may start from are
	 * walked (a single scan, best first, walked them all: 100,000 delayed jobs, 7-31 ms a read on
	 * SQLite, 55-120 ms on PostgreSQL; 10,000 jobs in a paused queue, 7 ms): one arm per priority
	 * ({@link #priorities}) when the host takes from every queue and none is paused or limited
	 * ({@code controlled} false, or no queue is);
	 * otherwise one per queue and priority, each queue at most its room ({@link #rooms}), through the
	 * index led by the queue (one seek a queue: a host of 1,000 queues with runnable jobs reads
	 * 1,000 ranges a claim while one of them is paused). {@code lock}: PostgreSQL locks the rows
	 * read, skipping those another host has locked. {@code deadlines}: whether some job that may
	 * still start has a deadline, so each arm passes over jobs past theirs ({@link ClaimQuery}); asked
	 * only once there are runnable jobs, so an idle host's poll reads nothing more.
	 */
	private String runnable(List<String> queues, int n, Instant now, boolean controlled, boolean lock,
			java.util.function.BooleanSupplier deadlines, FreeOnHost free, List<Object> args) {
		List<Integer> found = null;
		if (controlled && !lock && queues.isEmpty()) {
			// an idle host's poll: with no runnable job at all, one read and no look at the queues' rooms
			found = priorities();
			if (found.isEmpty()) {
				return null;
			}
		}
		Map<String, Integer> room = controlled ? rooms() : Map.of();
		if (queues.isEmpty() && room.isEmpty() && lock && this.dialect.isPostgres() && free == null) {
			args.add(n);
			return this.claimQuery.everyQueueInOne(n, deadlines.getAsBoolean());
		}
		if (queues.isEmpty() && room.isEmpty()) {
			List<Integer> priorities = found != null ? found : priorities();
			return priorities.isEmpty() ? null
					: this.claimQuery.overEveryQueue(priorities, n, now, lock, deadlines.getAsBoolean(), free, args);
		}
		Map<String, List<Integer>> byQueue = prioritiesByQueue(queues);
		return byQueue.isEmpty() ? null
				: this.claimQuery.overQueues(byQueue, room, n, now, lock, deadlines.getAsBoolean(), free, args);
	}

	/** The priorities of runnable jobs, due or not, highest first ({@link ClaimQuery#priorities()}). */
	private List<Integer> priorities() {
		return this.jdbc.queryForList(this.claimQuery.priorities(), Integer.class);
	}

	/**
	 * Per queue (by name) the priorities of its runnable jobs, due or not, highest first, as
	 * {@link #priorities}; of the queues named, or when none is, of every queue that has runnable
	 * jobs. Queues without runnable jobs are left out.
	 */
	private Map<String, List<Integer>> prioritiesByQueue(List<String> queues) {
		Map<String, List<Integer>> byQueue = new LinkedHashMap<>();
		Object[] args = queues.isEmpty() ? new Object[0] : new Object[] { this.dialect.idList(new LinkedHashSet<>(queues)) };
		this.jdbc.query(this.claimQuery.prioritiesByQueue(!queues.isEmpty()),
				rs -> { byQueue.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getInt(2)); }, args);
		return byQueue;
	}

	/**
	 * How many more jobs may start now in each queue with a pause or a limit: 0 for a paused or
	 * full one. A queue not here has no limit.
	 */
	private Map<String, Integer> rooms() {
		Map<String, Integer> rooms = new HashMap<>();
		this.jdbc.query(ClaimQuery.ROOMS, rs -> { rooms.put(rs.getString(1), Math.max(0, rs.getInt(2))); });
		return rooms;
	}

	/**
	 * Claims up to {@code n} runnable jobs, best first, in one statement, so that pausing and
	 * concurrency limits hold across every host on the database: jobs of paused or full queues are
	 * skipped, and of a queue with room for k more, at most its best k are taken ({@link #runnable}).
	 * Called inside a write transaction: the {@link Controls} and rooms read in it cannot change
	 * before the claim. The partial indexes of runnable jobs are named: left to itself SQLite picks
	 * the state index and sorts every pending job on each claim.
	 */
	public List<Claim> claim(String workerId, List<String> queues, int n, Instant now, Duration lease) {
		return claim(workerId, queues, n, now, lease, null);
	}

	/** {@link #claim(String, List, int, Instant, Duration)} of only jobs that fit {@code free} (null: any). */
	public List<Claim> claim(String workerId, List<String> queues, int n, Instant now, Duration lease, FreeOnHost free) {
		return this.tx.execute(status -> claim(workerId, queues, n, now, lease, controls(workerId), free));
	}

	/**
	 * What the control features ask of a batch, read in one statement: whether any job runs after
	 * another, whether any queue is paused or limited, whether any job of this host is to be
	 * canceled, whether any runnable job asks resources or slots. Each is almost always false, and
	 * then its statements are not run at all.
	 */
	record Controls(boolean dependencies, boolean queues, boolean limits, boolean cancels, boolean weighted,
			boolean deadlines, boolean flow, boolean batches) {
	}

	/**
	 * Whether any job that may still start has a deadline: one seek in the partial index
	 * jobs_deadline ({@code %s}: its name for SQLite, whose planner took the state index instead
	 * and read every pending job).
	 */
	private static final String HAS_DEADLINES = "EXISTS (SELECT 1 FROM jobs%s WHERE start_by IS NOT NULL AND state IN ('waiting', 'pending', 'failed'))";

	/**
	 * The columns of {@link Controls}, in its order; binds this worker's id. {@code %s}: as in
	 * {@link #HAS_DEADLINES}. {@code flow}: a key has settings or a queue a rate (issue 26), read
	 * from two tables of a few rows.
	 */
	private static final String CONTROLS = """
			SELECT EXISTS (SELECT 1 FROM job_deps),
			       EXISTS (SELECT 1 FROM queues WHERE paused = 1 OR max_running IS NOT NULL),
			       EXISTS (SELECT 1 FROM queues WHERE max_running IS NOT NULL),
			       EXISTS (SELECT 1 FROM jobs WHERE worker_id = ? AND cancel_requested_at IS NOT NULL),
			       EXISTS (SELECT 1 FROM jobs WHERE (resources IS NOT NULL OR slots > 1) AND state IN ('pending', 'failed')),
			       """ + HAS_DEADLINES + """
			,
			       EXISTS (SELECT 1 FROM limits) OR EXISTS (SELECT 1 FROM queues WHERE rate_count IS NOT NULL),
			       EXISTS (SELECT 1 FROM batches WHERE settled_at IS NULL)""".strip();

	private Controls controls(String workerId) {
		return this.jdbc.queryForObject(this.controlsSql, (rs, i) -> controls(rs, 1), workerId);
	}

	private static Controls controls(java.sql.ResultSet rs, int first) throws java.sql.SQLException {
		return new Controls(rs.getBoolean(first), rs.getBoolean(first + 1), rs.getBoolean(first + 2),
				rs.getBoolean(first + 3), rs.getBoolean(first + 4), rs.getBoolean(first + 5), rs.getBoolean(first + 6),
				rs.getBoolean(first + 7));
	}

	/**
	 * The claim of a turn. {@code free} null: any job (a caller that keeps no account of its host).
	 * Otherwise only jobs that fit it, together: while some runnable job asks resources or slots
	 * ({@code controls.weighted()}) the arms test each job against {@code free}
	 * ({@link ClaimQuery#overEveryQueue}), but several jobs that each fit may not fit together (two
	 * gpu jobs, one gpu free): the claim is made under a savepoint and, when its best jobs fit only up
	 * to the k-th, rolled back and made again for k jobs, then again for the rest with what is left
	 * free (each job keeps its place in the queue). Without such jobs the claim is today's one
	 * statement; a job that asks resources enqueued between the controls' read and the claim
	 * (PostgreSQL's READ COMMITTED; SQLite's transaction is IMMEDIATE) goes back uncounted if it
	 * does not fit. While limits or rates are set, the claim under limits ({@link #claimUnderLimits})
	 * takes what fits one by one and gives back what does not fit together.
	 */
	private List<Claim> claim(String workerId, List<String> queues, int n, Instant now, Duration lease, Controls controls,
			FreeOnHost free) {
		if (controls.flow()) {
			List<Claim> claims = claimUnderLimits(workerId, queues, n, now, lease, controls, free);
			if (free != null && claims.stream().anyMatch(c -> c.slots() != 1 || !c.resources().isEmpty())) {
				giveBackMisfits(claims, free, workerId, now);
			}
			return claims;
		}
		if (controls.limits() && this.dialect.isPostgres()) {
			// in READ COMMITTED two hosts could both count room for one more job: the first to lock
			// the limited queues' rows claims, the other then counts its claims (SQLite: one writer)
			this.jdbc.queryForList(ClaimQuery.LOCK_LIMITED_QUEUES, String.class);
		}
		if (free == null || !controls.weighted()) {
			List<Claim> claims = claimOnce(workerId, queues, n, now, lease, controls, null);
			if (free != null && claims.stream().anyMatch(c -> c.slots() != 1 || !c.resources().isEmpty())) {
				giveBackMisfits(claims, free, workerId, now);
			}
			return claims;
		}
		List<Claim> all = new ArrayList<>();
		FreeOnHost left = free;
		int limit = n;
		for (int round = 0; limit > 0 && round < 2 * n + 2; round++) {
			this.jdbc.execute("SAVEPOINT claim_fit");
			List<Claim> got = claimOnce(workerId, queues, limit, now, lease, controls, left);
			FreeOnHost after = left;
			int fit = 0;
			for (Claim c : got) {
				if (!after.fits(c.slots(), c.resources())) {
					break;
				}
				after = after.minus(c.slots(), c.resources());
				fit++;
			}
			if (fit < got.size()) { // they fit only up to the fit-th: claim just those
				this.jdbc.execute("ROLLBACK TO SAVEPOINT claim_fit");
				this.jdbc.execute("RELEASE SAVEPOINT claim_fit");
				if (fit == 0) {
					break;
				}
				limit = fit;
				continue;
			}
			this.jdbc.execute("RELEASE SAVEPOINT claim_fit");
			all.addAll(got);
			left = after;
			if (got.size() < limit) {
				break; // nothing more fits
			}
			limit = n - all.size();
		}
		return all; // each round best first, and each took the best that fitted after the ones before
	}

	/** Puts back, uncounted, the claims that do not fit {@code free} once the better ones are taken. */
	private void giveBackMisfits(List<Claim> claims, FreeOnHost free, String workerId, Instant now) {
		FreeOnHost left = free;
		for (java.util.Iterator<Claim> it = claims.iterator(); it.hasNext();) {
			Claim c = it.next();
			if (left.fits(c.slots(), c.resources())) {
				left = left.minus(c.slots(), c.resources());
			}
			else {
				returnToQueue(c, workerId, now);
				it.remove();
			}
		}
	}

	/** One claiming statement: up to {@code n} runnable jobs, best first, of those that fit {@code fitTo} (null: any). */
	private List<Claim> claimOnce(String workerId, List<String> queues, int n, Instant now, Duration lease,
			Controls controls, FreeOnHost fitTo) {
		List<Object> args = new ArrayList<>();
		// due on the server's clock on PostgreSQL (run_at is stored in its frame: Dialect.dueAt)
		String chosen = runnable(queues, n, now, controls.queues(), true, controls::deadlines, fitTo, args);
		if (chosen == null) {
			return List.of();
		}
		List<Object> all = new ArrayList<>(List.of(workerId, now.toEpochMilli(), now.toEpochMilli()));
		all.addAll(Arrays.asList(clockArgs(now, lease.toMillis())));
		all.addAll(args);
		String sql = this.claimQuery.update(chosen);
		List<Object[]> rows = this.jdbc.query(sql, (rs, i) -> new Object[] { new Claim(rs.getString(1), rs.getString(2),
				rs.getString(3), rs.getInt(4), rs.getInt(5), JobStore.duration(rs, "timeout_ms"),
				Instant.ofEpochMilli(rs.getLong(7)), Instant.ofEpochMilli(rs.getLong(8)), rs.getInt(10),
				Resources.fromStored(rs.getString(11))), rs.getInt(9) }, all.toArray());
		rows.sort(BEST_FIRST); // best first, as chosen: an UPDATE returns its rows in no set order
		List<Claim> claims = new ArrayList<>(rows.size());
		rows.forEach(row -> claims.add((Claim) row[0]));
		return claims;
	}

	/** A job a claim under limits may start, as read for the check: its order, queue and keys. */
	private record Candidate(String id, int priority, long runAt, String queue, List<String> keys) {
	}

	private static final java.util.Comparator<Candidate> CANDIDATES_BEST_FIRST = java.util.Comparator
		.<Candidate>comparingInt(c -> -c.priority())
		.thenComparingLong(Candidate::runAt)
		.thenComparing(Candidate::id);

	private static Candidate candidate(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
		return new Candidate(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getString(4),
				dev.queuectl.job.LimitBook.decode(rs.getString(5)));
	}

	/**
	 * Jobs that name keys read at most this many a claim (or an idle host's probe), best first: those
	 * held back by a full key are passed over, so a backlog of held jobs deeper than this hides the
	 * jobs of other keys queued behind it until it drains below it (README, "Limits by key"). The bound
	 * keeps what held jobs cost a poll fixed, however deep their backlog (LimitCommandsTest pins it).
	 */
	public static final int LIMITED_READ = 256;

	/** What a claim under limits chose, the book it checked them in, and when a rate frees next (null: none held by one). */
	private record Selection(List<Candidate> chosen, dev.queuectl.job.LimitBook book, Long nextStartMs) {
	}

	/**
	 * The jobs a claim under limits starts, best first: up to {@code n} of the jobs without keys
	 * (the arms of {@link ClaimQuery#overQueues}, per queue at most its room and its rate's room)
	 * merged with the due jobs that name keys ({@link ClaimQuery#limited}), each taken only while its
	 * queue, every key it names and its queue's rate have room ({@link dev.queuectl.job.LimitBook}),
	 * counting the ones taken before it. {@code lock}: a claim (PostgreSQL locks the rows read).
	 */
	private Selection select(List<String> queues, int n, Instant now, boolean lock, boolean deadlines, FreeOnHost free) {
		dev.queuectl.job.LimitBook book = this.limits.book(now);
		Map<String, Integer> room = new HashMap<>(rooms());
		for (String queue : book.ratedQueues()) {
			int rateRoom = book.queueRateRoom(queue);
			room.merge(queue, rateRoom, Math::min);
		}
		List<Candidate> candidates = new ArrayList<>();
		List<Object> args = new ArrayList<>();
		String chosen = this.claimQuery.overQueues(prioritiesByQueue(queues), room, n, now, lock, deadlines, free, args, true);
		if (chosen != null) {
			candidates.addAll(this.jdbc.query(this.claimQuery.candidates(chosen), WorkerStore::candidate, args.toArray()));
		}
		List<Object> limitedArgs = new ArrayList<>(Arrays.asList(clockArgs(now)));
		if (deadlines) {
			limitedArgs.addAll(Arrays.asList(clockArgs(now)));
		}
		if (!queues.isEmpty()) {
			limitedArgs.add(this.dialect.idList(new LinkedHashSet<>(queues)));
		}
		limitedArgs.add(Math.max(LIMITED_READ, n));
		candidates.addAll(this.jdbc.query(this.claimQuery.limited(!queues.isEmpty(), lock, deadlines), WorkerStore::candidate,
				limitedArgs.toArray()));
		candidates.sort(CANDIDATES_BEST_FIRST);
		List<Candidate> taken = new ArrayList<>();
		Long nextStart = null;
		for (Candidate c : candidates) {
			if (taken.size() == n) {
				break;
			}
			Integer queueRoom = room.get(c.queue());
			if (queueRoom != null && queueRoom <= 0) {
				continue;
			}
			dev.queuectl.job.LimitBook.Hold hold = book.hold(c.keys(), c.queue());
			if (hold != null) {
				if (hold.nextStartMs() != null) {
					nextStart = nextStart == null ? hold.nextStartMs() : Math.min(nextStart, hold.nextStartMs());
				}
				continue;
			}
			book.take(c.keys(), c.queue());
			if (queueRoom != null) {
				room.put(c.queue(), queueRoom - 1);
			}
			taken.add(c);
		}
		return new Selection(taken, book, nextStart);
	}

	/**
	 * The claim while a key has settings or a queue a rate: {@link #select} what may start, claim it,
	 * and record the starts of rated keys in the ledger, all in the caller's transaction. PostgreSQL
	 * first takes the limits' lock ({@link ClaimQuery#LOCK_LIMITS}): one host at a time counts the
	 * keys' room; each statement after it sees the commits of the host before (READ COMMITTED).
	 */
	private List<Claim> claimUnderLimits(String workerId, List<String> queues, int n, Instant now, Duration lease,
			Controls controls, FreeOnHost free) {
		if (this.dialect.isPostgres()) {
			long before = System.nanoTime();
			this.jdbc.queryForList(ClaimQuery.LOCK_LIMITS);
			if (controls.limits()) {
				this.jdbc.queryForList(ClaimQuery.LOCK_LIMITED_QUEUES, String.class);
			}
			// the jobs start when the lock is ours, as the ledger says: their started_at is not the wait's start
			now = now.plusNanos(System.nanoTime() - before);
		}
		Selection s = select(queues, n, now, true, controls.deadlines(), free != null && controls.weighted() ? free : null);
		if (s.chosen().isEmpty()) {
			return List.of();
		}
		List<Object> all = new ArrayList<>(List.of(workerId, now.toEpochMilli(), now.toEpochMilli()));
		all.addAll(Arrays.asList(clockArgs(now, lease.toMillis())));
		all.add(this.dialect.idList(s.chosen().stream().map(Candidate::id).toList()));
		Map<String, Claim> byId = new HashMap<>();
		this.jdbc.query(this.claimQuery.updateListed(), rs -> {
			byId.put(rs.getString(1), new Claim(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
					rs.getInt(5), JobStore.duration(rs, "timeout_ms"), Instant.ofEpochMilli(rs.getLong(7)),
					Instant.ofEpochMilli(rs.getLong(8)), rs.getInt(10), Resources.fromStored(rs.getString(11))));
		}, all.toArray());
		List<Claim> claims = new ArrayList<>();
		List<String> started = new ArrayList<>();
		for (Candidate c : s.chosen()) { // best first, as chosen
			Claim claim = byId.get(c.id());
			if (claim != null) {
				claims.add(claim);
				started.addAll(s.book().ledgerKeys(c.keys(), c.queue()));
			}
		}
		this.limits.recordStarts(started, s.book().now(), s.book().longestWindowMs());
		return claims;
	}

	private static final java.util.Comparator<Object[]> BEST_FIRST = java.util.Comparator
		.<Object[]>comparingInt(row -> -(Integer) row[1])
		.thenComparing(row -> ((Claim) row[0]).runAt())
		.thenComparing(row -> ((Claim) row[0]).jobId());

	/** The names of paused queues, for the worker's log. */
	public List<String> pausedQueues() {
		return this.queues.paused();
	}

	/** The jobs this host runs that someone asked to cancel: a read of the few processing jobs. */
	public List<String> cancelRequested(String workerId) {
		return this.jdbc.queryForList("""
				SELECT id FROM jobs WHERE state = 'processing' AND worker_id = ? AND cancel_requested_at IS NOT NULL""",
				String.class, workerId);
	}

	/** A finished run to record; {@code giveBack} puts the job back in the queue uncounted instead. */
	public record Outcome(Claim claim, RunResult result, boolean giveBack) {
	}

	/**
	 * What became of each recorded run (in order; null where the claim was no longer ours) and
	 * the jobs claimed next.
	 */
	public record Settled(List<JobState> states, List<Claim> claimed) {
	}

	/**
	 * Records finished runs (completed, or failed/dead by the retry policy, or given back) and
	 * claims up to {@code claim} more jobs, all in one transaction: a group commit, so a busy
	 * worker host writes once per batch, not twice per job.
	 */
	public Settled settleAndClaim(List<Outcome> outcomes, String workerId, int backoffBase, Duration maxBackoff,
			List<String> queues, int claim, Instant now, Duration lease) {
		return settleAndClaim(outcomes, workerId, new RetryPolicy.Backoff(backoffBase, maxBackoff, 0), queues, claim, now,
				lease, null);
	}

	/**
	 * {@link #settleAndClaim(List, String, int, Duration, List, int, Instant, Duration)} claiming only
	 * jobs that fit {@code free} (null: any), what the host has free once the runs recorded here are
	 * no longer counted.
	 */
	public Settled settleAndClaim(List<Outcome> outcomes, String workerId, int backoffBase, Duration maxBackoff,
			List<String> queues, int claim, Instant now, Duration lease, FreeOnHost free) {
		return settleAndClaim(outcomes, workerId, new RetryPolicy.Backoff(backoffBase, maxBackoff, 0), queues, claim, now,
				lease, free);
	}

	/** {@link #settleAndClaim(List, String, RetryPolicy.Backoff, List, int, Instant, Duration, FreeOnHost)} for any job. */
	public Settled settleAndClaim(List<Outcome> outcomes, String workerId, RetryPolicy.Backoff backoff,
			List<String> queues, int claim, Instant now, Duration lease) {
		return settleAndClaim(outcomes, workerId, backoff, queues, claim, now, lease, null);
	}

	/**
	 * {@link #settleAndClaim(List, String, int, Duration, List, int, Instant, Duration)} with the
	 * retries' waits as {@code backoff} says (its jitter drawn per retry), claiming only jobs that fit
	 * {@code free} (null: any). A failed run's job is retried only as its retry rule and deadline
	 * allow ({@link RetryPolicy}): both read, for the failed runs only, in one statement, so a batch
	 * of successes reads nothing more.
	 */
	public Settled settleAndClaim(List<Outcome> outcomes, String workerId, RetryPolicy.Backoff backoff,
			List<String> queues, int claim, Instant now, Duration lease, FreeOnHost free) {
		return this.tx.execute(status -> {
			JobState[] states = new JobState[outcomes.size()];
			List<Recording> recordings = new ArrayList<>();
			List<Integer> recorded = new ArrayList<>(); // the index in outcomes of each recording
			// a run is recorded as it ended (completed, canceled by our signal, or failed); whether a job's
			// user asked to cancel it matters only to a failed run (not retried: dead) or a job given back; when
			// every run succeeded, PostgreSQL reads the controls in the statement that records them (one
			// round trip fewer), SQLite (in-process, microseconds) before
			boolean allSucceeded = !outcomes.isEmpty()
					&& outcomes.stream().allMatch(o -> !o.giveBack() && o.result().succeeded());
			Controls before = allSucceeded && this.dialect.isPostgres() ? null : controls(workerId);
			Set<String> cancel = before != null && before.cancels() ? new HashSet<>(cancelRequested(workerId)) : Set.of();
			List<String> completed = new ArrayList<>();
			List<String> ended = new ArrayList<>(); // dead or canceled: their dependents are canceled
			List<String> retried = new ArrayList<>(); // failed with a retry to come
			Map<String, RetryTerms> terms = retryTerms(outcomes, now);
			for (int i = 0; i < outcomes.size(); i++) {
				Outcome o = outcomes.get(i);
				Claim c = o.claim();
				boolean canceled = cancel.contains(c.jobId());
				if (o.giveBack() && !canceled) {
					states[i] = returnToQueue(c, workerId, now) ? JobState.PENDING : null;
					continue;
				}
				if (o.giveBack()) { // asked to cancel while it waited, or while the worker stopped
					states[i] = cancelClaimed(c, workerId, now) ? JobState.CANCELED : null;
					if (states[i] != null) {
						ended.add(c.jobId());
					}
					continue;
				}
				RunResult r = o.result();
				JobState next = JobState.COMPLETED;
				Long runAt = null; // run_at stays as it was
				if ("canceled".equals(r.outcome())) { // the signal of its cancel ended it
					next = JobState.CANCELED;
				}
				else if (!r.succeeded() && canceled) { // it failed on its own before its cancel took effect
					next = JobState.DEAD;
					r = r.notRetried();
				}
				else if (!r.succeeded()) {
					RetryTerms t = terms.getOrDefault(c.jobId(), RetryTerms.NONE);
					RetryPolicy.Next after = RetryPolicy.afterFailure(c.attempt(), c.maxRetries(), r.finishedAt(),
							backoff, t.rule(), r.outcome(), r.exitCode(), t.startBy(), java.util.concurrent.ThreadLocalRandom.current()::nextDouble);
					next = after.state();
					runAt = this.dialect.dueArg(after.runAt(), r.finishedAt());
					if (after.why() != null) {
						r = r.withReason(after.why());
					}
				}
				states[i] = next;
				recorded.add(i);
				recordings.add(new Recording(c, next, runAt, r));
			}
			Recorded done = record(recordings, workerId);
			Controls controls = before != null ? before : done.controls();
			boolean[] ours = done.ours();
			for (int k = 0; k < ours.length; k++) {
				Recording rec = recordings.get(k);
				int i = recorded.get(k);
				if (!ours[k]) {
					states[i] = null; // no longer ours: the newer state stands
				}
				else if (rec.next() == JobState.COMPLETED) {
					completed.add(rec.claim().jobId());
				}
				else if (rec.next() == JobState.DEAD || rec.next() == JobState.CANCELED) {
					ended.add(rec.claim().jobId());
				}
				else if (rec.next() == JobState.FAILED) {
					retried.add(rec.claim().jobId());
				}
			}
			if (!retried.isEmpty()) {
				clearProgress(retried); // the next attempt starts without this one's (issue 27)
			}
			if (controls.dependencies() && !completed.isEmpty()) {
				if (this.jobs.releaseDependents(completed, now) > 0) {
					this.dialect.wakeHosts(this.jdbc, Dialect.WAKE_JOBS); // the jobs that waited for these
				}
			}
			if (controls.dependencies() && !ended.isEmpty()) {
				this.jobs.cancelDependents(ended, now);
			}
			if (controls.batches() && (!recordings.isEmpty() || !ended.isEmpty())) {
				this.batches.settleDue(now); // the batches whose last jobs these were (issue 28)
			}
			if (controls.flow() && !recordings.isEmpty()) {
				// a run that ended frees room in its keys: idle hosts holding jobs back look again
				this.dialect.wakeHosts(this.jdbc, Dialect.WAKE_JOBS);
			}
			List<Claim> claimed = claim > 0 ? claim(workerId, queues, claim, now, lease, controls, free) : List.of();
			return new Settled(java.util.Arrays.asList(states), claimed);
		});
	}

	/** Forgets a job's progress: its lost attempt was taken back, to run again (issue 27). */
	private void clearProgressOf(String id) {
		this.jdbc.update("UPDATE jobs SET " + JobStore.PROGRESS_CLEARED + " WHERE id = ?", id);
	}

	/**
	 * Forgets the progress of jobs whose failed run was just recorded with a retry to come (issue
	 * 27): one statement, only in a turn where a run failed so (a turn of successes, and every claim,
	 * pay nothing), fenced on the state.
	 */
	private void clearProgress(List<String> retried) {
		this.jdbc.update("UPDATE jobs SET " + JobStore.PROGRESS_CLEARED + " WHERE state = 'failed' AND id " + this.dialect.inList(),
				this.dialect.idList(retried));
	}

	/** A job's retry rule (null: every failure retried) and deadline on this host's clock (null: none). */
	private record RetryTerms(dev.queuectl.job.RetryRule rule, Instant startBy) {

		static final RetryTerms NONE = new RetryTerms(null, null);
	}

	/**
	 * The retry terms of the jobs whose runs failed (not canceled, not given back), by id: one read,
	 * none when no run failed; jobs with neither rule nor deadline are left out. The deadline is read
	 * in this host's frame ({@link Dialect#inHostFrame}), as the retry's time is computed.
	 */
	private Map<String, RetryTerms> retryTerms(List<Outcome> outcomes, Instant now) {
		List<String> failed = new ArrayList<>();
		for (Outcome o : outcomes) {
			if (!o.giveBack() && !o.result().succeeded() && !"canceled".equals(o.result().outcome())) {
				failed.add(o.claim().jobId());
			}
		}
		if (failed.isEmpty()) {
			return Map.of();
		}
		Map<String, RetryTerms> terms = new HashMap<>();
		List<Object> args = new ArrayList<>(Arrays.asList(this.dialect.hostFrameArgs(now)));
		args.add(this.dialect.idList(failed));
		this.jdbc.query("SELECT id, " + this.dialect.inHostFrame("start_by") + ", retry_on, no_retry_on FROM jobs WHERE id "
				+ this.dialect.inList() + " AND (start_by IS NOT NULL OR retry_on IS NOT NULL OR no_retry_on IS NOT NULL)", rs -> {
					long startBy = rs.getLong(2);
					Instant deadline = rs.wasNull() ? null : Instant.ofEpochMilli(startBy);
					terms.put(rs.getString(1),
							new RetryTerms(dev.queuectl.job.RetryRule.stored(rs.getString(3), rs.getString(4)), deadline));
				}, args.toArray());
		return terms;
	}

	/** A finished run to record: the job's next state, its new due time (null: unchanged), the run as recorded. */
	private record Recording(Claim claim, JobState next, Long runAt, RunResult result) {

		/** The job's {@code last_error}: none after a success. */
		String jobError() {
			return this.result.succeeded() ? null : this.result.error();
		}
	}

	/** What {@link #record} did: per recording, whether the job was still ours; on PostgreSQL the controls too. */
	private record Recorded(boolean[] ours, Controls controls) {
	}

	/**
	 * Records finished runs: each job's new state, fenced on its own, and the run of each job still
	 * this worker's. SQLite: two batched statements (in-process, a statement costs microseconds);
	 * PostgreSQL: one statement over arrays, which also reads the controls (there every statement is
	 * a round trip to the server, and a turn's commit waits on them).
	 */
	private Recorded record(List<Recording> recordings, String workerId) {
		boolean[] ours = new boolean[recordings.size()];
		if (recordings.isEmpty()) {
			return new Recorded(ours, null);
		}
		if (this.dialect.isPostgres()) {
			Set<String> settled = new HashSet<>();
			Controls controls = recordInOneStatement(recordings, workerId, settled);
			for (int k = 0; k < ours.length; k++) {
				ours[k] = settled.contains(recordings.get(k).claim().jobId());
			}
			return new Recorded(ours, controls);
		}
		List<Object[]> updates = new ArrayList<>();
		for (Recording rec : recordings) {
			RunResult r = rec.result();
			long finished = r.finishedAt().toEpochMilli();
			updates.add(new Object[] { rec.next().dbValue(), rec.runAt(), finished, finished, r.exitCode(), rec.jobError(),
					rec.claim().jobId(), workerId, rec.claim().attempt() });
		}
		// one prepared statement for the whole batch; each row is fenced on its own
		int[] counts = this.jdbc.batchUpdate("""
				UPDATE jobs SET state = ?, run_at = COALESCE(%s, run_at), finished_at = ?, updated_at = ?, exit_code = ?,
				       last_error = ?, lease_expires_at = NULL""".formatted(this.dialect.dueAt()) + FENCE, updates);
		List<Object[]> runs = new ArrayList<>();
		for (int k = 0; k < counts.length; k++) {
			ours[k] = counts[k] != 0;
			if (ours[k]) {
				Recording rec = recordings.get(k);
				runs.add(runRow(rec.claim().jobId(), rec.claim().attempt(), workerId, rec.claim().startedAt(), rec.result()));
			}
		}
		if (!runs.isEmpty()) {
			this.jdbc.batchUpdate(INSERT_RUN, runs);
		}
		return new Recorded(ours, null);
	}

	/**
	 * PostgreSQL: the fenced updates and the runs' inserts of {@link #record} as one statement, the
	 * recordings bound as arrays (a row per recording); adds the ids of the jobs that were ours to
	 * {@code settled} and returns the controls, read in the same statement.
	 */
	private Controls recordInOneStatement(List<Recording> recordings, String workerId, Set<String> settled) {
		int n = recordings.size();
		String[] ids = new String[n], states = new String[n], lastErrors = new String[n], outcomes = new String[n],
				errors = new String[n], tails = new String[n], paths = new String[n];
		Integer[] attempts = new Integer[n], exitCodes = new Integer[n], signals = new Integer[n];
		Long[] dues = new Long[n], finished = new Long[n], started = new Long[n], durations = new Long[n];
		for (int k = 0; k < n; k++) {
			Recording rec = recordings.get(k);
			RunResult r = rec.result();
			ids[k] = rec.claim().jobId();
			attempts[k] = rec.claim().attempt();
			states[k] = rec.next().dbValue();
			dues[k] = rec.runAt();
			finished[k] = r.finishedAt().toEpochMilli();
			exitCodes[k] = r.exitCode();
			lastErrors[k] = rec.jobError();
			started[k] = rec.claim().startedAt().toEpochMilli();
			signals[k] = r.signal();
			durations[k] = r.durationMs();
			outcomes[k] = r.outcome();
			errors[k] = r.error();
			tails[k] = r.outputTail();
			paths[k] = r.outputPath();
		}
		// a data-modifying WITH runs whether or not the final SELECT reads it: the runs are inserted
		// for exactly the jobs the fenced update returned
		String sql = """
				WITH o AS (
				    SELECT * FROM unnest(CAST(? AS TEXT[]), CAST(? AS INT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]),
				                         CAST(? AS BIGINT[]), CAST(? AS INT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]),
				                         CAST(? AS INT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),
				                         CAST(? AS TEXT[]), CAST(? AS TEXT[]))
				        AS o (id, attempt, state, due, finished, exit_code, last_error, started, signal, duration_ms,
				              outcome, error, output_tail, output_path)),
				settled AS (
				    UPDATE jobs j SET state = o.state, run_at = COALESCE(%s + o.due, j.run_at), finished_at = o.finished,
				           updated_at = o.finished, exit_code = o.exit_code, last_error = o.last_error, lease_expires_at = NULL
				    FROM o WHERE j.id = o.id AND j.state = 'processing' AND j.worker_id = ? AND j.attempts = o.attempt
				    RETURNING j.id),
				runs AS (
				    INSERT INTO job_runs (job_id, attempt, worker_id, started_at, finished_at, exit_code, signal,
				                          duration_ms, outcome, error, output_tail, output_path)
				    SELECT o.id, o.attempt, ?, o.started, o.finished, o.exit_code, o.signal, o.duration_ms, o.outcome,
				           o.error, o.output_tail, o.output_path
				    FROM o JOIN settled s ON s.id = o.id)
				SELECT c.*, s.id FROM (%s) c LEFT JOIN settled s ON true""".formatted(Dialect.DB_CLOCK, this.controlsSql);
		return this.jdbc.query(con -> {
			java.sql.PreparedStatement ps = con.prepareStatement(sql);
			Object[][] columns = { ids, attempts, states, dues, finished, exitCodes, lastErrors, started, signals,
					durations, outcomes, errors, tails, paths };
			String[] types = { "text", "int4", "text", "int8", "int8", "int4", "text", "int8", "int4", "int8", "text",
					"text", "text", "text" };
			for (int c = 0; c < columns.length; c++) {
				ps.setArray(c + 1, con.createArrayOf(types[c], columns[c]));
			}
			ps.setString(columns.length + 1, workerId);
			ps.setString(columns.length + 2, workerId);
			ps.setString(columns.length + 3, workerId);
			return ps;
		}, rs -> {
			Controls controls = null;
			while (rs.next()) {
				controls = controls(rs, 1);
				if (rs.getString(9) != null) { // after the columns of Controls
					settled.add(rs.getString(9));
				}
			}
			return controls;
		});
	}

	/** Ends a claimed job that never ran (or was stopped) as canceled, as its user asked. */
	private boolean cancelClaimed(Claim claim, String workerId, Instant now) {
		return this.jdbc.update("""
				UPDATE jobs SET state = 'canceled', finished_at = ?, updated_at = ?, last_error = 'canceled by user',
				       lease_expires_at = NULL""" + FENCE, now.toEpochMilli(), now.toEpochMilli(), claim.jobId(),
				workerId, claim.attempt()) == 1;
	}

	/**
	 * Puts a job back in the queue without counting the attempt (a stopping worker gave up on it).
	 */
	public boolean returnToQueue(Claim claim, String workerId, Instant now) {
		return this.jdbc.update("""
				UPDATE jobs SET state = 'pending', attempts = attempts - 1, run_at = %s, updated_at = ?,
				       worker_id = NULL, lease_expires_at = NULL, started_at = NULL, %s""".formatted(this.dialect.dueAt(),
				JobStore.PROGRESS_CLEARED) + FENCE,
				this.dialect.dueArg(now, now), now.toEpochMilli(), claim.jobId(), workerId, claim.attempt()) == 1;
	}

	/**
	 * Puts back in the queue, uncounted, the jobs claimed for this host that it does not hold: a
	 * claim committed whose answer was lost (the connection broke after the commit). Called by the
	 * host's only claiming thread between claims, so no claim of its own is in flight. Returns the ids.
	 */
	public List<String> releaseUnheld(String workerId, Set<String> held, Instant now) {
		List<String> released = new ArrayList<>();
		for (Map<String, Object> row : this.jdbc.queryForList(
				"SELECT id, attempts FROM jobs WHERE worker_id = ? AND state = 'processing'", workerId)) {
			String id = (String) row.get("id");
			if (!held.contains(id) && this.jdbc.update("""
					UPDATE jobs SET state = 'pending', attempts = attempts - 1, run_at = %s, updated_at = ?,
					       worker_id = NULL, lease_expires_at = NULL, started_at = NULL""".formatted(this.dialect.dueAt()) + FENCE,
					this.dialect.dueArg(now, now), now.toEpochMilli(), id, workerId, ((Number) row.get("attempts")).intValue()) == 1) {
				released.add(id);
			}
		}
		return released;
	}

	/** Extends this host's leases to {@code lease} from now (the database's now on PostgreSQL). */
	public int renewLeases(String workerId, Instant now, Duration lease) {
		return this.jdbc.update("UPDATE jobs SET lease_expires_at = " + this.dialect.clock()
				+ " + ? WHERE worker_id = ? AND state = 'processing'", clockArgs(now, lease.toMillis(), workerId));
	}

	/**
	 * Takes back jobs whose lease expired (their worker died): the lost attempt counts; the job
	 * runs again at once if it has retries left, else it is dead. Returns the ids taken back.
	 */
	public List<String> reapExpired(Instant now) {
		List<Map<String, Object>> expired = this.jdbc.queryForList("""
				SELECT id, attempts, max_retries, worker_id, started_at, cancel_requested_at FROM jobs
				WHERE state = 'processing' AND lease_expires_at < """ + this.dialect.clock(), clockArgs(now));
		List<String> reaped = new ArrayList<>();
		for (Map<String, Object> row : expired) {
			String id = (String) row.get("id");
			int attempt = ((Number) row.get("attempts")).intValue();
			int maxRetries = ((Number) row.get("max_retries")).intValue();
			String workerId = (String) row.get("worker_id");
			Instant startedAt = Instant.ofEpochMilli(((Number) row.get("started_at")).longValue());
			boolean canceled = row.get("cancel_requested_at") != null;
			JobState next = canceled ? JobState.CANCELED : attempt > maxRetries ? JobState.DEAD : JobState.PENDING;
			String error = "lost: worker " + workerId + " stopped renewing its lease" + (canceled ? "; canceled" : "");
			Boolean done = this.tx.execute(status -> {
				int updated = this.jdbc.update("""
						UPDATE jobs SET state = ?, run_at = %s, updated_at = ?, last_error = ?, worker_id = NULL,
						       lease_expires_at = NULL, finished_at = CASE WHEN ? = 'pending' THEN NULL ELSE ? END
						WHERE id = ? AND state = 'processing' AND attempts = ? AND lease_expires_at < """.formatted(this.dialect.dueAt())
						+ this.dialect.clock(), concat(new Object[] { next.dbValue(), this.dialect.dueArg(now, now), now.toEpochMilli(),
						error, next.dbValue(), now.toEpochMilli(), id, attempt }, clockArgs(now)));
				if (updated == 1 && next == JobState.PENDING) {
					clearProgressOf(id); // the attempt taken back starts again without its progress
				}
				if (updated == 1) {
					insertRun(id, attempt, workerId, startedAt, new RunResult("lost", null, null, now,
							now.toEpochMilli() - startedAt.toEpochMilli(), error, null, null));
					if (next != JobState.PENDING) {
						this.jobs.cancelDependents(List.of(id), now);
					}
				}
				return updated == 1;
			});
			if (Boolean.TRUE.equals(done)) {
				reaped.add(id);
			}
		}
		return reaped;
	}

	private static final String INSERT_RUN = """
			INSERT INTO job_runs (job_id, attempt, worker_id, started_at, finished_at, exit_code, signal,
			                      duration_ms, outcome, error, output_tail, output_path)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

	private void insertRun(String jobId, int attempt, String workerId, Instant startedAt, RunResult r) {
		this.jdbc.update(INSERT_RUN, runRow(jobId, attempt, workerId, startedAt, r));
	}

	private static Object[] runRow(String jobId, int attempt, String workerId, Instant startedAt, RunResult r) {
		return new Object[] { jobId, attempt, workerId, startedAt.toEpochMilli(), r.finishedAt().toEpochMilli(),
				r.exitCode(), r.signal(), r.durationMs(), r.outcome(), r.error(), r.outputTail(), r.outputPath() };
	}

	private static Object[] concat(Object[] a, Object[] b) {
		Object[] all = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}
}
