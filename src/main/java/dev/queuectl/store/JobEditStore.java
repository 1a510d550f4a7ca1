package dev.queuectl.store;

import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.queuectl.job.JobEdit;
import dev.queuectl.job.JobEnv;
import dev.queuectl.job.LimitBook;
import dev.queuectl.job.Tags;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SQL of {@code edit} and {@code rm} (issue 28). An edit is one UPDATE conditional on the job's
 * state, so it is atomic against a claim on both backends: a claim's UPDATE (SQLite: the one writer;
 * PostgreSQL: the row lock, re-read under READ COMMITTED) either comes first, and the edit finds the
 * job processing and changes nothing, or comes after, and runs the edited job.
 */
@Repository
public class JobEditStore {

	/** The states in which a job has not started: an edit applies to its next run. */
	static final String NOT_STARTED = "('waiting', 'pending', 'failed')";

	/** The states a job may be removed in. */
	static final String FINAL = "('completed', 'dead', 'canceled')";

	private final JdbcTemplate jdbc;

	private final Dialect dialect;

	private final TransactionTemplate tx;

	JobEditStore(JdbcTemplate jdbc, Dialect dialect, TransactionTemplate tx) {
		this.jdbc = jdbc;
		this.dialect = dialect;
		this.tx = tx;
	}

	/**
	 * Applies the edit to a job that has not started, with its tags' rows, in one transaction.
	 * Returns false, changing nothing, when the job is in another state (or gone).
	 */
	public boolean edit(String id, JobEdit edit, Instant now) {
		List<String> sets = new ArrayList<>();
		List<Object> args = new ArrayList<>();
		if (edit.command() != null) {
			sets.add("command = ?");
			args.add(edit.command());
		}
		if (edit.priority() != null) {
			sets.add("priority = ?");
			args.add(edit.priority());
		}
		if (edit.queue() != null) {
			sets.add("queue = ?");
			args.add(edit.queue());
		}
		if (edit.runAt() != null) {
			sets.add("run_at = " + this.dialect.dueAtOrNamed());
			args.add(edit.runAtNamed() ? new SqlParameterValue(Types.BIGINT, null) : this.dialect.dueArg(edit.runAt(), now));
			args.add(edit.runAtNamed() ? edit.runAt().toEpochMilli() : new SqlParameterValue(Types.BIGINT, null));
		}
		if (edit.timeout() != null) {
			sets.add("timeout_ms = ?");
			args.add(edit.timeout().toMillis());
		}
		if (edit.maxRetries() != null) {
			sets.add("max_retries = ?");
			args.add(edit.maxRetries());
		}
		if (edit.limits() != null) {
			sets.add("limits = ?");
			args.add(new SqlParameterValue(Types.VARCHAR, LimitBook.encode(edit.limits())));
		}
		if (edit.tags() != null) {
			sets.add("tags = ?");
			args.add(new SqlParameterValue(Types.VARCHAR, Tags.encode(edit.tags())));
		}
		if (edit.env() != null) {
			sets.add("env = ?");
			args.add(new SqlParameterValue(Types.VARCHAR, JobEnv.toStored(edit.env())));
		}
		sets.add("updated_at = ?");
		args.add(now.toEpochMilli());
		args.add(id);
		String sql = "UPDATE jobs SET " + String.join(", ", sets) + " WHERE id = ? AND state IN " + NOT_STARTED;
		return Boolean.TRUE.equals(this.tx.execute(status -> {
			if (this.jdbc.update(sql, args.toArray()) != 1) {
				return false;
			}
			if (edit.tags() != null) {
				this.jdbc.update("DELETE FROM job_tags WHERE job_id = ?", id);
				this.jdbc.batchUpdate("INSERT INTO job_tags (tag, job_id) VALUES (?, ?)",
						edit.tags().stream().map(tag -> new Object[] { tag, id }).toList());
			}
			this.dialect.wakeHosts(this.jdbc, Dialect.WAKE_JOBS);
			return true;
		}));
	}

	/**
	 * Deletes a finished job (completed, dead or canceled) with its runs, dependency and tag rows.
	 * Returns false when it is in another state (or gone).
	 */
	public boolean remove(String id) {
		return this.jdbc.update("DELETE FROM jobs WHERE id = ? AND state IN " + FINAL, id) == 1;
	}
}
