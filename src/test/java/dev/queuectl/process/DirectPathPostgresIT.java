package dev.queuectl.process;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.queuectl.PostgresTestDatabase;
import dev.queuectl.process.Cli.Result;
import dev.queuectl.worker.SchemaTemplates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 30 on PostgreSQL: {@link DirectPathIT}'s comparison where the database is a server. The
 * native client answers the first command with nothing serving through libpq
 * (src/main/c/client-db.c); each line runs with {@code QUEUECTL_DIRECT=only} on one database and
 * {@code off} (the JVM, mostly as a resident command server) on a second made alike (a clone of
 * the first), and stdout, stderr and exit code must be byte-identical, the stored rows equal but
 * for id and times, and an enqueue must wake the hosts listening (NOTIFY) as the JVM's does. What
 * the server measures of itself (the database's and the output table's sizes) is compared as a
 * number present, not byte for byte: two databases' files grow apart with the server's own upkeep.
 */
@Tag("postgresql")
@Timeout(600)
class DirectPathPostgresIT {

	@TempDir
	Path tmp;

	private final List<PostgresTestDatabase> databases = new ArrayList<>();

	@AfterEach
	void nothingIsLeftBehind() {
		Cli.stopServersUnder(this.tmp, Duration.ofSeconds(60));
		this.databases.forEach(PostgresTestDatabase::close);
	}

	private Cli on(PostgresTestDatabase database, String direct) {
		return new Cli(this.tmp).env("QUEUECTL_DB", database.url()).env("QUEUECTL_DIRECT", direct);
	}

	private PostgresTestDatabase migrated() {
		PostgresTestDatabase database = SchemaTemplates.postgres();
		this.databases.add(database);
		return database;
	}

