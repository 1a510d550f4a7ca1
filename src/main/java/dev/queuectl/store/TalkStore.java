package dev.queuectl.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.queuectl.job.JobEnv;
import dev.queuectl.job.JobResult;
import dev.queuectl.job.Progress;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The SQL of jobs that talk back (issue 27), the same on both backends: a job's latest progress
 * (columns of its row, overwritten), its result (job_results, one row per job, of the attempt
 * that set it), and what a worker host reads to start a job with its environment (its queue, its
 * own variables and the jobs it ran after).
 */
@Repository
public class TalkStore {

	private final JdbcTemplate jdbc;

	TalkStore(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** Records the job's progress over any before; false when there is no such job. */
	public boolean setProgress(String jobId, Progress p) {
		return this.jdbc.update("""
				UPDATE jobs SET progress_done = ?, progress_total = ?, progress_message = ?, progress_at = ?
				WHERE id = ?""", p.done(), p.total(), p.message(), p.at().toEpochMilli(), jobId) > 0;
	}

	/** The job's state and attempt number, if it exists. */
	public Optional<Attempt> attempt(String jobId) {
		return this.jdbc.query("SELECT state, attempts FROM jobs WHERE id = ?",
				(rs, i) -> new Attempt(rs.getString(1), rs.getInt(2)), jobId).stream().findFirst();
	}

	/** A job's state (as stored) and how many attempts it has started. */
	public record Attempt(String state, int attempts) {
	}

	/** Stores the job's result of {@code attempt}, over any before. */
	public void setResult(String jobId, int attempt, String value, Instant now) {
		this.jdbc.update("""
				INSERT INTO job_results (job_id, attempt, value, set_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (job_id) DO UPDATE SET attempt = excluded.attempt, value = excluded.value, set_at = excluded.set_at""",
				jobId, attempt, value, now.toEpochMilli());
	}

	/** The job's result, if one was set. */
	public Optional<JobResult> result(String jobId) {
		return this.jdbc.query("SELECT attempt, value, set_at FROM job_results WHERE job_id = ?",
				(rs, i) -> new JobResult(rs.getInt(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))), jobId)
			.stream()
			.findFirst();
	}

	/**
	 * What a job runs with besides its command: its queue, its own variables and the ids it ran
	 * after (sorted), read in one statement; empty when the job is gone.
	 */
	public Optional<RunContext> runContext(String jobId) {
		List<String> after = new ArrayList<>();
		String[] job = new String[4];
		this.jdbc.query("""
				SELECT j.queue, j.env, j.trace_parent, j.trace_state, d.depends_on FROM jobs j LEFT JOIN job_deps d ON d.job_id = j.id
				WHERE j.id = ? ORDER BY d.depends_on""", rs -> {
			job[0] = rs.getString(1);
			job[1] = rs.getString(2);
			job[2] = rs.getString(3);
			job[3] = rs.getString(4);
			String dep = rs.getString(5);
			if (dep != null) {
				after.add(dep);
			}
		}, jobId);
		return job[0] == null ? Optional.empty() : Optional.of(new RunContext(job[0], JobEnv.fromStored(job[1]), List.copyOf(after), trace(job[2], job[3])));
	}

	/** The most ids one {@link #runContexts} statement names (far below either backend's limit on parameters). */
	static final int RUN_CONTEXTS_CHUNK = 500;

	/**
	 * {@link #runContext} of many jobs in one statement (per {@value #RUN_CONTEXTS_CHUNK} ids): what a
	 * worker host reads once for the jobs a turn claimed, so that its slots start them without a
	 * statement each. A job that is gone has no entry.
	 */
	public Map<String, RunContext> runContexts(List<String> jobIds) {
		Map<String, String[]> jobs = new java.util.HashMap<>();
		Map<String, List<String>> after = new java.util.HashMap<>();
		for (int from = 0; from < jobIds.size(); from += RUN_CONTEXTS_CHUNK) {
			List<String> chunk = jobIds.subList(from, Math.min(jobIds.size(), from + RUN_CONTEXTS_CHUNK));
			String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
			this.jdbc.query("SELECT j.id, j.queue, j.env, j.trace_parent, j.trace_state, d.depends_on FROM jobs j\n"
					+ "LEFT JOIN job_deps d ON d.job_id = j.id WHERE j.id IN (" + marks + ") ORDER BY j.id, d.depends_on", rs -> {
						String id = rs.getString(1);
						jobs.putIfAbsent(id, new String[] { rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5) });
						List<String> deps = after.computeIfAbsent(id, k -> new ArrayList<>());
						String dep = rs.getString(6);
						if (dep != null) {
							deps.add(dep);
						}
					}, chunk.toArray());
		}
		Map<String, RunContext> contexts = new java.util.HashMap<>();
		jobs.forEach((id, job) -> contexts.put(id,
				new RunContext(job[0], JobEnv.fromStored(job[1]), List.copyOf(after.get(id)), trace(job[2], job[3]))));
		return contexts;
	}

	private static dev.queuectl.job.TraceContext trace(String parent, String state) {
		return parent == null ? null : new dev.queuectl.job.TraceContext(parent, state);
	}

	/**
	 * A job's queue, own variables and the jobs it ran after, and the trace context of its enqueue
	 * (issue 31; null: not traced).
	 */
	public record RunContext(String queue, Map<String, String> env, List<String> after, dev.queuectl.job.TraceContext trace) {

		public RunContext(String queue, Map<String, String> env, List<String> after) {
			this(queue, env, after, null);
		}
	}
}
