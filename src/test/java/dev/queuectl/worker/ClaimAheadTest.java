package dev.queuectl.worker;

import dev.queuectl.job.RunResult;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.queuectl.service.JobService;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker host claims ahead while jobs are short, and gives those claims back, uncounted, when
 * they wait: a real host on a real SQLite file, with a runner that spawns nothing (jobs named
 * {@code slow} block until released, the others end at once).
 */
class ClaimAheadTest {

	@TempDir
	Path dir;

	ConfigurableApplicationContext ctx;

	JdbcTemplate jdbc;

	JobService jobs;

	WorkerMetrics metrics;

	final CountDownLatch release = new CountDownLatch(1);

	ThreadPoolTaskExecutor executor;

	WorkerHost host;

	Thread dispatcher;

	@BeforeEach
	void setUp() {
		System.setProperty("queuectl.db", this.dir.resolve("q.db").toString());
		this.ctx = TestHosts.context();
		this.jdbc = this.ctx.getBean(JdbcTemplate.class);
		this.jobs = this.ctx.getBean(JobService.class);
		this.metrics = this.ctx.getBean(WorkerMetrics.class);
		Clock clock = this.ctx.getBean(Clock.class);
		JobRunner runner = (claim, timeout, cap, running) -> {
			if (claim.command().startsWith("slow")) {
				try {
					this.release.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return new RunResult("completed", 0, null, clock.instant(), 0, null, null, null);
		};
		this.executor = new ThreadPoolTaskExecutor();
		this.executor.setCorePoolSize(1);
		this.executor.initialize();
		this.host = TestHosts.host(this.ctx, 1, this.executor, runner);
	}

	@AfterEach
	void tearDown() throws InterruptedException {
		this.release.countDown();
		if (this.dispatcher != null) {
			this.host.requestStop();
			this.dispatcher.join(30_000);
		}
		this.executor.shutdown();
		this.ctx.close();
		System.clearProperty("queuectl.db");
	}

	@Test
	void shortJobsAreClaimedAheadAndGivenBackUncountedWhenALongOneBlocksTheSlot() {
		queueQuickJobsBehindASlowOne();
		// they wait behind the slow job only until the next idle poll, then go back as never tried
		await().atMost(Duration.ofSeconds(10)).until(() -> this.metrics.returnedCount() > 0
				&& count("id LIKE 'next%' AND state = 'pending' AND attempts = 0 AND worker_id IS NULL") == 10);
		assertThat(state("slow")).isEqualTo("processing");
		this.release.countDown();
		await().atMost(Duration.ofSeconds(30)).until(() -> count("state = 'completed'") == 31);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM job_runs WHERE job_id LIKE 'next%'", Long.class))
			.isEqualTo(10L);
		assertThat(count("id LIKE 'next%' AND attempts = 1")).isEqualTo(10);
	}

	@Test
	void aStoppingHostGivesBackWhatItClaimedAheadAtOnce() throws InterruptedException {
		queueQuickJobsBehindASlowOne();
		this.host.requestStop();
		// well before the shutdown grace: what never started is back in the queue, the slow job runs on
		await().atMost(Duration.ofSeconds(5))
			.until(() -> count("id LIKE 'next%' AND state = 'pending' AND attempts = 0") == 10);
		assertThat(state("slow")).isEqualTo("processing");
		this.release.countDown();
		this.dispatcher.join(30_000);
		assertThat(this.dispatcher.isAlive()).isFalse();
		assertThat(state("slow")).isEqualTo("completed");
		assertThat(count("id LIKE 'next%' AND state = 'pending' AND attempts = 0")).isEqualTo(10);
		assertThat(this.metrics.returnedCount()).isPositive();
	}

	/**
	 * Runs 20 quick jobs, so the host knows jobs are short, then queues a slow job first and 10
	 * quick ones after it: the quick ones are claimed with the slow one, which holds the only slot.
	 */
	private void queueQuickJobsBehindASlowOne() {
		for (int i = 0; i < 20; i++) {
			this.jobs.enqueue("{\"id\":\"warm" + i + "\",\"command\":\"quick\"}", "/tmp");
		}
		this.dispatcher = new Thread(this.host::run, "test-dispatcher");
		this.dispatcher.start();
		await().atMost(Duration.ofSeconds(30)).until(() -> count("state = 'completed'") == 20);
		this.jobs.enqueue("{\"id\":\"slow\",\"command\":\"slow\",\"priority\":9}", "/tmp");
		for (int i = 0; i < 10; i++) {
			this.jobs.enqueue("{\"id\":\"next" + i + "\",\"command\":\"quick\"}", "/tmp");
		}
		this.host.wake();
		await().atMost(Duration.ofSeconds(10)).until(() -> "processing".equals(state("slow")));
	}

	private long count(String where) {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs WHERE " + where, Long.class);
	}

	private String state(String id) {
		return this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, id);
	}
}
