package dev.queuectl.worker;

import org.junit.jupiter.api.Tag;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.queuectl.PostgresTestDatabase;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Resources per host (issue 26) with real worker hosts on SQLite and on PostgreSQL. Each job writes
 * its start and its end (ns, one clock: one machine) to a ledger; the test reads the intervals and
 * checks that the host's offer and slots held at every instant: a host offering gpu=1 runs the gpu
 * jobs one at a time while a host without gpu runs none of them; a job of 3 slots on a 4-slot host
 * runs beside at most one job of one slot; a host killed (SIGKILL) while its job holds its gpu
 * loses no job, and the gpu is free again once the lease expires (the job reruns on another host).
 */
@Tag("postgresql")
class ResourcesIT {

	@TempDir
	Path dir;

	PostgresTestDatabase database;

	JdbcTemplate jdbc;

	Queuectl q;

	private final List<Queuectl.Worker> hosts = new ArrayList<>();

	private void open(String backend) throws Exception {
		if (backend.equals("postgresql")) {
			this.database = SchemaTemplates.postgres(); // migrated: a clone of the build's template
			this.jdbc = this.database.jdbc();
			this.q = Queuectl.postgres(this.dir, this.database.url());
		}
		else {
			this.q = new Queuectl(this.dir).copied();
			this.jdbc = new JdbcTemplate(new SingleConnectionDataSource("jdbc:sqlite:" + this.q.db, true));
		}
	}

	@AfterEach
	void close() throws Exception {
		this.hosts.removeIf(h -> !h.process().isAlive()); // a host a test killed
		if (!this.hosts.isEmpty()) {
			this.q.run("worker", "stop", "--timeout", "30"); // gracefully: their jobs end, none is left behind
			for (Queuectl.Worker h : this.hosts) {
				h.waitFor(Duration.ofSeconds(60));
			}
		}
		if (this.jdbc != null && this.jdbc.getDataSource() instanceof SingleConnectionDataSource s) {
			s.destroy();
		}
		if (this.database != null) {
			this.database.close();
		}
	}

	private Queuectl.Worker host(String... args) throws Exception {
		List<String> all = new ArrayList<>(List.of("--no-http"));
		all.addAll(List.of(args));
		Queuectl.Worker w = this.q.worker(all.toArray(String[]::new));
		this.hosts.add(w);
		return w;
	}

	private long scalar(String sql) {
		return this.jdbc.queryForObject(sql, Long.class);
	}

	/** A job that writes "S id ns" and "E id ns" around a sleep. */
	private String timed(String id, String sleep, Path ledger) {
		return "echo S " + id + " $(date +%s%N) >> " + ledger + "; sleep " + sleep + "; echo E " + id + " $(date +%s%N) >> "
				+ ledger;
	}

	/** A job's interval from the ledger: start and end, ns. */
	private record Run(String id, long start, long end) {
	}

