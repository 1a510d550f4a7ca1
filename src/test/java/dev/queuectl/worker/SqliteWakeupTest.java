package dev.queuectl.worker;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.queuectl.QueuectlApplication;
import dev.queuectl.config.Settings;
import dev.queuectl.job.JobService;
import dev.queuectl.store.HostWakeups;
import dev.queuectl.store.WorkerStore;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On SQLite a worker host hears of new jobs through its watch on the database's WAL file, not its
 * poll: a real host (a runner that spawns nothing) whose idle poll is 60 s takes each job enqueued
 * (by the store's path, which no in-process event reaches: the host is not this process's
 * WorkerService host) at once. A write cannot tell a cancel, so the host still looks for cancels
 * itself at its short cancel poll, not at the long one.
 */
class SqliteWakeupTest {

	/** The host's fallback polls (for work and for cancels): far longer than any wait below. */
	private static final Duration LONG_POLL = Duration.ofSeconds(60);

	@TempDir
	Path dir;

	ConfigurableApplicationContext ctx;

	JdbcTemplate jdbc;

	JobService jobs;

	ThreadPoolTaskExecutor executor;

	WorkerHost host;

	HostWakeups.Listening listening;

	Thread dispatcher;

	final Map<String, JobExecutor.RunningJob> blocked = new ConcurrentHashMap<>();

	@BeforeEach
	void setUp() {
		System.setProperty("queuectl.db", this.dir.resolve("q.db").toString());
		System.setProperty("queuectl.data-home", this.dir.resolve("data").toString());
		this.ctx = new SpringApplicationBuilder(QueuectlApplication.class).properties(QueuectlApplication.internalDefaults())
			.properties(Map.of("spring.shell.interactive.enabled", "false", "spring.shell.history.enabled", "false",
					"spring.main.log-startup-info", "false", "spring.main.web-application-type", "none"))
			.run();
		this.jdbc = this.ctx.getBean(JdbcTemplate.class);
		this.jobs = this.ctx.getBean(JobService.class);
		Clock clock = this.ctx.getBean(Clock.class);
		JobRunner runner = (claim, timeout, cap, running) -> {
			if (claim.command().startsWith("block")) {
				this.blocked.put(claim.jobId(), running);
				while (!running.canceled()) {
					Thread.onSpinWait();
				}
				return new RunResult("canceled", null, 15, clock.instant(), 0, null, null, null);
			}
			return new RunResult("completed", 0, null, clock.instant(), 0, null, null, null);
		};
		this.executor = new ThreadPoolTaskExecutor();
		this.executor.setCorePoolSize(2);
		this.executor.initialize();
		this.host = new WorkerHost(new WorkerOptions(2, List.of(), null), this.ctx.getBean(WorkerStore.class),
				this.ctx.getBean(Settings.class), clock, this.executor, runner, this.ctx.getBean(WorkerMetrics.class),
				new WorkerHost.Housekeeping(this.ctx.getBean(dev.queuectl.job.ScheduleService.class),
						this.ctx.getBean(dev.queuectl.job.RetentionService.class), Duration.ofDays(1)));
		this.listening = this.ctx.getBean(HostWakeups.class).listen(this.host::heard);
		this.host.listenWith(this.listening, LONG_POLL);
		this.dispatcher = new Thread(this.host::run, "test-dispatcher");
		this.dispatcher.start();
		await().atMost(Duration.ofSeconds(10)).until(this.listening::up);
	}

	@AfterEach
	void tearDown() throws InterruptedException {
		this.blocked.values().forEach(r -> r.cancel(Duration.ZERO));
		this.host.requestStop();
		this.dispatcher.join(30_000);
		assertThat(this.dispatcher.isAlive()).isFalse();
		this.executor.shutdown();
		this.ctx.close();
		System.clearProperty("queuectl.db");
		System.clearProperty("queuectl.data-home");
	}

	@Test
	void anIdleHostTakesEachEnqueuedJobAtOnceThoughItsPollIsLong() {
		for (int i = 0; i < 20; i++) {
			String id = "j" + i;
			this.jobs.enqueue("{\"id\":\"" + id + "\",\"command\":\"quick\"}", "/tmp");
			// far below the 60 s poll: only the watch on the WAL file can wake the host this soon
			await().atMost(Duration.ofSeconds(5)).until(() -> "completed".equals(state(id)));
		}
	}

	@Test
	void aCancelIsFoundByTheCancelPollNotTheLongIdlePoll() {
		for (int i = 0; i < 5; i++) {
			String id = "b" + i;
			this.jobs.enqueue("{\"id\":\"" + id + "\",\"command\":\"block\"}", "/tmp");
			await().atMost(Duration.ofSeconds(5)).until(() -> this.blocked.containsKey(id));
			this.jobs.cancel(id);
			// the watch does not tell cancels: the host reads them every 500 ms while jobs run,
			// not at its 60 s fallback poll
			await().atMost(Duration.ofSeconds(5)).until(() -> this.blocked.get(id).canceled());
			await().atMost(Duration.ofSeconds(5)).until(() -> "canceled".equals(state(id)));
		}
	}

	private String state(String id) {
		return this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, id);
	}
}
