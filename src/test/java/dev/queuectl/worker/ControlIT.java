package dev.queuectl.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * cancel, pause, limits, dependencies, unique keys and wait with real worker hosts as processes on
 * one SQLite file, running real shell commands.
 */
class ControlIT {

	@TempDir
	Path dir;

	Queuectl q;

	@BeforeEach
	void setUp() {
		this.q = new Queuectl(this.dir);
	}

	@Test
	void cancelingARunningJobKillsItsWholeTreeAndItIsNotRetried() throws Exception {
		Path pids = this.dir.resolve("pids");
		this.q.ok("enqueue", "{\"id\":\"long\",\"max_retries\":3,\"command\":\"sleep 300 & echo $! > " + pids
				+ ".child; echo $$ > " + pids + "; echo started; wait\"}");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(pids) && Files.size(pids) > 0
					&& Files.exists(Path.of(pids + ".child")) && Files.size(Path.of(pids + ".child")) > 0);
			long shell = Long.parseLong(Files.readString(pids).trim());
			long child = Long.parseLong(Files.readString(Path.of(pids + ".child")).trim());
			assertThat(this.q.ok("cancel", "long")).isEqualTo("long canceling (running: its worker host stops it, unless it ends first)\n");
			await().atMost(Duration.ofSeconds(3)).until(() -> Queuectl.gone(shell) && Queuectl.gone(child));
			await().atMost(Duration.ofSeconds(10)).until(() -> "canceled".equals(state("long")));
			assertThat(scalar("SELECT COUNT(*) FROM job_runs WHERE job_id = 'long'")).isEqualTo(1);
			assertThat(text("SELECT outcome FROM job_runs WHERE job_id = 'long'")).isEqualTo("canceled");
			assertThat(this.q.ok("logs", "long")).contains("started");
			assertThat(w.logText()).contains("long canceled by user");
			assertThat(this.q.run("cancel", "long").exit()).isEqualTo(2);
		}
	}

	@Test
	void aHostForgottenByTheOthersRegistersAgainAtItsNextHeartbeatAndWorkerStopStillReachesIt() throws Exception {
		this.q.ok("config", "set", "lease-timeout", "5s"); // a heartbeat a second
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> scalar("SELECT COUNT(*) FROM workers") == 1);
			long started = scalar("SELECT started_at FROM workers");
			// what another host does to one silent past its lease (paused, cut off from the database)
			try (Connection c = connect()) {
				c.createStatement().executeUpdate("DELETE FROM workers");
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> scalar("SELECT COUNT(*) FROM workers") == 1);
			assertThat(scalar("SELECT started_at FROM workers")).as("its first start time is kept").isEqualTo(started);
			assertThat(w.logText()).contains("was forgotten by the other hosts: registered again");
			this.q.ok("worker", "stop", "--timeout", "30");
			assertThat(w.waitFor(Duration.ofSeconds(30))).isZero();
		}
	}

	@Test
	void cancelWaitPrintsWhatHappenedCanceledOrCompletedOnItsOwn() throws Exception {
		Path ledger = this.dir.resolve("ledger");
		this.q.commands(List.of("enqueue", "{\"id\":\"killed\",\"command\":\"echo started >> " + ledger + "; sleep 300; echo killed >> "
				+ ledger + "\"}"),
				// handles SIGTERM by finishing its work: it ends on its own, exit 0, and must be recorded so
				List.of("enqueue", "{\"id\":\"graceful\",\"command\":\"trap 'echo graceful >> " + ledger
						+ "; exit 0' TERM; echo started >> " + ledger + "; sleep 300 & wait\"}"));
		try (Queuectl.Worker w = this.q.worker("--no-http", "--count", "2")) {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> Files.exists(ledger) && Files.readAllLines(ledger).size() == 2);
			Queuectl.Result killed = this.q.awaitServing().run("cancel", "--wait", "--timeout", "30s", "killed");
			assertThat(killed.out()).isEqualTo("killed canceled\n");
			assertThat(killed.exit()).isZero();
			Queuectl.Result graceful = this.q.run("cancel", "--wait", "graceful");
			assertThat(graceful.out()).isEqualTo("graceful completed (exit 0), not canceled: it ended on its own first\n");
			assertThat(graceful.exit()).isEqualTo(1);
			assertThat(state("graceful")).isEqualTo("completed");
			assertThat(Files.readAllLines(ledger)).containsExactlyInAnyOrder("started", "started", "graceful");
		}
	}

	@Test
	void aPausedQueueStartsNothingOnAnyHostUntilResumed() throws Exception {
		List<List<String>> setUp = new ArrayList<>(List.of(List.of("queue", "pause", "held")));
		for (int i = 0; i < 4; i++) {
			setUp.add(List.of("enqueue", "{\"id\":\"h" + i + "\",\"queue\":\"held\",\"command\":\"true\"}"));
		}
		setUp.add(List.of("enqueue", "{\"id\":\"free\",\"command\":\"true\"}"));
		this.q.commands(setUp);
		try (Queuectl.Worker a = this.q.worker("--no-http", "--count", "2");
				Queuectl.Worker b = this.q.worker("--no-http", "--count", "2")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> "completed".equals(state("free")));
			await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE queue = 'held' AND state <> 'pending'") == 0);
			assertThat(this.q.awaitServing().ok("status")).contains("paused queues: held");
			this.q.ok("queue", "resume", "held");
			await().atMost(Duration.ofSeconds(30))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE queue = 'held' AND state = 'completed'") == 4);
			assertThat(a.logText() + b.logText()).contains("paused queues (no new jobs start from them): held");
		}
	}

	@Test
	void threeHostsOfFourSlotsNeverRunMoreThanTheLimitOfAQueueAtOnce() throws Exception {
		Path ledger = this.dir.resolve("ledger");
		StringBuilder jobs = new StringBuilder();
		for (int i = 0; i < 12; i++) {
			jobs.append("{\"id\":\"d").append(i).append("\",\"queue\":\"deploy\",\"command\":\"echo start $(date +%s%N) >> ")
				.append(ledger).append("; sleep 0.4; echo end $(date +%s%N) >> ").append(ledger).append("\"}\n");
		}
		Path file = this.dir.resolve("jobs.jsonl");
		Files.writeString(file, jobs);
		this.q.commands(List.of("queue", "limit", "deploy", "2"), List.of("enqueue", "--file", file.toString()));
		List<Queuectl.Worker> hosts = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				hosts.add(this.q.worker("--no-http", "--count", "4"));
			}
			await().atMost(Duration.ofSeconds(90))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE state = 'completed'") == 12);
		}
		finally {
			hosts.forEach(Queuectl.Worker::close);
		}
		// a ledger of start and end times: at no moment more than 2 ran, and 2 did run at once
		List<long[]> events = new ArrayList<>();
		for (String line : Files.readAllLines(ledger)) {
			String[] parts = line.split(" ");
			events.add(new long[] { Long.parseLong(parts[1]), parts[0].equals("start") ? 1 : -1 });
		}
		events.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
		int running = 0;
		int most = 0;
		for (long[] e : events) {
			running += (int) e[1];
			most = Math.max(most, running);
		}
		assertThat(events).hasSize(24);
		assertThat(most).isEqualTo(2);
	}

	@Test
	void aChainOfThreeWithAFailureInTheMiddleCancelsTheLastWithoutRunningIt() throws Exception {
		Path file = this.dir.resolve("chain.jsonl");
		Files.writeString(file, """
				{"id":"first","command":"echo one"}
				{"id":"second","command":"exit 3","max_retries":0,"after":["first"]}
				{"id":"third","command":"echo three","after":["second"]}
				""");
		this.q.ok("enqueue", "--file", file.toString());
		assertThat(state("third")).isEqualTo("waiting");
		try (Queuectl.Worker w = this.q.worker("--no-http", "--count", "2")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> "canceled".equals(state("third")));
		}
		assertThat(state("first")).isEqualTo("completed");
		assertThat(state("second")).isEqualTo("dead");
		assertThat(scalar("SELECT COUNT(*) FROM job_runs WHERE job_id = 'third'")).isZero();
		assertThat(text("SELECT last_error FROM jobs WHERE id = 'third'")).contains("job second").contains("dead");
	}

	@Test
	void processesEnqueuingTheSameUniqueKeyAtOnceStoreOneJob() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(4);
		try {
			List<Future<Queuectl.Result>> runs = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				runs.add(pool.submit(() -> this.q.run("enqueue", "{\"command\":\"sync\",\"unique_key\":\"nightly\"}")));
			}
			Set<String> ids = new TreeSet<>();
			int duplicates = 0;
			for (Future<Queuectl.Result> f : runs) {
				Queuectl.Result r = f.get();
				assertThat(r.exit()).as(r.err()).isZero();
				ids.add(r.out().trim());
				duplicates += r.err().contains("holds unique_key 'nightly'") ? 1 : 0;
			}
			assertThat(ids).hasSize(1);
			assertThat(duplicates).isEqualTo(3);
			assertThat(scalar("SELECT COUNT(*) FROM jobs")).isEqualTo(1);
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void waitGivesZeroWhenAllCompletedOneWhenOneDiedAnd124OnTimeout() throws Exception {
		this.q.commands(List.of("enqueue", "{\"id\":\"fine\",\"command\":\"true\"}"),
				List.of("enqueue", "{\"id\":\"broken\",\"command\":\"exit 9\",\"max_retries\":0}"),
				List.of("enqueue", "{\"id\":\"later\",\"command\":\"true\",\"queue\":\"later\"}"),
				List.of("queue", "pause", "later"));
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			Queuectl.Result ok = this.q.awaitServing().run("wait", "fine", "--timeout", "60s");
			assertThat(ok.exit()).as(ok.err()).isZero();
			Queuectl.Result bad = this.q.run("wait", "fine", "broken", "--timeout", "60s");
			assertThat(bad.exit()).isEqualTo(1);
			assertThat(bad.err()).contains("job broken ended dead: exit code 9");
			Queuectl.Result late = this.q.run("wait", "--queue", "later", "--timeout", "1s");
			assertThat(late.exit()).isEqualTo(124);
			assertThat(late.out()).isEmpty();
		}
	}


	private String state(String id) throws SQLException {
		return text("SELECT state FROM jobs WHERE id = '" + id + "'");
	}

	private String text(String sql) throws SQLException {
		try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
			return rs.next() ? rs.getString(1) : null;
		}
	}

	private long scalar(String sql) throws SQLException {
		try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private Connection connect() throws SQLException {
		return DriverManager.getConnection("jdbc:sqlite:" + this.q.db + "?busy_timeout=10000");
	}
}
