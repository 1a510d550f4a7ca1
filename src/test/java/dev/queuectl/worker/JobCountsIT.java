package dev.queuectl.worker;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The counters of jobs per queue and state (migration V6) stay exact whatever happens to the jobs:
 * several processes enqueue while worker hosts claim, complete, fail, retry and kill jobs, hosts die
 * by SIGKILL mid-batch, users cancel, retry the dead and prune; afterwards every counter equals a
 * GROUP BY over the table, and status and queue list say the same.
 */
class JobCountsIT {

	@TempDir
	Path dir;

	@Test
	void countersEqualAGroupByAfterAStormOfEveryChangeAndSigkilledHosts() throws Exception {
		Queuectl q = new Queuectl(this.dir);
		q.script("config set lease-timeout 5s", "config set backoff-base 1", "config set max-backoff 1s",
				"config set max-retries 1", "queue limit limited 2");
		Random random = new Random(15);
		java.util.Set<String> seen = new java.util.TreeSet<>();
		List<Process> enqueuers = new ArrayList<>();
		List<Queuectl.Worker> hosts = new ArrayList<>();
		try {
			for (int h = 0; h < 3; h++) {
				hosts.add(q.worker("--no-http", "--count", "3"));
			}
			for (int round = 0; round < 4; round++) {
				// this round's queue is paused while its jobs arrive, so some are surely pending when it is canceled
				q.run("queue", "pause", "q" + round);
				List<Process> batch = new ArrayList<>();
				for (int e = 0; e < 3; e++) {
					batch.add(enqueuer(q, round, e, random));
				}
				enqueuers.addAll(batch);
				// a host dies mid-batch: once jobs run (counted exactly while they do), one host is SIGKILLed;
				// its claimed jobs stay processing until their lease expires (the ceiling covers three
				// enqueuing JVMs and the hosts starting at once on a loaded 2-core machine)
				await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
					Map<String, Long> now = assertCountsExact(q);
					now.keySet().forEach(k -> seen.add(k.substring(k.indexOf('/') + 1)));
					return now.keySet().stream().anyMatch(k -> k.endsWith("/processing"));
				});
				Queuectl.Worker victim = hosts.remove(random.nextInt(hosts.size()));
				victim.process().destroyForcibly();
				victim.waitFor(Duration.ofSeconds(10));
				hosts.add(q.worker("--no-http", "--count", "3"));
				// the counters stay exact while the rest of the round's jobs arrive and run
				await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
					assertCountsExact(q).keySet().forEach(k -> seen.add(k.substring(k.indexOf('/') + 1)));
					return batch.stream().noneMatch(Process::isAlive);
				});
				q.run("cancel", "--queue", "q" + round, "--state", "pending");
				q.run("queue", "resume", "q" + round);
				q.run("dlq", "retry", "--all");
				if (round < 3) { // the last round's completed jobs stay, for the end's check
					q.run("prune", "--older-than", "1s", "--state", "completed");
				}
				assertCountsExact(q);
			}
			for (int k = 0; k < enqueuers.size(); k++) {
				int exit = enqueuers.get(k).waitFor();
				assertThat(exit).as("enqueuer %d: %s", k, java.nio.file.Files
					.readString(this.dir.resolve("enqueue-" + (k / 3) + "-" + (k % 3) + ".out"))).isZero();
			}
			q.run("dlq", "purge");
			await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
				.until(() -> live(q) == 0);
		}
		finally {
			hosts.forEach(h -> h.process().destroyForcibly()); // SIGKILL again, mid-idle
			for (Queuectl.Worker h : hosts) {
				h.waitFor(Duration.ofSeconds(10));
			}
			enqueuers.forEach(Process::destroyForcibly);
		}
		Map<String, Long> grouped = assertCountsExact(q); // nothing moves now: the commands must say the same
		assertThat(queueList(q)).as("queue list --json").isEqualTo(grouped);
		grouped.keySet().forEach(k -> seen.add(k.substring(k.indexOf('/') + 1)));
		assertThat(seen).as("the states the storm went through").contains("completed", "canceled", "processing", "failed");
	}

	/** One enqueuing process: a file of jobs that succeed, fail, run a while or wait for each other. */
	private Process enqueuer(Queuectl q, int round, int e, Random random) throws Exception {
		StringBuilder lines = new StringBuilder();
		for (int i = 0; i < 60; i++) {
			String id = "r" + round + "e" + e + "j" + i;
			String queue = i % 5 == 0 ? "limited" : "q" + (i % 4);
			String command = switch (random.nextInt(4)) {
				case 0 -> "true";
				case 1 -> "exit 3";
				case 2 -> "sleep 0.$((RANDOM % 5))";
				default -> "exit $((RANDOM % 2))";
			};
			String after = i > 0 && i % 7 == 0 ? ",\"after\":\"r" + round + "e" + e + "j" + (i - 1) + "\"" : "";
			lines.append("{\"id\":\"").append(id).append("\",\"queue\":\"").append(queue).append("\",\"command\":\"")
				.append(command).append('"').append(after).append("}\n");
		}
		Path file = java.nio.file.Files.writeString(this.dir.resolve("jobs-" + round + "-" + e + ".jsonl"), lines);
		// each enqueuer writes the file itself (not through a worker host's socket: a host SIGKILLed while it
		// served the request would leave the enqueuer not knowing whether its jobs were stored)
		List<String> cmd = new ArrayList<>(List.of(Queuectl.JAVA, "-XX:TieredStopAtLevel=1", "-Dqueuectl.remote=false"));
		cmd.addAll(TrainedJar.launch());
		cmd.addAll(List.of("--db", q.db.toString(), "enqueue", "--file", file.toString()));
		ProcessBuilder pb = new ProcessBuilder(cmd).directory(this.dir.toFile()).redirectErrorStream(true)
			.redirectOutput(this.dir.resolve("enqueue-" + round + "-" + e + ".out").toFile());
		pb.environment().put("XDG_DATA_HOME", this.dir.resolve("xdg").toString());
		pb.environment().put("QUEUECTL_SERVER", "off");
		return pb.start();
	}

	private long live(Queuectl q) throws Exception {
		JsonNode jobs = new JsonMapper().readTree(q.ok("status", "--json")).get("jobs");
		return jobs.get("waiting").asLong() + jobs.get("pending").asLong() + jobs.get("processing").asLong()
				+ jobs.get("failed").asLong();
	}

	/** Asserts job_counts against a GROUP BY over jobs, both read in one snapshot; returns the GROUP BY. */
	private Map<String, Long> assertCountsExact(Queuectl q) throws Exception {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + q.db + "?busy_timeout=10000")) {
			c.setAutoCommit(false); // one snapshot for both reads
			Map<String, Long> grouped = read(c, "SELECT queue, state, COUNT(*) FROM jobs GROUP BY queue, state");
			assertThat(read(c, "SELECT queue, state, n FROM job_counts WHERE n <> 0")).isEqualTo(grouped);
			c.rollback();
			return grouped;
		}
	}

	/** What queue list --json says, as queue/state counts (zeros left out). */
	private static Map<String, Long> queueList(Queuectl q) throws Exception {
		Map<String, Long> m = new TreeMap<>();
		for (JsonNode queue : new JsonMapper().readTree(q.ok("queue", "list", "--json"))) {
			for (var state : queue.get("jobs").properties()) {
				if (state.getValue().asLong() != 0) {
					m.put(queue.get("name").asString() + "/" + state.getKey(), state.getValue().asLong());
				}
			}
		}
		return m;
	}

	private static Map<String, Long> read(Connection c, String sql) throws Exception {
		Map<String, Long> m = new TreeMap<>();
		try (ResultSet rs = c.createStatement().executeQuery(sql)) {
			while (rs.next()) {
				m.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
			}
		}
		return m;
	}
}
