package dev.queuectl.worker;

import dev.queuectl.job.RunResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.queuectl.service.Settings;
import dev.queuectl.service.JobService;
import dev.queuectl.store.WorkerRegistryStore;
import dev.queuectl.store.WorkerStore;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Benchmark, not a test: a real worker host (dispatcher, slots, group commits, heartbeat) over a
 * real SQLite file, with a benchmark-only runner that completes each job without spawning
 * anything: the rate of claim + complete cycles the store sustains.
 * <p>
 * Usage: {@code StoreBench JOBS SLOTS [COMPLETED_ALREADY]}; prints one line.
 * <p>
 * On PostgreSQL ({@code bench/pg.sh}), one process per host, each with its own pool, as hosts on
 * several machines: {@code StoreBench --db URL --enqueue JOBS} stores the jobs and exits;
 * {@code StoreBench --db URL --host SLOTS} runs a host until jobs were stored and none is left
 * unfinished, and prints how many it completed. The rate is read from the database (first start to last finish).
 * <p>
 * {@code -Dqueuectl.bench.keys=K}: each job names one of K keys ({@code "limits":["kN"]}) and the
 * family {@code k*} has a concurrency no run reaches, so every claim takes the path under limits.
 * {@code -Dqueuectl.bench.notify=true}: notify-on completed with a notify-url, so every completion
 * also writes a row of the notifications outbox (no host delivers them here: the cost is the write's).
 * {@code -Dqueuectl.bench.batch=true}: the jobs are one batch with an on_complete callback (issue 28),
 * so every completion keeps its counters and every turn looks for a batch to settle.
 */
public final class StoreBench {

	public static void main(String[] args) throws Exception {
		if (args[0].equals("--db")) {
			postgres(args[1], args[2], Integer.parseInt(args[3]));
			return;
		}
		int jobs = Integer.parseInt(args[0]);
		int slots = Integer.parseInt(args[1]);
		int preload = args.length > 2 ? Integer.parseInt(args[2]) : 0;
		Path dir = Files.createTempDirectory("queuectl-storebench");
		// a system property outranks application.yml: never the user's own queue
		System.setProperty("queuectl.db", dir.resolve("q.db").toString());
		try (ConfigurableApplicationContext ctx = context()) {
			JobService service = ctx.getBean(JobService.class);
			WorkerStore store = ctx.getBean(WorkerStore.class);
			Settings settings = ctx.getBean(Settings.class);
			Clock clock = ctx.getBean(Clock.class);
			if (preload > 0) {
				// history: completed jobs (1 in 100 dead) written straight into the table
				ctx.getBean(org.springframework.jdbc.core.JdbcTemplate.class).update("""
						WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
						INSERT INTO jobs (id, command, state, max_retries, run_at, working_dir, created_at, updated_at,
						                  attempts)
						SELECT 'old-' || i, 'true', CASE WHEN i % 100 = 0 THEN 'dead' ELSE 'completed' END, 3, i, '/tmp',
						       i, i, 1 FROM n""", preload);
			}
			if (Boolean.getBoolean("queuectl.bench.notify")) { // every completion writes a notification (issue 27)
				settings.set("notify-url", "http://127.0.0.1:9/bench");
				settings.set("notify-on", "completed");
			}
			if (Integer.getInteger("queuectl.bench.keys", 0) > 0) {
				ctx.getBean(dev.queuectl.service.LimitService.class).set("k*", "100000", null);
			}
			// -Dqueuectl.bench.warmup=N: N cycles first, not measured (the JIT compiles the host's code
			// during them: its CPU is the start-up's, not a cycle's)
			int warmup = Integer.getInteger("queuectl.bench.warmup", 0);
			enqueue(service, warmup + jobs);
			com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
				.getOperatingSystemMXBean();
			Mark.at = warmup;
			Mark.cpu = os.getProcessCpuTime();
			Mark.nanos = System.nanoTime();
			runAll(store, ctx.getBean(WorkerRegistryStore.class), settings, clock, ctx.getBean(WorkerMetrics.class), slots, warmup + jobs,
					new WorkerHost.Housekeeping(ctx.getBean(dev.queuectl.service.ScheduleService.class),
							ctx.getBean(dev.queuectl.service.RetentionService.class), java.time.Duration.ofDays(1),
							ctx.getBean(dev.queuectl.service.JobService.class)));
			double seconds = (System.nanoTime() - Mark.nanos) / 1e9;
			double cpuMicros = (os.getProcessCpuTime() - Mark.cpu) / 1e3 / jobs;
			// the CPU a cycle costs the whole process (every thread, the JIT's too) moves less with the
			// machine's load than the rate does
			System.out.printf("store: %d claim+complete cycles on %d slots, %d completed jobs stored before: %.1f CPU us a cycle, %.0f cycles/s%n",
					jobs, slots, preload, cpuMicros, jobs / seconds);
		}
		finally {
			try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
				files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
			}
		}
	}

	private static void postgres(String url, String mode, int n) throws Exception {
		System.setProperty("queuectl.db", url);
		try (ConfigurableApplicationContext ctx = context()) {
			if (mode.equals("--enqueue")) {
				enqueue(ctx.getBean(JobService.class), n);
				return;
			}
			WorkerMetrics metrics = ctx.getBean(WorkerMetrics.class);
			org.springframework.jdbc.core.JdbcTemplate jdbc = ctx.getBean(org.springframework.jdbc.core.JdbcTemplate.class);
			Clock clock = ctx.getBean(Clock.class);
			ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
			executor.setCorePoolSize(n);
			executor.initialize();
			JobRunner instant = (claim, timeout, cap, running) -> new RunResult("completed", 0, null, clock.instant(), 0,
					null, null, null);
			WorkerHost host = TestHosts.host(ctx, n, executor, instant);
			Thread dispatcher = new Thread(host::run);
			dispatcher.start();
			// one cheap query a quarter second: no job yet (the hosts start first), or any not completed
			do {
				Thread.sleep(250);
			}
			while (Boolean.TRUE.equals(jdbc.queryForObject("SELECT NOT EXISTS (SELECT 1 FROM jobs)"
					+ " OR EXISTS (SELECT 1 FROM jobs WHERE state IN ('pending', 'processing', 'failed'))", Boolean.class)));
			host.requestStop();
			dispatcher.join();
			executor.shutdown();
			System.out.println((long) metrics.completedCount());
		}
	}

	private static ConfigurableApplicationContext context() {
		((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.queuectl.worker"))
			.setLevel(ch.qos.logback.classic.Level.WARN);
		return TestHosts.context();
	}

	/** Runs a worker host with a runner that spawns nothing until {@code total} jobs are completed. */
	private static void runAll(WorkerStore store, WorkerRegistryStore registry, Settings settings, Clock clock,
			WorkerMetrics metrics, int slots, int total, WorkerHost.Housekeeping housekeeping) throws InterruptedException {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setCorePoolSize(slots);
		executor.initialize();
		JobRunner instant = (claim, timeout, cap, running) -> new RunResult("completed", 0, null, clock.instant(), 0,
				null, null, null);
		WorkerHost host = new WorkerHost(new WorkerOptions(slots, List.of(), null), store, registry, settings, clock,
				executor, instant, metrics, housekeeping);
		Thread dispatcher = new Thread(host::run);
		dispatcher.start();
		// the host's own counter: polling the database would compete with the host for it
		while (metrics.completedCount() < total) {
			if (Mark.at > 0 && metrics.completedCount() >= Mark.at) { // the warm-up is over: measure from here
				Mark.at = 0;
				Mark.cpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
					.getOperatingSystemMXBean()).getProcessCpuTime();
				Mark.nanos = System.nanoTime();
			}
			Thread.sleep(5);
		}
		host.requestStop();
		dispatcher.join();
		executor.shutdown();
	}

	private static void enqueue(JobService service, int n) throws Exception {
		int keys = Integer.getInteger("queuectl.bench.keys", 0);
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < n; i++) {
			sb.append(keys == 0 ? "{\"command\":\"true\"}\n" : "{\"command\":\"true\",\"limits\":[\"k" + i % keys + "\"]}\n");
		}
		java.io.InputStream in = new java.io.ByteArrayInputStream(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
		if (Boolean.getBoolean("queuectl.bench.batch")) { // issue 28: every job of one batch, with a callback
			service.enqueueBatch(in, "/tmp", JobService.BatchProgress.NONE, false,
					service.newBatch("bench", null, null, "{\"command\":\"true\"}", "/tmp"));
			return;
		}
		service.enqueueAll(in, "/tmp");
	}

	/** Where the measured part starts: after {@code at} completed cycles (0: at once), its CPU and time. */
	private static final class Mark {

		static volatile long at;

		static volatile long cpu;

		static volatile long nanos;
	}

	private StoreBench() {
	}
}
