package dev.queuectl.service;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;

import dev.queuectl.cli.CommandTestSupport;

/**
 * What a pass of the output bound costs at 100,000 output files (SQLite, files on disk), against a
 * walk of the output folder. Not part of the build: {@code ./mvnw -B test -Dtest=OutputBoundBench
 * -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false}; prints its figures on stdout.
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class OutputBoundBench extends CommandTestSupport {

	private static final int FILES = 100_000;

	@Autowired
	RetentionService retention;

	@Autowired
	org.springframework.transaction.support.TransactionTemplate tx;

	@Test
	void aPassAtOneHundredThousandOutputFiles() throws Exception {
		run("config", "set", "output-max-total", "0").ok();
		insert(0, FILES);
		long t0 = System.nanoTime();
		RetentionService.Bounded first = this.retention.boundOutput();
		long t1 = System.nanoTime();
		RetentionService.Bounded steady = this.retention.boundOutput();
		long t2 = System.nanoTime();
		insert(FILES, 1_000);
		long t3 = System.nanoTime();
		RetentionService.Bounded minute = this.retention.boundOutput();
		long t4 = System.nanoTime();
		run("config", "set", "output-max-total", "9MiB").ok(); // 101,000 x 100 B = 9.6 MiB: ~6,700 to remove
		long t5 = System.nanoTime();
		RetentionService.Bounded removing = this.retention.boundOutput();
		long t6 = System.nanoTime();
		long t7 = System.nanoTime();
		RetentionService.Sizes sizes = this.retention.sizes();
		long t8 = System.nanoTime();
		System.out.printf("BENCH first pass, %d attempts measured: %d ms%n", first.measured(), (t1 - t0) / 1_000_000);
		System.out.printf("BENCH steady pass, nothing new (%d files kept): %d ms%n", FILES, (t2 - t1) / 1_000_000);
		System.out.printf("BENCH pass after %d new attempts: %d ms%n", minute.measured(), (t4 - t3) / 1_000_000);
		System.out.printf("BENCH pass removing %d attempts' output (%d bytes): %d ms%n", removing.removedAttempts(),
				removing.removedBytes(), (t6 - t5) / 1_000_000);
		System.out.printf("BENCH for comparison, status's walk of the output folder (%d bytes): %d ms%n", sizes.output(),
				(t8 - t7) / 1_000_000);
	}

	private void insert(int from, int n) throws Exception {
		Path out = this.database.outputDir();
		List<Object[]> jobs = new ArrayList<>();
		List<Object[]> runs = new ArrayList<>();
		byte[] data = new byte[100];
		for (int i = from; i < from + n; i++) {
			String id = "b" + i;
			Path file = out.resolve(id).resolve("1-" + i + ".log");
			Files.createDirectories(file.getParent());
			Files.write(file, data);
			jobs.add(new Object[] { id, i, i, i, i });
			runs.add(new Object[] { id, i, i, file.toString() });
		}
		this.tx.executeWithoutResult(status -> {
		this.jdbc.batchUpdate("""
				INSERT INTO jobs (id, command, state, max_retries, run_at, working_dir, created_at, updated_at, finished_at)
				VALUES (?, 'true', 'completed', 0, ?, '/', ?, ?, ?)""", jobs);
		this.jdbc.batchUpdate("""
				INSERT INTO job_runs (job_id, attempt, started_at, finished_at, outcome, output_path)
				VALUES (?, 1, ?, ?, 'completed', ?)""", runs);
		});
	}
}
