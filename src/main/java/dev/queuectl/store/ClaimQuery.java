package dev.queuectl.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.queuectl.job.FreeOnHost;

/**
 * The text of a claim's statements, one dialect's, and nothing else: it reads no database. Each
 * database's statements are written out whole below (SQLite's, then PostgreSQL's), their few
 * variable parts as format slots. {@link WorkerStore} reads the facts a claim depends on (the
 * priorities of runnable jobs, the rooms of paused or limited queues) with the reads here, picks
 * the select that fits them, and runs it inside the claiming UPDATE ({@link #update}).
 * While some runnable job asks resources or slots, the arms take only jobs that fit what the host
 * has free ({@link FreeOnHost}, {@link #SQLITE_FITS}). ClaimQueryTest pins every statement's text.
 */
final class ClaimQuery {

	/**
	 * Priorities a claim reads one by one (in a queue, or over every queue), highest first; one
	 * more arm reads whatever lies below the last of them in a single scan.
	 */
	static final int PRIORITY_ARMS = 8;

	private static final String BEST_FIRST_LIMIT = " ORDER BY priority DESC, run_at, id LIMIT ";

	/** SQLite joins at most 500 selects in one compound: more arms go in nested groups. */
	private static final int ARMS_PER_COMPOUND = 250;

	/**
	 * How many more jobs may start now in each queue with a pause or a limit: 0 for a paused or
	 * full one (running jobs counted among the few processing ones, through the state index), less
	 * than 0 for one over its limit. A queue not read has no limit.
	 */
	static final String ROOMS = """
			SELECT q.name, CASE WHEN q.paused = 1 THEN 0 ELSE q.max_running - (
			    SELECT COUNT(*) FROM jobs r WHERE r.state = 'processing' AND r.queue = q.name) END
			FROM queues q WHERE q.paused = 1 OR q.max_running IS NOT NULL""";

	/**
	 * PostgreSQL, before a claim when a queue is limited: in READ COMMITTED two hosts could both
	 * count room for one more job; the first to lock the limited queues' rows claims, the other then
	 * counts its claims (SQLite has one writer).
	 */
	static final String LOCK_LIMITED_QUEUES = "SELECT name FROM queues WHERE max_running IS NOT NULL ORDER BY name FOR UPDATE";

	/**
	 * PostgreSQL, before a claim while limits by key or queue rates are set: one claim at a time
	 * counts the keys' room and writes the ledger (the key of a transaction-scoped advisory lock),
	 * as LOCK_LIMITED_QUEUES does for queues (SQLite has one writer).
	 */
	static final String LOCK_LIMITS = "SELECT pg_advisory_xact_lock(26026)";

	/**
	 * What an idle host's probe asks once it has found a due job, in one statement: whether some job
	 * that may still start has a deadline (one seek of jobs_deadline; {@code %s}: its INDEXED BY on
	 * SQLite), whether a key has settings or a queue a rate (two tables of a few rows), and whether
	 * any runnable job asks resources or more than one slot (one seek of jobs_weighted, an index
	 * empty as a rule). A claim reads the same three among its controls.
	 */
	private static final String PROBE_FLAGS = """
			SELECT EXISTS (SELECT 1 FROM jobs%s WHERE start_by IS NOT NULL AND state IN ('waiting', 'pending', 'failed')),
			       EXISTS (SELECT 1 FROM limits) OR EXISTS (SELECT 1 FROM queues WHERE rate_count IS NOT NULL),
			       EXISTS (SELECT 1 FROM jobs WHERE (resources IS NOT NULL OR slots > 1) AND state IN ('pending', 'failed'))""";

	/** A filter the arms of a claim under limits add: jobs naming keys are read by their own statement. */
	private static final String NO_LIMITS = " AND limits IS NULL";

	// ---- SQLite's statements, whole ({now}: the lease clock, bound; {arms}: PRIORITY_ARMS)