	private static List<Run> runs(Path ledger) throws Exception {
		Map<String, long[]> byId = new HashMap<>();
		for (String line : Files.readAllLines(ledger)) {
			String[] w = line.trim().split(" ");
			long[] se = byId.computeIfAbsent(w[1], k -> new long[2]);
			se[w[0].equals("S") ? 0 : 1] = Long.parseLong(w[2]);
		}
		List<Run> runs = new ArrayList<>();
		byId.forEach((id, se) -> runs.add(new Run(id, se[0], se[1])));
		runs.sort((a, b) -> Long.compare(a.start(), b.start()));
		return runs;
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "sqlite", "postgresql" })
	void aHostOfferingOneGpuRunsGpuJobsOneAtATimeWhileAHostWithoutGpuRunsNone(String backend) throws Exception {
		open(backend);
		Path ledger = this.dir.resolve("gpu.ledger");
		host("--count", "4", "--resources", "gpu=1,mem=8G");
		host("--count", "4");
		await().atMost(Duration.ofMinutes(1)).until(() -> scalar("SELECT COUNT(*) FROM workers") == 2);
		String gpuHost = this.jdbc.queryForObject("SELECT id FROM workers WHERE resources IS NOT NULL", String.class);
		StringBuilder jobs = new StringBuilder();
		for (int i = 0; i < 6; i++) {
			jobs.append("{\"id\":\"g").append(i).append("\",\"resources\":{\"gpu\":1,\"mem\":\"2G\"},\"command\":\"")
				.append(timed("g" + i, "0.3", ledger)).append("\"}\n");
		}
		for (int i = 0; i < 8; i++) {
			jobs.append("{\"id\":\"p").append(i).append("\",\"command\":\"sleep 0.2\"}\n");
		}
		Path file = this.dir.resolve("jobs.jsonl");
		Files.writeString(file, jobs);
		this.q.ok("enqueue", "--file", file.toString());
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
			.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE state = 'completed'") == 14);
		assertThat(this.jdbc.queryForList("SELECT DISTINCT worker_id FROM job_runs WHERE job_id LIKE 'g%'", String.class))
			.as("every gpu job ran on the host that offers gpu").containsExactly(gpuHost);
		assertThat(scalar("SELECT COUNT(*) FROM job_runs WHERE job_id LIKE 'g%'")).as("each once").isEqualTo(6);
		assertThat(scalar("SELECT COUNT(DISTINCT worker_id) FROM job_runs WHERE job_id LIKE 'p%'"))
			.as("the host without gpu ran plain jobs meanwhile").isPositive();
		List<Run> gpuRuns = runs(ledger);
		assertThat(gpuRuns).hasSize(6);
		for (int i = 1; i < gpuRuns.size(); i++) {
			assertThat(gpuRuns.get(i).start()).as("%s starts after %s ended", gpuRuns.get(i).id(), gpuRuns.get(i - 1).id())
				.isGreaterThan(gpuRuns.get(i - 1).end());
		}
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "sqlite", "postgresql" })
	void aJobOfThreeSlotsOnAFourSlotHostRunsBesideAtMostOneJobOfOneSlot(String backend) throws Exception {
		open(backend);
		Path ledger = this.dir.resolve("slots.ledger");
		StringBuilder jobs = new StringBuilder();
		jobs.append("{\"id\":\"big\",\"slots\":3,\"priority\":5,\"command\":\"").append(timed("big", "1.5", ledger)).append("\"}\n");
		for (int i = 0; i < 12; i++) {
			jobs.append("{\"id\":\"p").append(i).append("\",\"command\":\"").append(timed("p" + i, "0.3", ledger)).append("\"}\n");
		}
		Path file = this.dir.resolve("jobs.jsonl");
		Files.writeString(file, jobs);
		this.q.ok("enqueue", "--file", file.toString());
		host("--count", "4");
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
			.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE state = 'completed'") == 13);
		List<Run> all = runs(ledger);
		assertThat(all).hasSize(13);
		Run big = all.stream().filter(r -> r.id().equals("big")).findFirst().orElseThrow();
		// sweep every start and end: slots in use never above 4, and one-slot jobs beside big never above 1
		List<long[]> events = new ArrayList<>(); // time, +/- slots, +/- one-slot jobs while big runs
		for (Run r : all) {
			int slots = r == big ? 3 : 1;
			events.add(new long[] { r.start(), slots });
			events.add(new long[] { r.end(), -slots });
		}
		events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1])); // ends first
		int used = 0;
		int most = 0;
		for (long[] e : events) {
			used += (int) e[1];
			most = Math.max(most, used);
		}
		assertThat(most).as("slots in use at once").isLessThanOrEqualTo(4);
		// one-slot jobs beside big: the most running at once is reached at one of their starts within big's run
		int beside = 0;
		for (Run r : all) {
			if (r != big && r.start() < big.end() && r.end() > big.start()) {
				long t = Math.max(r.start(), big.start());
				long atOnce = all.stream().filter(o -> o != big && o.start() <= t && o.end() > t).count();
				assertThat(atOnce).as("one-slot jobs running beside big when %s ran", r.id()).isLessThanOrEqualTo(1);
				beside++;
			}
		}
		assertThat(beside).as("one-slot jobs ran beside big, one at a time").isGreaterThanOrEqualTo(2);
		long plainMost = 0;
		for (Run r : all) {
			if (r != big && (r.start() >= big.end() || r.end() <= big.start())) {
				plainMost = Math.max(plainMost, all.stream().filter(o -> o != big && o.start() <= r.start() && o.end() > r.start()).count());
			}
		}
		assertThat(plainMost).as("without big, the host runs up to 4 at once").isGreaterThan(1).isLessThanOrEqualTo(4);
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "sqlite", "postgresql" })
	void aHostKilledWhileItsJobHoldsTheGpuLosesNoJobAndTheJobRerunsElsewhereOnceTheLeaseExpires(String backend)
			throws Exception {
		open(backend);
		this.q.ok("config", "set", "lease-timeout", "5s");
		Queuectl.Worker first = host("--count", "2", "--resources", "gpu=1");
		await().atMost(Duration.ofMinutes(1)).until(() -> scalar("SELECT COUNT(*) FROM workers") == 1);
		String victimId = this.jdbc.queryForObject("SELECT id FROM workers", String.class);
		StringBuilder jobs = new StringBuilder();
		for (int i = 0; i < 4; i++) {
			jobs.append("{\"id\":\"g").append(i).append("\",\"resources\":{\"gpu\":1},\"command\":\"sleep 2\"}\n");
		}
		Path file = this.dir.resolve("jobs.jsonl");
		Files.writeString(file, jobs);
		this.q.ok("enqueue", "--file", file.toString());
		await().atMost(Duration.ofSeconds(30)).until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE state = 'processing'") == 1);
		String held = this.jdbc.queryForObject("SELECT id FROM jobs WHERE state = 'processing'", String.class);
		first.process().destroyForcibly(); // SIGKILL while its job holds the host's one gpu
		first.waitFor(Duration.ofSeconds(10));
		host("--count", "2", "--resources", "gpu=1"); // a new host offering the same
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
			.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE state = 'completed'") == 4);
		assertThat(scalar("SELECT COUNT(*) FROM jobs")).as("no job lost or added").isEqualTo(4);
		assertThat(this.jdbc.queryForList("SELECT outcome FROM job_runs WHERE job_id = ? ORDER BY attempt", String.class, held))
			.as("the killed host's run, then the rerun").containsExactly("lost", "completed");
		assertThat(scalar("SELECT COUNT(*) FROM job_runs WHERE outcome = 'completed'")).as("each job completed once").isEqualTo(4);
		List<Map<String, Object>> runs = this.jdbc.queryForList("SELECT job_id, started_at, finished_at FROM job_runs "
				+ "WHERE outcome = 'completed' AND worker_id <> ? ORDER BY started_at", victimId);
		assertThat(runs).as("the new host ran the killed host's job and the rest").extracting(r -> r.get("job_id"))
			.contains(held).hasSize(4 - (int) scalar("SELECT COUNT(*) FROM job_runs WHERE outcome = 'completed' AND worker_id = '"
					+ victimId + "'"));
		for (int i = 1; i < runs.size(); i++) { // its one gpu: one job at a time, the rerun's gpu given back too
			assertThat(((Number) runs.get(i).get("started_at")).longValue())
				.as("%s starts after %s ended", runs.get(i).get("job_id"), runs.get(i - 1).get("job_id"))
				.isGreaterThanOrEqualTo(((Number) runs.get(i - 1).get("finished_at")).longValue());
		}
	}
}