	@Test
	void anEnqueueAnsweredFromPostgresIsTheJvmsByteForByteStoresTheSameRowAndWakesTheHosts() throws Exception {
		PostgresTestDatabase a = migrated();
		PostgresTestDatabase b = migrated();
		Cli[] q = { on(a, "only"), on(b, "off") };
		serving(q[1]);
		List<List<String>> lines = List.of(List.of("enqueue", "{\"command\":\"true\"}"),
				List.of("enqueue", "{\"id\":\"j1\",\"command\":\"echo a b --json\"}"),
				List.of("enqueue", "{\"id\":\"j2\",\"command\":\"make\",\"queue\":\"q:2.x-y\",\"priority\":-2147483648,\"max_retries\":0}", "--json"),
				List.of("enqueue", "--json", "{\"command\":\"\u00e9t\u00e9 \u4e2d\u6587\",\"priority\":2147483647,\"max_retries\":100}"),
				List.of("enqueue", "{\"id\":\"u1\",\"command\":\"nightly\",\"unique_key\":\"backup: nightly\"}"),
				List.of("enqueue", "{\"id\":\"d1\",\"command\":\"later\",\"delay\":\"5m\",\"timeout\":\"1h\"}"),
				List.of("enqueue", "{\"id\":\"t1\",\"command\":\"tagged\",\"tags\":[\"customer:42\",\"nightly\"]}", "--tag", "nightly,x"),
				List.of("enqueue", "{\"id\":\"v1\",\"command\":\"vars\",\"env\":{\"Z\":\"a \\\"b\\\"\",\"A\":\"\"}}"));
		try (Connection listener = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + a.name(), "postgres", "");
				Statement s = listener.createStatement()) {
			s.execute("LISTEN queuectl_jobs");
			for (List<String> line : lines) {
				same(q, line);
			}
			PGNotification[] woken = listener.unwrap(PGConnection.class).getNotifications(10_000);
			assertThat(woken).as("a host listening on the database is woken by the direct enqueue").isNotNull().isNotEmpty();
			assertThat(woken[0].getParameter()).isEqualTo("jobs");
		}
		for (Cli cli : q) {
			Result set = new Cli(this.tmp).env("QUEUECTL_DB", cli == q[0] ? a.url() : b.url()).env("QUEUECTL_DIRECT", "off")
				.runRaw("config", "set", "max-retries", "7");
			assertThat(set.exit()).as(set.toString()).isZero();
		}
		same(q, List.of("enqueue", "{\"id\":\"j4\",\"command\":\"seven\"}"));
		assertThat(rows(a)).isEqualTo(rows(b)).hasSize(9);
		assertThat(rows(a).get("v1")).containsEntry("env", "{\"A\":\"\",\"Z\":\"a \\\"b\\\"\"}");
		assertThat(rows(a).get("t1")).containsEntry("tags", "[\"customer:42\",\"nightly\",\"x\"]");
		String index = "SELECT tag || ' ' || job_id FROM job_tags ORDER BY job_id, tag";
		assertThat(a.jdbc().queryForList(index, String.class)).as("job_tags, the index of list --tag")
			.isEqualTo(b.jdbc().queryForList(index, String.class)).containsExactly("customer:42 t1", "nightly t1", "x t1");
		assertThat(rows(a).get("d1")).containsEntry("timeout_ms", "3600000");
		assertThat(a.jdbc().queryForObject("SELECT run_at - created_at FROM jobs WHERE id = 'd1'", Long.class))
			.as("the delay on the server's clock, as Dialect.dueAt").isBetween(300_000L - 1_000, 300_000L + 1_000);
		assertThat(rows(a).get("u1")).containsEntry("unique_key", "backup: nightly");
		assertThat(rows(a).get("j1")).containsEntry("unique_key", null);
		assertThat(rows(a).get("j4")).containsEntry("max_retries", "7");
		assertThat(rows(a).get("j2")).containsEntry("queue", "q:2.x-y").containsEntry("priority", "-2147483648");
		assertThat(a.jdbc().queryForObject("SELECT run_at - created_at FROM jobs WHERE id = 'j1'", Long.class))
			.as("run_at on the server's clock, as the JVM's Dialect.dueAt: this machine's clock is the server's")
			.isBetween(-1_000L, 1_000L);
		String counted = "SELECT queue || '/' || state || '=' || SUM(n) FROM job_counts GROUP BY queue, state ORDER BY 1";
		assertThat(a.jdbc().queryForList(counted, String.class)).as("job_counts, kept by the insert trigger")
			.isEqualTo(b.jdbc().queryForList(counted, String.class))
			.contains("default/pending=8", "q:2.x-y/pending=1");
		Result taken = q[0].runRaw("enqueue", "{\"id\":\"j1\",\"command\":\"again\"}");
		assertThat(taken.exit()).as("a taken id: the JVM's words, " + taken).isEqualTo(125);
		Result held = q[0].runRaw("enqueue", "{\"id\":\"u2\",\"command\":\"again\",\"unique_key\":\"backup: nightly\"}");
		assertThat(held.exit()).as("a held unique key: the JVM names its holder, " + held).isEqualTo(125);
		assertThat(rows(a)).hasSize(9);
	}

	@Test
	void statusListAndShowAnsweredFromPostgresAreTheJvmsByteForByteAfterARealWorkerHostRan() throws Exception {
		PostgresTestDatabase a = migrated();
		Cli made = on(a, "off");
		runServed(made, List.of(List.of("enqueue", "{\"id\":\"ok\",\"command\":\"printf 'a\\\\n\\\\nb  \\\\n'\"}"),
				List.of("enqueue", "{\"id\":\"bad\",\"command\":\"echo out; echo err >&2; exit 3\",\"max_retries\":0}")));
		Cli.Started host = made.start(null, List.of("worker", "start", "--no-http"));
		try {
			org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120))
				.until(() -> made.runRaw("list", "--state", "completed,dead").out().contains("bad"));
			Result stop = made.runRaw("worker", "stop");
			assertThat(stop.exit()).as(stop.toString()).isZero();
			assertThat(host.await().exit()).isZero();
		}
		finally {
			host.process().destroyForcibly();
		}
		runServed(made, List.of(List.of("enqueue", "{\"id\":\"fresh\",\"command\":\"echo   new\",\"queue\":\"q2\",\"priority\":-2}"),
				List.of("enqueue", "{\"id\":\"gone\",\"command\":\"true\"}"), List.of("cancel", "gone"),
				List.of("enqueue", "{\"id\":\"later\",\"command\":\"true\",\"delay\":\"14430m\"}"),
				List.of("enqueue", "{\"id\":\"held\",\"command\":\"true\",\"queue\":\"stopped\"}"), List.of("queue", "pause", "stopped"),
				List.of("enqueue", "{\"id\":\"rich\",\"command\":\"true\",\"queue\":\"q2\",\"tags\":[\"z\",\"customer:42\"],\"timeout\":\"90m\","
						+ "\"unique_key\":\"one a day\",\"env\":{\"B\":\"tab\\there\",\"A\":\"1\"}}")));
		PostgresTestDatabase b = PostgresTestDatabase.cloneOf(a.name()); // nothing is connected to a now
		this.databases.add(b);
		Cli[] q = { on(a, "only"), on(b, "off") };
		// status first, in a JVM of its own (a serving server's status names it); the rest served
		List<List<String>> lines = List.of(List.of("status"), List.of("status", "--json"), List.of("list"),
				List.of("list", "--state", "pending"), List.of("list", "-s", "pending,canceled", "--queue", "default,q2"),
				List.of("list", "--limit", "2"), List.of("show", "ok"), List.of("show", "bad"), List.of("show", "fresh"),
				List.of("show", "gone"), List.of("list", "--json"), List.of("list", "--json", "-n", "1"), List.of("show", "bad", "--json"),
				List.of("show", "--json", "fresh"), List.of("show", "rich"), List.of("show", "rich", "--json"),
				List.of("list", "--tag", "z"), List.of("list", "--json", "--tag", "customer:42,z"), List.of("list", "--tag", "nosuch"));
		for (List<String> line : lines) {
			if (line.equals(List.of("list"))) {
				serving(q[1]);
			}
			Result direct = q[0].runRaw(line.toArray(String[]::new));
			Result jvm = q[1].runRaw(line.toArray(String[]::new));
			assertThat(direct.exit()).as("direct %s against the JVM's %s", direct, jvm).isEqualTo(jvm.exit()).isZero();
			assertThat(serverSizes(direct.out())).as(direct.toString()).isEqualTo(serverSizes(jvm.out()));
			assertThat(direct.err()).as(direct.toString()).isEqualTo(jvm.err());
		}
		assertThat(q[0].runRaw("status").out()).contains("pending     4", "completed   1", "dead        1", "canceled    1",
				"due now 3; later 1", "paused queues: stopped").containsPattern("database [0-9.]+ [KMG]iB \\(0 B of it free");
		assertThat(q[0].runRaw("list").out()).contains("paused", "in 10d00h", "canceled");
		assertThat(q[0].runRaw("list", "--limit", "2").err()).startsWith("2 of 7 shown; next: queuectl list --limit 2 --after ");
		assertThat(q[0].runRaw("show", "ok").out()).contains("state                completed\n", "\n  a\n  \n  b  \n");
		assertThat(q[0].runRaw("show", "bad").out()).contains("last_error           exit code 3\n", "  out\n  err\n");
		assertThat(q[0].runRaw("show", "rich").out()).contains("timeout              90m\n", "tags                 z, customer:42\n",
				"env                  A B\n");
		for (List<String> line : List.of(List.of("show", "nosuch"), List.of("show", "held"), List.of("show", "later"),
				List.of("show", "later", "--json"), List.of("status", "--hosts"))) {
			Result only = q[0].runRaw(line.toArray(String[]::new));
			assertThat(only.exit()).as(only.toString()).isEqualTo(125);
			assertThat(only.out() + only.err()).as(only.toString()).isEmpty();
		}
	}

	@Test
	void statusWithAWorkerHostOnAnotherMachineIsTheJvmsByteForByte() throws Exception {
		PostgresTestDatabase a = migrated();
		Cli direct = on(a, "only");
		Cli jvm = on(a, "off");
		// another machine: a data folder of its own, so its host's socket is not this one's
		Cli other = new Cli(java.nio.file.Files.createDirectories(this.tmp.resolve("other"))).env("QUEUECTL_DB", a.url())
			.env("QUEUECTL_DIRECT", "off");
		assertThat(other.runRaw("enqueue", "{\"id\":\"long\",\"command\":\"sleep 600\"}").exit()).isZero();
		Cli.Started host = other.start(null, List.of("worker", "start", "--no-http", "--count", "2"));
		try {
			org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120))
				.until(() -> direct.runRaw("status").out().contains("processing  1"));
			sameStatus(direct, jvm);
			assertThat(direct.runRaw("status").out()).containsPattern("\nWORKER +PID +BUSY +QUEUES +HTTP +STATE +RESOURCES +RUNNING\n")
				.containsPattern(" 1/2 +all +- +running +- +long\n");
			assertThat(direct.runRaw("status", "--json").out()).contains("\"running\" : [ \"long\" ],\n    \"resources\" : { }\n  } ]");
			// a host name JSON must escape: written as Jackson writes it
			try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + a.name(), "postgres", "")) {
				c.createStatement().executeUpdate("UPDATE workers SET hostname = 'build \"7\" \\ box'");
			}
			sameStatus(direct, jvm);
			assertThat(direct.runRaw("status", "--json").out()).contains("\"hostname\" : \"build \\\"7\\\" \\\\ box\",");
			assertThat(jvm.runRaw("cancel", "long").exit()).isZero();
			Result stop = other.runRaw("worker", "stop");
			assertThat(stop.exit()).as(stop.toString()).isZero();
			assertThat(host.await().exit()).isZero();
		}
		finally {
			host.process().destroyForcibly();
		}
		Result gone = direct.runRaw("status");
		assertThat(gone.exit()).as(gone.toString()).isZero();
		assertThat(gone.out()).endsWith("\nno worker hosts running\n");
	}

	/** status and status --json through both paths: the same answer, each host's heartbeat aside. */
	private static void sameStatus(Cli direct, Cli jvm) {
		for (List<String> line : List.of(List.of("status"), List.of("status", "--json"))) {
			Result d = direct.runRaw(line.toArray(String[]::new));
			Result j = jvm.runRaw(line.toArray(String[]::new));
			assertThat(d.exit()).as("direct %s against the JVM's %s", d, j).isEqualTo(j.exit()).isZero();
			assertThat(heartbeats(serverSizes(d.out()))).as(d.toString()).isEqualTo(heartbeats(serverSizes(j.out())));
			assertThat(d.err()).isEqualTo(j.err()).isEmpty();
		}
	}

	/** The output with each host's heartbeat as HEARTBEAT: it beats between the two runs. */
	private static String heartbeats(String out) {
		return out.replaceAll("\"heartbeat_at\" : \"[^\"]*\"", "\"heartbeat_at\" : HEARTBEAT");
	}

	@Test
	void aUrlOrVariableTheJvmsDriverWouldReadOtherwiseIsLeftToTheJvm() throws Exception {
		PostgresTestDatabase a = migrated();
		String line = "{\"command\":\"true\"}";
		Cli cli = on(a, "only");
		assertThat(cli.runRaw("enqueue", line).exit()).as("the plain URL: answered").isZero();
		for (String url : List.of(a.url() + "?sslmode=disable", "postgresql://postgres@[::1]:5432/" + a.name(),
				"postgresql://postgres@127.0.0.1:5432,127.0.0.1:5432/" + a.name())) {
			Result r = on(a, "only").env("QUEUECTL_DB", url).runRaw("enqueue", line);
			assertThat(r.exit()).as(url + ": " + r).isEqualTo(125);
		}
		Result variable = on(a, "only").env("PGSSLMODE", "disable").runRaw("enqueue", line);
		assertThat(variable.exit()).as("a libpq variable pgjdbc ignores: " + variable).isEqualTo(125);
		Result refused = on(a, "only").env("QUEUECTL_DB", "postgresql://nosuchuser@127.0.0.1:5432/" + a.name()).runRaw("enqueue", line);
		assertThat(refused.exit()).as("a login the server refuses: the JVM's words, " + refused).isEqualTo(125);
		assertThat(refused.out() + refused.err()).isEmpty();
		Result other = on(a, "only").env("QUEUECTL_DB", "jdbc:postgresql://127.0.0.1/" + a.name() + "?user=postgres")
			.runRaw("enqueue", "{\"id\":\"jdbc\",\"command\":\"true\"}");
		assertThat(other.exit()).as("pgjdbc's spelling of the same database: " + other).isZero();
		assertThat(rows(a)).containsKey("jdbc").hasSize(2);
	}

	/** A resident server for the Cli's database (DirectPathIT.serving): the JVM's answers, without a JVM start each. */
	private static Cli.Started serving(Cli cli) {
		return DirectPathIT.serving(cli, List.of("server", "run"));
	}

	/** Runs each line, which must succeed, through a server of the database's own, stopped after them. */
	private static void runServed(Cli cli, List<List<String>> lines) {
		DirectPathIT.runServed(cli, List.of("server", "run"), cli::runRaw, lines);
	}

	/** Runs the line on both: the same stdout (a generated id aside), stderr and exit code. */
	private static void same(Cli[] q, List<String> line) {
		Result direct = q[0].runRaw(line.toArray(String[]::new));
		Result jvm = q[1].runRaw(line.toArray(String[]::new));
		assertThat(direct.exit()).as("direct %s against the JVM's %s", direct, jvm).isEqualTo(jvm.exit()).isZero();
		assertThat(direct.err()).as(direct.toString()).isEqualTo(jvm.err()).isEmpty();
		assertThat(direct.out().replaceAll(DirectPathIT.NEW_ID, "ID")).as(direct.toString()).isEqualTo(jvm.out().replaceAll(DirectPathIT.NEW_ID, "ID"));
	}

	/** The output with the server's own sizes (database, output table) as SIZE: what two databases' upkeep makes differ. */
	private static String serverSizes(String out) {
		return out.replaceAll("(database|output) [0-9.]+ (B|KiB|MiB|GiB)", "$1 SIZE")
			.replaceAll("\"(database_bytes|output_bytes)\" : [1-9][0-9]*", "\"$1\" : SIZE");
	}

	/** Every job's columns but the times, by id (DirectPathIT.rows). */
	private static Map<String, Map<String, String>> rows(PostgresTestDatabase database) throws Exception {
		try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + database.name(), "postgres", "")) {
			return DirectPathIT.rows(c);
		}
	}
}
