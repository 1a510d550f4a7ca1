package dev.queuectl.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.queuectl.job.Job;
import dev.queuectl.job.JobRun;
import dev.queuectl.job.JobState;
import dev.queuectl.job.NewJob;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/** All SQL on jobs and their runs. */
@Repository
public class JobStore {

	private static final String INSERT = """
			INSERT INTO jobs (id, command, state, queue, priority, attempts, max_retries, run_at, timeout_ms,
			                  working_dir, created_at, updated_at)
			VALUES (?, ?, 'pending', ?, ?, 0, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING""";

	private static final String COLUMNS = """
			id, command, state, queue, priority, attempts, max_retries, run_at, timeout_ms, working_dir,
			created_at, updated_at, started_at, finished_at, exit_code, last_error, worker_id, lease_expires_at""";

	private static final RowMapper<Job> JOB = JobStore::mapJob;

	private final JdbcTemplate jdbc;

	JobStore(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Inserts the jobs in the caller's transaction. Returns the index of the first job whose id is
	 * already taken, or -1 when all were inserted.
	 */
	public int insertAll(List<NewJob> jobs, Instant now) {
		int batchSize = 1000;
		for (int from = 0; from < jobs.size(); from += batchSize) {
			List<NewJob> batch = jobs.subList(from, Math.min(jobs.size(), from + batchSize));
			int[] counts = this.jdbc.batchUpdate(INSERT, batch, batch.size(), (ps, job) -> {
				ps.setString(1, job.id());
				ps.setString(2, job.command());
				ps.setString(3, job.queue());
				ps.setInt(4, job.priority());
				ps.setInt(5, job.maxRetries());
				ps.setLong(6, job.runAt().toEpochMilli());
				if (job.timeout() == null) {
					ps.setNull(7, java.sql.Types.BIGINT);
				}
				else {
					ps.setLong(7, job.timeout().toMillis());
				}
				ps.setString(8, job.workingDir());
				ps.setLong(9, now.toEpochMilli());
				ps.setLong(10, now.toEpochMilli());
			})[0];
			for (int i = 0; i < counts.length; i++) {
				if (counts[i] == 0) {
					return from + i;
				}
			}
		}
		return -1;
	}

	public Optional<Job> find(String id) {
		return this.jdbc.query("SELECT " + COLUMNS + " FROM jobs WHERE id = ?", JOB, id).stream().findFirst();
	}

	public List<Job> list(JobState state, String queue, int limit) {
		StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM jobs WHERE 1 = 1");
		List<Object> args = new ArrayList<>();
		if (state != null) {
			sql.append(" AND state = ?");
			args.add(state.dbValue());
		}
		if (queue != null) {
			sql.append(" AND queue = ?");
			args.add(queue);
		}
		sql.append(" ORDER BY updated_at DESC, id DESC LIMIT ?");
		args.add(limit);
		return this.jdbc.query(sql.toString(), JOB, args.toArray());
	}

	public Map<JobState, Long> countByState() {
		Map<JobState, Long> counts = new EnumMap<>(JobState.class);
		for (JobState state : JobState.values()) {
			counts.put(state, 0L);
		}
		this.jdbc.query("SELECT state, COUNT(*) FROM jobs GROUP BY state",
				rs -> {
					counts.put(JobState.fromDb(rs.getString(1)), rs.getLong(2));
				});
		return counts;
	}

	public List<JobRun> runs(String jobId) {
		return this.jdbc.query("""
				SELECT job_id, attempt, worker_id, started_at, finished_at, exit_code, signal, duration_ms, outcome,
				       error, output_tail, output_path
				FROM job_runs WHERE job_id = ? ORDER BY id""", JobStore::mapRun, jobId);
	}

	/** Moves a dead job back to pending with its attempts reset. Returns false when it is not dead. */
	public boolean retryDead(String id, Instant now) {
		return this.jdbc.update("""
				UPDATE jobs SET state = 'pending', attempts = 0, run_at = ?, updated_at = ?, started_at = NULL,
				       finished_at = NULL, exit_code = NULL, last_error = NULL, worker_id = NULL, lease_expires_at = NULL
				WHERE id = ? AND state = 'dead'""", now.toEpochMilli(), now.toEpochMilli(), id) == 1;
	}

	static Job mapJob(ResultSet rs, int row) throws SQLException {
		return new Job(rs.getString("id"), rs.getString("command"), JobState.fromDb(rs.getString("state")),
				rs.getString("queue"), rs.getInt("priority"), rs.getInt("attempts"), rs.getInt("max_retries"),
				instant(rs, "run_at"), duration(rs, "timeout_ms"), rs.getString("working_dir"),
				instant(rs, "created_at"), instant(rs, "updated_at"), instant(rs, "started_at"),
				instant(rs, "finished_at"), integer(rs, "exit_code"), rs.getString("last_error"),
				rs.getString("worker_id"), instant(rs, "lease_expires_at"));
	}

	static JobRun mapRun(ResultSet rs, int row) throws SQLException {
		Long duration = rs.getLong("duration_ms");
		if (rs.wasNull()) {
			duration = null;
		}
		return new JobRun(rs.getString("job_id"), rs.getInt("attempt"), rs.getString("worker_id"),
				instant(rs, "started_at"), instant(rs, "finished_at"), integer(rs, "exit_code"),
				integer(rs, "signal"), duration, rs.getString("outcome"), rs.getString("error"),
				rs.getString("output_tail"), rs.getString("output_path"));
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