	/** The priorities of runnable jobs over every queue, highest first: a recursive walk down jobs_runnable. */
	private static final String SQLITE_PRIORITIES = """
			WITH RECURSIVE p (v, depth) AS (\
			SELECT (SELECT MAX(priority) FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0), 1 \
			UNION ALL \
			SELECT (SELECT MAX(priority) FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 \
			AND priority < p.v), depth + 1 FROM p WHERE v IS NOT NULL AND depth <= {arms}) \
			SELECT v FROM p WHERE v IS NOT NULL""";

	/** The queues with runnable jobs: a recursive walk down jobs_runnable_by_queue, one seek a queue. */
	private static final String SQLITE_EVERY_QUEUE = """
			SELECT MIN(queue) FROM jobs INDEXED BY jobs_runnable_by_queue WHERE state IN ('pending', 'failed') \
			UNION ALL \
			SELECT (SELECT MIN(queue) FROM jobs INDEXED BY jobs_runnable_by_queue WHERE state IN ('pending', 'failed') \
			AND queue > qs.name) FROM qs WHERE qs.name IS NOT NULL""";

	/** The queues named, bound as one JSON array. */
	private static final String SQLITE_NAMED_QUEUES = "SELECT value FROM json_each(?)";

	/** Per queue of {queues} (a NULL row skipped), the priorities of its runnable jobs, highest first. */
	private static final String SQLITE_PRIORITIES_BY_QUEUE = """
			WITH RECURSIVE qs (name) AS ({queues}), \
			p (queue, v, depth) AS (\
			SELECT name, (SELECT MAX(priority) FROM jobs INDEXED BY jobs_runnable_by_queue WHERE state IN ('pending', 'failed') \
			AND queue = qs.name), 1 FROM qs WHERE name IS NOT NULL \
			UNION ALL \
			SELECT queue, (SELECT MAX(priority) FROM jobs INDEXED BY jobs_runnable_by_queue WHERE state IN ('pending', 'failed') \
			AND queue = p.queue AND priority < p.v), depth + 1 FROM p WHERE v IS NOT NULL AND depth <= {arms}) \
			SELECT queue, v FROM p WHERE v IS NOT NULL ORDER BY queue, v DESC""";

	/**
	 * An arm over every queue: due jobs of one priority ({@code %1$s} "=") or below it ("<"), in
	 * the order {@code %2$s}, at most {@code %3$d}; {@code %5$d} numbers it. SQLite locks nothing.
	 */
	private static final String SQLITE_EVERY_QUEUE_ARM = """
			SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable \
			WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority %1$s ? AND run_at <= {now}%6$s \
			ORDER BY %2$s LIMIT %3$d) a%5$d""";

	/**
	 * While some runnable job asks resources or slots, each arm ({@code %6$s}) takes only jobs that
	 * fit what the host has free: at most the slots bound, and no resource above the free amount
	 * bound as a JSON object (a name it lacks: 0). A job that asks nothing passes at its first test.
	 */
	private static final String SQLITE_FITS = " AND slots <= ? AND (resources IS NULL OR NOT EXISTS (SELECT 1 FROM "
			+ "json_each(jobs.resources) r WHERE r.value > COALESCE(json_extract(?, '$.\"' || r.key || '\"'), 0)))";

	/** An arm over one queue, as {@link #SQLITE_EVERY_QUEUE_ARM}. */
	private static final String SQLITE_QUEUE_ARM = """
			SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable_by_queue \
			WHERE queue = ? AND state IN ('pending', 'failed') AND priority %1$s ? AND run_at <= {now}%6$s \
			ORDER BY %2$s LIMIT %3$d) a%5$d""";

	/**
	 * The runnable jobs that name keys, due, best first, through their own partial index (no job
	 * without limits is in it); {@code %1$s}: the host's queues' filter or nothing, {@code %2$s}
	 * nothing (SQLite locks nothing). Bind now, the queues if filtered, the limit.
	 */
	private static final String SQLITE_LIMITED = """
			SELECT id, priority, run_at, queue, limits FROM jobs INDEXED BY jobs_limited_runnable \
			WHERE state IN ('pending', 'failed') AND limits IS NOT NULL AND run_at <= {now}%1$s \
			ORDER BY priority DESC, run_at, id LIMIT ?%2$s""";

