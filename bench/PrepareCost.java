import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * The CPU SQLite spends preparing a worker host's three statements of a turn (the claim's UPDATE,
 * the settle's UPDATE, the runs' INSERT) on a database's schema: every trigger and index the
 * statement touches is compiled with it. Single-file program (no build):
 *   java -cp SQLITE_JDBC_JAR bench/PrepareCost.java DB [SQL_TO_RUN_FIRST...]
 * e.g. a database made by each commit's `QUEUECTL_SERVER=off bin/queuectl --db DB status`.
 */
public class PrepareCost {

	public static void main(String[] args) throws Exception {
		String[] sqls = {
			"UPDATE jobs SET state = 'processing', attempts = attempts + 1, worker_id = ?, started_at = ?, updated_at = ?, lease_expires_at = ? + ?, finished_at = NULL WHERE id IN (SELECT id FROM (SELECT * FROM (SELECT id, priority, run_at FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0 AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT 72) a0) c ORDER BY priority DESC, run_at, id LIMIT ?) RETURNING id, command, working_dir, attempts, max_retries, timeout_ms, started_at, run_at, priority",
			"UPDATE jobs SET state = ?, run_at = COALESCE(CAST(? AS INTEGER), run_at), finished_at = ?, updated_at = ?, exit_code = ?, last_error = ?, lease_expires_at = NULL WHERE id = ? AND state = 'processing' AND worker_id = ? AND attempts = ?",
			"INSERT INTO job_runs (job_id, attempt, worker_id, started_at, finished_at, exit_code, signal, duration_ms, outcome, error, output_tail, output_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" };
		String[] names = { "claim UPDATE", "settle UPDATE", "runs INSERT" };
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + args[0])) {
			try (Statement s = c.createStatement()) {
				for (int i = 1; i < args.length; i++) {
					s.execute(args[i]);
				}
			}
			for (int k = 0; k < sqls.length; k++) {
				for (int w = 0; w < 3000; w++) { // warm-up: the JIT, SQLite's caches
					c.prepareStatement(sqls[k]).close();
				}
				long t0 = threads.getCurrentThreadCpuTime();
				for (int w = 0; w < 5000; w++) {
					c.prepareStatement(sqls[k]).close();
				}
				System.out.printf("%-14s %6.1f us CPU a prepare%n", names[k], (threads.getCurrentThreadCpuTime() - t0) / 5000 / 1e3);
			}
		}
	}
}
