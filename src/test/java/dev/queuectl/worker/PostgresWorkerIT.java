package dev.queuectl.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.queuectl.PostgresTestDatabase;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Worker hosts as real processes sharing one PostgreSQL database (a new one per test, migrated: a
 * clone of the build's template, {@link SchemaTemplates}; dropped after), as hosts on several machines would: exactly once under contention, a killed host's job
 * taken over when its lease ends, cancel and pause issued from another process. The number of jobs
 * of the exactly-once test is {@code -Dqueuectl.pg.jobs} (3,000; 10,000 by hand).
 */
@Tag("postgresql")
class PostgresWorkerIT {

	@TempDir
	Path dir;

	PostgresTestDatabase database;

	JdbcTemplate jdbc;

	Queuectl q;

	@BeforeEach
	void setUp() throws Exception {
		this.database = SchemaTemplates.postgres(); // migrated: a clone of the build's template
		this.jdbc = this.database.jdbc();
		this.q = Queuectl.postgres(this.dir, this.database.url());
	}

	@AfterEach
	void dropDatabase() {
		this.database.close();
	}

	@Test
	void threeHostsOfFourSlotsRunEveryJobExactlyOnce() throws Exception {
		int n = Integer.getInteger("queuectl.pg.jobs", 3000);
		Path out = this.dir.resolve("ids.txt");
		Path jobs = this.dir.resolve("jobs.jsonl");
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < n; i++) {
			sb.append("{\"id\":\"j").append(i).append("\",\"command\":\"echo j").append(i).append(" >> ").append(out)
				.append("\"}\n");
		}
		Files.writeString(jobs, sb);
		List<Queuectl.Worker> hosts = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				hosts.add(this.q.worker("--no-http", "--count", "4"));
			}
			await().atMost(Duration.ofMinutes(1)).until(() -> scalar("SELECT COUNT(*) FROM workers") == 3);
			assertThat(this.q.ok("enqueue", "--file", jobs.toString()).lines()).hasSize(n);
			await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE state = 'completed'") == n);
			List<String> lines = Files.readAllLines(out);
			assertThat(lines).hasSize(n);
			assertThat(new HashSet<>(lines)).hasSize(n);
			assertThat(scalar("SELECT COUNT(*) FROM job_runs")).isEqualTo(n);
			assertThat(scalar("SELECT COUNT(DISTINCT worker_id) FROM job_runs")).isEqualTo(3);
			assertThat(this.q.ok("status")).contains("completed   " + n);
		}
		finally {
			hosts.forEach(Queuectl.Worker::close);
		}
	}

	@Test
	void aKilledHostsJobIsTakenOverByAnotherHostWhenItsLeaseEnds() throws Exception {
		Path pidFile = this.dir.resolve("victim.pid");
		this.q.ok("config", "set", "lease-timeout", "5s");
		try (Queuectl.Worker first = this.q.worker("--no-http");
				Queuectl.Worker second = this.q.worker("--no-http", "--queue", "other")) {
			this.q.ok("enqueue", "{\"id\":\"victim\",\"command\":\"echo $$ > " + pidFile + "; sleep 3; echo done\"}");
			await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(pidFile) && Files.size(pidFile) > 0);
			String firstHost = text("SELECT worker_id FROM jobs WHERE id = 'victim'");
			first.process().destroyForcibly(); // SIGKILL: no chance to clean up
			first.waitFor(Duration.ofSeconds(10));
			long job = Long.parseLong(Files.readString(pidFile).trim());
			await().atMost(Duration.ofSeconds(5)).until(() -> Queuectl.gone(job));
			assertThat(text("SELECT state FROM jobs WHERE id = 'victim'")).isEqualTo("processing");
			// the other host (another queue: it cannot claim the job itself) takes the lease back
			try (Queuectl.Worker third = this.q.worker("--no-http")) {
				await().atMost(Duration.ofSeconds(60))
					.until(() -> "completed".equals(text("SELECT state FROM jobs WHERE id = 'victim'")));
			}
			List<Map<String, Object>> runs = this.jdbc
				.queryForList("SELECT outcome, attempt, worker_id FROM job_runs WHERE job_id = 'victim' ORDER BY id");
			assertThat(runs).extracting(r -> r.get("outcome")).containsExactly("lost", "completed");
			assertThat(runs.get(1).get("attempt")).isEqualTo(2);
			assertThat(runs.get(1).get("worker_id")).isNotEqualTo(firstHost);
			assertThat(scalar("SELECT COUNT(*) FROM workers WHERE id = '" + firstHost + "'"))
				.as("the killed host is forgotten").isZero();
		}
	}

	@Test
	void cancelAndPauseFromAnotherProcessReachEveryHost() throws Exception {
		Path started = this.dir.resolve("started");
		List<List<String>> setUp = new ArrayList<>(List.of(List.of("queue", "pause", "held")));
		for (int i = 0; i < 4; i++) {
			setUp.add(List.of("enqueue", "{\"id\":\"h" + i + "\",\"queue\":\"held\",\"command\":\"true\"}"));
		}
		setUp.add(List.of("enqueue", "{\"id\":\"long\",\"max_retries\":3,\"command\":\"echo $$ > " + started + "; sleep 300\"}"));
		this.q.commands(setUp);
		try (Queuectl.Worker a = this.q.worker("--no-http", "--count", "2");
				Queuectl.Worker b = this.q.worker("--no-http", "--count", "2")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(started) && Files.size(started) > 0);
			long shell = Long.parseLong(Files.readString(started).trim());
			assertThat(this.q.ok("cancel", "long")).isEqualTo("long canceling (running: its worker host stops it, unless it ends first)\n");
			await().atMost(Duration.ofSeconds(15)).until(() -> Queuectl.gone(shell));
			await().atMost(Duration.ofSeconds(15)).until(() -> "canceled".equals(text("SELECT state FROM jobs WHERE id = 'long'")));
			assertThat(scalar("SELECT COUNT(*) FROM job_runs WHERE job_id = 'long'")).isEqualTo(1);
			assertThat(scalar("SELECT COUNT(*) FROM jobs WHERE queue = 'held' AND state <> 'pending'")).isZero();
			assertThat(this.q.ok("status")).contains("paused queues: held");
			this.q.ok("queue", "resume", "held");
			await().atMost(Duration.ofSeconds(30))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE queue = 'held' AND state = 'completed'") == 4);
			Queuectl.Result stop = this.q.run("worker", "stop");
			// on a failure, what each host was doing (a stop that timed out once in CI, session 26)
			assertThat(stop.exit()).as(() -> stop.err() + "\nhost a:\n" + a.logText() + "\nhost b:\n" + b.logText()).isZero();
			assertThat(stop.out()).contains("2 worker host(s) stopped");
			assertThat(a.waitFor(Duration.ofSeconds(30))).isZero();
			assertThat(b.waitFor(Duration.ofSeconds(30))).isZero();
		}
	}

	@Test
	void outputIsKeptInTheDatabaseAndReadAndFollowedFromAnotherMachine() throws Exception {
		// another machine: its own data folder, the same database
		Queuectl other = Queuectl.postgres(Files.createDirectories(this.dir.resolve("other-machine")), this.database.url());
		other.ok("config", "set", "output-cap", "1KiB");
		other.ok("enqueue", "{\"id\":\"ticker\",\"command\":\"for i in 1 2 3; do echo tick $i; sleep 1; done\"}");
		other.ok("enqueue", "{\"id\":\"loud\",\"command\":\"head -c 5000 /dev/zero | tr '\\\\0' x\"}");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> "processing".equals(text("SELECT state FROM jobs WHERE id = 'ticker'")));
			Queuectl.Result follow = other.run("logs", "ticker", "--follow");
			assertThat(follow.exit()).as(follow.err()).isZero();
			assertThat(follow.out()).isEqualTo("tick 1\ntick 2\ntick 3\n");
			assertThat(text("SELECT state FROM jobs WHERE id = 'ticker'")).isEqualTo("completed");
			await().atMost(Duration.ofSeconds(60)).until(() -> "completed".equals(text("SELECT state FROM jobs WHERE id = 'loud'")));
		}
		assertThat(other.ok("logs", "ticker")).isEqualTo("tick 1\ntick 2\ntick 3\n");
		// several chunks: one per flush while the job printed a line a second, not one per job
		assertThat(scalar("SELECT COUNT(*) FROM job_output WHERE job_id = 'ticker'")).isBetween(2L, 3L);
		assertThat(text("SELECT output_path FROM job_runs WHERE job_id = 'ticker'")).isEqualTo("job_output");
		// capped as files are: 1 KiB kept, the rest counted
		assertThat(other.ok("logs", "loud")).isEqualTo("x".repeat(1024) + "\n[queuectl: output cap of 1024 bytes reached; "
				+ (5000 - 1024) + " more bytes dropped]\n");
		// nothing in the folders of either machine: the output is in the database
		assertThat(outputFiles(this.dir.resolve("xdg"))).isEmpty();
		assertThat(outputFiles(this.dir.resolve("other-machine"))).isEmpty();
		// prune deletes the chunks with the jobs
		other.ok("prune", "--older-than", "1ms", "--state", "completed");
		assertThat(scalar("SELECT COUNT(*) FROM jobs")).isZero();
		assertThat(scalar("SELECT COUNT(*) FROM job_output")).isZero();
	}

	private static List<Path> outputFiles(Path root) throws java.io.IOException {
		try (var files = Files.walk(root)) {
			return files.filter(p -> p.toString().endsWith(".log") && p.toString().contains("/output/")).toList();
		}
	}

	private long scalar(String sql) {
		return this.jdbc.queryForObject(sql, Long.class);
	}

	private String text(String sql) {
		return this.jdbc.queryForList(sql, String.class).stream().findFirst().orElse(null);
	}
}
