package dev.queuectl.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.queuectl.job.FreeOnHost;
import dev.queuectl.job.Resources;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the exact text of the claim's statements on both databases, case by case: every queue,
 * named queues, paused and limited queues, PostgreSQL's one-statement claim, the arm for the
 * priorities below the eighth, SQLite's nesting of many arms, and the statements of a claim under
 * limits by key or queue rates (issue 26). The expected texts are what the
 * builder sent before it left WorkerStore: any change to a statement fails here, on purpose
 * (a changed claim is measured with bench/store-ab.sh before its text is pinned again). The
 * deadline predicate of issue 26 is pinned in cases of its own; without it every text is as it was.
 */
class ClaimQueryTest {

	private static final Instant NOW = Instant.ofEpochMilli(1000);

	/** Queue a with one priority, b with two, c with one, as {@link ClaimQuery#prioritiesByQueue} reads them. */
	private static final Map<String, List<Integer>> THREE_QUEUES = new LinkedHashMap<>();

	static {
		THREE_QUEUES.put("a", List.of(5));
		THREE_QUEUES.put("b", List.of(5, 0));
		THREE_QUEUES.put("c", List.of(1));
	}

	private final ClaimQuery sqlite = new ClaimQuery(Dialect.SQLITE);

	private final ClaimQuery postgres = new ClaimQuery(Dialect.POSTGRESQL);

	/** The priorities of runnable jobs over every queue: a recursive walk down the partial index. */
	@Test
	void theHighestPrioritiesOverEveryQueueAreReadOneIndexSeekEach() {
		assertThat(sqlite.priorities()).isEqualTo("""
				WITH RECURSIVE p (v, depth) AS (SELECT (SELECT MAX(priority) FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0), 1 UNION ALL \
				SELECT (SELECT MAX(priority) FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority < p.v), depth + 1 FROM p WHERE v IS NOT NULL AND depth <= 8) SELECT v FROM p WHERE v IS NOT NULL""");
		assertThat(postgres.priorities()).isEqualTo("""
				WITH RECURSIVE p (v, depth) AS (SELECT (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0), 1 UNION ALL \
				SELECT (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority < p.v), depth + 1 FROM p WHERE v IS NOT NULL AND depth <= 8) SELECT v FROM p WHERE v IS NOT NULL""");
	}

	/** Per queue, when the host takes from every queue: the queues found one seek each, then their priorities. */
	@Test
	void thePrioritiesPerQueueOfEveryQueueWalkTheQueuesThroughTheIndexLedByTheQueue() {
		assertThat(sqlite.prioritiesByQueue(false)).isEqualTo("""
				WITH RECURSIVE qs (name) AS (SELECT MIN(queue) FROM jobs INDEXED BY jobs_runnable_by_queue WHERE state IN ('pending', 'failed') UNION ALL \
				SELECT (SELECT MIN(queue) FROM jobs INDEXED BY jobs_runnable_by_queue WHERE state IN ('pending', 'failed') AND queue > qs.name) FROM qs WHERE qs.name IS NOT NULL), p (queue, v, depth) AS (SELECT name, (SELECT MAX(priority) FROM jobs INDEXED BY jobs_runnable_by_queue WHERE state IN ('pending', 'failed') AND queue = qs.name), 1 FROM qs WHERE name IS NOT NULL UNION ALL \
				SELECT queue, (SELECT MAX(priority) FROM jobs INDEXED BY jobs_runnable_by_queue WHERE state IN ('pending', 'failed') AND queue = p.queue AND priority < p.v), depth + 1 FROM p WHERE v IS NOT NULL AND depth <= 8) SELECT queue, v FROM p WHERE v IS NOT NULL ORDER BY queue, v DESC""");
		assertThat(postgres.prioritiesByQueue(false)).isEqualTo("""
				WITH RECURSIVE qs (name) AS (SELECT MIN(queue) FROM jobs WHERE state IN ('pending', 'failed') UNION ALL \
				SELECT (SELECT MIN(queue) FROM jobs WHERE state IN ('pending', 'failed') AND queue > qs.name) FROM qs WHERE qs.name IS NOT NULL), p (queue, v, depth) AS (SELECT name, (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND queue = qs.name), 1 FROM qs WHERE name IS NOT NULL UNION ALL \
				SELECT queue, (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND queue = p.queue AND priority < p.v), depth + 1 FROM p WHERE v IS NOT NULL AND depth <= 8) SELECT queue, v FROM p WHERE v IS NOT NULL ORDER BY queue, v DESC""");
	}

