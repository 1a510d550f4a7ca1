package dev.queuectl.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.queuectl.PostgresTestDatabase;
import dev.queuectl.store.WorkerRegistryStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code migrate --to URL} from this test's SQLite queue into a fresh PostgreSQL database: every row
 * of every table arrives equal (the notify targets and the notifications' outbox too, a failed one
 * still failed); a second migrate into the same target, a live worker host and an
 * SQLite path as target are refused.
 */
@Tag("postgresql")
class MigrateCommandTest extends CommandTestSupport {

	private static final Map<String, String> ORDER = Map.ofEntries(Map.entry("settings", "key"), Map.entry("queues", "name"),
			Map.entry("schedules", "name"), Map.entry("batches", "name"), Map.entry("jobs", "id"),
			Map.entry("job_deps", "job_id, depends_on"), Map.entry("job_tags", "tag, job_id"), Map.entry("job_runs", "id"),
			Map.entry("job_results", "job_id"), Map.entry("notify_targets", "state, channel"), Map.entry("notifications", "id"));

	@Autowired
	WorkerRegistryStore workers;

	@BeforeEach
	void noScheduleNorHost() {
		this.jdbc.update("DELETE FROM schedules");
		this.jdbc.update("DELETE FROM batches");
		this.jdbc.update("DELETE FROM workers");
	}

	@Test
	void copiesEveryRowOfAQueueWithJobsInEveryStateAndRefusesASecondTime() {
		fillQueue();
		try (PostgresTestDatabase target = PostgresTestDatabase.create()) {
			Result r = run("migrate", "--to", target.url()).ok();
			assertThat(r.outLines()).containsExactly("TABLE           ROWS", "settings        3", "queues          2", "limits          0",
					"schedules       1", "batches         1", "jobs            11", "job_deps        1", "job_tags        2",
					"job_runs        4", "job_results     1", "notify_targets  2", "notifications   2", "job_output      2");
			for (String table : ORDER.keySet()) {
				if (table.equals("job_runs")) {
					continue; // below: the run whose output file was copied now points into the database
				}
				assertThat(rows(target.jdbc(), table)).as(table).isEqualTo(rows(this.jdbc, table)).isNotEmpty();
			}
			// the target's triggers counted the copied jobs: its counters equal a GROUP BY, as the source's do
			String counts = "SELECT queue, state, CAST(SUM(n) AS BIGINT) AS n FROM job_counts GROUP BY queue, state HAVING SUM(n) <> 0 ORDER BY 1, 2";
			String grouped = "SELECT queue, state, COUNT(*) AS n FROM jobs GROUP BY queue, state ORDER BY 1, 2";
			assertThat(target.jdbc().queryForList(counts)).isEqualTo(target.jdbc().queryForList(grouped)).isNotEmpty();
			assertThat(this.jdbc.queryForList(counts)).isEqualTo(this.jdbc.queryForList(grouped));
			List<Map<String, Object>> runs = rows(this.jdbc, "job_runs");
			runs.get(3).put("output_path", "job_output");
			assertThat(rows(target.jdbc(), "job_runs")).isEqualTo(runs);
			// the output file is in the database, in chunks of 64 KiB; a run whose file is gone keeps its path
			byte[] stored = target.jdbc().queryForObject("SELECT string_agg(chunk, ''::bytea ORDER BY seq) FROM job_output"
					+ " WHERE job_id = 'done' AND attempt = 4", byte[].class);
			assertThat(stored).isEqualTo(this.output);
			// the identity of job_runs continues after the copied ids
			target.jdbc().update("INSERT INTO job_runs (job_id, attempt, started_at) VALUES ('done', 9, 1)");
			assertThat(target.jdbc().queryForObject("SELECT MAX(id) FROM job_runs", Long.class)).isEqualTo(9L);
			// and so does the notifications' (a new row's id is after the copied ones)
			target.jdbc().update("UPDATE jobs SET state = 'canceled' WHERE id = 'pending'");
			assertThat(target.jdbc().queryForList("SELECT id FROM notifications WHERE job_id = 'pending'", Long.class))
				.containsExactly(3L);

			run("migrate", "--to", target.url()).usageError("not empty", "11 jobs", target.name());
			assertThat(target.jdbc().queryForObject("SELECT COUNT(*) FROM jobs", Long.class)).isEqualTo(11);
		}
	}

	@Test
	void refusesWhileAWorkerHostIsAliveAndCopiesNothing() {
		fillQueue();
		this.workers.register("w1", "box", 4242, 2, null, null, this.clock.instant(), this.clock.instant());
		try (PostgresTestDatabase target = PostgresTestDatabase.create()) {
			run("migrate", "--to", target.url()).fails(1, "worker host", "box", "pid 4242");
			assertThat(target.jdbc().queryForObject("SELECT COUNT(*) FROM jobs", Long.class)).isZero();
			// a host silent for longer than the lease timeout died: it does not hold the migration back
			this.clock.advance(java.time.Duration.ofMinutes(10));
			run("migrate", "--to", target.url()).ok();
			assertThat(target.jdbc().queryForObject("SELECT COUNT(*) FROM jobs", Long.class)).isEqualTo(11);
		}
	}

	@Test
	void refusesATargetThatIsNotPostgres() {
		run("migrate", "--to", this.workDir.resolve("other.db").toString()).usageError("PostgreSQL URL");
		run("migrate").usageError("--to");
	}

