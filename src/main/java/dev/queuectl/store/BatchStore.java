package dev.queuectl.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.queuectl.job.Batch;
import dev.queuectl.job.Job;
import dev.queuectl.job.JobState;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * All SQL on batches (issue 28, migration V12). A batch's counters are kept by triggers on jobs in
 * the transaction of each state change; {@link #settleDue} settles, in the caller's transaction,
 * the batches whose last job just became final: a fenced update marks each settled once (the
 * row's lock orders concurrent hosts on PostgreSQL; SQLite has one writer), and its callbacks, stored
 * as waiting jobs when the batch was made, become pending or are deleted. Finding the batches to
 * settle reads batches_open: the few open batches, never a batch's jobs.
 */
@Repository
public class BatchStore {

	private static final String COLUMNS = """
			name, created_at, settled_at, total, unfinished, completed, dead, canceled, on_success, on_failure, on_complete""";

	private final JdbcTemplate jdbc;

	private final Dialect dialect;

	BatchStore(JdbcTemplate jdbc, Dialect dialect) {
		this.jdbc = jdbc;
		this.dialect = dialect;
	}

	/** Makes an open batch without jobs, in the caller's transaction; false when the name is taken. */
	public boolean create(String name, Instant now, String onSuccess, String onFailure, String onComplete) {
		return this.jdbc.update("""
				INSERT INTO batches (name, created_at, total, unfinished, on_success, on_failure, on_complete)
				VALUES (?, ?, 0, 0, ?, ?, ?) ON CONFLICT DO NOTHING""", name, now.toEpochMilli(), onSuccess, onFailure,
				onComplete) == 1;
	}

	/** Whether a batch takes more jobs: {@code OPEN} (its row now locked until the commit), {@code SETTLED}, {@code MISSING}. */
	public enum Openness {
		OPEN, SETTLED, MISSING
	}

	/**
	 * Locks an open batch's row for the caller's transaction, so that it cannot settle before the
	 * jobs added to it are counted (a host finishing its last job waits for the lock, then sees them).
	 */
	public Openness lockOpen(String name) {
		if (this.jdbc.update("UPDATE batches SET total = total WHERE name = ? AND settled_at IS NULL", name) == 1) {
			return Openness.OPEN;
		}
		return exists(name) ? Openness.SETTLED : Openness.MISSING;
	}

	public boolean exists(String name) {
		return !this.jdbc.queryForList("SELECT 1 FROM batches WHERE name = ?", Integer.class, name).isEmpty();
	}

	/** Counts {@code n} jobs just inserted into a batch, none of them final. */
	public void added(String name, long n) {
		this.jdbc.update("UPDATE batches SET total = total + ?, unfinished = unfinished + ? WHERE name = ?", n, n, name);
	}

	/**
	 * Settles every open batch with no unfinished job, in the caller's transaction: marks it settled
	 * (once: the update is fenced on settled_at), makes its callbacks pending (on_complete always,
	 * on_success when every job completed, else on_failure) and deletes the one not called. Returns
	 * the names settled. Without an open batch to settle: one read of batches_open.
	 */
	public List<String> settleDue(Instant now) {
		List<String> due = this.jdbc.queryForList(
				"SELECT name FROM batches" + this.dialect.indexedBy("batches_open") + " WHERE settled_at IS NULL AND unfinished <= 0",
				String.class);
		List<String> settled = new ArrayList<>();
		for (String name : due) {
			List<String[]> row = this.jdbc.query("""
					UPDATE batches SET settled_at = ? WHERE name = ? AND settled_at IS NULL AND unfinished <= 0
					RETURNING dead + canceled, on_success, on_failure, on_complete""",
					(rs, i) -> new String[] { Long.toString(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getString(4) },
					now.toEpochMilli(), name);
			if (row.isEmpty()) {
				continue; // another host settled it, or a job came back meanwhile
			}
			String[] r = row.get(0);
			boolean succeeded = Long.parseLong(r[0]) == 0;
			List<String> run = new ArrayList<>();
			if (r[3] != null) {
				run.add(r[3]);
			}
			String called = succeeded ? r[1] : r[2];
			String skipped = succeeded ? r[2] : r[1];
			if (called != null) {
				run.add(called);
			}
			if (!run.isEmpty()) {
				this.jdbc.update("UPDATE jobs SET state = 'pending', updated_at = ? WHERE state = 'waiting' AND id "
						+ this.dialect.inList(), now.toEpochMilli(), this.dialect.idList(run));
			}
			if (skipped != null) {
				this.jdbc.update("DELETE FROM jobs WHERE id = ? AND state = 'waiting'", skipped);
				this.jdbc.update("UPDATE batches SET " + (succeeded ? "on_failure" : "on_success") + " = NULL WHERE name = ?",
						name);
			}
			settled.add(name);
		}
		if (!settled.isEmpty()) {
			this.dialect.wakeHosts(this.jdbc, Dialect.WAKE_JOBS);
		}
		return settled;
	}

	/** Whether some open batch has no unfinished job: a read of batches_open, outside any transaction. */
	public boolean anyDue() {
		return !this.jdbc.queryForList("SELECT 1 FROM batches" + this.dialect.indexedBy("batches_open")
				+ " WHERE settled_at IS NULL AND unfinished <= 0 LIMIT 1", Integer.class).isEmpty();
	}

	/** Every batch, newest first (their counters; no live split). */
	public List<Batch> list() {
		return this.jdbc.query("SELECT " + COLUMNS + " FROM batches ORDER BY created_at DESC, name DESC", BatchStore::map);
	}

	/** A batch with its unfinished jobs counted by state (through jobs_batch: its unfinished jobs only). */
	public Optional<Batch> find(String name) {
		Optional<Batch> batch = this.jdbc.query("SELECT " + COLUMNS + " FROM batches WHERE name = ?", BatchStore::map, name)
			.stream().findFirst();
		if (batch.isEmpty()) {
			return batch;
		}
		Map<JobState, Long> live = new EnumMap<>(JobState.class);
		for (JobState s : List.of(JobState.WAITING, JobState.PENDING, JobState.PROCESSING, JobState.FAILED)) {
			live.put(s, 0L);
		}
		if (batch.get().unfinished() > 0) {
			this.jdbc.query("""
					SELECT state, COUNT(*) FROM jobs WHERE batch = ? AND state IN ('waiting', 'pending', 'processing', 'failed')
					GROUP BY state""", rs -> {
				live.put(JobState.fromDb(rs.getString(1)), rs.getLong(2));
			}, name);
		}
		return Optional.of(batch.get().withLive(live));
	}

	/**
	 * A page of a batch's jobs by id, after {@code afterId} (null: from the first), of one state (null:
	 * any): each state read through jobs_batch (batch, state, id) from the cursor on, then merged, so
	 * a page costs about {@code limit} rows per state however large the batch.
	 */
	public List<Job> jobs(String name, JobState state, String afterId, int limit) {
		List<JobState> states = state != null ? List.of(state) : List.of(JobState.values());
		StringBuilder sql = new StringBuilder("SELECT * FROM (");
		List<Object> args = new ArrayList<>();
		for (int i = 0; i < states.size(); i++) {
			sql.append(i == 0 ? "" : " UNION ALL ").append("SELECT * FROM (SELECT ").append(JobStore.COLUMNS)
				.append(" FROM jobs WHERE batch = ? AND state = ? AND id > ? ORDER BY id LIMIT ?) s").append(i);
			args.addAll(List.of(name, states.get(i).dbValue(), afterId == null ? "" : afterId, limit));
		}
		sql.append(") merged ORDER BY id LIMIT ?");
		args.add(limit);
		return this.jdbc.query(sql.toString(), JobStore::mapJob, args.toArray());
	}

	/** The batch a job belongs to, or the batch whose callback it is; null for neither. */
	public String batchOf(String jobId) {
		List<String> names = this.jdbc.queryForList("""
				SELECT batch FROM jobs WHERE id = ? AND batch IS NOT NULL
				UNION ALL SELECT name FROM batches WHERE on_success = ? OR on_failure = ? OR on_complete = ?""", String.class,
				jobId, jobId, jobId, jobId);
		return names.isEmpty() ? null : names.get(0);
	}

	/** Cancels a batch's jobs that have not started, in the caller's transaction; returns their ids. */
	public List<String> cancelIdle(String name, String reason, Instant now) {
		return this.jdbc.queryForList("""
				UPDATE jobs SET state = 'canceled', finished_at = ?, updated_at = ?, last_error = ?
				WHERE batch = ? AND state IN ('waiting', 'pending', 'failed') RETURNING id""", String.class, now.toEpochMilli(),
				now.toEpochMilli(), reason, name);
	}

	/**
	 * Deletes up to {@code limit} settled batches, settled before {@code before}, that have no job
	 * left (retention or {@code rm} took them) and no callback job left; returns their names, oldest
	 * settled first. Reads batches_settled (V13) from its oldest and, per batch, one seek of
	 * jobs_batch and one of the jobs' primary key per callback. Retention runs it (issue 28): a
	 * settled batch's record goes with the last of its jobs, however long each state is kept.
	 */
	public List<String> pruneSettled(Instant before, int limit) {
		return this.jdbc.queryForList("""
				DELETE FROM batches WHERE name IN (
				    SELECT b.name FROM batches b%s
				    WHERE b.settled_at IS NOT NULL AND b.settled_at < ?
				      AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.batch = b.name)
				      AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id IN (b.on_success, b.on_failure, b.on_complete))
				    ORDER BY b.settled_at LIMIT ?)
				RETURNING name""".formatted(this.dialect.indexedBy("batches_settled")), String.class, before.toEpochMilli(),
				limit);
	}

	/**
	 * Locks a batch's row for the caller's transaction (open or settled), so that what follows
	 * takes the locks of a batch's jobs in the order a host's settle does: the batch's row before
	 * any waiting job ({@code batch cancel}).
	 */
	public void lock(String name) {
		this.jdbc.update("UPDATE batches SET total = total WHERE name = ?", name);
	}

	/**
	 * Asks the hosts running a batch's jobs to kill them; returns how many. Called outside any
	 * transaction: each job is asked in a statement of its own, so this holds at most one job's lock
	 * at a time and never waits while holding another (a host settling some of these jobs locks them
	 * in its own order, then the batch's row: two multi-row updates could each wait for the other).
	 */
	public int requestCancel(String name, Instant now) {
		int n = 0;
		for (String id : this.jdbc.queryForList("SELECT id FROM jobs WHERE batch = ? AND state = 'processing'", String.class,
				name)) {
			n += this.jdbc.update("""
					UPDATE jobs SET cancel_requested_at = COALESCE(cancel_requested_at, ?) WHERE id = ? AND state = 'processing'""",
					now.toEpochMilli(), id);
		}
		if (n > 0) {
			this.dialect.wakeHosts(this.jdbc, Dialect.WAKE_CANCEL);
		}
		return n;
	}

	private static Batch map(ResultSet rs, int row) throws SQLException {
		return new Batch(rs.getString("name"), JobStore.instant(rs, "created_at"), JobStore.instant(rs, "settled_at"),
				rs.getLong("total"), rs.getLong("unfinished"), rs.getLong("completed"), rs.getLong("dead"),
				rs.getLong("canceled"), rs.getString("on_success"), rs.getString("on_failure"), rs.getString("on_complete"),
				Map.of());
	}
}
