package dev.queuectl.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;

import dev.queuectl.job.Job;
import dev.queuectl.job.JobFilter;
import dev.queuectl.job.Resources;
import dev.queuectl.job.LimitBook;
import dev.queuectl.job.JobRun;
import dev.queuectl.job.JobState;
import dev.queuectl.job.NewJob;
import dev.queuectl.job.Tags;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/** All SQL on jobs, their runs and their dependencies. */
@Repository
public class JobStore {

	// DO NOTHING on any conflict: the id's primary key, or the unique key of a live job
	private static final String INSERT = """
			INSERT INTO jobs (id, command, state, queue, priority, attempts, max_retries, run_at, timeout_ms,
			                  working_dir, created_at, updated_at, unique_key, start_by, retry_on, no_retry_on, limits,
			                  tags, rerun_of, batch)
			VALUES %s
			ON CONFLICT DO NOTHING RETURNING id""";

	/** The values of one row of {@link #INSERT} (20 parameters; each %s: {@link Dialect#dueAtOrNamed}). */
	private static final String INSERT_ROW = "(?, ?, ?, ?, ?, 0, ?, %s, ?, ?, ?, ?, ?, %s, ?, ?, ?, ?, ?, ?)";

	/**
	 * {@link #INSERT} for rows that differ only in id, command, unique key, limits, tags and rerun_of (a
	 * bulk enqueue's, as a rule): the values they share bound once (14 parameters, the batch last; each %s:
	 * {@link Dialect#dueAtOrNamed}), then 6 a row ({@link #SHARED_ROW}), far fewer binds. {@code WHERE true}: SQLite's grammar
	 * reads the {@code ON} after a bare {@code FROM} as a join's.
	 */
	private static final String INSERT_SHARED = """
			INSERT INTO jobs (id, command, state, queue, priority, attempts, max_retries, run_at, timeout_ms,
			                  working_dir, created_at, updated_at, unique_key, start_by, retry_on, no_retry_on, limits,
			                  tags, rerun_of, batch)
			SELECT v.column1, v.column2, ?, ?, ?, 0, ?, %s, ?, ?, ?, ?, v.column3, %s, ?, ?, v.column4, v.column5, v.column6, ?
			FROM (VALUES %%s) AS v WHERE true
			ON CONFLICT DO NOTHING RETURNING id""";

	private static final String SHARED_ROW = "(?, ?, ?, ?, ?, ?)";

	/**
	 * Rows a statement of {@link #insertAll} inserts at most: each statement costs a JDBC and native
	 * round of its own; far below both databases' limits on parameters.
	 */
	static final int ROWS_PER_INSERT = 256;

	/** {@link #insertAll} tells how far it is every this many jobs. */
	private static final int PROGRESS_STEP = 1024;

	static final String COLUMNS = """
			id, command, state, queue, priority, attempts, max_retries, run_at, timeout_ms, working_dir,
			created_at, updated_at, started_at, finished_at, exit_code, last_error, worker_id, lease_expires_at,
			cancel_requested_at, unique_key, resources, slots, start_by, retry_on, no_retry_on, limits,
			env, progress_done, progress_total, progress_message, progress_at, tags, rerun_of""";

	/** The states in which a job holds its unique key (the partial unique index says the same). */
	static final String LIVE = "('waiting', 'pending', 'processing', 'failed')";

	private static final RowMapper<Job> JOB = JobStore::mapJob;

	private final JdbcTemplate jdbc;

	private final Dialect dialect;

	private final TransactionTemplate tx;

	private final JobCountStore counts;

	private final BatchStore batches;

	JobStore(JdbcTemplate jdbc, Dialect dialect, TransactionTemplate tx, JobCountStore counts, BatchStore batches) {
		this.batches = batches;
		this.jdbc = jdbc;
		this.dialect = dialect;
		this.tx = tx;
		this.counts = counts;
		this.notDueSql = NOT_DUE.formatted(dialect.indexedBy("jobs_runnable"), dialect.clock());
	}

	/**
	 * Inserts the jobs in the caller's transaction, each in the state given ({@code waiting} or
	 * {@code pending}), with their dependencies. Returns the indexes of the jobs not inserted
	 * because their id or their unique key was taken (the caller tells which).
	 */
	public List<Integer> insertAll(List<NewJob> jobs, List<JobState> states, Instant now, IntConsumer stored) {
		return insertAll(jobs, states, now, null, stored);
	}

