package dev.queuectl.service;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.queuectl.cli.CommandTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 24, the bound on kept output ({@code output-max-total}): a retention pass measures new
 * attempts' output once, keeps a running total, and past the bound removes the output of the
 * oldest attempts of finished jobs first, never a running job's; status shows the use and the
 * bound; show and logs of a job whose output was removed say so in one line. On PostgreSQL
 * ({@link OutputBoundPostgresTest}) the output is chunks in the database.
 */
class OutputBoundTest extends CommandTestSupport {

	private static final int KIB_400 = 400 * 1024;

	@Autowired
	RetentionService retention;

	/** A job in {@code state} with one finished attempt that printed {@code bytes} bytes, ended at {@code at}. */
	private void jobWithOutput(String id, String state, int attempt, Instant at, int bytes) throws Exception {
		if (this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs WHERE id = ?", Integer.class, id) == 0) {
			this.jdbc.update("""
					INSERT INTO jobs (id, command, state, max_retries, run_at, working_dir, created_at, updated_at, finished_at, attempts)
					VALUES (?, 'true', ?, 3, ?, '/', ?, ?, ?, ?)""", id, state, at.toEpochMilli(), at.toEpochMilli(),
					at.toEpochMilli(), at.toEpochMilli(), attempt);
		}
		long started = at.minusSeconds(1).toEpochMilli();
		byte[] data = "x".repeat(bytes).getBytes(StandardCharsets.US_ASCII);
		String path;
		if (this.database.isPostgres()) {
			this.jdbc.update("INSERT INTO job_output (job_id, attempt, started_at, seq, chunk) VALUES (?, ?, ?, 0, ?)", id,
					attempt, started, data);
			path = "job_output";
		}
		else {
			Path file = this.database.outputDir().resolve(id).resolve(attempt + "-" + started + ".log");
			Files.createDirectories(file.getParent());
			Files.write(file, data);
			path = file.toString();
		}
		this.jdbc.update("""
				INSERT INTO job_runs (job_id, attempt, started_at, finished_at, outcome, output_path)
				VALUES (?, ?, ?, ?, 'failed', ?)""", id, attempt, started, at.toEpochMilli(), path);
	}

	private boolean hasOutput(String id) throws Exception {
		if (this.database.isPostgres()) {
			return this.jdbc.queryForObject("SELECT COUNT(*) FROM job_output WHERE job_id = ?", Long.class, id) > 0;
		}
		Path dir = this.database.outputDir().resolve(id);
		try (var files = Files.list(dir)) {
			return files.findAny().isPresent();
		}
		catch (java.nio.file.NoSuchFileException ex) {
			return false;
		}
	}

	@Test
	void pastTheBoundTheOldestFinishedJobsOutputGoesFirstAndARunningJobsStays() throws Exception {
		run("config", "set", "output-max-total", "1MiB").ok();
		Instant now = this.clock.instant();
		jobWithOutput("running", "processing", 1, now.minus(Duration.ofHours(5)), KIB_400); // its first attempt failed
		jobWithOutput("c1", "completed", 1, now.minus(Duration.ofHours(4)), KIB_400);
		jobWithOutput("d1", "dead", 1, now.minus(Duration.ofHours(3)), KIB_400);
		jobWithOutput("x1", "canceled", 1, now.minus(Duration.ofHours(2)), KIB_400);
		jobWithOutput("c2", "completed", 1, now.minus(Duration.ofHours(1)), KIB_400);

		RetentionService.Bounded pass = this.retention.boundOutput();
		assertThat(pass.measured()).isEqualTo(5);
		assertThat(pass.removedAttempts()).isEqualTo(3);
		assertThat(pass.removedBytes()).isEqualTo(3L * KIB_400);
		assertThat(pass.total()).isEqualTo(2L * KIB_400).isLessThanOrEqualTo(1L << 20);
		assertThat(hasOutput("running")).as("a running job's output is never removed").isTrue();
		assertThat(hasOutput("c2")).as("the newest finished job's output stays").isTrue();
		assertThat(hasOutput("c1")).isFalse();
		assertThat(hasOutput("d1")).isFalse();
		assertThat(hasOutput("x1")).isFalse();

		RetentionService.Bounded again = this.retention.boundOutput();
		assertThat(again.measured()).isZero();
		assertThat(again.removedAttempts()).isZero();

		Result logs = run("logs", "c1");
		logs.fails(1, "output of job c1 attempt 1 was removed at", "output-max-total");
		Result show = run("show", "d1").ok();
		assertThat(show.out().lines().filter(l -> l.contains("was removed at"))).hasSize(1);
		assertThat(run("show", "x1", "--json").ok().json().get("runs").get(0).get("output_removed_at").isString()).isTrue();
		run("logs", "c2").ok();

		var storage = run("status", "--json").ok().json().get("storage");
		assertThat(storage.get("output_counted_bytes").asLong()).isEqualTo(2L * KIB_400);
		assertThat(storage.get("output_limit_bytes").asLong()).isEqualTo(1L << 20);
		assertThat(run("status").ok().out()).contains("800.0 KiB of finished attempts counted, limit 1.0 MiB");

		// a job deleted (retention, dlq purge) takes its counted output with it
		this.jdbc.update("DELETE FROM jobs WHERE id = 'c2'");
		assertThat(run("status", "--json").ok().json().get("storage").get("output_counted_bytes").asLong())
			.isEqualTo(KIB_400);
	}

	@Test
	void zeroMeansNoBoundAndTheSettingIsChecked() throws Exception {
		assertThat(run("config", "get", "output-max-total").ok().out().trim()).isEqualTo("10GiB");
		run("config", "set", "output-max-total", "0").ok();
		Instant now = this.clock.instant();
		for (int i = 0; i < 3; i++) {
			jobWithOutput("j" + i, "completed", 1, now.minus(Duration.ofHours(3 - i)), KIB_400);
		}
		RetentionService.Bounded pass = this.retention.boundOutput();
		assertThat(pass.removedAttempts()).isZero();
		assertThat(pass.total()).isEqualTo(3L * KIB_400);
		assertThat(run("status").ok().out()).contains("limit none");
		run("config", "set", "output-max-total", "100KiB").usageError("output-max-total", "0, 1MiB-16384GiB");
		run("config", "set", "output-max-total", "lots").usageError("output-max-total");
		run("config", "set", "output-max-total", "1MiB").ok();
		assertThat(this.retention.boundOutput().removedAttempts()).isEqualTo(1);
		assertThat(hasOutput("j0")).isFalse();
		assertThat(hasOutput("j1")).isTrue();
	}
}
