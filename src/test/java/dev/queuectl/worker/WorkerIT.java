package dev.queuectl.worker;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Worker hosts as real processes over one real SQLite file, running real shell commands.
 */
class WorkerIT {

	@TempDir
	Path dir;

	Queuectl q;

	@BeforeEach
	void setUp() throws Exception {
		this.q = new Queuectl(this.dir);
	}

	@Test
	void aJobCompletesAndItsOutputIsKept() throws Exception {
		String id = this.q.ok("enqueue", "{\"command\":\"echo \\\"hello  world\\\"; pwd; echo oops >&2\"}").trim();
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			awaitState(id, "completed", Duration.ofSeconds(30));
			String logs = this.q.ok("logs", id);
			assertThat(logs).contains("hello  world").contains(this.dir.toRealPath().toString()).contains("oops");
			assertThat(w.logText()).contains(id + " start").contains(id + " completed");
		}
		assertThat(runs(id)).extracting(r -> r.get("outcome")).containsExactly("completed");
	}

	@Test
	void aFailingJobRetriesWithBackoffThenIsDeadAndDlqRetryRunsItAgain() throws Exception {
		Path flag = this.dir.resolve("flag");
		String id = this.q
			.ok("enqueue", "{\"id\":\"flaky\",\"command\":\"test -f " + flag + "\",\"max_retries\":2}")
			.trim();
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			awaitState(id, "dead", Duration.ofSeconds(40));
			List<Map<String, Object>> runs = runs(id);
			assertThat(runs).hasSize(3);
			long gap1 = (long) runs.get(1).get("started_at") - (long) runs.get(0).get("finished_at");
			long gap2 = (long) runs.get(2).get("started_at") - (long) runs.get(1).get("finished_at");
			// base 2: 2 s after run 1, 4 s after run 2 (plus at most one idle poll)
			assertThat(gap1).isBetween(2000L, 3000L);
			assertThat(gap2).isBetween(4000L, 5000L);
			assertThat(this.q.ok("dlq", "list")).contains("flaky");

			Files.createFile(flag);
			this.q.ok("dlq", "retry", "flaky");
			awaitState(id, "completed", Duration.ofSeconds(30));
			assertThat(runs(id)).hasSize(4);
			assertThat(w.logText()).contains("flaky dead after 3 attempt(s)");
		}
	}

	@Test
	void theCompiledSpawnerStartsJobsWhereTheBuildMadeOne() throws Exception {
		assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "the build compiles the spawner only with a C compiler");
		this.q.ok("enqueue", "{\"id\":\"probe\",\"command\":\"sleep 2\"}");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			awaitState("probe", "processing", Duration.ofSeconds(30));
			await().atMost(Duration.ofSeconds(10)).until(() -> w.process().children().anyMatch(WorkerIT::isCompiledSpawner));
			awaitState("probe", "completed", Duration.ofSeconds(30));
		}
	}

	@Test
	void aSpawnerToldToTerminateTakesItsRunningJobWithIt() throws Exception {
		assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "the build compiles the spawner only with a C compiler");
		Path pidFile = this.dir.resolve("job.pid");
		this.q.ok("enqueue", "{\"id\":\"orphan\",\"max_retries\":0,\"command\":\"echo $$ > " + pidFile + "; sleep 30\"}");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pidFile) && Files.size(pidFile) > 0);
			long job = Long.parseLong(Files.readString(pidFile).trim());
			ProcessHandle spawner = w.process().children().filter(WorkerIT::isCompiledSpawner).findFirst().orElseThrow();
			spawner.destroy(); // SIGTERM
			// the worker records a failed attempt and may run the job again: the old run must be gone
			await().atMost(Duration.ofSeconds(2)).until(() -> Queuectl.gone(job));
			awaitState("orphan", "dead", Duration.ofSeconds(10));
			assertThat(runs("orphan").get(0).get("error")).asString().contains("spawner exited");
		}
	}

	@Test
	void theBashSpawnerRunsJobsInTheirOwnGroupWhereNoCompiledOneExists() throws Exception {
		Path out = this.dir.resolve("groups.txt");
		String ok = this.q.ok("enqueue", "{\"command\":\"ps -o pid=,pgid= -p $$ > " + out + "; echo fine\"}").trim();
		String bad = this.q.ok("enqueue", "{\"max_retries\":0,\"command\":\"exit 7\"}").trim();
		try (Queuectl.Worker w = this.q.worker(List.of("-Dqueuectl.spawner=bash"), "--no-http")) {
			awaitState(ok, "completed", Duration.ofSeconds(30));
			awaitState(bad, "dead", Duration.ofSeconds(30));
			assertThat(w.process().children()).noneMatch(WorkerIT::isCompiledSpawner);
		}
		String[] pidAndGroup = Files.readString(out).trim().split("\\s+");
		assertThat(pidAndGroup[0]).isEqualTo(pidAndGroup[1]); // the job leads its own process group
		assertThat(this.q.ok("logs", ok)).contains("fine");
		assertThat(runs(bad).get(0).get("exit_code")).isEqualTo(7);
	}

	@Test
	void anUnknownCommandFailsAndTheWorkerGoesOn() throws Exception {
		this.q.script("enqueue '{\"id\":\"nf\",\"command\":\"no_such_command_xyz\",\"max_retries\":0}'",
				"enqueue '{\"id\":\"after\",\"command\":\"true\"}'");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			awaitState("after", "completed", Duration.ofSeconds(30));
			awaitState("nf", "dead", Duration.ofSeconds(5));
			assertThat(runs("nf").get(0).get("error")).isEqualTo("command not found (exit 127)");
			assertThat(runs("nf").get(0).get("exit_code")).isEqualTo(127);
		}
	}

	@Test
	void threeWorkerHostsRunTwoThousandJobsEachExactlyOnce() throws Exception {
		Path out = this.dir.resolve("ids.txt");
		Path jobs = this.dir.resolve("jobs.jsonl");
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < 2000; i++) {
			sb.append("{\"id\":\"j").append(i).append("\",\"command\":\"echo j").append(i).append(" >> ").append(out)
				.append("\"}\n");
		}
		Files.writeString(jobs, sb);
		List<Queuectl.Worker> workers = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				workers.add(this.q.worker("--no-http", "--count", "2"));
			}
			// all three compete from the first job on: one host alone runs 2,000 echo jobs in about a second
			await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(this.q.db) && workersRegistered() == 3);
			assertThat(this.q.ok("enqueue", "--file", jobs.toString()).lines()).hasSize(2000);
			await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> count("completed") == 2000);
			List<String> lines = Files.readAllLines(out);
			assertThat(lines).hasSize(2000);
			assertThat(new HashSet<>(lines)).hasSize(2000);
			assertThat(scalar("SELECT COUNT(*) FROM job_runs")).isEqualTo(2000L);
			assertThat(scalar("SELECT COUNT(DISTINCT worker_id) FROM job_runs")).isEqualTo(3L);
		}
		finally {
			workers.forEach(Queuectl.Worker::close);
		}
	}

	@Test
	void jobsSurviveAWorkerRestartAndWorkerStopStopsEveryHost() throws Exception {
		this.q.ok("enqueue", "{\"id\":\"first\",\"command\":\"true\"}");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			awaitState("first", "completed", Duration.ofSeconds(30));
			Queuectl.Result stop = this.q.run("worker", "stop");
			assertThat(stop.exit()).isZero();
			assertThat(stop.out()).contains("1 worker host(s) stopped");
			assertThat(w.waitFor(Duration.ofSeconds(20))).isZero();
		}
		this.q.ok("enqueue", "{\"id\":\"second\",\"command\":\"true\"}");
		assertThat(state("second")).isEqualTo("pending");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			awaitState("second", "completed", Duration.ofSeconds(30));
		}
	}

	@Test
	void workerStopOfAHostIdStopsThatHostAloneAndAnUnknownIdIsExit3() throws Exception {
		this.q.copied(); // status --db would refuse the file if it polled before a host made it
		try (Queuectl.Worker a = this.q.worker("--no-http"); Queuectl.Worker b = this.q.worker("--no-http")) {
			List<String> ids = new ArrayList<>();
			await().atMost(Duration.ofSeconds(60)).until(() -> {
				ids.clear();
				tools.jackson.databind.json.JsonMapper.builder().build().readTree(this.q.ok("status", "--json"))
					.get("workers").forEach(w -> ids.add(w.get("id").asString()));
				return ids.size() == 2;
			});
			String first = ids.stream().filter(id -> id.contains(":" + a.process().pid() + ":")).findFirst().orElseThrow();
			Queuectl.Result stop = this.q.run("worker", "stop", first);
			assertThat(stop.exit()).as(stop.err()).isZero();
			assertThat(stop.out()).isEqualTo("1 worker host(s) stopped\n");
			assertThat(a.waitFor(Duration.ofSeconds(30))).isZero();
			assertThat(b.process().isAlive()).as("the other host runs on").isTrue();
			assertThat(this.q.ok("status")).doesNotContain(first).contains(":" + b.process().pid() + ":");

			Queuectl.Result unknown = this.q.run("worker", "stop", first);
			assertThat(unknown.exit()).isEqualTo(3);
			assertThat(unknown.err()).isEqualTo("queuectl: no such worker host: " + first + " (queuectl status lists them)\n");
			assertThat(b.process().isAlive()).isTrue();
		}
	}

	@Test
	void sigtermMidJobLetsTheJobFinishAndExitsZero() throws Exception {
		this.q.ok("enqueue", "{\"id\":\"slow\",\"command\":\"sleep 2; echo finished\"}");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			awaitState("slow", "processing", Duration.ofSeconds(30));
			w.process().destroy(); // SIGTERM
			assertThat(w.waitFor(Duration.ofSeconds(30))).isZero();
			assertThat(state("slow")).isEqualTo("completed");
			assertThat(this.q.ok("logs", "slow")).contains("finished");
		}
	}

	@Test
	void sigkillOfAWorkerHostMidJobRerunsTheJobAfterTheLease() throws Exception {
		Path pidFile = this.dir.resolve("victim.pid");
		this.q.script("config set lease-timeout 5s",
				"enqueue '{\"id\":\"victim\",\"command\":\"echo $$ > " + pidFile + "; sleep 3; echo done\"}'");
		try (Queuectl.Worker first = this.q.worker("--no-http")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pidFile) && Files.size(pidFile) > 0);
			first.process().destroyForcibly(); // SIGKILL: no chance to clean up
			first.waitFor(Duration.ofSeconds(10));
		}
		// its spawner kills the job at once: it must not run while another worker reruns it
		long job = Long.parseLong(Files.readString(pidFile).trim());
		await().atMost(Duration.ofSeconds(2)).until(() -> Queuectl.gone(job));
		assertThat(state("victim")).isEqualTo("processing");
		try (Queuectl.Worker second = this.q.worker("--no-http")) {
			awaitState("victim", "completed", Duration.ofSeconds(40));
		}
		List<Map<String, Object>> runs = runs("victim");
		assertThat(runs).extracting(r -> r.get("outcome")).containsExactly("lost", "completed");
		assertThat(runs.get(1).get("attempt")).isEqualTo(2);
	}

	@Test
	void aJobThatOutlivesItsTimeoutIsKilledWithItsChildren() throws Exception {
		Path pidFile = this.dir.resolve("child.pid");
		this.q.ok("enqueue", "{\"id\":\"hang\",\"timeout\":\"1s\",\"max_retries\":0,\"command\":\"sleep 300 & echo $! > "
				+ pidFile + "; wait\"}");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			awaitState("hang", "dead", Duration.ofSeconds(40));
		}
		long child = Long.parseLong(Files.readString(pidFile).trim());
		await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
		Map<String, Object> run = runs("hang").get(0);
		assertThat(run.get("outcome")).isEqualTo("timeout");
		assertThat(run.get("error")).isEqualTo("timed out after 1s");
	}

	@Test
	void aJobPrinting100MiBLeavesTheHeapFlatAndTheOutputCapped() throws Exception {
		this.q.ok("enqueue", "{\"id\":\"chatty\",\"command\":\"head -c 104857600 /dev/zero | tr '\\\\\\\\0' x\"}");
		// 64 MiB of heap could not hold 100 MiB of output: the job must stream it to disk, capped.
		try (Queuectl.Worker w = this.q.worker(List.of("-Xmx64m"), "--no-http")) {
			awaitState("chatty", "completed", Duration.ofSeconds(60));
			assertThat(w.process().isAlive()).isTrue();
		}
		Path output = Path.of((String) runs("chatty").get(0).get("output_path"));
		long size = Files.size(output);
		assertThat(size).isBetween(10L * 1024 * 1024, 10L * 1024 * 1024 + 200);
		assertThat(Files.readString(output).substring((int) (size - 150))).contains("more bytes dropped");
	}

	@Test
	void healthAndMetricsAreServedOnLoopbackWhileTheWorkerRuns() throws Exception {
		this.q.ok("enqueue", "{\"id\":\"m1\",\"command\":\"true\"}");
		try (Queuectl.Worker w = this.q.worker()) {
			awaitState("m1", "completed", Duration.ofSeconds(30));
			Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/actuator").matcher(w.logText());
			assertThat(m.find()).as(w.logText()).isTrue();
			String base = "http://127.0.0.1:" + m.group(1) + "/actuator";
			HttpClient http = HttpClient.newHttpClient();
			HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
			assertThat(health.body()).contains("\"status\":\"UP\"");
			String token = this.q.ok("web-token").strip();
			String prometheus = http.send(HttpRequest.newBuilder(URI.create(base + "/prometheus"))
				.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body();
			assertThat(prometheus).contains("queuectl_jobs_completed_total 1.0")
				.contains("queuectl_job_duration_seconds_count 1")
				.contains("queuectl_job_pickup_lag_seconds_count 1")
				.contains("jvm_memory_used_bytes")
				// Tomcat's binder is left out: it would start the JDK's MBean server for session counts
				.doesNotContain("tomcat_sessions");
			assertThat(this.q.ok("status")).contains(m.group(1));
		}
	}

	@Test
	void aWorkingDirectoryMissingOnTheHostFailsTheAttemptNamingHostAndDirectory() throws Exception {
		this.q.ok("enqueue", "{\"id\":\"elsewhere\",\"command\":\"true\",\"max_retries\":0}");
		try (Connection c = connect()) {
			c.createStatement().executeUpdate("UPDATE jobs SET working_dir = '/no/such/dir' WHERE id = 'elsewhere'");
		}
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			awaitState("elsewhere", "dead", Duration.ofSeconds(30));
		}
		assertThat(runs("elsewhere").get(0).get("error")).asString()
			.isEqualTo("working directory /no/such/dir does not exist on host " + WorkerHost.hostname());
	}

	@Test
	void ctrlCOnTheWorkersTerminalReachesTheWorkerNotItsJobs() throws Exception {
		this.q.ok("enqueue", "{\"id\":\"calm\",\"command\":\"sleep 2; echo survived\"}");
		// the worker leads its own process group, as a shell's foreground job would
		try (Queuectl.Worker w = this.q.worker(List.of(), true, "--no-http")) {
			awaitState("calm", "processing", Duration.ofSeconds(30));
			new ProcessBuilder("kill", "-INT", "--", "-" + w.process().pid()).start().waitFor();
			assertThat(w.waitFor(Duration.ofSeconds(30))).isZero();
		}
		assertThat(state("calm")).isEqualTo("completed");
		assertThat(this.q.ok("logs", "calm")).contains("survived");
	}

	@Test
	void jobsStillRunningWhenTheShutdownGraceEndsAreKilledAndQueuedAgainUncounted() throws Exception {
		this.q.script("config set shutdown-grace 1s", "enqueue '{\"id\":\"stubborn\",\"command\":\"sleep 60\"}'");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			awaitState("stubborn", "processing", Duration.ofSeconds(30));
			w.process().destroy(); // SIGTERM
			assertThat(w.waitFor(Duration.ofSeconds(30))).isZero();
			assertThat(w.logText()).contains("stubborn interrupted by shutdown; back in the queue");
		}
		assertThat(state("stubborn")).isEqualTo("pending");
		assertThat(scalar("SELECT attempts FROM jobs WHERE id = 'stubborn'")).isZero();
	}

	@Test
	void logsFollowStreamsARunningJobUntilItEnds() throws Exception {
		this.q.ok("enqueue", "{\"id\":\"ticker\",\"command\":\"for i in 1 2 3; do echo tick $i; sleep 1; done\"}");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			awaitState("ticker", "processing", Duration.ofSeconds(30));
			Queuectl.Result r = this.q.run("logs", "ticker", "--follow");
			assertThat(r.exit()).isZero();
			assertThat(r.out()).isEqualTo("tick 1\ntick 2\ntick 3\n");
			assertThat(state("ticker")).isEqualTo("completed");
		}
	}

	@Test
	void logsFollowWaitsForTheJobFollowsItAcrossRetriesAndEndsWithItsOutcome() throws Exception {
		this.q.ok("config", "set", "backoff-base", "1");
		// attempt 1 waits for the file go; attempts 1 and 2 fail, 3 completes
		this.q.ok("enqueue", "{\"id\":\"flaky\",\"max_retries\":3,\"command\":\"n=$(( $(cat n 2>/dev/null || echo 0) + 1 ));"
				+ " echo $n > n; echo try $n; if [ $n = 1 ]; then while [ ! -f go ]; do sleep 0.1; done; fi; [ $n -ge 3 ]\"}");
		Path out = this.dir.resolve("follow.out");
		try (Queuectl.Worker follow = this.q.background(out, "logs", "flaky", "--follow")) {
			try (Queuectl.Worker w = this.q.worker("--no-http")) {
				// it waited for the job to start, and follows its first attempt
				await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out).equals("try 1\n"));
				Files.createFile(this.dir.resolve("go"));
				assertThat(follow.waitFor(Duration.ofSeconds(60))).as(follow.logText()).isZero();
			}
			assertThat(Files.readString(out)).isEqualTo("try 1\ntry 2\ntry 3\n");
			assertThat(follow.logText()).isEqualTo("""
					queuectl: attempt 1 failed: exit code 1; following the next one
					queuectl: attempt 2 failed: exit code 1; following the next one
					queuectl: job flaky completed after 3 attempt(s): exit code 0
					""");
		}
		assertThat(state("flaky")).isEqualTo("completed");
		// a job that ended dead: its outcome and exit 1
		this.q.ok("enqueue", "{\"id\":\"doomed\",\"max_retries\":0,\"command\":\"echo no; exit 7\"}");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			awaitState("doomed", "dead", Duration.ofSeconds(30));
		}
		Queuectl.Result dead = this.q.run("logs", "doomed", "--follow");
		assertThat(dead.exit()).isEqualTo(1);
		assertThat(dead.out()).isEqualTo("no\n");
		assertThat(dead.err()).isEqualTo("queuectl: job doomed dead after 1 attempt(s): exit code 7\n");
	}

	@Test
	void outputReachesTheLogWhileTheJobRuns() throws Exception {
		// the job goes on only when the test says so: however long `logs` takes to start, the job runs
		Path go = this.dir.resolve("go");
		this.q.ok("enqueue", "{\"id\":\"slowpoke\",\"command\":\"echo early; until [ -e " + go + " ]; do sleep 0.1; done; echo late\"}");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			awaitState("slowpoke", "processing", Duration.ofSeconds(30));
			await().atMost(Duration.ofSeconds(60)).until(() -> this.q.run("logs", "slowpoke").out().equals("early\n"));
			assertThat(state("slowpoke")).as("still running").isEqualTo("processing");
			Files.createFile(go);
		}
	}

	@Test
	void theFastClientIsServedByARunningWorkerAndSaysSoWhenNothingServes() throws Exception {
		Path client = Path.of("target", "queuectl.jar.original").toAbsolutePath();
		Queuectl.Result none = this.q.runWith(List.of("-Dqueuectl.remote=only", "-cp", client.toString(), "dev.queuectl.Main"),
				"status");
		assertThat(none.exit()).as("nothing serves the database yet").isEqualTo(125);
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(Path.of(this.q.db + ".sock")));
			assertThat(Files.getPosixFilePermissions(Path.of(this.q.db + ".sock")))
				.containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
						java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
			Queuectl.Result enq = this.q.runWith(
					List.of("-Dqueuectl.remote=only", "-cp", client.toString(), "dev.queuectl.Main"), "enqueue",
					"{\"id\":\"via-socket\",\"command\":\"pwd\"}");
			assertThat(enq.exit()).as(enq.err()).isZero();
			assertThat(enq.out()).isEqualTo("via-socket\n");
			awaitState("via-socket", "completed", Duration.ofSeconds(10));
			// the client's directory, not the worker's, is where the job ran
			assertThat(this.q.ok("logs", "via-socket").trim()).isEqualTo(this.dir.toRealPath().toString());
			Queuectl.Result bad = this.q.runWith(
					List.of("-Dqueuectl.remote=only", "-cp", client.toString(), "dev.queuectl.Main"), "show", "nope");
			assertThat(bad.exit()).isEqualTo(3);
			assertThat(bad.out()).isEmpty();
			assertThat(bad.err()).isEqualTo("queuectl: no such job: nope\n");
		}
	}

	private static boolean isCompiledSpawner(ProcessHandle process) {
		return process.info().command().orElse("").contains("queuectl-spawner-");
	}

	// ---- reading the database directly (a real SQLite file, read-only use)

	private void awaitState(String id, String state, Duration timeout) {
		await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> state.equals(state(id)));
	}

	private String state(String id) throws SQLException {
		try (Connection c = connect(); ResultSet rs = c.createStatement()
			.executeQuery("SELECT state FROM jobs WHERE id = '" + id.replace("'", "''") + "'")) {
			return rs.next() ? rs.getString(1) : null;
		}
	}

	private long workersRegistered() {
		try {
			return scalar("SELECT COUNT(*) FROM workers");
		}
		catch (SQLException notYet) {
			return 0;
		}
	}

	private long count(String state) throws SQLException {
		return scalar("SELECT COUNT(*) FROM jobs WHERE state = '" + state + "'");
	}

	private long scalar(String sql) throws SQLException {
		try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private List<Map<String, Object>> runs(String id) throws SQLException {
		List<Map<String, Object>> runs = new ArrayList<>();
		try (Connection c = connect(); Statement st = c.createStatement();
				ResultSet rs = st.executeQuery("SELECT * FROM job_runs WHERE job_id = '" + id + "' ORDER BY id")) {
			while (rs.next()) {
				Map<String, Object> row = new HashMap<>();
				for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
					row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
				}
				runs.add(row);
			}
		}
		return runs;
	}

	private Connection connect() throws SQLException {
		return DriverManager.getConnection("jdbc:sqlite:" + this.q.db + "?busy_timeout=10000");
	}
}