	/** {@link #insertAll(List, List, Instant, IntConsumer)}, the jobs members of {@code batch} (null: none). */
	public List<Integer> insertAll(List<NewJob> jobs, List<JobState> states, Instant now, String batch, IntConsumer stored) {
		List<Integer> conflicts = new ArrayList<>();
		Map<Counted, Long> counted = this.counts.insertsCountedByCaller(jobs.size()) ? new HashMap<>() : null;
		try {
			this.jdbc.execute((Connection con) -> {
				try (JobInserts inserts = new JobInserts(con, now, counted, batch)) {
					for (int from = 0; from < jobs.size(); from += ROWS_PER_INSERT) {
						int to = Math.min(jobs.size(), from + ROWS_PER_INSERT);
						inserts.insert(jobs, states, from, to, conflicts);
						if (to % PROGRESS_STEP == 0 || to == jobs.size()) {
							stored.accept(to);
						}
					}
				}
				return null;
			});
		}
		finally {
			if (counted != null) { // the rows of every statement that went through, even when a later one failed
				counted.forEach((c, n) -> this.counts.added(c.queue(), c.state(), n));
			}
		}
		List<Object[]> deps = new ArrayList<>();
		List<Object[]> demands = new ArrayList<>();
		List<Object[]> envs = new ArrayList<>();
		List<Object[]> tags = new ArrayList<>();
		List<Object[]> traces = new ArrayList<>();
		int c = 0;
		for (int i = 0; i < jobs.size(); i++) {
			if (c < conflicts.size() && conflicts.get(c) == i) {
				c++;
				continue;
			}
			NewJob job = jobs.get(i);
			job.after().forEach(dep -> deps.add(new Object[] { job.id(), dep, job.condition(dep).dbValue() }));
			job.tags().forEach(tag -> tags.add(new Object[] { tag, job.id() }));
			if (job.weighted()) {
				demands.add(new Object[] { job.resources().toJson(), job.slots(), job.id() });
			}
			if (!job.env().isEmpty()) {
				envs.add(new Object[] { dev.queuectl.job.JobEnv.toStored(job.env()), job.id() });
			}
			if (job.trace() != null) {
				traces.add(new Object[] { job.trace().traceparent(), job.trace().tracestate(), job.id() });
			}
		}
		if (!traces.isEmpty()) {
			// issue 31: the enqueue's trace context, only while tracing is on, in the same transaction
			// (a claim never sees the job without it), so every other insert stays as it was
			this.jdbc.batchUpdate("UPDATE jobs SET trace_parent = ?, trace_state = ? WHERE id = ?", traces);
		}
		if (!envs.isEmpty()) {
			// issue 27: the jobs with variables of their own, as the demands above (one transaction)
			this.jdbc.batchUpdate("UPDATE jobs SET env = ? WHERE id = ?", envs);
		}
		if (!demands.isEmpty()) {
			// the few jobs that ask resources or slots: their demand written in the same transaction,
			// so the inserts of every other job stay as they were (a claim never sees a row without it)
			this.jdbc.batchUpdate("UPDATE jobs SET resources = " + (this.dialect.isPostgres() ? "CAST(? AS JSONB)" : "?")
					+ ", slots = ? WHERE id = ?", demands);
		}
		if (!deps.isEmpty()) {
			this.jdbc.batchUpdate("INSERT INTO job_deps (job_id, depends_on, kind) VALUES (?, ?, ?)", deps);
		}
		if (!tags.isEmpty()) {
			this.jdbc.batchUpdate("INSERT INTO job_tags (tag, job_id) VALUES (?, ?)", tags);
		}
		if (conflicts.size() < jobs.size()) {
			this.dialect.wakeHosts(this.jdbc, Dialect.WAKE_JOBS);
		}
		return conflicts;
	}

	/** Jobs of a queue in a state, as counted in job_counts. */
	private record Counted(String queue, JobState state) {
	}

	/**
	 * The multi-row inserts of one {@link #insertAll}, on the transaction's connection: a statement
	 * prepared once for each shape and number of rows used (the full {@link #ROWS_PER_INSERT} and the
	 * last, shorter group). A row that a conflict skipped is the one whose id the statement did not return.
	 */
	private final class JobInserts implements AutoCloseable {

		private final Connection con;

		private final Instant now;

		private final long nowMs;

		private final Map<Integer, PreparedStatement> bySize = new HashMap<>();

		private final Map<Integer, PreparedStatement> sharedBySize = new HashMap<>();

		private final String separateRow = INSERT_ROW.formatted(JobStore.this.dialect.dueAtOrNamed(),
				JobStore.this.dialect.dueAtOrNamed());

		private final String sharedSql = INSERT_SHARED.formatted(JobStore.this.dialect.dueAtOrNamed(),
				JobStore.this.dialect.dueAtOrNamed());

		/** The rows inserted, when the caller counts them rather than the insert trigger; else null. */
		private final Map<Counted, Long> counted;

		/** The batch every row joins (null: none). */
		private final String batch;

		JobInserts(Connection con, Instant now, Map<Counted, Long> counted, String batch) {
			this.batch = batch;
			this.con = con;
			this.now = now;
			this.nowMs = now.toEpochMilli();
			this.counted = counted;
		}