	/** The ids a claim under limits chose, bound as one JSON array. */
	private static final String SQLITE_LISTED = "SELECT value FROM json_each(?)";

	// ---- PostgreSQL's statements, whole ({now}: the server's clock; {arms}: PRIORITY_ARMS). Its
	// planner picks the partial indexes by itself. "attempts >= 0", always true, is named only by the
	// reads over every queue: jobs_runnable's predicate carries it (migration V8), so the planner
	// cannot take that index for one queue's read (it did, and filtered 100,000 jobs of another
	// queue row by row: it costs a LIMIT as if matches were spread evenly).

	private static final String POSTGRESQL_PRIORITIES = """
			WITH RECURSIVE p (v, depth) AS (\
			SELECT (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0), 1 \
			UNION ALL \
			SELECT (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 \
			AND priority < p.v), depth + 1 FROM p WHERE v IS NOT NULL AND depth <= {arms}) \
			SELECT v FROM p WHERE v IS NOT NULL""";

	private static final String POSTGRESQL_EVERY_QUEUE = """
			SELECT MIN(queue) FROM jobs WHERE state IN ('pending', 'failed') \
			UNION ALL \
			SELECT (SELECT MIN(queue) FROM jobs WHERE state IN ('pending', 'failed') \
			AND queue > qs.name) FROM qs WHERE qs.name IS NOT NULL""";

	/** The queues named, bound as one text[]. */
	private static final String POSTGRESQL_NAMED_QUEUES = "SELECT unnest(CAST(? AS TEXT[]))";

	private static final String POSTGRESQL_PRIORITIES_BY_QUEUE = """
			WITH RECURSIVE qs (name) AS ({queues}), \
			p (queue, v, depth) AS (\
			SELECT name, (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') \
			AND queue = qs.name), 1 FROM qs WHERE name IS NOT NULL \
			UNION ALL \
			SELECT queue, (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') \
			AND queue = p.queue AND priority < p.v), depth + 1 FROM p WHERE v IS NOT NULL AND depth <= {arms}) \
			SELECT queue, v FROM p WHERE v IS NOT NULL ORDER BY queue, v DESC""";

	/**
	 * As {@link #SQLITE_EVERY_QUEUE_ARM}; {@code %4$s}: " FOR UPDATE SKIP LOCKED" when claiming.
	 * "(SELECT {now})" reads the clock once a statement: clock_timestamp() is volatile, and compared
	 * row by row it ends no index range (every delayed job was read).
	 */
	private static final String POSTGRESQL_EVERY_QUEUE_ARM = """
			SELECT * FROM (SELECT id, priority, run_at FROM jobs \
			WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority %1$s ? AND run_at <= (SELECT {now})%6$s \
			ORDER BY %2$s LIMIT %3$d%4$s) a%5$d""";

	/** As {@link #SQLITE_FITS}. */
	private static final String POSTGRESQL_FITS = " AND slots <= ? AND (resources IS NULL OR NOT EXISTS (SELECT 1 FROM "
			+ "jsonb_each_text(jobs.resources) r WHERE CAST(r.value AS BIGINT) > "
			+ "COALESCE(CAST(CAST(? AS JSONB) ->> r.key AS BIGINT), 0)))";

	private static final String POSTGRESQL_QUEUE_ARM = """
			SELECT * FROM (SELECT id, priority, run_at FROM jobs \
			WHERE queue = ? AND state IN ('pending', 'failed') AND priority %1$s ? AND run_at <= (SELECT {now})%6$s \
			ORDER BY %2$s LIMIT %3$d%4$s) a%5$d""";