	/** Per queue, when the host takes from named queues: the names bound as one list. */
	@Test
	void thePrioritiesPerQueueOfNamedQueuesReadTheNamesBoundAsOneList() {
		assertThat(sqlite.prioritiesByQueue(true)).isEqualTo("""
				WITH RECURSIVE qs (name) AS (SELECT value FROM json_each(?)), p (queue, v, depth) AS (SELECT name, (SELECT MAX(priority) FROM jobs INDEXED BY jobs_runnable_by_queue WHERE state IN ('pending', 'failed') AND queue = qs.name), 1 FROM qs WHERE name IS NOT NULL UNION ALL \
				SELECT queue, (SELECT MAX(priority) FROM jobs INDEXED BY jobs_runnable_by_queue WHERE state IN ('pending', 'failed') AND queue = p.queue AND priority < p.v), depth + 1 FROM p WHERE v IS NOT NULL AND depth <= 8) SELECT queue, v FROM p WHERE v IS NOT NULL ORDER BY queue, v DESC""");
		assertThat(postgres.prioritiesByQueue(true)).isEqualTo("""
				WITH RECURSIVE qs (name) AS (SELECT unnest(CAST(? AS TEXT[]))), p (queue, v, depth) AS (SELECT name, (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND queue = qs.name), 1 FROM qs WHERE name IS NOT NULL UNION ALL \
				SELECT queue, (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND queue = p.queue AND priority < p.v), depth + 1 FROM p WHERE v IS NOT NULL AND depth <= 8) SELECT queue, v FROM p WHERE v IS NOT NULL ORDER BY queue, v DESC""");
	}

	/** The rooms of paused or limited queues, and the lock PostgreSQL takes on the limited ones. */
	@Test
	void theRoomsOfPausedAndLimitedQueuesAndTheirLockAreOneTextForBothDatabases() {
		assertThat(ClaimQuery.ROOMS).isEqualTo("""
				SELECT q.name, CASE WHEN q.paused = 1 THEN 0 ELSE q.max_running - (
				    SELECT COUNT(*) FROM jobs r WHERE r.state = 'processing' AND r.queue = q.name) END
				FROM queues q WHERE q.paused = 1 OR q.max_running IS NOT NULL""");
		assertThat(ClaimQuery.LOCK_LIMITED_QUEUES)
			.isEqualTo("SELECT name FROM queues WHERE max_running IS NOT NULL ORDER BY name FOR UPDATE");
	}

	/** PostgreSQL over every queue, none paused or limited: the priorities found in the same statement (SQLite never sends it). */
	@Test
	void postgresqlClaimsOverEveryQueueInOneStatementThatFindsThePrioritiesToo() {
		assertThat(postgres.everyQueueInOne(8)).isEqualTo("""
				WITH RECURSIVE p (v, depth) AS (SELECT (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0), 1 UNION ALL \
				SELECT (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority < p.v), depth + 1 FROM p WHERE v IS NOT NULL AND depth <= 8) SELECT id FROM (SELECT a.* FROM p CROSS JOIN LATERAL (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = p.v AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a WHERE p.depth <= 8 UNION ALL \
				SELECT a.* FROM p CROSS JOIN LATERAL (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority <= p.v AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY priority DESC, run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a WHERE p.depth > 8) c ORDER BY priority DESC, run_at, id LIMIT ?""");
	}

