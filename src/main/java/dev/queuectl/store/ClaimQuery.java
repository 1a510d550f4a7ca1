package dev.queuectl.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The text of a claim's statements, one dialect's, and nothing else: it reads no database.
 * {@link WorkerStore} reads the facts a claim depends on (the priorities of runnable jobs, the
 * rooms of paused or limited queues) with the reads here, picks the select that fits them, and
 * runs it inside the claiming UPDATE ({@link #update}). ClaimQueryTest pins every statement's text.
 */
final class ClaimQuery {

	/**
	 * Priorities a claim reads one by one (in a queue, or over every queue), highest first; one
	 * more arm reads whatever lies below the last of them in a single scan.
	 */
	static final int PRIORITY_ARMS = 8;

	private static final String RUNNABLE = "state IN ('pending', 'failed')";

	/**
	 * Named only by the reads over jobs_runnable, and always true. On PostgreSQL that index's
	 * predicate carries it (migration V8), so the planner cannot take that index for a queue's read:
	 * it did, and filtered 100,000 jobs of another queue row by row (it costs a LIMIT as if matches
	 * were spread evenly). SQLite names the index each read takes.
	 */
	private static final String ACROSS_QUEUES = " AND attempts >= 0";

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

	private final Dialect dialect;

	/**
	 * The priorities of runnable jobs over every queue as rows {@code p (v, depth)}, highest first
	 * (depth 1), at most PRIORITY_ARMS + 1 (the last of them: the highest below those read one by one).
	 */
	private final String everyQueueDiscovery;

	/** {@link #priorities()}: built once. */
	private final String prioritiesSql;

	/** {@link #everyQueueInOne}'s statement, its arms' limit left as {@code %1$d}: built once. */
	private final String everyQueueInOneSql;

	private final String everyQueuePrioritiesSql;

	private final String namedQueuesPrioritiesSql;

	ClaimQuery(Dialect dialect) {
		this.dialect = dialect;
		this.everyQueueDiscovery = "WITH RECURSIVE p (v, depth) AS (SELECT " + nextPriority("jobs_runnable", null, null)
				+ ", 1 UNION ALL SELECT " + nextPriority("jobs_runnable", null, "p.v") + ", depth + 1 FROM p WHERE v IS NOT NULL AND depth <= "
				+ PRIORITY_ARMS + ")";
		this.prioritiesSql = this.everyQueueDiscovery + " SELECT v FROM p WHERE v IS NOT NULL";
		String arm = "SELECT a.* FROM p CROSS JOIN LATERAL (SELECT id, priority, run_at FROM jobs WHERE " + RUNNABLE + ACROSS_QUEUES
				+ " AND priority %s p.v AND run_at <= " + dialect.due() + " ORDER BY %s LIMIT %%1$d" + dialect.skipLocked()
				+ ") a WHERE p.depth %s";
		this.everyQueueInOneSql = this.everyQueueDiscovery + " SELECT id FROM ("
				+ arm.formatted("=", "run_at, id", "<= " + PRIORITY_ARMS) + " UNION ALL "
				+ arm.formatted("<=", "priority DESC, run_at, id", "> " + PRIORITY_ARMS) + ") c" + BEST_FIRST_LIMIT + "?";
		String next = "SELECT MIN(queue) FROM jobs" + dialect.indexedBy("jobs_runnable_by_queue") + " WHERE " + RUNNABLE;
		this.everyQueuePrioritiesSql = prioritiesOf(next + " UNION ALL SELECT (" + next
				+ " AND queue > qs.name) FROM qs WHERE qs.name IS NOT NULL");
		this.namedQueuesPrioritiesSql = prioritiesOf(dialect.listRows());
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
		return this.everyQueueInOneSql.formatted(n);
	}

	/**
	 * The ids of up to {@code n} runnable jobs over every queue, best first: one arm per priority
	 * found ({@link #priorities()}, not empty), each an index range that ends at its first job not
	 * yet due. Adds its arguments to {@code args}. {@code lock}: PostgreSQL locks the rows read,
	 * skipping those another host has locked.
	 */
	String overEveryQueue(List<Integer> priorities, int n, Instant now, boolean lock, List<Object> args) {
		List<String> groups = arms("jobs_runnable", null, priorities, n, now, lock, args);
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
		List<String> groups = new ArrayList<>();
		for (Map.Entry<String, List<Integer>> queue : byQueue.entrySet()) {
			int limit = Math.min(n, room.getOrDefault(queue.getKey(), n));
			if (limit > 0) {
				List<String> arms = arms("jobs_runnable_by_queue", queue.getKey(), queue.getValue(), limit, now, lock, args);
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
				RETURNING id, command, working_dir, attempts, max_retries, timeout_ms, started_at, run_at, priority"""
			.formatted(this.dialect.clock(), chosen);
	}

	/** The arms over one index: due jobs of each priority given (of {@code queue}, if not null). */
	private List<String> arms(String index, String queue, List<Integer> priorities, int limit, Instant now, boolean lock,
			List<Object> args) {
		List<String> arms = new ArrayList<>();
		int named = Math.min(priorities.size(), PRIORITY_ARMS);
		for (int i = 0; i < named || i == named && priorities.size() > named; i++) {
			boolean rest = i == named;
			arms.add("SELECT * FROM (SELECT id, priority, run_at FROM jobs%s WHERE %s%s AND priority %s ? AND run_at <= %s ORDER BY %s LIMIT %d%s) a%d"
				.formatted(this.dialect.indexedBy(index), queue == null ? "" : "queue = ? AND ",
						RUNNABLE + (queue == null ? ACROSS_QUEUES : ""), rest ? "<" : "=",
						this.dialect.due(), rest ? "priority DESC, run_at, id" : "run_at, id", limit,
						lock ? this.dialect.skipLocked() : "", i));
			if (queue != null) {
				args.add(queue);
			}
			args.add(priorities.get(rest ? named - 1 : i));
			args.addAll(Arrays.asList(this.dialect.clockArgs(now)));
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

	/**
	 * The next lower priority of a runnable job (of the queue named by {@code queueColumn}, if
	 * not null) below the one in {@code belowColumn} (null: the highest): one index seek.
	 */
	private String nextPriority(String index, String queueColumn, String belowColumn) {
		return "(SELECT MAX(priority) FROM jobs" + this.dialect.indexedBy(index) + " WHERE " + RUNNABLE
				+ (queueColumn == null ? ACROSS_QUEUES : " AND queue = " + queueColumn)
				+ (belowColumn == null ? "" : " AND priority < " + belowColumn) + ")";
	}

	/** The statement of {@link #prioritiesByQueue} over the queues {@code names} selects (a NULL row is skipped). */
	private String prioritiesOf(String names) {
		String index = "jobs_runnable_by_queue";
		return "WITH RECURSIVE qs (name) AS (" + names + "), p (queue, v, depth) AS (SELECT name, "
				+ nextPriority(index, "qs.name", null) + ", 1 FROM qs WHERE name IS NOT NULL UNION ALL SELECT queue, "
				+ nextPriority(index, "p.queue", "p.v") + ", depth + 1 FROM p WHERE v IS NOT NULL AND depth <= "
				+ PRIORITY_ARMS + ") SELECT queue, v FROM p WHERE v IS NOT NULL ORDER BY queue, v DESC";
	}
}