	/**
	 * The claim over every queue in one statement ({@link #everyQueueInOne}): the priorities found
	 * ({@link #POSTGRESQL_PRIORITIES}) and for each a LATERAL arm; {@code %1$d}: the arms' limit;
	 * {@code %2$s}: the deadline predicate or nothing, as in the arms.
	 */
	private static final String POSTGRESQL_EVERY_QUEUE_IN_ONE = """
			WITH RECURSIVE p (v, depth) AS (\
			SELECT (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0), 1 \
			UNION ALL \
			SELECT (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 \
			AND priority < p.v), depth + 1 FROM p WHERE v IS NOT NULL AND depth <= {arms}) \
			SELECT id FROM (\
			SELECT a.* FROM p CROSS JOIN LATERAL (SELECT id, priority, run_at FROM jobs \
			WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = p.v AND run_at <= (SELECT {now})%2$s \
			ORDER BY run_at, id LIMIT %1$d FOR UPDATE SKIP LOCKED) a WHERE p.depth <= {arms} \
			UNION ALL \
			SELECT a.* FROM p CROSS JOIN LATERAL (SELECT id, priority, run_at FROM jobs \
			WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority <= p.v AND run_at <= (SELECT {now})%2$s \
			ORDER BY priority DESC, run_at, id LIMIT %1$d FOR UPDATE SKIP LOCKED) a WHERE p.depth > {arms}\
			) c ORDER BY priority DESC, run_at, id LIMIT ?""";

	/**
	 * The predicate an arm ({@code %6$s}) names while any job that may still start has a deadline
	 * (issue 26): a job not started by its start_by is never claimed, even before the sweep cancels
	 * it. Named only then: jobs_runnable does not hold start_by, so the predicate reads each
	 * candidate's row, and a claim without deadlines stays the statement it was. SQLite binds {now}.
	 */
	private static final String SQLITE_DEADLINE = " AND (start_by IS NULL OR start_by > {now})";

	private static final String POSTGRESQL_DEADLINE = " AND (start_by IS NULL OR start_by > (SELECT {now}))";

	/** As {@link #SQLITE_LIMITED}; {@code %2$s}: " FOR UPDATE SKIP LOCKED" when claiming. */
	private static final String POSTGRESQL_LIMITED = """
			SELECT id, priority, run_at, queue, limits FROM jobs \
			WHERE state IN ('pending', 'failed') AND limits IS NOT NULL AND run_at <= (SELECT {now})%1$s \
			ORDER BY priority DESC, run_at, id LIMIT ?%2$s""";

	/** The ids a claim under limits chose, bound as one text[]. */
	private static final String POSTGRESQL_LISTED = "SELECT unnest(CAST(? AS TEXT[]))";

	private final Dialect dialect;

	private final String deadline;

	private final String prioritiesSql;

	private final String everyQueuePrioritiesSql;

	private final String namedQueuesPrioritiesSql;

	/** The format of an arm over every queue, or over one queue ({@link #arms}). */
	private final String everyQueueArm;

	private final String queueArm;

	/** {@link #everyQueueInOne}'s statement, its arms' limit left as {@code %1$d}; PostgreSQL only. */
	private final String everyQueueInOneSql;

	/** {@link #SQLITE_FITS} or {@link #POSTGRESQL_FITS}. */
	private final String fits;

	/** {@link #queueArm} for a claim under limits: jobs naming keys left out ({@link #NO_LIMITS}). */
	private final String unlimitedQueueArm;

	private final String limitedSql;

	private final String listedSql;

	private final String probeFlagsSql;