	/** Every queue, two priorities found, claiming (lock): one arm each; PostgreSQL locks and skips locked rows. */
	@Test
	void aClaimOverEveryQueueReadsOneArmPerPriorityAndPostgresqlSkipsLockedRows() {
		List<Object> args = new ArrayList<>();
		assertThat(sqlite.overEveryQueue(List.of(5, 0), 8, NOW, true, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a0 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a1) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of(5, 1000L, 0, 1000L, 8));
		args.clear();
		assertThat(postgres.overEveryQueue(List.of(5, 0), 8, NOW, true, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a0 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a1) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of(5, 0, 8));
	}

	/** Every queue, nine priorities found, an idle host's poll (no lock): eight arms, then one for all below the eighth. */
	@Test
	void priorityArmsBeyondTheEighthAreReadInOneLastArmAndAPollLocksNothing() {
		List<Object> args = new ArrayList<>();
		List<Integer> nine = List.of(9, 8, 7, 6, 5, 4, 3, 2, 1);
		assertThat(sqlite.overEveryQueue(nine, 8, NOW, false, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a0 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a1 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a2 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a3 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a4 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a5 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a6 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a7 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority < ? AND run_at <= ? ORDER BY priority DESC, run_at, id LIMIT 8) a8) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of(9, 1000L, 8, 1000L, 7, 1000L, 6, 1000L, 5, 1000L, 4, 1000L, 3, 1000L, 2, 1000L, 2, 1000L, 8));
		args.clear();
		assertThat(postgres.overEveryQueue(nine, 8, NOW, false, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8) a0 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8) a1 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8) a2 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8) a3 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8) a4 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8) a5 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8) a6 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8) a7 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority < ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY priority DESC, run_at, id LIMIT 8) a8) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of(9, 8, 7, 6, 5, 4, 3, 2, 2, 8));
	}

	/** Named queues (or every queue when one is paused or limited), none of them out of room: arms per queue and priority. */
	@Test
	void aClaimOverNamedQueuesReadsEachQueuesArmsAndGroupsAQueueOfManyPriorities() {
		List<Object> args = new ArrayList<>();
		assertThat(sqlite.overQueues(THREE_QUEUES, Map.of(), 8, NOW, true, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable_by_queue WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a0 UNION ALL \
				SELECT * FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable_by_queue WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a0 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable_by_queue WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a1 ORDER BY priority DESC, run_at, id LIMIT 8) g1 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable_by_queue WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a0) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of("a", 5, 1000L, "b", 5, 1000L, "b", 0, 1000L, "c", 1, 1000L, 8));
		args.clear();
		assertThat(postgres.overQueues(THREE_QUEUES, Map.of(), 8, NOW, true, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a0 UNION ALL \
				SELECT * FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a0 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a1 ORDER BY priority DESC, run_at, id LIMIT 8) g1 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a0) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of("a", 5, "b", 5, "b", 0, "c", 1, 8));
	}

	/** Queue a paused (room 0), queue b limited to 2 more: a is not read, b's arms and group are limited to 2. */
	@Test
	void aPausedQueueIsNotReadAndALimitedQueueIsReadUpToItsRoom() {
		List<Object> args = new ArrayList<>();
		Map<String, Integer> rooms = Map.of("a", 0, "b", 2);
		assertThat(sqlite.overQueues(THREE_QUEUES, rooms, 8, NOW, true, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable_by_queue WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 2) a0 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable_by_queue WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 2) a1 ORDER BY priority DESC, run_at, id LIMIT 2) g0 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable_by_queue WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a0) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of("b", 5, 1000L, "b", 0, 1000L, "c", 1, 1000L, 8));
		args.clear();
		assertThat(postgres.overQueues(THREE_QUEUES, rooms, 8, NOW, true, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 2 FOR UPDATE SKIP LOCKED) a0 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 2 FOR UPDATE SKIP LOCKED) a1 ORDER BY priority DESC, run_at, id LIMIT 2) g0 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a0) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of("b", 5, "b", 0, "c", 1, 8));
	}

	/** Every queue paused or full: nothing to read, no argument bound. */
	@Test
	void noStatementIsBuiltWhenNoQueueHasRoom() {
		List<Object> args = new ArrayList<>();
		assertThat(sqlite.overQueues(THREE_QUEUES, Map.of("a", 0, "b", 0, "c", 0), 8, NOW, true, args)).isNull();
		assertThat(postgres.overQueues(THREE_QUEUES, Map.of("a", 0, "b", 0, "c", 0), 8, NOW, true, args)).isNull();
		assertThat(args).isEmpty();
	}

	/** SQLite joins at most 500 selects in one compound: 251 queues' arms go in two nested groups. */
	@Test
	void moreThanTwoHundredFiftyArmsAreNestedInGroupsSqliteCanJoin() {
		Map<String, List<Integer>> many = new LinkedHashMap<>();
		for (int i = 0; i < 251; i++) {
			many.put("q" + i, List.of(0));
		}
		String arm = "SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable_by_queue WHERE queue = ? AND "
				+ "state IN ('pending', 'failed') AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a0";
		List<Object> args = new ArrayList<>();
		assertThat(sqlite.overQueues(many, Map.of(), 8, NOW, true, args)).isEqualTo("SELECT id FROM (SELECT * FROM ("
				+ String.join(" UNION ALL ", java.util.Collections.nCopies(250, arm)) + ") u0 UNION ALL SELECT * FROM ("
				+ arm + ") u1) c ORDER BY priority DESC, run_at, id LIMIT ?");
		assertThat(args).hasSize(251 * 3 + 1);
	}

	/** While some runnable job asks resources or slots: each arm also tests the job against what the host has free. */
	@Test
	void whileJobsAskResourcesEachArmTakesOnlyJobsThatFitWhatTheHostHasFree() {
		FreeOnHost free = new FreeOnHost(3, Resources.parseOffer("gpu=1,mem=2G"));
		List<Object> args = new ArrayList<>();
		assertThat(sqlite.overEveryQueue(List.of(5), 8, NOW, true, free, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? \
				AND slots <= ? AND (resources IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(jobs.resources) r WHERE r.value > COALESCE(json_extract(?, '$."' || r.key || '"'), 0))) \
				ORDER BY run_at, id LIMIT 8) a0) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of(5, 1000L, 3, "{\"gpu\":1,\"mem\":2147483648}", 8));
		args.clear();
		assertThat(postgres.overEveryQueue(List.of(5), 8, NOW, true, free, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) \
				AND slots <= ? AND (resources IS NULL OR NOT EXISTS (SELECT 1 FROM jsonb_each_text(jobs.resources) r WHERE CAST(r.value AS BIGINT) > COALESCE(CAST(CAST(? AS JSONB) ->> r.key AS BIGINT), 0))) \
				ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a0) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of(5, 3, "{\"gpu\":1,\"mem\":2147483648}", 8));
	}

	/** A host that offers nothing and has every slot claimed ahead: jobs of one slot still pass, the bound never below 1. */
	@Test
	void aHostOfferingNothingBindsAnEmptyObjectAndJobsOfOneSlotStillPass() {
		List<Object> args = new ArrayList<>();
		sqlite.overQueues(Map.of("a", List.of(0)), Map.of(), 4, NOW, true, new FreeOnHost(-3, Resources.NONE), args);
		assertThat(args).isEqualTo(List.of("a", 0, 1000L, 1, "{}", 4));
		args.clear();
		sqlite.overQueues(Map.of("a", List.of(0)), Map.of(), 4, NOW, true, new FreeOnHost(0, Resources.NONE, true), args);
		assertThat(args).as("a host holding a job of several slots claims nothing ahead").isEqualTo(List.of("a", 0, 1000L, 0, "{}", 4));
	}

	/** The claiming UPDATE around a select: the lease on the host's clock (SQLite) or the server's (PostgreSQL). */
	@Test
	void theClaimItselfUpdatesTheChosenJobsAndTakesTheLeaseOnTheLeaseClock() {
		assertThat(sqlite.update("SELECT 1")).isEqualTo("""
				UPDATE jobs SET state = 'processing', attempts = attempts + 1, worker_id = ?, started_at = ?,
				       updated_at = ?, lease_expires_at = ? + ?, finished_at = NULL
				WHERE id IN (SELECT 1)
				RETURNING id, command, working_dir, attempts, max_retries, timeout_ms, started_at, run_at, priority, slots, resources""");
		assertThat(postgres.update("SELECT 1")).isEqualTo("""
				UPDATE jobs SET state = 'processing', attempts = attempts + 1, worker_id = ?, started_at = ?,
				       updated_at = ?, lease_expires_at = CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) + ?, finished_at = NULL
				WHERE id IN (SELECT 1)
				RETURNING id, command, working_dir, attempts, max_retries, timeout_ms, started_at, run_at, priority, slots, resources""");
	}

	/**
	 * While a job that may still start has a deadline (issue 26), every arm passes over jobs past
	 * theirs: one predicate after the due time, SQLite binding its clock once more per arm.
	 */
	@Test
	void whileJobsHaveDeadlinesEachArmPassesOverJobsPastTheirs() {
		List<Object> args = new ArrayList<>();
		assertThat(sqlite.overEveryQueue(List.of(5, 0), 8, NOW, true, true, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? AND (start_by IS NULL OR start_by > ?) ORDER BY run_at, id LIMIT 8) a0 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? AND (start_by IS NULL OR start_by > ?) ORDER BY run_at, id LIMIT 8) a1) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of(5, 1000L, 1000L, 0, 1000L, 1000L, 8));
		args.clear();
		assertThat(postgres.overEveryQueue(List.of(5, 0), 8, NOW, true, true, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) AND (start_by IS NULL OR start_by > (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT))) ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a0 UNION ALL \
				SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) AND (start_by IS NULL OR start_by > (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT))) ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a1) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of(5, 0, 8));
		args.clear();
		assertThat(sqlite.overQueues(Map.of("c", List.of(1)), Map.of(), 8, NOW, true, true, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable_by_queue WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= ? AND (start_by IS NULL OR start_by > ?) ORDER BY run_at, id LIMIT 8) a0) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of("c", 1, 1000L, 1000L, 8));
		args.clear();
		assertThat(postgres.overQueues(Map.of("c", List.of(1)), Map.of(), 8, NOW, true, true, args)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE queue = ? AND state IN ('pending', 'failed') AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) AND (start_by IS NULL OR start_by > (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT))) ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a0) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of("c", 1, 8));
	}

	/** PostgreSQL's one-statement claim names the same predicate in both its LATERAL arms, and only then. */
	@Test
	void postgresqlsOneStatementClaimPassesOverJobsPastTheirDeadlineToo() {
		String clock = "(SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT))";
		String predicate = " AND (start_by IS NULL OR start_by > " + clock + ")";
		assertThat(postgres.everyQueueInOne(8, false)).isEqualTo(postgres.everyQueueInOne(8));
		assertThat(postgres.everyQueueInOne(8, true))
			.isEqualTo(postgres.everyQueueInOne(8).replace("run_at <= " + clock, "run_at <= " + clock + predicate));
		assertThat(postgres.everyQueueInOne(8, true).split("start_by IS NULL", -1)).hasSize(3);
	}

	// ---- under limits by key or queue rates (issue 26): new statements; the ones above are unchanged

	/** Under limits the arms of each queue leave out the jobs that name keys; the rest of the text is the same. */
	@Test
	void underLimitsTheQueuesArmsLeaveOutJobsThatNameKeys() {
		List<Object> args = new ArrayList<>();
		Map<String, List<Integer>> one = Map.of("c", List.of(1));
		assertThat(sqlite.overQueues(one, Map.of(), 8, NOW, true, args, true)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable_by_queue WHERE queue = ? AND state IN ('pending', 'failed') AND limits IS NULL AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 8) a0) c ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(args).isEqualTo(List.of("c", 1, 1000L, 8));
		args.clear();
		assertThat(postgres.overQueues(one, Map.of(), 8, NOW, true, args, true)).isEqualTo("""
				SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs WHERE queue = ? AND state IN ('pending', 'failed') AND limits IS NULL AND priority = ? AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED) a0) c ORDER BY priority DESC, run_at, id LIMIT ?""");
	}

	/** The jobs that name keys are read through their own partial index, of the host's queues when it names any. */
	@Test
	void jobsThatNameKeysAreReadThroughTheirOwnIndexBestFirst() {
		assertThat(sqlite.limited(false, true)).isEqualTo("""
				SELECT id, priority, run_at, queue, limits FROM jobs INDEXED BY jobs_limited_runnable WHERE state IN ('pending', 'failed') AND limits IS NOT NULL AND run_at <= ? ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(sqlite.limited(true, false)).isEqualTo("""
				SELECT id, priority, run_at, queue, limits FROM jobs INDEXED BY jobs_limited_runnable WHERE state IN ('pending', 'failed') AND limits IS NOT NULL AND run_at <= ? AND queue IN (SELECT value FROM json_each(?)) ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(postgres.limited(true, true)).isEqualTo("""
				SELECT id, priority, run_at, queue, limits FROM jobs WHERE state IN ('pending', 'failed') AND limits IS NOT NULL AND run_at <= (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) AND queue = ANY (CAST(? AS TEXT[])) ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED""");
		assertThat(sqlite.limited(false, false, true)).isEqualTo("""
				SELECT id, priority, run_at, queue, limits FROM jobs INDEXED BY jobs_limited_runnable WHERE state IN ('pending', 'failed') AND limits IS NOT NULL AND run_at <= ? AND (start_by IS NULL OR start_by > ?) ORDER BY priority DESC, run_at, id LIMIT ?""");
		assertThat(sqlite.candidates("SELECT 1")).isEqualTo("SELECT id, priority, run_at, queue, limits FROM jobs WHERE id IN (SELECT 1)");
		assertThat(ClaimQuery.LOCK_LIMITS).isEqualTo("SELECT pg_advisory_xact_lock(26026)");
	}

	/** An idle host's probe that found a due job reads its three flags in one statement. */
	@Test
	void theProbeReadsDeadlinesLimitsAndWeightedJobsInOneStatement() {
		assertThat(sqlite.probeFlags()).isEqualTo("""
				SELECT EXISTS (SELECT 1 FROM jobs INDEXED BY jobs_deadline WHERE start_by IS NOT NULL AND state IN ('waiting', 'pending', 'failed')),
				       EXISTS (SELECT 1 FROM limits) OR EXISTS (SELECT 1 FROM queues WHERE rate_count IS NOT NULL),
				       EXISTS (SELECT 1 FROM jobs WHERE (resources IS NOT NULL OR slots > 1) AND state IN ('pending', 'failed'))""");
		assertThat(postgres.probeFlags()).isEqualTo("""
				SELECT EXISTS (SELECT 1 FROM jobs WHERE start_by IS NOT NULL AND state IN ('waiting', 'pending', 'failed')),
				       EXISTS (SELECT 1 FROM limits) OR EXISTS (SELECT 1 FROM queues WHERE rate_count IS NOT NULL),
				       EXISTS (SELECT 1 FROM jobs WHERE (resources IS NOT NULL OR slots > 1) AND state IN ('pending', 'failed'))""");
	}

	/** The claim of the jobs chosen under limits: the ids bound as one list, only those still runnable. */
	@Test
	void underLimitsTheClaimTakesTheChosenIdsIfStillRunnable() {
		assertThat(sqlite.updateListed()).isEqualTo("""
				UPDATE jobs SET state = 'processing', attempts = attempts + 1, worker_id = ?, started_at = ?,
				       updated_at = ?, lease_expires_at = ? + ?, finished_at = NULL
				WHERE id IN (SELECT value FROM json_each(?)) AND state IN ('pending', 'failed')
				RETURNING id, command, working_dir, attempts, max_retries, timeout_ms, started_at, run_at, priority, slots, resources""");
		assertThat(postgres.updateListed()).isEqualTo("""
				UPDATE jobs SET state = 'processing', attempts = attempts + 1, worker_id = ?, started_at = ?,
				       updated_at = ?, lease_expires_at = CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) + ?, finished_at = NULL
				WHERE id IN (SELECT unnest(CAST(? AS TEXT[]))) AND state IN ('pending', 'failed')
				RETURNING id, command, working_dir, attempts, max_retries, timeout_ms, started_at, run_at, priority, slots, resources""");
	}
}
