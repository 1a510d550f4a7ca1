package dev.queuectl.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The bound on kept output (issue 24): which attempts' output is not measured yet, the running
 * total the triggers of V9 keep in {@code output_usage}, and the attempts of finished jobs that
 * still hold output, oldest first. Every read goes through a partial index (job_runs_unmeasured,
 * job_runs_with_output), so its cost is the rows it returns, not the size of job_runs.
 */
@Repository
public class OutputUsageStore {

	private final JdbcTemplate jdbc;

	private final Dialect dialect;

	OutputUsageStore(JdbcTemplate jdbc, Dialect dialect) {
		this.jdbc = jdbc;
		this.dialect = dialect;
	}

	/** Attempts that printed something whose output is not measured yet, oldest first. */
	public List<OutputStore.Attempt> unmeasured(int limit) {
		return this.jdbc.query("SELECT id, job_id, attempt, started_at, output_path, 0 AS output_bytes FROM job_runs"
				+ this.dialect.indexedBy("job_runs_unmeasured")
				+ " WHERE output_path IS NOT NULL AND output_bytes IS NULL ORDER BY id LIMIT ?", OutputUsageStore::attempt,
				limit);
	}

	/** Records measured sizes (run id to bytes); an attempt measured meanwhile by another host is left alone. */
	public void measured(Map<Long, Long> bytes) {
		List<Object[]> rows = bytes.entrySet().stream().map(e -> new Object[] { e.getValue(), e.getKey() }).toList();
		this.jdbc.batchUpdate("UPDATE job_runs SET output_bytes = ? WHERE id = ? AND output_bytes IS NULL", rows);
	}

	/** The bytes of output measured and not removed: one row, whatever the number of attempts. */
	public long total() {
		Long n = this.jdbc.queryForObject("SELECT bytes FROM output_usage WHERE id = 1", Long.class);
		return n == null ? 0 : n;
	}

	/**
	 * Attempts that still hold output, of jobs that are finished (completed, dead, canceled: never
	 * a running job's nor one waiting for a retry), the oldest first by when the attempt ended.
	 */
	public List<OutputStore.Attempt> oldestOfFinishedJobs(int limit) {
		return this.jdbc.query("""
				SELECT r.id, r.job_id, r.attempt, r.started_at, r.output_path, r.output_bytes FROM job_runs r%s
				JOIN jobs j ON j.id = r.job_id
				WHERE r.output_bytes > 0 AND j.state IN ('completed', 'dead', 'canceled')
				ORDER BY r.finished_at, r.id LIMIT ?""".formatted(this.dialect.indexedBy("job_runs_with_output")),
				OutputUsageStore::attempt, limit);
	}

	/** Marks these attempts' output removed at {@code now}: their bytes leave the total. */
	public void removed(List<OutputStore.Attempt> attempts, Instant now) {
		List<Object[]> rows = attempts.stream().map(a -> new Object[] { now.toEpochMilli(), a.runId() }).toList();
		this.jdbc.batchUpdate("UPDATE job_runs SET output_bytes = 0, output_removed_at = ?, output_path = NULL WHERE id = ?", rows);
	}

	private static OutputStore.Attempt attempt(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
		return new OutputStore.Attempt(rs.getLong("id"), rs.getString("job_id"), rs.getInt("attempt"),
				Instant.ofEpochMilli(rs.getLong("started_at")), rs.getString("output_path"), rs.getLong("output_bytes"));
	}
}
