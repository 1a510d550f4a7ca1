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

import dev.queuectl.PostgresTestDatabase;
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
 * On PostgreSQL a worker host hears of new jobs and of cancels through LISTEN/NOTIFY, not its poll:
 * a real host (a runner that spawns nothing) whose idle poll is 10 s takes each job enqueued (by
 * the store's path, which no in-process event reaches: the host is not this process's
 * WorkerService host) within a few ms, and notices a cancel well inside its 500 ms cancel poll.
 */
class PostgresWakeupTest {

	/** The host's fallback polls (for work and for cancels): far longer than any wait below. */
	private static final Duration LONG_POLL = Duration.ofSeconds(60);

	@TempDir
	Path dir;

	PostgresTestDatabase db;

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
		this.db = PostgresTestDatabase.create();
		System.setProperty("queuectl.db", this.db.url());
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
		this.db.close();
		System.clearProperty("queuectl.db");
		System.clearProperty("queuectl.data-home");
	}

	@Test
	void anIdleHostTakesEachEnqueuedJobAtOnceThoughItsPollIsLong() {
		for (int i = 0; i < 20; i++) {
			String id = "j" + i;
			this.jobs.enqueue("{\"id\":\"" + id + "\",\"command\":\"quick\"}", "/tmp");
			// far below the 60 s poll: only the notification can wake the host this soon
			await().atMost(Duration.ofSeconds(5)).until(() -> "completed".equals(state(id)));
		}
	}

	@Test
	void aCancelReachesTheRunningJobWithoutWaitingForTheCancelPoll() {
		for (int i = 0; i < 5; i++) {
			String id = "b" + i;
			this.jobs.enqueue("{\"id\":\"" + id + "\",\"command\":\"block\"}", "/tmp");
			await().atMost(Duration.ofSeconds(5)).until(() -> this.blocked.containsKey(id));
			this.jobs.cancel(id);
			// the host's cancel poll comes every 60 s while it listens: only the notification
			// reaches the job this soon, every time
			await().atMost(Duration.ofSeconds(5)).until(() -> this.blocked.get(id).canceled());
			await().atMost(Duration.ofSeconds(5)).until(() -> "canceled".equals(state(id)));
		}
	}

	private String state(String id) {
		return this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, id);
	}
}
