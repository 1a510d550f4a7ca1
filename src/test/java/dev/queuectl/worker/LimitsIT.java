package dev.queuectl.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Limits by key with real worker hosts as processes on one database (SQLite here, PostgreSQL in
 * {@link LimitsPostgresIT}), each job writing its own start and end times to a ledger: a rate of 4
 * per 2 s across 2 hosts of 2 slots, a family's concurrency of 1 across 3 hosts, and a host killed
 * (SIGKILL) mid-run whose jobs hold their keys until their leases expire.
 */
class LimitsIT extends OwnQueue {

	/**
	 * How far the jobs' own clocks may lag the queue's record of their start: the claim's commit,
	 * the slot taking it, the spawn of {@code sh} and {@code date} (measured: 20-230 ms on 2 loaded
	 * cores). The queue's record holds the rate exactly; what a job sees is that plus this jitter.
	 */
	static final long SPAWN_SLACK_MS = 400;

	@Test
	void aRateOfFourPerTwoSecondsAcrossTwoHostsOfTwoSlotsIsNeverExceeded() throws Exception {
		Path ledger = this.dir.resolve("starts");
		this.q.ok("limit", "set", "api", "--rate", "4/2s");
		StringBuilder jobs = new StringBuilder();
		int n = 16;
		for (int i = 0; i < n; i++) {
			jobs.append("{\"id\":\"r").append(i).append("\",\"limits\":[\"api\"],\"command\":\"echo r").append(i)
				.append(" $(date +%s%3N) >> ").append(ledger).append("; sleep 2\"}\n");
		}
		Path file = this.dir.resolve("jobs.jsonl");
		Files.writeString(file, jobs);
		List<Queuectl.Worker> hosts = new ArrayList<>();
		try {
			// each host holds at most 2 of the 4 a window allows (a job outlasts the window), so
			// neither can take every start: the rate is held across hosts, not inside one
			hosts.add(this.q.worker("--no-http", "--count", "2"));
			hosts.add(this.q.worker("--no-http", "--count", "2"));
			await().atMost(Duration.ofMinutes(1)).until(() -> scalar("SELECT COUNT(*) FROM workers") == 2);
			this.q.ok("enqueue", "--file", file.toString());
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE state = 'completed'") == n);
		}
		finally {
			hosts.forEach(Queuectl.Worker::close);
		}
		List<Long> claimed = longs("SELECT started_at FROM job_runs ORDER BY started_at");
		assertThat(claimed).hasSize(n);
		assertThat(scalar("SELECT COUNT(DISTINCT worker_id) FROM job_runs")).as("both hosts took jobs").isEqualTo(2);
		// the queue's record of each start: no 5 within any 2 s (the fifth at least 2 s after the first;
		// SQLite records the ledger's time itself, PostgreSQL the host's clock once the limits' lock is held)
		for (int i = 0; i + 4 < n; i++) {
			assertThat(claimed.get(i + 4) - claimed.get(i)).as("starts %d..%d", i, i + 4).isGreaterThanOrEqualTo(2000);
		}
		// the jobs' own clocks: the same, within the time a spawn takes
		List<String> lines = Files.readAllLines(ledger);
		List<Long> seen = lines.stream().map(l -> Long.parseLong(l.split(" ")[1])).sorted().toList();
		assertThat(seen).hasSize(n);
		Map<String, Long> claimedById = new HashMap<>();
		try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery("SELECT job_id, started_at FROM job_runs")) {
			while (rs.next()) {
				claimedById.put(rs.getString(1), rs.getLong(2));
			}
		}
		List<String> lags = lines.stream().map(l -> l.split(" ")).map(e -> e[0] + "+" + (Long.parseLong(e[1]) - claimedById.get(e[0])))
			.toList();
		System.out.println("claim to start, ms: " + lags);
		for (int i = 0; i + 4 < n; i++) {
			assertThat(seen.get(i + 4) - seen.get(i)).as("seen starts %d..%d (claim to start: %s)", i, i + 4, lags)
				.isGreaterThanOrEqualTo(2000 - SPAWN_SLACK_MS);
		}
		// and the rate is used, not only respected: 16 jobs start over about 3 windows (each start
		// waits for a slot, freed 2 s after the last, plus a spawn), not a poll each
		assertThat(claimed.get(n - 1) - claimed.get(0)).isLessThan(6000 + 3000);
	}

	@Test
	void aFamilysConcurrencyOfOneAcrossThreeHostsHoldsPerCustomerWhileCustomersRunSideBySide() throws Exception {
		Path ledger = this.dir.resolve("ledger");
		this.q.ok("limit", "set", "customer:*", "--concurrency", "1");
		StringBuilder jobs = new StringBuilder();
		int customers = 3;
		int each = 3;
		for (int c = 0; c < customers; c++) {
			for (int i = 0; i < each; i++) {
				jobs.append("{\"id\":\"c").append(c).append('-').append(i).append("\",\"limits\":[\"customer:").append(c)
					.append("\"],\"command\":\"echo c").append(c).append(" start $(date +%s%3N) >> ").append(ledger)
					.append("; sleep 0.4; echo c").append(c).append(" end $(date +%s%3N) >> ").append(ledger).append("\"}\n");
			}
		}
		Path file = this.dir.resolve("jobs.jsonl");
		Files.writeString(file, jobs);
		List<Queuectl.Worker> hosts = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				hosts.add(this.q.worker("--no-http", "--count", "2"));
			}
			await().atMost(Duration.ofMinutes(1)).until(() -> scalar("SELECT COUNT(*) FROM workers") == 3);
			this.q.ok("enqueue", "--file", file.toString());
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE state = 'completed'") == customers * each);
		}
		finally {
			hosts.forEach(Queuectl.Worker::close);
		}
		List<String> lines = Files.readAllLines(ledger);
		assertThat(lines).hasSize(2 * customers * each);
		List<String[]> events = lines.stream().map(l -> l.split(" ")).sorted(
				java.util.Comparator.comparingLong((String[] e) -> Long.parseLong(e[2])).thenComparing(e -> e[1].equals("start")))
			.toList();
		Map<String, Integer> running = new HashMap<>();
		int most = 0;
		for (String[] e : events) {
			int now = running.merge(e[0], e[1].equals("start") ? 1 : -1, Integer::sum);
			assertThat(now).as("jobs of %s running at once", e[0]).isLessThanOrEqualTo(1);
			most = Math.max(most, running.values().stream().mapToInt(Integer::intValue).sum());
		}
		assertThat(most).as("customers side by side").isGreaterThanOrEqualTo(2);
	}

	@Test
	void aHostKilledMidRunHoldsItsKeysUntilItsLeasesExpireAndNoLimitIsExceeded() throws Exception {
		Path ledger = this.dir.resolve("ledger");
		this.q.commands(List.of("config", "set", "lease-timeout", "5s"), List.of("limit", "set", "customer:*", "--concurrency", "1"));
		StringBuilder jobs = new StringBuilder();
		for (int c = 0; c < 2; c++) {
			for (int i = 0; i < 2; i++) {
				jobs.append("{\"id\":\"k").append(c).append('-').append(i).append("\",\"limits\":[\"customer:").append(c)
					.append("\"],\"command\":\"echo c").append(c).append(" start $(date +%s%3N) $$ >> ").append(ledger)
					.append("; sleep 3; echo c").append(c).append(" end $(date +%s%3N) $$ >> ").append(ledger).append("\"}\n");
			}
		}
		Path file = this.dir.resolve("jobs.jsonl");
		Files.writeString(file, jobs);
		long killedAt;
		List<Queuectl.Worker> hosts = new ArrayList<>();
		try {
			hosts.add(this.q.worker("--no-http", "--count", "2"));
			hosts.add(this.q.worker("--no-http", "--count", "2"));
			await().atMost(Duration.ofMinutes(1)).until(() -> scalar("SELECT COUNT(*) FROM workers") == 2);
			this.q.ok("enqueue", "--file", file.toString());
			await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(ledger) && Files.readAllLines(ledger).size() == 2);
			long pid = scalar("SELECT w.pid FROM jobs j JOIN workers w ON w.id = j.worker_id WHERE j.state = 'processing' "
					+ "ORDER BY j.id LIMIT 1");
			Queuectl.Worker victim = hosts.stream().filter(h -> h.process().pid() == pid).findFirst().orElseThrow();
			victim.process().destroyForcibly(); // SIGKILL, mid-run: its jobs hold their customers' places
			victim.waitFor(Duration.ofSeconds(10));
			List<Long> pids = Files.readAllLines(ledger).stream().map(l -> Long.parseLong(l.split(" ")[3])).toList();
			await().atMost(Duration.ofSeconds(5)).until(() -> pids.stream().filter(Queuectl::gone).count() >= 1);
			killedAt = System.currentTimeMillis();
			await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE state = 'completed'") == 4);
		}
		finally {
			hosts.forEach(Queuectl.Worker::close);
		}
		long lost = scalar("SELECT COUNT(*) FROM job_runs WHERE outcome = 'lost'");
		assertThat(lost).as("the killed host's runs").isBetween(1L, 2L);
		Map<String, String> open = new HashMap<>(); // pid -> customer, started and never ended: the killed jobs
		List<String[]> events = new ArrayList<>(Files.readAllLines(ledger).stream().map(l -> l.split(" ")).toList());
		for (String[] e : events) {
			if (e[1].equals("start")) {
				open.put(e[3], e[0]);
			}
			else {
				open.remove(e[3]);
			}
		}
		assertThat((long) open.size()).isEqualTo(lost);
		for (Map.Entry<String, String> killed : open.entrySet()) { // they ended when they were gone
			events.add(new String[] { killed.getValue(), "end", Long.toString(killedAt), killed.getKey() });
		}
		events.sort(java.util.Comparator.comparingLong((String[] e) -> Long.parseLong(e[2])).thenComparing(e -> e[1].equals("start")));
		Map<String, Integer> running = new HashMap<>();
		for (String[] e : events) {
			int now = running.merge(e[0], e[1].equals("start") ? 1 : -1, Integer::sum);
			assertThat(now).as("jobs of %s running at once", e[0]).isLessThanOrEqualTo(1);
		}
		// a killed job's customer starts nothing until the killed host's lease expired (5 s after its last renewal)
		for (String customer : open.values()) {
			long next = events.stream().filter(e -> e[0].equals(customer) && e[1].equals("start"))
				.mapToLong(e -> Long.parseLong(e[2])).filter(t -> t > killedAt).min().orElseThrow();
			assertThat(next - killedAt).as("%s's next start after the kill, ms", customer).isGreaterThanOrEqualTo(2500);
		}
	}
}
