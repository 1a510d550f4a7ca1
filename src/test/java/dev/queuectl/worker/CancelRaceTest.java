package dev.queuectl.worker;

import dev.queuectl.job.RunResult;

import dev.queuectl.job.Claim;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.queuectl.store.OutputStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A cancel racing a job's own end, 200 times on each way of starting jobs (the compiled spawner,
 * the bash one, the JVM itself): the cancel lands around the moment the job runs its last line,
 * which appends the job's id to a ledger. The recorded outcome must be how the job ended: a job
 * recorded completed wrote its line and was never signalled; one recorded canceled either never
 * wrote it, or was signalled after it, before its shell exited (its TERM trap wrote "ID term"): a
 * few microseconds' window no queue can close, since a process can die of a signal right after its
 * last write.
 */
class CancelRaceTest {

	private static final int RUNS = 200;

	@TempDir
	Path dir;

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "native spawner", "bash spawner", "jvm" })
	void aCancelRacingTheJobsEndRecordsWhatRan(String launcher) throws Exception {
		Path program = launcher.equals("native spawner") ? Spawner.NATIVE : null;
		assumeTrue(!launcher.equals("native spawner") || program != null, "built without a C compiler");
		Path ledger = this.dir.resolve("ledger");
		Files.createFile(ledger);
		Map<String, RunResult> results = new ConcurrentHashMap<>();
		JobExecutor executor = new JobExecutor(new Discard(), Clock.systemUTC(), Duration.ofSeconds(5),
				JobEnvironment.INHERITED, !launcher.equals("jvm"), program);
		try {
			ExecutorService slots = Executors.newFixedThreadPool(8);
			try {
				List<Future<?>> runs = new ArrayList<>();
				for (int i = 0; i < RUNS; i++) {
					String id = "job" + i;
					runs.add(slots.submit(() -> {
						JobExecutor.RunningJob running = new JobExecutor.RunningJob();
						// the job's last line comes ~100 ms after it starts; the cancel lands around then
						Thread canceler = new Thread(() -> {
							try {
								Thread.sleep(ThreadLocalRandom.current().nextLong(70, 150));
							}
							catch (InterruptedException ex) {
								return;
							}
							running.cancel(Duration.ofSeconds(5));
						});
						canceler.start();
						Claim claim = new Claim(id, "trap 'echo " + id + " term >> " + ledger + "; exit 143' TERM; sleep 0.1; echo "
								+ id + " >> " + ledger, this.dir.toString(), 1, 0, null, Instant.now(), Instant.now());
						results.put(id, executor.run(claim, Duration.ZERO, 1 << 20, running));
						canceler.join();
						return null;
					}));
				}
				for (Future<?> run : runs) {
					run.get(2, TimeUnit.MINUTES);
				}
			}
			finally {
				slots.shutdownNow();
			}
		}
		finally {
			executor.close(); // its spawners
		}
		Set<String> ran = new HashSet<>(Files.readAllLines(ledger));
		int canceled = 0, completed = 0;
		for (Map.Entry<String, RunResult> e : results.entrySet()) {
			String outcome = e.getValue().outcome();
			if (outcome.equals("canceled")) {
				canceled++;
				assertThat(!ran.contains(e.getKey()) || ran.contains(e.getKey() + " term"))
					.as("%s was recorded canceled: it did not run its last line, or our signal ended it after", e.getKey())
					.isTrue();
			}
			else {
				completed++;
				assertThat(outcome).as("%s ended on its own", e.getKey()).isEqualTo("completed");
				assertThat(e.getValue().exitCode()).isZero();
				assertThat(ran).as("%s was recorded completed: it ran its last line", e.getKey()).contains(e.getKey())
					.doesNotContain(e.getKey() + " term");
			}
		}
		assertThat(results).hasSize(RUNS);
		assertThat(canceled).as("the race went both ways").isPositive();
		assertThat(completed).as("the race went both ways").isPositive();
	}

	/** Output goes nowhere: only the outcome matters here. */
	private static final class Discard implements OutputStore {

		@Override
		public Output create(String jobId, int attempt, Instant startedAt) {
			return new Output() {
				@Override
				public void write(byte[] b, int off, int len) {
				}

				@Override
				public String close() {
					return null;
				}
			};
		}

		@Override
		public InputStream open(String jobId, int attempt, Instant startedAt, String outputPath) throws IOException {
			return null;
		}

		@Override
		public long delete(List<String> jobIds) {
			return 0;
		}

		@Override
		public long sweepOrphans() {
			return 0;
		}

		@Override
		public Size size() {
			return new Size(0, false);
		}

		@Override
		public java.util.Map<Long, Long> measure(List<Attempt> attempts) {
			return java.util.Map.of();
		}

		@Override
		public void remove(List<Attempt> attempts) {
		}
	}
}
