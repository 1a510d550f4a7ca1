package dev.queuectl.worker;

import dev.queuectl.job.RunResult;

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

import dev.queuectl.service.JobService;
import dev.queuectl.store.HostWakeups;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker host hears of new jobs from the database, not its poll: a real host (a runner that
 * spawns nothing) whose idle poll is 60 s takes each job enqueued (by the store's path, which no
 * in-process event reaches: the host is not this process's WorkerService host) at once. On SQLite
 * through its watch on the WAL file (which runs only while the host is idle, so each job after the
 * first also proves it is watched again); on PostgreSQL ({@link PostgresWakeupTest}) through
 * LISTEN/NOTIFY. A cancel reaches a running job within seconds: on PostgreSQL by its notification
 * (the host's cancel poll is as long as its idle poll while it listens), on SQLite, where a write
 * cannot tell a cancel, by the host's 500 ms cancel poll, not the long one.
 */
class WakeupTest {

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

	/** The database the host runs on (its {@code queuectl.db}). */
	String openDatabase() {
		return this.dir.resolve("q.db").toString();
	}

	void closeDatabase() {
	}

	@BeforeEach
	void setUp() {
		System.setProperty("queuectl.db", openDatabase());
		System.setProperty("queuectl.data-home", this.dir.resolve("data").toString());
		this.ctx = TestHosts.context();
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
		this.host = TestHosts.host(this.ctx, 2, this.executor, runner);
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
		closeDatabase();
		System.clearProperty("queuectl.db");
		System.clearProperty("queuectl.data-home");
	}

	@Test
	void anIdleHostTakesEachEnqueuedJobAtOnceThoughItsPollIsLong() {
		for (int i = 0; i < 20; i++) {
			String id = "j" + i;
			this.jobs.enqueue("{\"id\":\"" + id + "\",\"command\":\"quick\"}", "/tmp");
			// far below the 60 s poll: only the database can wake the host this soon
			await().atMost(Duration.ofSeconds(5)).until(() -> "completed".equals(state(id)));
		}
	}

	@Test
	void aCancelReachesTheRunningJobWithoutWaitingForTheLongPoll() {
		for (int i = 0; i < 5; i++) {
			String id = "b" + i;
			this.jobs.enqueue("{\"id\":\"" + id + "\",\"command\":\"block\"}", "/tmp");
			await().atMost(Duration.ofSeconds(5)).until(() -> this.blocked.containsKey(id));
			this.jobs.cancel(id);
			// PostgreSQL: the notification; SQLite: the 500 ms cancel poll; never the 60 s one
			await().atMost(Duration.ofSeconds(5)).until(() -> this.blocked.get(id).canceled());
			await().atMost(Duration.ofSeconds(5)).until(() -> "canceled".equals(state(id)));
		}
	}

	private String state(String id) {
		return this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, id);
	}
}