	ClaimQuery(Dialect dialect) {
		this.dialect = dialect;
		boolean pg = dialect.isPostgres();
		this.prioritiesSql = fill(pg ? POSTGRESQL_PRIORITIES : SQLITE_PRIORITIES);
		String byQueue = pg ? POSTGRESQL_PRIORITIES_BY_QUEUE : SQLITE_PRIORITIES_BY_QUEUE;
		this.everyQueuePrioritiesSql = fill(byQueue.replace("{queues}", pg ? POSTGRESQL_EVERY_QUEUE : SQLITE_EVERY_QUEUE));
		this.namedQueuesPrioritiesSql = fill(byQueue.replace("{queues}", pg ? POSTGRESQL_NAMED_QUEUES : SQLITE_NAMED_QUEUES));
		this.everyQueueArm = fill(pg ? POSTGRESQL_EVERY_QUEUE_ARM : SQLITE_EVERY_QUEUE_ARM);
		this.queueArm = fill(pg ? POSTGRESQL_QUEUE_ARM : SQLITE_QUEUE_ARM);
		this.everyQueueInOneSql = pg ? fill(POSTGRESQL_EVERY_QUEUE_IN_ONE) : null;
		this.fits = pg ? POSTGRESQL_FITS : SQLITE_FITS;
		this.deadline = fill(pg ? POSTGRESQL_DEADLINE : SQLITE_DEADLINE);
		this.unlimitedQueueArm = this.queueArm.replace(" AND priority %1$s ?", NO_LIMITS + " AND priority %1$s ?");
		this.limitedSql = fill(pg ? POSTGRESQL_LIMITED : SQLITE_LIMITED);
		this.listedSql = pg ? POSTGRESQL_LISTED : SQLITE_LISTED;
		this.probeFlagsSql = PROBE_FLAGS.formatted(dialect.indexedBy("jobs_deadline"));
	}

	/** {@link #PROBE_FLAGS} in this dialect: one row (deadlines, flow, weighted), binds nothing. */
	String probeFlags() {
		return this.probeFlagsSql;
	}

	/** A statement with its {now} (the lease clock, {@link Dialect#clock}) and {arms} filled in. */
	private String fill(String sql) {
		return sql.replace("{now}", this.dialect.clock()).replace("{arms}", Integer.toString(PRIORITY_ARMS));
	}

	/** The priorities of runnable jobs, due or not, highest first: one index seek each, at most PRIORITY_ARMS + 1. */
	String priorities() {
		return this.prioritiesSql;
	}

	/**
	 * Rows (queue, priority) of the runnable jobs' priorities per queue, as {@link #priorities()}:
	 * of the queues named (bind {@link Dialect#idList}), or when none is, of every queue that has
	 * runnable jobs (found one index seek each).
	 */
	String prioritiesByQueue(boolean named) {
		return named ? this.namedQueuesPrioritiesSql : this.everyQueuePrioritiesSql;
	}

	/**
	 * PostgreSQL's select over every queue when none is paused or limited: the arms of
	 * {@link #overEveryQueue} with the discovery of priorities folded in, each arm a LATERAL
	 * subquery over a priority found, so that a claim is one round trip to the server, not two (the
	 * priorities' read was one statement in four of a batch: record, priorities, claim, commit).
	 * Bind {@code n}.
	 */
	String everyQueueInOne(int n) {
		return everyQueueInOne(n, false);
	}

	/** {@link #everyQueueInOne(int)}; {@code deadlines}: jobs past their start_by are passed over. */
	String everyQueueInOne(int n, boolean deadlines) {
		return this.everyQueueInOneSql.formatted(n, deadlines ? this.deadline : "");
	}

	/**
	 * The ids of up to {@code n} runnable jobs over every queue, best first: one arm per priority
	 * found ({@link #priorities()}, not empty), each an index range that ends at its first job not
	 * yet due. Adds its arguments to {@code args}. {@code lock}: PostgreSQL locks the rows read,
	 * skipping those another host has locked.
	 */
	String overEveryQueue(List<Integer> priorities, int n, Instant now, boolean lock, List<Object> args) {
		return overEveryQueue(priorities, n, now, lock, false, null, args);
	}

	/** {@link #overEveryQueue}; {@code deadlines}: jobs past their start_by are passed over. */
	String overEveryQueue(List<Integer> priorities, int n, Instant now, boolean lock, boolean deadlines,
			List<Object> args) {
		return overEveryQueue(priorities, n, now, lock, deadlines, null, args);
	}

	/**
	 * {@link #overEveryQueue}, each arm taking only jobs that fit {@code free} (null: every job, the
	 * statement as above): while some runnable job asks resources or slots.
	 */
	String overEveryQueue(List<Integer> priorities, int n, Instant now, boolean lock, FreeOnHost free, List<Object> args) {
		return overEveryQueue(priorities, n, now, lock, false, free, args);
	}

