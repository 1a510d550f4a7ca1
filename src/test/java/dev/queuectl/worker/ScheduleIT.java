package dev.queuectl.worker;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Schedules fired by real worker hosts (processes) sharing one SQLite file. */
class ScheduleIT {

	private static final DateTimeFormatter TICK = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

	@TempDir
	Path dir;

	Queuectl q;

	@BeforeEach
	void setUp() {
		this.q = new Queuectl(this.dir);
	}

	@Test
	void threeHostsEnqueueOneJobPerTickAndARestartDoesNotDoubleATick() throws Exception {
		this.q.ok("schedule", "add", "s", "--every", "2s", "{\"command\":\"true\"}");
		List<Queuectl.Worker> hosts = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				hosts.add(this.q.worker("--no-http"));
			}
			await().atMost(Duration.ofSeconds(120)).until(() -> count() >= 6);
			// a host dies without a word, another starts: ticks go on, none twice
			hosts.get(0).process().destroyForcibly().waitFor();
			hosts.add(this.q.worker("--no-http"));
			long before = count();
			await().atMost(Duration.ofSeconds(120)).until(() -> count() >= before + 6);
		}
		finally {
			hosts.forEach(Queuectl.Worker::close);
		}
		List<Instant> ticks = new ArrayList<>();
		for (String id : ids()) {
			ticks.add(LocalDateTime.parse(id.substring(2), TICK).toInstant(ZoneOffset.UTC));
		}
		assertThat(ticks).hasSizeGreaterThanOrEqualTo(12).doesNotHaveDuplicates();
		int gaps = 0;
		for (int i = 1; i < ticks.size(); i++) {
			long apart = Duration.between(ticks.get(i - 1), ticks.get(i)).toSeconds();
			assertThat(apart).as("ticks %s and %s", ticks.get(i - 1), ticks.get(i)).isIn(2L, 4L);
			gaps += apart == 4 ? 1 : 0;
		}
		assertThat(gaps).as("ticks missed (a loaded machine may miss one now and then)").isLessThanOrEqualTo(2);
		String logs = String.join("", hosts.stream().map(Queuectl.Worker::logText).toList());
		long enqueuedLines = logs.lines().filter(l -> l.contains("schedule s: tick ") && l.contains(" enqueued ")).count();
		assertThat(enqueuedLines).as("one host enqueued each tick, once").isEqualTo(ticks.size());
		assertThat(scalar("SELECT COUNT(*) FROM jobs")).isEqualTo(ticks.size());
	}

	@Test
	void noOverlapSkipsTicksWhileThePreviousRunIsUnfinished() throws Exception {
		this.q.ok("schedule", "add", "o", "--every", "1s", "--no-overlap", "{\"command\":\"sleep 3\"}");
		try (Queuectl.Worker a = this.q.worker("--no-http", "--count", "2");
				Queuectl.Worker b = this.q.worker("--no-http", "--count", "2")) {
			await().atMost(Duration.ofSeconds(120))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE state = 'completed'") >= 3);
			assertThat(a.logText() + b.logText()).contains("skipped: the previous run o:", "(--no-overlap)");
		}
		// no two runs at once: each started after the one before had finished
		List<long[]> runs = new ArrayList<>();
		try (Connection c = connect();
				ResultSet rs = c.createStatement()
					.executeQuery("SELECT started_at, COALESCE(finished_at, 9e18) FROM job_runs ORDER BY started_at")) {
			while (rs.next()) {
				runs.add(new long[] { rs.getLong(1), rs.getLong(2) });
			}
		}
		assertThat(runs).hasSizeGreaterThanOrEqualTo(3);
		for (int i = 1; i < runs.size(); i++) {
			assertThat(runs.get(i)[0]).as("run %d starts after run %d finished", i, i - 1)
				.isGreaterThanOrEqualTo(runs.get(i - 1)[1]);
		}
		assertThat(scalar("SELECT skipped FROM schedules WHERE name = 'o'")).isPositive();
	}

	@Test
	void ticksMissedWhileNoHostRanAreCaughtUpAsEachScheduleSays() throws Exception {
		for (String policy : List.of("all", "latest", "none")) {
			this.q.ok("schedule", "add", "c" + policy, "--every", "10s", "--catch-up", policy, "{\"command\":\"true\"}");
		}
		// as if no host had run for the last 10 minutes: 60 ticks of each schedule are due
		long first;
		try (Connection c = connect()) {
			c.createStatement().executeUpdate("UPDATE schedules SET next_fire_at = next_fire_at - 600000");
			ResultSet rs = c.createStatement().executeQuery("SELECT next_fire_at FROM schedules WHERE name = 'call'");
			rs.next();
			first = rs.getLong(1);
		}
		long started = System.currentTimeMillis();
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			await().atMost(Duration.ofSeconds(120)).until(() -> scalar(
					"SELECT COUNT(*) FROM schedules WHERE next_fire_at > " + started) == 3);
		}
		List<Instant> all = ticks("call", started);
		assertThat(all).hasSizeGreaterThanOrEqualTo(59).first().isEqualTo(Instant.ofEpochMilli(first));
		for (int i = 1; i < all.size(); i++) {
			assertThat(Duration.between(all.get(i - 1), all.get(i))).isEqualTo(Duration.ofSeconds(10));
		}
		// latest: of the 60 only the newest, which is less than 10 s old; none: no tick that is more than a
		// minute late (here the newest is not, so it too fires it; the in-process tests tell them apart)
		for (String name : List.of("clatest", "cnone")) {
			List<Instant> fired = ticks(name, started);
			assertThat(fired).as(name + ": at most the newest missed tick").hasSizeLessThanOrEqualTo(1);
			fired.forEach(t -> assertThat(t).isAfter(Instant.ofEpochMilli(started - 10_001)));
			assertThat(scalar("SELECT skipped FROM schedules WHERE name = '" + name + "'")).isGreaterThanOrEqualTo(58);
		}
	}

	/** The ticks of a schedule's jobs before {@code before} (ms), in order. */
	private List<Instant> ticks(String name, long before) throws SQLException {
		List<Instant> ticks = new ArrayList<>();
		for (String id : ids()) {
			if (id.startsWith(name + ":")) {
				Instant tick = LocalDateTime.parse(id.substring(name.length() + 1), TICK).toInstant(ZoneOffset.UTC);
				if (tick.toEpochMilli() < before) {
					ticks.add(tick);
				}
			}
		}
		return ticks;
	}

	private long count() throws SQLException {
		return scalar("SELECT COUNT(*) FROM jobs");
	}

	private List<String> ids() throws SQLException {
		List<String> ids = new ArrayList<>();
		try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery("SELECT id FROM jobs ORDER BY id")) {
			while (rs.next()) {
				ids.add(rs.getString(1));
			}
		}
		return ids;
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
