package dev.queuectl.worker;

import dev.queuectl.job.RunResult;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.queuectl.service.JobService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Claims a host gives back unstarted. A worker host that was silent past half its lease (its JVM stopped, its network frozen) starts
 * none of the jobs it had claimed until a heartbeat renews its leases: another host may have taken
 * them back meanwhile, and the command would run twice. Nor does it start a job whose own variables
 * the database could not give ({@link JobVariables.Unavailable}). A real host on a real SQLite file; its
 * clock jumps an hour ahead, as a stopped and resumed JVM sees it; the runner spawns nothing.
 */
class LeaseDoubtTest {

	@TempDir
	Path dir;

	ConfigurableApplicationContext ctx;

	ThreadPoolTaskExecutor executor;

	WorkerHost host;

	Thread dispatcher;

	@BeforeEach
	void setUp() {
		System.setProperty("queuectl.db", this.dir.resolve("q.db").toString());
		this.ctx = TestHosts.context();
		this.executor = new ThreadPoolTaskExecutor();
		this.executor.setCorePoolSize(1);
		this.executor.initialize();
	}

	@AfterEach
	void tearDown() throws InterruptedException {
		if (this.dispatcher != null) {
			this.host.requestStop();
			this.dispatcher.join(30_000);
		}
		this.executor.shutdown();
		this.ctx.close();
		System.clearProperty("queuectl.db");
	}

	@Test
	void aHostResumedAfterALongPauseStartsNoClaimedJobBeforeItsNextHeartbeat() {
		JumpingClock clock = new JumpingClock();
		List<Instant> heartbeatAtStart = new CopyOnWriteArrayList<>();
		JobRunner runner = (claim, timeout, cap, running) -> {
			heartbeatAtStart.add(this.host.lastHeartbeat());
			return new RunResult("completed", 0, null, clock.instant(), 0, null, null, null);
		};
		this.host = TestHosts.host(this.ctx, 1, clock, this.executor, runner);
		JdbcTemplate jdbc = this.ctx.getBean(JdbcTemplate.class);
		this.dispatcher = new Thread(this.host::run, "test-dispatcher");
		this.dispatcher.start();
		await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject("SELECT COUNT(*) FROM workers", Long.class) == 1);
		// the default lease is 30 s, a heartbeat every 5 s: the jobs are claimed well before the next one
		clock.jump(Duration.ofHours(1));
		Instant resumed = clock.instant();
		JobService jobs = this.ctx.getBean(JobService.class);
		for (int i = 0; i < 3; i++) {
			jobs.enqueue("{\"id\":\"j" + i + "\",\"command\":\"quick\"}", "/tmp");
		}
		this.host.wake();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> jdbc.queryForObject("SELECT COUNT(*) FROM jobs WHERE state = 'completed'", Long.class) == 3);
		assertThat(heartbeatAtStart).hasSize(3)
			.as("every job started after a heartbeat renewed the leases, none on the stale one")
			.allSatisfy(beat -> assertThat(beat).isAfterOrEqualTo(resumed.minusSeconds(1)));
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM jobs WHERE attempts = 1", Long.class))
			.as("a claim put back unstarted is not counted").isEqualTo(3);
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM job_runs", Long.class)).isEqualTo(3);
	}

	@Test
	void aJobWhoseVariablesTheDatabaseCouldNotGiveIsNotStartedAndGoesBackUncounted() {
		java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
		JobRunner runner = (claim, timeout, cap, running) -> {
			if (calls.incrementAndGet() == 1) { // as JobExecutor does when JobVariables' read fails
				throw new JobVariables.Unavailable(claim.jobId() + ": its own variables could not be read (database locked)",
						new IllegalStateException("database locked"));
			}
			return new RunResult("completed", 0, null, Instant.now(), 0, null, null, null);
		};
		this.host = TestHosts.host(this.ctx, 1, Clock.systemUTC(), this.executor, runner);
		JdbcTemplate jdbc = this.ctx.getBean(JdbcTemplate.class);
		this.ctx.getBean(JobService.class).enqueue("{\"id\":\"env\",\"command\":\"quick\",\"max_retries\":0}", "/tmp");
		this.dispatcher = new Thread(this.host::run, "test-dispatcher");
		this.dispatcher.start();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> "completed".equals(jdbc.queryForObject("SELECT state FROM jobs WHERE id = 'env'", String.class)));
		assertThat(calls).hasValue(2);
		assertThat(jdbc.queryForObject("SELECT attempts FROM jobs WHERE id = 'env'", Integer.class))
			.as("no retries allowed, yet the start that never happened cost none").isEqualTo(1);
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM job_runs", Long.class)).isEqualTo(1);
	}

	@Test
	void aLeaseIsInDoubtOncePastHalfOfItSinceTheLastHeartbeat() {
		Instant beat = Instant.parse("2026-12-06T00:00:00Z");
		assertThat(WorkerHost.leaseInDoubt(beat, beat.plusSeconds(15), Duration.ofSeconds(30))).isFalse();
		assertThat(WorkerHost.leaseInDoubt(beat, beat.plusMillis(15_001), Duration.ofSeconds(30))).isTrue();
		assertThat(WorkerHost.leaseInDoubt(beat, beat.plusSeconds(1), Duration.ofSeconds(5))).isFalse();
		assertThat(WorkerHost.leaseInDoubt(beat, beat.plusSeconds(3), Duration.ofSeconds(5))).isTrue();
	}

	@Test
	void aHostSilentLongerThanTheLeaseTakesBackNoOtherHostsJobsAtItsFirstHeartbeatAfter() {
		Instant beat = Instant.parse("2026-12-06T00:00:00Z");
		assertThat(WorkerHost.judgesOthers(beat, beat.plusSeconds(5), Duration.ofSeconds(30))).isTrue();
		assertThat(WorkerHost.judgesOthers(beat, beat.plusSeconds(30), Duration.ofSeconds(30))).isTrue();
		assertThat(WorkerHost.judgesOthers(beat, beat.plusSeconds(31), Duration.ofSeconds(30))).isFalse();
		assertThat(WorkerHost.judgesOthers(beat, beat.plusSeconds(8), Duration.ofSeconds(5))).isFalse();
	}

	/** The system clock, plus however far it was told to jump. */
	private static final class JumpingClock extends Clock {

		private volatile Duration offset = Duration.ZERO;

		void jump(Duration by) {
			this.offset = this.offset.plus(by);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Instant instant() {
			return Instant.now().plus(this.offset);
		}
	}
}