	/**
	 * {@link #overEveryQueue}: {@code deadlines}, jobs past their start_by are passed over;
	 * {@code free}, only jobs that fit it are taken (null: every job).
	 */
	String overEveryQueue(List<Integer> priorities, int n, Instant now, boolean lock, boolean deadlines,
			FreeOnHost free, List<Object> args) {
		List<String> groups = arms(null, priorities, n, now, lock, deadlines, free, args, false);
		args.add(n);
		return "SELECT id FROM (" + unionAll(groups) + ") c" + BEST_FIRST_LIMIT + "?";
	}

	/**
	 * The ids of up to {@code n} runnable jobs of the queues in {@code byQueue} (their priorities,
	 * {@link #prioritiesByQueue}), best first: one arm per queue and priority, each queue at most its
	 * {@code room} ({@link #ROOMS}; a queue without room is not read), through the index led by the
	 * queue. Null when no queue may start a job. Adds its arguments to {@code args}.
	 */
	String overQueues(Map<String, List<Integer>> byQueue, Map<String, Integer> room, int n, Instant now, boolean lock,
			List<Object> args) {
		return overQueues(byQueue, room, n, now, lock, false, null, args);
	}

	/** {@link #overQueues}; {@code deadlines}: jobs past their start_by are passed over. */
	String overQueues(Map<String, List<Integer>> byQueue, Map<String, Integer> room, int n, Instant now, boolean lock,
			boolean deadlines, List<Object> args) {
		return overQueues(byQueue, room, n, now, lock, deadlines, null, args);
	}

	/** {@link #overQueues}, each arm taking only jobs that fit {@code free} (null: every job), as {@link #overEveryQueue}. */
	String overQueues(Map<String, List<Integer>> byQueue, Map<String, Integer> room, int n, Instant now, boolean lock,
			FreeOnHost free, List<Object> args) {
		return overQueues(byQueue, room, n, now, lock, false, free, args);
	}

	/** {@link #overQueues} with the deadline predicate and what fits, as {@link #overEveryQueue}. */
	String overQueues(Map<String, List<Integer>> byQueue, Map<String, Integer> room, int n, Instant now, boolean lock,
			boolean deadlines, FreeOnHost free, List<Object> args) {
		return overQueues(byQueue, room, n, now, lock, deadlines, free, args, false);
	}

	/**
	 * {@link #overQueues} for a claim while limits are set ({@code unlimited}): its arms leave out
	 * the jobs that name keys ({@link #limited} reads those).
	 */
	String overQueues(Map<String, List<Integer>> byQueue, Map<String, Integer> room, int n, Instant now, boolean lock,
			List<Object> args, boolean unlimited) {
		return overQueues(byQueue, room, n, now, lock, false, null, args, unlimited);
	}

	/** {@link #overQueues}, all said: the deadline predicate, what fits, and whether jobs that name keys are left out. */
	String overQueues(Map<String, List<Integer>> byQueue, Map<String, Integer> room, int n, Instant now, boolean lock,
			boolean deadlines, FreeOnHost free, List<Object> args, boolean unlimited) {
		List<String> groups = new ArrayList<>();
		for (Map.Entry<String, List<Integer>> queue : byQueue.entrySet()) {
			int limit = Math.min(n, room.getOrDefault(queue.getKey(), n));
			if (limit > 0) {
				List<String> arms = arms(queue.getKey(), queue.getValue(), limit, now, lock, deadlines, free, args, unlimited);
				groups.add(arms.size() == 1 ? arms.get(0)
						: "SELECT * FROM (" + unionAll(arms) + BEST_FIRST_LIMIT + limit + ") g" + groups.size());
			}
		}
		if (groups.isEmpty()) {
			return null;
		}
		args.add(n);
		return "SELECT id FROM (" + unionAll(groups) + ") c" + BEST_FIRST_LIMIT + "?";
	}