		/** Inserts {@code jobs[from, to)}, adding the indexes of the rows not inserted to {@code conflicts}. */
		void insert(List<NewJob> jobs, List<JobState> states, int from, int to, List<Integer> conflicts)
				throws SQLException {
			boolean shared = shareValues(jobs, states, from, to);
			PreparedStatement ps = shared ? shared(jobs, states, from, to) : separate(jobs, states, from, to);
			List<String> inserted = new ArrayList<>(to - from);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					inserted.add(rs.getString(1));
				}
			}
			int skipped = conflicts.size();
			if (inserted.size() < to - from) { // ids are unique in the input: only then was a row skipped
				java.util.Set<String> ids = new java.util.HashSet<>(inserted);
				for (int i = from; i < to; i++) {
					if (!ids.contains(jobs.get(i).id())) {
						conflicts.add(i);
					}
				}
			}
			if (this.counted != null && shared) {
				this.counted.merge(new Counted(jobs.get(from).queue(), states.get(from)), (long) inserted.size(), Long::sum);
			}
			else if (this.counted != null) {
				for (int i = from; i < to; i++) {
					if (skipped < conflicts.size() && conflicts.get(skipped) == i) {
						skipped++;
					}
					else {
						this.counted.merge(new Counted(jobs.get(i).queue(), states.get(i)), 1L, Long::sum);
					}
				}
			}
		}

		/** True when the rows differ in nothing but id, command, unique key and limits. */
		private static boolean shareValues(List<NewJob> jobs, List<JobState> states, int from, int to) {
			NewJob first = jobs.get(from);
			for (int i = from + 1; i < to; i++) {
				NewJob job = jobs.get(i);
				if (states.get(i) != states.get(from) || !job.queue().equals(first.queue())
						|| job.priority() != first.priority() || job.maxRetries() != first.maxRetries()
						|| !job.runAt().equals(first.runAt()) || job.runAtNamed() != first.runAtNamed()
						|| !Objects.equals(job.timeout(), first.timeout()) || !job.workingDir().equals(first.workingDir())
						|| !Objects.equals(job.startBy(), first.startBy()) || job.startByNamed() != first.startByNamed()
						|| !Objects.equals(job.retryRule(), first.retryRule())) {
					return false;
				}
			}
			return true;
		}

		private PreparedStatement shared(List<NewJob> jobs, List<JobState> states, int from, int to)
				throws SQLException {
			PreparedStatement ps = statement(this.sharedBySize, this.sharedSql, SHARED_ROW, to - from);
			int p = bindCommon(ps, 0, states.get(from), jobs.get(from));
			p = bindLast(ps, p, jobs.get(from));
			ps.setString(++p, this.batch);
			for (int i = from; i < to; i++) {
				NewJob job = jobs.get(i);
				ps.setString(++p, job.id());
				ps.setString(++p, job.command());
				ps.setString(++p, job.uniqueKey());
				ps.setString(++p, LimitBook.encode(job.limits()));
				ps.setString(++p, Tags.encode(job.tags()));
				ps.setString(++p, job.rerunOf());
			}
			return ps;
		}

		private PreparedStatement separate(List<NewJob> jobs, List<JobState> states, int from, int to)
				throws SQLException {
			PreparedStatement ps = statement(this.bySize, INSERT, this.separateRow, to - from);
			int p = 0;
			for (int i = from; i < to; i++) {
				NewJob job = jobs.get(i);
				ps.setString(++p, job.id());
				ps.setString(++p, job.command());
				p = bindCommon(ps, p, states.get(i), job);
				ps.setString(++p, job.uniqueKey());
				p = bindLast(ps, p, job);
				ps.setString(++p, LimitBook.encode(job.limits()));
				ps.setString(++p, Tags.encode(job.tags()));
				ps.setString(++p, job.rerunOf());
				ps.setString(++p, this.batch);
			}
			return ps;
		}

		/**
		 * Binds the columns a {@link #shared} statement binds once for all its rows, in the order both
		 * statements list them (state, queue, priority, max_retries, run_at, timeout_ms, working_dir,
		 * created_at, updated_at), after parameter {@code p}; returns the last parameter bound.
		 */
		private int bindCommon(PreparedStatement ps, int p, JobState state, NewJob job) throws SQLException {
			ps.setString(++p, state.dbValue());
			ps.setString(++p, job.queue());
			ps.setInt(++p, job.priority());
			ps.setInt(++p, job.maxRetries());
			p = bindRunAtAndTimeout(ps, p, job);
			ps.setString(++p, job.workingDir());
			ps.setLong(++p, this.nowMs);
			ps.setLong(++p, this.nowMs);
			return p;
		}

		/**
		 * Binds the columns after unique_key (start_by: {@link Dialect#dueAtOrNamed}'s two parameters,
		 * a named start_by stored as it is, a start_within counted like a delay; retry_on, no_retry_on)
		 * after parameter {@code p}; returns the last parameter bound.
		 */
		private int bindLast(PreparedStatement ps, int p, NewJob job) throws SQLException {
			if (job.startBy() == null) {
				ps.setNull(++p, Types.BIGINT);
				ps.setNull(++p, Types.BIGINT);
			}
			else if (job.startByNamed()) {
				ps.setNull(++p, Types.BIGINT);
				ps.setLong(++p, job.startBy().toEpochMilli());
			}
			else {
				ps.setLong(++p, JobStore.this.dialect.dueArg(job.startBy(), this.now));
				ps.setNull(++p, Types.BIGINT);
			}
			ps.setString(++p, dev.queuectl.job.RetryRule.retryOn(job.retryRule()));
			ps.setString(++p, dev.queuectl.job.RetryRule.noRetryOn(job.retryRule()));
			return p;
		}

		/** Binds run_at ({@link Dialect#dueAtOrNamed}'s two parameters) and timeout_ms after parameter {@code p}. */
		private int bindRunAtAndTimeout(PreparedStatement ps, int p, NewJob job) throws SQLException {
			if (job.runAtNamed()) {
				ps.setNull(++p, Types.BIGINT);
				ps.setLong(++p, job.runAt().toEpochMilli());
			}
			else {
				ps.setLong(++p, JobStore.this.dialect.dueArg(job.runAt(), this.now));
				ps.setNull(++p, Types.BIGINT);
			}
			if (job.timeout() == null) {
				ps.setNull(++p, Types.BIGINT);
			}
			else {
				ps.setLong(++p, job.timeout().toMillis());
			}
			return p;
		}

		/** {@code sql} with {@code rows} times {@code row} as its values, prepared once per size. */
		private PreparedStatement statement(Map<Integer, PreparedStatement> bySize, String sql, String row, int rows)
				throws SQLException {
			PreparedStatement ps = bySize.get(rows);
			if (ps == null) {
				ps = this.con.prepareStatement(sql.formatted(String.join(", ", java.util.Collections.nCopies(rows, row))));
				bySize.put(rows, ps);
			}
			return ps;
		}

		@Override
		public void close() throws SQLException {
			for (PreparedStatement ps : this.bySize.values()) {
				ps.close();
			}
			for (PreparedStatement ps : this.sharedBySize.values()) {
				ps.close();
			}
		}
	}

	public boolean exists(String id) {
		return !this.jdbc.queryForList("SELECT 1 FROM jobs WHERE id = ?", Integer.class, id).isEmpty();
	}

	/** The live job (waiting, pending, processing or failed) holding a unique key, if any. */
	public Optional<String> liveJobWithKey(String uniqueKey) {
		return this.jdbc.queryForList("SELECT id FROM jobs WHERE unique_key = ? AND state IN " + LIVE, String.class,
				uniqueKey).stream().findFirst();
	}

	/** The states of the named jobs that exist. */
	public Map<String, JobState> states(Collection<String> ids) {
		Map<String, JobState> states = new HashMap<>();
		List<String> all = new ArrayList<>(ids);
		for (int from = 0; from < all.size(); from += 500) {
			List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
			this.jdbc.query("SELECT id, state FROM jobs WHERE id IN (" + placeholders(chunk.size()) + ")",
					rs -> {
						states.put(rs.getString(1), JobState.fromDb(rs.getString(2)));
					}, chunk.toArray());
		}
		return states;
	}

	/** The ids a job runs after. */
	public List<String> dependencies(String id) {
		return this.jdbc.queryForList("SELECT depends_on FROM job_deps WHERE job_id = ? ORDER BY depends_on",
				String.class, id);
	}

	/** The ids a job runs after by after_any or after_failed, with their condition (issue 28). */
	public Map<String, dev.queuectl.job.AfterCondition> conditions(String id) {
		Map<String, dev.queuectl.job.AfterCondition> conditions = new java.util.TreeMap<>();
		this.jdbc.query("SELECT depends_on, kind FROM job_deps WHERE job_id = ? AND kind <> 'completed'", rs -> {
			conditions.put(rs.getString(1), dev.queuectl.job.AfterCondition.fromDb(rs.getString(2)));
		}, id);
		return conditions;
	}

	// ---- cancel

	/**
	 * Cancels a job that has not started (waiting, pending, or failed and waiting for a retry).
	 * Returns false when it is in another state.
	 */
	public boolean cancelIdle(String id, String reason, Instant now) {
		return this.jdbc.update("""
				UPDATE jobs SET state = 'canceled', finished_at = ?, updated_at = ?, last_error = ?
				WHERE id = ? AND state IN ('waiting', 'pending', 'failed')""", now.toEpochMilli(), now.toEpochMilli(),
				reason, id) == 1;
	}

	/** Asks the worker host running a job to kill it and record it canceled. */
	public boolean requestCancel(String id, Instant now) {
		return this.tx.execute(status -> wake(this.jdbc.update("""
				UPDATE jobs SET cancel_requested_at = COALESCE(cancel_requested_at, ?)
				WHERE id = ? AND state = 'processing'""", now.toEpochMilli(), id) == 1, Dialect.WAKE_CANCEL));
	}

	/** {@code changed}, after waking the worker hosts in the caller's transaction if it is true. */
	private boolean wake(boolean changed, String why) {
		if (changed) {
			this.dialect.wakeHosts(this.jdbc, why);
		}
		return changed;
	}

	// ---- deadlines

	/** The jobs that may still start and have a deadline: the partial index jobs_deadline holds exactly these. */
	private static final String HAS_DEADLINE = "start_by IS NOT NULL AND state IN ('waiting', 'pending', 'failed')";

	/**
	 * Cancels up to {@code limit} jobs not started by their deadline (start_by at or before now, on
	 * the lease clock: the server's on PostgreSQL), each with last_error saying it expired and
	 * when, and the jobs that run after them as for any canceled job; in one transaction, each row
	 * fenced on its state (one a claim took meanwhile is no longer expired: it started). Returns the
	 * ids canceled (their dependents not counted). When no job is due to expire: one index seek,
	 * a read outside any transaction, so that an idle host takes no write lock every second.
	 */
	public List<String> expireDeadlines(Instant now, int limit) {
		if (expiring(now, 1).isEmpty()) {
			return List.of();
		}
		return this.tx.execute(status -> {
			List<Object[]> due = expiring(now, limit);
			if (due.isEmpty()) {
				return List.<String>of();
			}
			List<Object[]> updates = new ArrayList<>();
			for (Object[] row : due) {
				updates.add(new Object[] { now.toEpochMilli(), now.toEpochMilli(),
						"expired: not started by its deadline " + Instant.ofEpochMilli((Long) row[1]), row[0] });
			}
			int[] counts = this.jdbc.batchUpdate("""
					UPDATE jobs SET state = 'canceled', finished_at = ?, updated_at = ?, last_error = ?
					WHERE id = ? AND state IN ('waiting', 'pending', 'failed')""", updates);
			List<String> expired = new ArrayList<>();
			for (int i = 0; i < counts.length; i++) {
				if (counts[i] != 0) {
					expired.add((String) due.get(i)[0]);
				}
			}
			cancelDependents(expired, now);
			return expired;
		});
	}

	/** Up to {@code limit} jobs past their deadline, earliest first: rows (id, start_by). */
	private List<Object[]> expiring(Instant now, int limit) {
		List<Object[]> due = new ArrayList<>();
		this.jdbc.query("SELECT id, start_by FROM jobs" + this.dialect.indexedBy("jobs_deadline") + " WHERE " + HAS_DEADLINE
				+ " AND start_by <= " + this.dialect.clock() + " ORDER BY start_by, id LIMIT ?", rs -> {
					due.add(new Object[] { rs.getString(1), rs.getLong(2) });
				}, this.dialect.clockArgs(now, limit));
		return due;
	}

	/** The ids of a queue's jobs in one of the states, oldest first. */
	public List<String> ids(String queue, List<JobState> states) {
		StringBuilder sql = new StringBuilder("SELECT id FROM jobs WHERE state IN (" + placeholders(states.size()) + ")");
		List<Object> args = new ArrayList<>(states.stream().map(JobState::dbValue).toList());
		if (queue != null) {
			sql.append(" AND queue = ?");
			args.add(queue);
		}
		return this.jdbc.queryForList(sql.append(" ORDER BY created_at, id").toString(), String.class, args.toArray());
	}

	/**
	 * Settles the waiting jobs that run after one of {@code ended} (jobs that ended dead or canceled),
	 * by their conditions ({@link #resolveDependents}), then the batches whose last job this was
	 * ({@link BatchStore#settleDue}). Returns how many were canceled.
	 */
	public int cancelDependents(Collection<String> ended, Instant now) {
		int canceled = resolveDependents(ended, now)[1];
		this.batches.settleDue(now);
		return canceled;
	}

	/**
	 * Settles the waiting jobs that run after one of {@code completed} ({@link #resolveDependents}).
	 * Returns how many were made pending.
	 */
	public int releaseDependents(Collection<String> completed, Instant now) {
		return resolveDependents(completed, now)[0];
	}

	/**
	 * Decides, by {@link dev.queuectl.job.AfterCondition#decide}, every waiting job that runs after one of
	 * {@code finished} (jobs now completed, dead or canceled): pending, canceled with the reason, or
	 * still waiting; and so on down the chain from each job canceled, whose reason names the job
	 * whose end started the chain. Returns {released, canceled}.
	 * On PostgreSQL the waiting jobs are locked (in id order) before their dependencies are read: of
	 * two hosts that finish a job's last two dependencies at once, the second to lock reads after the
	 * first committed, so one of them always sees both finished.
	 */
	public int[] resolveDependents(Collection<String> finished, Instant now) {
		int released = 0;
		int canceled = 0;
		// a job canceled down a chain: the job whose end started it
		Map<String, dev.queuectl.job.AfterCondition.Named> roots = new HashMap<>();
		Collection<String> frontier = finished;
		while (!frontier.isEmpty()) {
			if (this.dialect.isPostgres()) {
				this.jdbc.queryForList("""
						SELECT id FROM jobs WHERE state = 'waiting'
						  AND id IN (SELECT job_id FROM job_deps WHERE depends_on %s) ORDER BY id FOR UPDATE"""
					.formatted(this.dialect.inList()), String.class, this.dialect.idList(frontier));
			}
			Map<String, List<dev.queuectl.job.AfterCondition.Named>> waiting = new java.util.LinkedHashMap<>();
			this.jdbc.query("""
					SELECT d.job_id, d.depends_on, d.kind, p.state FROM job_deps d JOIN jobs p ON p.id = d.depends_on
					WHERE d.job_id IN (SELECT w.id FROM jobs w WHERE w.state = 'waiting'
					                     AND w.id IN (SELECT job_id FROM job_deps WHERE depends_on %s))
					ORDER BY d.job_id, d.depends_on""".formatted(this.dialect.inList()), rs -> {
				waiting.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
					.add(new dev.queuectl.job.AfterCondition.Named(rs.getString(2),
							dev.queuectl.job.AfterCondition.fromDb(rs.getString(3)), JobState.fromDb(rs.getString(4))));
			}, this.dialect.idList(frontier));
			List<String> run = new ArrayList<>();
			List<Object[]> cancel = new ArrayList<>();
			List<String> next = new ArrayList<>();
			waiting.forEach((id, named) -> {
				dev.queuectl.job.AfterCondition.Decision d = dev.queuectl.job.AfterCondition.decide(named);
				if (d.state() == JobState.PENDING) {
					run.add(id);
				}
				else if (d.state() == JobState.CANCELED) {
					dev.queuectl.job.AfterCondition.Named root = d.cause() == null ? null
							: roots.getOrDefault(d.cause().id(), d.cause());
					if (root != null) {
						roots.put(id, root);
						d = dev.queuectl.job.AfterCondition.Decision.endedAfter(root);
					}
					cancel.add(new Object[] { now.toEpochMilli(), now.toEpochMilli(), d.reason(), id });
					next.add(id);
				}
			});
			if (!run.isEmpty()) {
				released += this.jdbc.update("UPDATE jobs SET state = 'pending', updated_at = ? WHERE state = 'waiting' AND id "
						+ this.dialect.inList(), now.toEpochMilli(), this.dialect.idList(run));
			}
			if (!cancel.isEmpty()) {
				for (int n : this.jdbc.batchUpdate("""
						UPDATE jobs SET state = 'canceled', finished_at = ?, updated_at = ?, last_error = ?
						WHERE id = ? AND state = 'waiting'""", cancel)) {
					canceled += n == 0 ? 0 : 1;
				}
			}
			frontier = next;
		}
		if (released > 0) {
			this.dialect.wakeHosts(this.jdbc, Dialect.WAKE_JOBS);
		}
		return new int[] { released, canceled };
	}

	// ---- wait

	/** How many jobs (of a queue) have not finished: waiting, pending, processing or failed (from the counters). */
	public long countLive(String queue) {
		return this.counts.byQueue().entrySet().stream()
			.filter(e -> queue == null || e.getKey().equals(queue))
			.flatMap(e -> e.getValue().entrySet().stream())
			.filter(e -> !e.getKey().terminal())
			.mapToLong(Map.Entry::getValue)
			.sum();
	}

	/** How many jobs (of a queue) finished since {@code since}: completed, dead or canceled. */
	public long countFinishedSince(String queue, Instant since) {
		return this.jdbc.queryForObject("""
				SELECT COUNT(*) FROM jobs WHERE state IN ('completed', 'dead', 'canceled') AND updated_at >= ?
				AND (CAST(? AS TEXT) IS NULL OR queue = ?)""", Long.class, since.toEpochMilli(), queue, queue);
	}

	/** Jobs (of a queue) that ended dead or canceled since {@code since}, oldest first, at most {@code limit}. */
	public List<Job> failedSince(String queue, Instant since, int limit) {
		return this.jdbc.query("SELECT " + COLUMNS + """
				 FROM jobs WHERE state IN ('dead', 'canceled') AND updated_at >= ? AND (CAST(? AS TEXT) IS NULL OR queue = ?)
				ORDER BY updated_at, id LIMIT ?""", JOB, since.toEpochMilli(), queue, queue, limit);
	}

	// ---- the dead letter queue

	/**
	 * The SET clause that forgets a job's progress (issue 27): a new attempt starts without the
	 * last one's. Part of each statement that readies a job for another attempt (a retry's settle,
	 * a lost attempt taken back, a run given back, a dlq retry), never of the claim.
	 */
	static final String PROGRESS_CLEARED = "progress_done = NULL, progress_total = NULL, progress_message = NULL, progress_at = NULL";

	/** Moves every dead job (of a queue) back to pending, without deadlines ({@link #retryDead}); returns how many. */
	public int retryAllDead(String queue, Instant now) {
		return this.tx.execute(status -> {
			int n = retryAllDeadNow(queue, now);
			wake(n > 0, Dialect.WAKE_JOBS);
			return n;
		});
	}

	private int retryAllDeadNow(String queue, Instant now) {
		return this.jdbc.update("""
				UPDATE jobs SET state = 'pending', attempts = 0, run_at = %s, updated_at = ?, started_at = NULL,
				       finished_at = NULL, exit_code = NULL, last_error = NULL, worker_id = NULL, lease_expires_at = NULL,
				       start_by = NULL, %s
				WHERE state = 'dead' AND (CAST(? AS TEXT) IS NULL OR queue = ?)""".formatted(this.dialect.dueAt(), PROGRESS_CLEARED) + KEY_FREE,
				this.dialect.dueArg(now, now), now.toEpochMilli(), queue, queue);
	}

	// ---- retention

	/**
	 * Deletes up to {@code limit} jobs in a finished state that last changed before {@code before},
	 * oldest first, through the state index; their runs and dependency rows go with them (ON DELETE
	 * CASCADE). Returns their ids, for their output folders.
	 */
	public List<String> pruneBatch(JobState state, Instant before, int limit) {
		return this.jdbc.queryForList("""
				DELETE FROM jobs WHERE id IN (
				    SELECT id FROM jobs%s WHERE state = ? AND updated_at < ?
				    ORDER BY updated_at LIMIT ?)
				RETURNING id""".formatted(this.dialect.indexedBy("jobs_state_updated")), String.class, state.dbValue(), before.toEpochMilli(), limit);
	}

	/** How many jobs {@link #pruneBatch} would delete, all batches together. */
	public long countOlder(JobState state, Instant before) {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs WHERE state = ? AND updated_at < ?", Long.class,
				state.dbValue(), before.toEpochMilli());
	}

	/** The jobs whose id starts with {@code prefix} (a schedule's jobs), newest first. */
	public List<Job> withIdPrefix(String prefix, int limit) {
		String end = prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
		return this.jdbc.query("SELECT " + COLUMNS + " FROM jobs WHERE id >= ? AND id < ? ORDER BY created_at DESC, id DESC LIMIT ?",
				JOB, prefix, end, limit);
	}

	/** A dead job comes back only while no live job holds its unique key. */
	private static final String KEY_FREE = """
			 AND (unique_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs l WHERE l.unique_key = jobs.unique_key
			                                        AND l.state IN """ + LIVE + "))";

	static String placeholders(int n) {
		return "?,".repeat(n - 1) + "?";
	}

	public Optional<Job> find(String id) {
		return this.jdbc.query("SELECT " + COLUMNS + " FROM jobs WHERE id = ?", JOB, id).stream().findFirst();
	}

	/** Where a page of {@link #page} ends: the last job's updated_at and id. */
	public record Cursor(Instant updatedAt, String id) {
	}

	/** {@link #page(JobFilter, String, Cursor, int)} of the states given (all when empty) and a queue (any: null). */
	public List<Job> page(List<JobState> states, String queue, String text, Cursor after, int limit) {
		return page(new JobFilter(java.util.Set.copyOf(states), queue == null ? List.of() : List.of(queue), false), text,
				after, limit);
	}

	/**
	 * A page of jobs newest first by (updated_at, id), after {@code after} when given; of the
	 * filter's states and queues, and ids or commands holding {@code text}. Each state is read
	 * through jobs_state_updated (state, updated_at, id) from the cursor on, so a page costs about
	 * {@code limit} rows per state however many jobs there are (a text or queue filter reads on
	 * until it has found enough: a queue's page costs in proportion to the share of the state's
	 * jobs it does not hold; states without any of its jobs are skipped).
	 */
	public List<Job> page(JobFilter filter, String text, Cursor after, int limit) {
		List<JobState> all = held(filter);
		if (all.isEmpty()) {
			return List.of();
		}
		List<String> queues = filter.queues();
		StringBuilder sql = new StringBuilder();
		List<Object> args = new ArrayList<>();
		for (JobState state : all) {
			if (sql.length() > 0) {
				sql.append(" UNION ALL ");
			}
			sql.append("SELECT * FROM (SELECT ").append(COLUMNS).append(" FROM jobs WHERE state = ?");
			args.add(state.dbValue());
			if (state == JobState.PROCESSING && filter.cancelingOnly()) {
				sql.append(" AND cancel_requested_at IS NOT NULL");
			}
			if (!queues.isEmpty()) {
				sql.append(" AND queue IN (").append("?, ".repeat(queues.size() - 1)).append("?)");
				args.addAll(queues);
			}
			if (text != null) {
				String like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
				sql.append(" AND (id LIKE ? ESCAPE '\\' OR command LIKE ? ESCAPE '\\')");
				args.add(like);
				args.add(like);
			}
			if (after != null) {
				// a row value: one index range from the cursor on (SQLite and PostgreSQL alike)
				sql.append(" AND (updated_at, id) < (?, ?)");
				args.add(after.updatedAt().toEpochMilli());
				args.add(after.id());
			}
			sql.append(" ORDER BY updated_at DESC, id DESC LIMIT ?) s").append(all.indexOf(state)); // PostgreSQL 15 wants aliases
			args.add(limit);
		}
		if (all.size() > 1) {
			sql.insert(0, "SELECT * FROM (").append(") merged ORDER BY updated_at DESC, id DESC LIMIT ?");
			args.add(limit);
		}
		return this.jdbc.query(sql.toString(), JOB, args.toArray());
	}

	/**
	 * The filter's states that hold any job of its queues, in {@link JobState}'s order: with queues
	 * named, the counters say which states hold none of their jobs, and those are not read at all
	 * (their index range would be read to its end for nothing).
	 */
	private List<JobState> held(JobFilter filter) {
		List<JobState> all = java.util.Arrays.stream(JobState.values())
			.filter(state -> filter.states().isEmpty() || filter.states().contains(state))
			.toList();
		if (filter.queues().isEmpty()) {
			return all;
		}
		Map<String, Map<JobState, Long>> counted = this.counts.byQueue();
		return all.stream()
			.filter(state -> filter.queues().stream()
				.anyMatch(queue -> counted.getOrDefault(queue, Map.of()).getOrDefault(state, 0L) > 0))
			.toList();
	}

	/**
	 * How many jobs the filter selects: from the counters, whatever the number of jobs, but for
	 * canceling ones (few: a cancel ends a run within seconds), which are counted.
	 */
	public long count(JobFilter filter) {
		Map<String, Map<JobState, Long>> counted = this.counts.byQueue();
		long n = 0;
		for (Map.Entry<String, Map<JobState, Long>> queue : counted.entrySet()) {
			if (!filter.queues().isEmpty() && !filter.queues().contains(queue.getKey())) {
				continue;
			}
			for (Map.Entry<JobState, Long> state : queue.getValue().entrySet()) {
				boolean wanted = filter.states().isEmpty() || filter.states().contains(state.getKey());
				if (wanted && !(state.getKey() == JobState.PROCESSING && filter.cancelingOnly())) {
					n += state.getValue();
				}
			}
		}
		if (filter.cancelingOnly()) {
			StringBuilder sql = new StringBuilder(
					"SELECT COUNT(*) FROM jobs WHERE state = 'processing' AND cancel_requested_at IS NOT NULL");
			if (!filter.queues().isEmpty()) {
				sql.append(" AND queue IN (").append("?, ".repeat(filter.queues().size() - 1)).append("?)");
			}
			n += this.jdbc.queryForObject(sql.toString(), Long.class, filter.queues().toArray());
		}
		return n;
	}

	/**
	 * Attempts that ended since {@code since}, per minute (epoch minutes): {@code [minute, completed,
	 * failed, dead]}, where failed counts every attempt that failed, timed out or was lost (whether
	 * the job was retried or not), and dead the jobs that ended dead (from the state index). A job
	 * that failed twice and then completed counts 2 failed and 1 completed. A run's row is inserted
	 * when it ends, so ids follow end times but for a settle's batching: the runs are read newest
	 * first in pages of the primary key and the reading stops a margin past {@code since}, so its
	 * cost is the attempts of the hour, not all kept runs.
	 */
	public List<long[]> endedPerMinute(Instant since) {
		Map<Long, long[]> byMinute = new java.util.TreeMap<>();
		long from = since.toEpochMilli();
		long stop = from - RUN_ORDER_MARGIN.toMillis();
		long below = Long.MAX_VALUE;
		boolean more = true;
		while (more) {
			long[] last = { below, Long.MAX_VALUE, 0 }; // smallest id, oldest end, rows read
			this.jdbc.query("SELECT id, outcome, finished_at FROM job_runs WHERE id < ? ORDER BY id DESC LIMIT ?", rs -> {
				long finished = rs.getLong(3);
				last[0] = rs.getLong(1);
				last[1] = Math.min(last[1], finished);
				last[2]++;
				String outcome = rs.getString(2);
				if (finished >= from && !"canceled".equals(outcome)) { // a canceled attempt neither completed nor failed
					byMinute.computeIfAbsent(finished / 60_000, m -> new long[] { m, 0, 0, 0 })["completed".equals(outcome) ? 1 : 2]++;
				}
			}, below, RUNS_PAGE);
			below = last[0];
			more = last[2] == RUNS_PAGE && last[1] >= stop;
		}
		this.jdbc.query("SELECT updated_at / 60000, COUNT(*) FROM jobs WHERE state = 'dead' AND updated_at >= ? GROUP BY 1",
				rs -> {
					byMinute.computeIfAbsent(rs.getLong(1), m -> new long[] { m, 0, 0, 0 })[3] = rs.getLong(2);
				}, from);
		return new ArrayList<>(byMinute.values());
	}

	/** How far a run's end may precede an older-id run's end (settles batch finished runs). */
	private static final Duration RUN_ORDER_MARGIN = Duration.ofMinutes(5);

	private static final int RUNS_PAGE = 1000;

	/** The clock run_at is on ({@link Dialect#dueAt}): the host's ({@code now}) on SQLite, the server's on PostgreSQL. */
	public Instant dueClock(Instant now) {
		return this.dialect.usesHostClock() ? now
				: Instant.ofEpochMilli(this.jdbc.queryForObject("SELECT " + Dialect.DB_CLOCK, Long.class));
	}

	/** Where a page of {@link #waitingPage} ends: the last job's run_at and id. */
	public record DueCursor(Instant runAt, String id) {
	}

	/**
	 * A page of the jobs of {@code state} (pending or failed) that wait for their time, soonest first
	 * by (run_at, id) after {@code after}: the dashboard's Scheduled view (pending, run_at still
	 * ahead: {@code laterOnly}) and its Retries view (every failed job: it waits out its backoff, or
	 * is due and not claimed yet). Read through jobs_runnable (priority DESC, run_at, id) one
	 * priority at a time, each a range from the cursor on of at most {@code limit} rows, merged
	 * here: about {@code limit} rows a priority in use, however many jobs wait.
	 */
	public List<Job> waitingPage(JobState state, boolean laterOnly, Instant now, DueCursor after, int limit) {
		String index = this.dialect.indexedBy("jobs_runnable");
		List<Integer> priorities = this.jdbc.queryForList("""
				WITH RECURSIVE p (v) AS (
				    SELECT (SELECT MAX(priority) FROM jobs%1$s WHERE state IN ('pending', 'failed') AND attempts >= 0)
				    UNION ALL
				    SELECT (SELECT MAX(priority) FROM jobs%1$s WHERE state IN ('pending', 'failed') AND attempts >= 0
				            AND priority < p.v) FROM p WHERE v IS NOT NULL)
				SELECT v FROM p WHERE v IS NOT NULL""".formatted(index), Integer.class);
		List<Job> found = new ArrayList<>();
		for (int priority : priorities) {
			StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM jobs").append(index)
				.append(" WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND state = ?");
			List<Object> args = new ArrayList<>(List.of(priority, state.dbValue()));
			if (laterOnly) {
				sql.append(" AND run_at > ").append(this.dialect.clock());
				if (this.dialect.usesHostClock()) {
					args.add(now.toEpochMilli());
				}
			}
			if (after != null) {
				sql.append(" AND (run_at, id) > (?, ?)");
				args.add(after.runAt().toEpochMilli());
				args.add(after.id());
			}
			sql.append(" ORDER BY run_at, id LIMIT ?");
			args.add(limit);
			found.addAll(this.jdbc.query(sql.toString(), JOB, args.toArray()));
		}
		found.sort(java.util.Comparator.comparing(Job::runAt).thenComparing(Job::id));
		return found.size() > limit ? new ArrayList<>(found.subList(0, limit)) : found;
	}

	/** {@link #notDue}'s statement: the index hint and the clock are the dialect's (built once, not per status). */
	private static final String NOT_DUE = """
			WITH RECURSIVE p (v) AS (
			    SELECT (SELECT MAX(priority) FROM jobs%1$s WHERE state IN ('pending', 'failed') AND attempts >= 0)
			    UNION ALL
			    SELECT (SELECT MAX(priority) FROM jobs%1$s WHERE state IN ('pending', 'failed') AND attempts >= 0
			            AND priority < p.v) FROM p WHERE v IS NOT NULL)
			SELECT j.state, COUNT(*) FROM p, jobs j%1$s
			WHERE p.v IS NOT NULL AND j.state IN ('pending', 'failed') AND j.attempts >= 0 AND j.priority = p.v
			      AND j.run_at > %2$s
			GROUP BY j.state""";

	private final String notDueSql;

	/**
	 * Pending and failed jobs that are not due yet (delayed or scheduled; waiting out a retry):
	 * {@code [pending, failed]}. Read through jobs_runnable (priority DESC, run_at, id): a walk down
	 * its priorities, then each priority's range of run_at past now, so the cost is the jobs counted
	 * and one seek a priority, however many jobs are due.
	 */
	public long[] notDue(Instant now) {
		long[] counts = new long[2];
		this.jdbc.query(this.notDueSql, rs -> {
			counts["pending".equals(rs.getString(1)) ? 0 : 1] = rs.getLong(2);
		}, this.dialect.usesHostClock() ? new Object[] { now.toEpochMilli() } : new Object[0]);
		return counts;
	}

	/** Makes a pending or failed job due now (its delay or retry wait skipped); false in another state. */
	public boolean runNow(String id, Instant now) {
		return this.tx.execute(status -> wake(this.jdbc.update(
				"UPDATE jobs SET run_at = " + this.dialect.dueAt() + ", updated_at = ? WHERE id = ? AND state IN ('pending', 'failed')",
				this.dialect.dueArg(now, now), now.toEpochMilli(), id) == 1, Dialect.WAKE_JOBS));
	}

	/**
	 * Run times (ms) of the attempts that finished since {@code since}, among the newest
	 * {@code newest} attempts: a constant-cost sample, read through the runs' primary key.
	 */
	public List<Long> recentDurations(Instant since, int newest) {
		return this.jdbc.queryForList("""
				SELECT duration_ms FROM job_runs
				WHERE id > (SELECT COALESCE(MAX(id), 0) FROM job_runs) - ? AND finished_at >= ? AND duration_ms IS NOT NULL
				ORDER BY duration_ms""", Long.class, newest, since.toEpochMilli());
	}

	/**
	 * Up to {@code limit} runnable or waiting-to-retry jobs that ask resources or several slots,
	 * through jobs_weighted (V11), oldest first; and jobs waiting for others that ask them.
	 */
	public List<Job> waitingWithDemand(int limit) {
		// a probe first: the ordered read sorts, and SQLite's sorter costs ~25 us to set up even for no
		// row (every status asks; most queues have no such job)
		if (this.jdbc.queryForList("""
				SELECT 1 FROM jobs WHERE (resources IS NOT NULL OR slots > 1) AND state IN ('pending', 'failed', 'waiting')
				LIMIT 1""", Integer.class).isEmpty()) {
			return List.of();
		}
		return this.jdbc.query("SELECT " + COLUMNS + """
				 FROM jobs WHERE (resources IS NOT NULL OR slots > 1) AND state IN ('pending', 'failed', 'waiting')
				ORDER BY created_at, id LIMIT ?""", JOB, limit);
	}

	/** Jobs per state, every state present: a read of the counters, whatever the number of jobs. */
	public Map<JobState, Long> countByState() {
		return this.counts.byState();
	}

	public List<JobRun> runs(String jobId) {
		return this.jdbc.query("""
				SELECT job_id, attempt, worker_id, started_at, finished_at, exit_code, signal, duration_ms, outcome,
				       error, output_tail, output_path, output_removed_at
				FROM job_runs WHERE job_id = ? ORDER BY id""", JobStore::mapRun, jobId);
	}

	/**
	 * Moves a dead job back to pending with its attempts reset, and without a deadline (its user
	 * asked for it to run now: one that passed would cancel it at once). Returns false when it is not dead.
	 */
	public boolean retryDead(String id, Instant now) {
		return this.tx.execute(status -> wake(this.jdbc.update("""
				UPDATE jobs SET state = 'pending', attempts = 0, run_at = %s, updated_at = ?, started_at = NULL,
				       finished_at = NULL, exit_code = NULL, last_error = NULL, worker_id = NULL, lease_expires_at = NULL,
				       start_by = NULL, %s
				WHERE id = ? AND state = 'dead'""".formatted(this.dialect.dueAt(), PROGRESS_CLEARED) + KEY_FREE, this.dialect.dueArg(now, now),
				now.toEpochMilli(), id) == 1, Dialect.WAKE_JOBS));
	}

	static Job mapJob(ResultSet rs, int row) throws SQLException {
		return new Job(rs.getString("id"), rs.getString("command"), JobState.fromDb(rs.getString("state")),
				rs.getString("queue"), rs.getInt("priority"), rs.getInt("attempts"), rs.getInt("max_retries"),
				instant(rs, "run_at"), duration(rs, "timeout_ms"), rs.getString("working_dir"),
				instant(rs, "created_at"), instant(rs, "updated_at"), instant(rs, "started_at"),
				instant(rs, "finished_at"), integer(rs, "exit_code"), rs.getString("last_error"),
				rs.getString("worker_id"), instant(rs, "lease_expires_at"), instant(rs, "cancel_requested_at"),
				rs.getString("unique_key"), Resources.fromStored(rs.getString("resources")), rs.getInt("slots"),
				instant(rs, "start_by"), dev.queuectl.job.RetryRule.stored(rs.getString("retry_on"), rs.getString("no_retry_on")),
				LimitBook.decode(rs.getString("limits")), dev.queuectl.job.JobEnv.fromStored(rs.getString("env")),
				progress(rs), Tags.decode(rs.getString("tags")), rs.getString("rerun_of"));
	}

	/** The job's latest progress (issue 27), or null. */
	private static dev.queuectl.job.Progress progress(ResultSet rs) throws SQLException {
		long total = rs.getLong("progress_total");
		if (rs.wasNull()) {
			return null;
		}
		return new dev.queuectl.job.Progress(rs.getLong("progress_done"), total, rs.getString("progress_message"),
				instant(rs, "progress_at"));
	}

	static JobRun mapRun(ResultSet rs, int row) throws SQLException {
		Long duration = rs.getLong("duration_ms");
		if (rs.wasNull()) {
			duration = null;
		}
		return new JobRun(rs.getString("job_id"), rs.getInt("attempt"), rs.getString("worker_id"),
				instant(rs, "started_at"), instant(rs, "finished_at"), integer(rs, "exit_code"),
				integer(rs, "signal"), duration, rs.getString("outcome"), rs.getString("error"),
				rs.getString("output_tail"), rs.getString("output_path"), instant(rs, "output_removed_at"));
	}

	static Instant instant(ResultSet rs, String column) throws SQLException {
		long v = rs.getLong(column);
		return rs.wasNull() ? null : Instant.ofEpochMilli(v);
	}

	static Duration duration(ResultSet rs, String column) throws SQLException {
		long v = rs.getLong(column);
		return rs.wasNull() ? null : Duration.ofMillis(v);
	}

	static Integer integer(ResultSet rs, String column) throws SQLException {
		int v = rs.getInt(column);
		return rs.wasNull() ? null : v;
	}
}