	@Test
	void aTargetDatabaseThatDoesNotExistIsOneLineInOurWordsNamingNoLibraryClass() {
		Result r = run("migrate", "--to", "postgresql://postgres@127.0.0.1:5432/queuectl_no_such_database_here").fails(1,
				"queuectl_no_such_database_here");
		assertThat(r.err()).doesNotContain("Exception").doesNotContain("org.").doesNotContain("PSQL");
	}

	/** The output of the one run whose output file exists: more than one chunk, not all text. */
	private byte[] output;

	private void fillQueue() {
		for (String state : List.of("pending", "processing", "completed", "failed", "dead", "canceled", "later")) {
			enqueue("{\"id\":\"" + state + "\",\"command\":\"echo " + state + "\",\"queue\":\"q1\",\"priority\":3}");
		}
		enqueue("{\"id\":\"done\",\"command\":\"true\",\"timeout\":\"30s\",\"unique_key\":\"k1\",\"resources\":{\"gpu\":1,\"mem\":\"1G\"},\"slots\":2}");
		enqueue("{\"id\":\"after\",\"command\":\"true\",\"after\":[\"pending\"],\"env\":{\"A\":\"b c\"},\"tags\":[\"t\",\"c:1\"]}");
		run("progress", "--job", "after", "3/7", "copying").ok(); // issue 27: env, progress and a result are copied too
		run("result", "set", "--job", "done", "rows=42").ok();
		runWithStdin("{\"id\":\"member\",\"command\":\"true\"}\n", "enqueue", "-", "--batch", "mig", "--on-complete",
				"{\"id\":\"callback\",\"command\":\"true\"}").ok(); // a batch (issue 28): its row and its jobs' column
		// notifications (issue 27): the targets the settings make, and the outbox rows the job ending dead and
		// the one canceled make below, one of them given up on
		run("config", "set", "notify-url", "http://127.0.0.1:9/hook").ok();
		run("config", "set", "notify-on", "dead,canceled").ok();
		long t = this.clock.millis();
		this.jdbc.update("UPDATE jobs SET state = 'processing', attempts = 1, worker_id = 'gone', started_at = ?, lease_expires_at = ?,"
				+ " cancel_requested_at = ? WHERE id = 'processing'", t, t + 30_000, t + 5);
		this.jdbc.update("UPDATE jobs SET state = 'completed', attempts = 1, exit_code = 0, finished_at = ? WHERE id IN ('completed', 'done')", t);
		this.jdbc.update("UPDATE jobs SET state = 'failed', attempts = 1, exit_code = 1, last_error = 'exit 1', run_at = ? WHERE id = 'failed'", t + 9999);
		this.jdbc.update("UPDATE jobs SET state = 'dead', attempts = 4, exit_code = 2, last_error = 'ünïcode ✓' WHERE id = 'dead'");
		this.jdbc.update("UPDATE jobs SET state = 'canceled' WHERE id = 'canceled'");
		this.jdbc.update("UPDATE jobs SET run_at = ? WHERE id = 'later'", t + 3_600_000);
		for (int i = 5; i <= 7; i++) {
			this.jdbc.update("""
					INSERT INTO job_runs (id, job_id, attempt, worker_id, started_at, finished_at, exit_code, signal, duration_ms,
					    outcome, error, output_tail, output_path) VALUES (?, 'done', ?, 'w', ?, ?, 0, NULL, 12, 'completed', NULL, 'tail', '/x/out')""",
					i, i - 4, t, t + 12);
		}
		this.output = new byte[100_000];
		for (int i = 0; i < this.output.length; i++) {
			this.output[i] = (byte) (i * 7);
		}
		Path file = this.workDir.resolve("4-" + t + ".log");
		try {
			Files.write(file, this.output);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		this.jdbc.update("""
				INSERT INTO job_runs (id, job_id, attempt, worker_id, started_at, finished_at, exit_code, signal, duration_ms,
				    outcome, error, output_tail, output_path) VALUES (8, 'done', 4, 'w', ?, ?, 0, NULL, 12, 'completed', NULL, 'tail', ?)""",
				t, t + 12, file.toString());
		run("queue", "pause", "q1").ok();
		assertThat(run("queue", "limit", "deploy", "2").code()).isZero(); // before its first job: a note on stderr
		run("schedule", "add", "nightly", "--cron", "30 2 * * *", "--tz", "Europe/Paris", "{\"command\":\"true\"}").ok();
		run("config", "set", "max-retries", "5").ok();
		this.jdbc.update("UPDATE notifications SET tries = 9, failed_at = ?, error = 'HTTP 500' WHERE job_id = 'dead'", t);
	}

	/** A table's rows in key order, numbers as longs (SQLite gives ints where they fit). */
	private static List<Map<String, Object>> rows(JdbcTemplate jdbc, String table) {
		List<Map<String, Object>> rows = new ArrayList<>();
		for (Map<String, Object> row : jdbc.queryForList("SELECT * FROM " + table + " ORDER BY " + ORDER.get(table))) {
			Map<String, Object> r = new LinkedHashMap<>();
			// a JSON column (jobs.resources) as the amounts it holds: PostgreSQL spaces its text
			row.forEach((k, v) -> r.put(k, v instanceof Number n ? (Object) n.longValue()
					: k.equals("resources") && v != null ? dev.queuectl.job.Resources.fromStored(v.toString()) : v));
			rows.add(r);
		}
		return rows;
	}
}