	/**
	 * The claim itself over the ids {@code chosen} selects: binds the worker's id, now twice, the
	 * lease clock's arguments ({@link Dialect#clockArgs}) with the lease's length, then the select's.
	 */
	String update(String chosen) {
		return """
				UPDATE jobs SET state = 'processing', attempts = attempts + 1, worker_id = ?, started_at = ?,
				       updated_at = ?, lease_expires_at = %s + ?, finished_at = NULL
				WHERE id IN (%s)
				RETURNING id, command, working_dir, attempts, max_retries, timeout_ms, started_at, run_at, priority, slots, resources"""
			.formatted(this.dialect.clock(), chosen);
	}

	/**
	 * The jobs that name keys a claim under limits considers, due, best first: rows (id, priority,
	 * run_at, queue, limits). Bind the lease clock's arguments ({@link Dialect#clockArgs}), then the
	 * host's queues as one list when {@code queues} ({@link Dialect#idList}), then the limit.
	 * {@code lock}: PostgreSQL locks the rows read, skipping those another host has locked.
	 */
	String limited(boolean queues, boolean lock) {
		return limited(queues, lock, false);
	}

	/** {@link #limited}; {@code deadlines}: jobs past their start_by passed over (bind the clock's arguments again first). */
	String limited(boolean queues, boolean lock, boolean deadlines) {
		return this.limitedSql.formatted((deadlines ? this.deadline : "") + (queues ? " AND queue " + this.dialect.inList() : ""),
				lock ? this.dialect.skipLocked() : "");
	}

	/** The rows of {@link #limited} for the jobs a select of ids ({@link #overQueues}) chose. */
	String candidates(String chosen) {
		return "SELECT id, priority, run_at, queue, limits FROM jobs WHERE id IN (" + chosen + ")";
	}

	/**
	 * The claim of the jobs a claim under limits chose (bind as {@link #update}, then the ids as one
	 * list): only those still runnable, should another host have taken one meanwhile.
	 */
	String updateListed() {
		return update(this.listedSql).replace("\nRETURNING", " AND state IN ('pending', 'failed')\nRETURNING");
	}

	/**
	 * The arms over one index: due jobs of each priority given (of {@code queue}, if not null);
	 * {@code deadlines}: with the deadline predicate; {@code free}: only jobs that fit it ({@code %6$s}
	 * holds both predicates, the deadline's first, and their arguments follow in that order);
	 * {@code unlimited}: jobs that name keys left out.
	 */
	private List<String> arms(String queue, List<Integer> priorities, int limit, Instant now, boolean lock,
			boolean deadlines, FreeOnHost free, List<Object> args, boolean unlimited) {
		List<String> arms = new ArrayList<>();
		int named = Math.min(priorities.size(), PRIORITY_ARMS);
		for (int i = 0; i < named || i == named && priorities.size() > named; i++) {
			boolean rest = i == named;
			arms.add((queue == null ? this.everyQueueArm : unlimited ? this.unlimitedQueueArm : this.queueArm).formatted(
					rest ? "<" : "=", rest ? "priority DESC, run_at, id" : "run_at, id", limit,
					lock ? this.dialect.skipLocked() : "", i, (deadlines ? this.deadline : "") + (free == null ? "" : this.fits)));
			if (queue != null) {
				args.add(queue);
			}
			args.add(priorities.get(rest ? named - 1 : i));
			args.addAll(Arrays.asList(this.dialect.clockArgs(now)));
			if (deadlines) {
				args.addAll(Arrays.asList(this.dialect.clockArgs(now)));
			}
			if (free != null) {
				args.add(free.slotBound());
				args.add(free.resources().isEmpty() ? "{}" : free.resources().toJson());
			}
		}
		return arms;
	}

	private static String unionAll(List<String> arms) {
		if (arms.size() <= ARMS_PER_COMPOUND) {
			return String.join(" UNION ALL ", arms);
		}
		List<String> groups = new ArrayList<>();
		for (int i = 0; i < arms.size(); i += ARMS_PER_COMPOUND) {
			groups.add("SELECT * FROM (" + unionAll(arms.subList(i, Math.min(arms.size(), i + ARMS_PER_COMPOUND)))
					+ ") u" + groups.size());
		}
		return unionAll(groups);
	}
}
