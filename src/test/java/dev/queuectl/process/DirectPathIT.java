package dev.queuectl.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.queuectl.process.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 30: the first command with nothing serving its database answered by the native client from
 * the SQLite file itself (src/main/c/client-direct.c), through bin/queuectl as a real process. Each
 * command line runs twice on two queues made alike by the JVM: with {@code QUEUECTL_DIRECT=only}
 * (answered there or exit 125, never by a JVM: a decline fails the comparison) and with
 * {@code QUEUECTL_DIRECT=off} (the JVM's answer: mostly a resident command server's, which answers
 * as a one-shot JVM does without a JVM start a line); stdout, stderr and exit code must be
 * byte-identical (a generated id stands for itself in both) and the stored rows equal in every
 * column but id and times. Lines the direct path must not answer exit 125 with {@code only} and print nothing, and
 * without the variable get the JVM's own answer.
 */
@Timeout(600)
class DirectPathIT {

	@TempDir
	Path tmp;

	@AfterEach
	void noCommandServerIsLeftBehind() {
		Cli.stopServersUnder(this.tmp, Duration.ofSeconds(60));
	}

	/**
	 * Two queues alike (a/q.db, b/q.db), each with job "seed": made by the JVM in a, then copied to
	 * b. [0] for the direct path, [1] for the JVM's.
	 */
	private Cli[] twoQueues() throws java.io.IOException {
		Files.createDirectories(this.tmp.resolve("a"));
		Files.createDirectories(this.tmp.resolve("b"));
		// one working folder: the jobs' working_dir alike
		Cli direct = new Cli(this.tmp, this.tmp.resolve("a").resolve("q.db")).env("QUEUECTL_DIRECT", "only");
		Cli jvm = new Cli(this.tmp, this.tmp.resolve("b").resolve("q.db")).env("QUEUECTL_DIRECT", "off");
		Result seeded = new Cli(direct.home(), direct.db()).env("QUEUECTL_DIRECT", "off")
			.run("enqueue", "{\"id\":\"seed\",\"command\":\"true\"}");
		assertThat(seeded.exit()).as(seeded.toString()).isZero();
		copyQueue(direct.db(), jvm.db());
		return new Cli[] { direct, jvm };
	}

	/** The queue's files copied over another's: nothing may have either open. */
	private static void copyQueue(Path from, Path to) throws java.io.IOException {
		for (String file : List.of("q.db", "q.db-wal", "q.db-shm")) {
			Files.deleteIfExists(to.resolveSibling(file));
			if (!file.endsWith("-shm") && Files.exists(from.resolveSibling(file))) {
				Files.copy(from.resolveSibling(file), to.resolveSibling(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
			}
		}
	}

	/**
	 * A resident command server (`server run`) for the queue from now on: its commands are the JVM's
	 * answers (byte for byte a one-shot JVM's: LauncherServedIT), each without a JVM start of its own.
	 * Stopped after the test, or by {@link #stopServing}.
	 */
	private static Cli.Started serving(Cli cli) {
		return serving(cli, cli.withDb("server", "run"));
	}

	/** As above, the server started by these words (`server run`, the queue named as the caller names it). */
	static Cli.Started serving(Cli cli, List<String> serverRun) {
		Cli.Started server = cli.start(null, serverRun);
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
			assertThat(server.process().isAlive()).as(() -> "the server ended: " + read(server.err())).isTrue();
			return read(server.err()).contains("command server serving");
		});
		return server;
	}

	/** Stops a server {@link #serving} started and waits for its end: its queue is closed. */
	private static void stopServing(Cli.Started server) {
		server.process().destroy();
		assertThat(server.await().exit()).as("the server's exit").isIn(0, 143);
	}

	private static String read(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file) : "";
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	/** A generated id (JobSpecParser.newId): the time in base 36, a dash, 12 hex digits. */
	static final String NEW_ID = "[0-9a-z]+-[0-9a-f]{12}";

	@Test
	void anEnqueueAnsweredFromTheDatabaseIsTheJvmsByteForByteAndStoresTheSameRow() throws Exception {
		Cli[] q = twoQueues();
		serving(q[1]);
		List<List<String>> lines = List.of(List.of("enqueue", "{\"command\":\"true\"}"),
				List.of("enqueue", "{\"id\":\"j1\",\"command\":\"echo a b --json\"}"),
				List.of("enqueue", "{\"id\":\"j2\",\"command\":\"make\",\"queue\":\"q:2.x-y\",\"priority\":-2147483648,\"max_retries\":0}", "--json"),
				List.of("enqueue", "--json", "{\"command\":\"\u00e9t\u00e9 \u4e2d\u6587\",\"priority\":2147483647,\"max_retries\":100}"),
				List.of("enqueue", "{\"command\":\"tab\\there \\\"quoted\\\" \\\\ \\/ \\n\"}"),
				List.of("enqueue", "{ \"command\" : \"spaced\" ,\n\"id\" : \"j3\" } "),
				List.of("enqueue", "{\"id\":\"u1\",\"command\":\"nightly\",\"unique_key\":\"backup: nightly ~2026\"}"),
				List.of("enqueue", "{\"unique_key\":\"" + "k".repeat(256) + "\",\"command\":\"longest key\"}", "--json"),
				List.of("enqueue", "{\"id\":\"d1\",\"command\":\"later\",\"queue\":\"later\",\"delay\":\"5m\",\"timeout\":30}"),
				List.of("enqueue", "{\"id\":\"d2\",\"command\":\"soon\",\"queue\":\"later\",\"delay\":0,\"timeout\":\"1500ms\"}", "--json"),
				List.of("enqueue", "{\"id\":\"t1\",\"command\":\"tagged\",\"queue\":\"tagged\",\"tags\":[\"customer:42\",\"nightly\",\"customer:42\"]}"),
				List.of("enqueue", "--tag", "b.2,a_1", "{\"id\":\"t2\",\"command\":\"tagged\",\"queue\":\"tagged\",\"tags\":[]}", "--tag=a_1", "--tag", "--json"),
				List.of("enqueue", "{\"id\":\"v1\",\"command\":\"vars\",\"queue\":\"tagged\",\"env\":{\"Z\":\"x \\\"q\\\" \\\\ /\",\"A_1\":\"\",\"_b\":\"1\"}}"),
				List.of("enqueue", "{\"id\":\"v2\",\"command\":\"no vars\",\"env\":{ }}", "--json"),
				List.of("enqueue", "{\"id\":\"t3\",\"command\":\"tagged\",\"queue\":\"tagged\",\"tags\":[" + "\"t\",".repeat(15) + "\"u\"]}", "--tag", "u,t"));
		for (List<String> line : lines) {
			same(q, line);
		}
		// a key a live job holds: the direct path stores nothing and leaves it to the JVM, which names the holder
		List<String> held = List.of("enqueue", "{\"id\":\"u2\",\"command\":\"again\",\"unique_key\":\"backup: nightly ~2026\"}");
		Result declined = q[0].run(held.toArray(String[]::new));
		assertThat(declined.exit()).as(declined.toString()).isEqualTo(125);
		assertThat(declined.out() + declined.err()).isEmpty();
		Result fallback = new Cli(q[0].home(), q[0].db()).run(held.toArray(String[]::new));
		Result jvm = q[1].run(held.toArray(String[]::new));
		assertThat(fallback.exit()).as(fallback.toString()).isEqualTo(jvm.exit()).isZero();
		assertThat(fallback.out()).isEqualTo(jvm.out()).isEqualTo("u1\n");
		assertThat(fallback.err()).isEqualTo(jvm.err());
		// config set's max-retries is the default of the jobs that name none, on both paths
		for (Cli cli : q) {
			assertThat(cli.env("QUEUECTL_DIRECT", "off").run("config", "set", "max-retries", "7").exit()).isZero();
		}
		q[0].env("QUEUECTL_DIRECT", "only");
		same(q, List.of("enqueue", "{\"id\":\"j4\",\"command\":\"seven\"}"));
		assertThat(rows(q[0].db())).isEqualTo(rows(q[1].db()));
		assertThat(rows(q[0].db()).get("j4")).containsEntry("max_retries", "7");
		// the jobs as JSON, read twice from one database: escapes and UTF-8 as Jackson writes them (the
		// queues "later" and "tagged" hold jobs with a timeout or tags, whose JSON is the JVM's)
		Result json = q[0].run("list", "--json", "--queue", "default");
		Result jvmJson = new Cli(q[0].home(), q[0].db()).env("QUEUECTL_DIRECT", "off").run("list", "--json", "--queue", "default");
		assertThat(json.exit()).as(json.toString()).isZero();
		assertThat(json.out()).isEqualTo(jvmJson.out()).contains("\"command\" : \"\u00e9t\u00e9 \u4e2d\u6587\"",
				"\"command\" : \"tab\\there \\\"quoted\\\" \\\\ / \\n\"");
		assertThat(counts(q[0].db())).as("job_counts, kept by the insert trigger").isEqualTo(counts(q[1].db()))
			.containsEntry("default/pending", "10").containsEntry("later/pending", "2").containsEntry("tagged/pending", "4");
		assertThat(rows(q[0].db()).get("v1")).containsEntry("env", "{\"A_1\":\"\",\"Z\":\"x \\\"q\\\" \\\\ /\",\"_b\":\"1\"}");
		assertThat(rows(q[0].db()).get("v2")).containsEntry("env", null);
		assertThat(tagIndex(q[0].db())).as("job_tags, the index of list --tag").isEqualTo(tagIndex(q[1].db()))
			.containsExactly("customer:42 t1", "nightly t1", "--json t2", "a_1 t2", "b.2 t2", "t t3", "u t3");
		assertThat(rows(q[0].db()).get("t3")).containsEntry("tags", "[\"t\",\"u\"]");
		// the delay on the clock of created_at (the JVM computes run_at a few ms before it stores the row)
		for (Cli cli : q) {
			try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + cli.db()); Statement st = c.createStatement();
					ResultSet rs = st.executeQuery("SELECT run_at - created_at FROM jobs WHERE id = 'd1'")) {
				assertThat(rs.next()).isTrue();
				assertThat(rs.getLong(1)).as(cli.db().toString()).isBetween(300_000L - 1_000, 300_000L);
			}
		}
		assertThat(tableSizes(q[0].db())).as("rows of every table: nothing written beside the job").isEqualTo(tableSizes(q[1].db()));
	}

	@Test
	void statusAnsweredFromTheDatabaseIsTheJvmsByteForByte() throws Exception {
		Cli[] q = oneQueueTwice(List.of(List.of("enqueue", "{\"id\":\"later\",\"command\":\"true\",\"delay\":\"1h\"}"),
				List.of("enqueue", "{\"id\":\"c1\",\"command\":\"true\",\"queue\":\"q9\"}"), List.of("cancel", "c1"),
				List.of("queue", "pause", "q9"), List.of("queue", "pause", "a:b")));
		// the JVM's in a JVM of its own: a serving server's status names it
		same(q, List.of("status"));
		same(q, List.of("status", "--json"));
		Result shown = q[0].run("status");
		assertThat(shown.out()).contains("pending     2", "canceled    1", "due now 1; later 1", "paused queues: a:b, q9");
		Result hosts = q[0].run("status", "--hosts");
		assertThat(hosts.exit()).as("status --hosts: the JVM's").isEqualTo(125);
	}

	@Test
	void aListAnsweredFromTheDatabaseIsTheJvmsByteForByteWithItsPagingLine() throws Exception {
		Cli[] q = oneQueueTwice(List.of(List.of("enqueue", "{\"id\":\"e1\",\"command\":\"send   mail\\tnow\",\"queue\":\"emails\",\"priority\":5}"),
				List.of("enqueue", "{\"id\":\"e2\",\"command\":\" " + "long ".repeat(20) + "\",\"queue\":\"emails\",\"max_retries\":0}"),
				List.of("enqueue", "{\"id\":\"s1\",\"command\":\"sms\",\"queue\":\"sms\"}"), List.of("cancel", "s1"),
				List.of("enqueue", "{\"id\":\"t1\",\"command\":\"tagged\",\"queue\":\"sms\",\"tags\":[\"b\",\"a:1\"],\"timeout\":\"2h\",\"unique_key\":\"k 1\"}"),
				List.of("enqueue", "{\"id\":\"t2\",\"command\":\"tagged too\",\"tags\":[\"b\"]}"),
				// in 10d00h from 30 minutes on: a RUN AT text that cannot change while the test runs
				List.of("enqueue", "{\"id\":\"later\",\"command\":\"true\",\"delay\":\"14430m\"}"),
				List.of("queue", "pause", "emails"), List.of("enqueue", "{\"id\":\"run1\",\"command\":\"sleep 600\"}")),
				made -> { // run1 as a host that took it leaves it (the host is not needed to list it)
					try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + made.db()); Statement s = c.createStatement()) {
						assertThat(s.executeUpdate("UPDATE jobs SET state = 'processing', attempts = 1, started_at = updated_at,"
								+ " worker_id = 'host:1:abc', lease_expires_at = updated_at + 30000 WHERE id = 'run1'")).isPositive(); // with job_counts' trigger
					}
					catch (java.sql.SQLException ex) {
						throw new IllegalStateException(ex);
					}
				}, List.of());
		serving(q[1]);
		for (List<String> line : List.of(List.of("list"), List.of("list", "--state", "pending"),
				List.of("list", "-s", "pending,canceled", "--queue", "emails,sms"), List.of("list", "-q", "nosuch"),
				List.of("list", "--limit", "2"), List.of("list", "-n", "1", "--state", "pending", "-q", "emails"),
				List.of("list", "--limit", "5"), List.of("list", "--json"), List.of("list", "--json", "-n", "2", "-s", "pending,canceled"),
				List.of("list", "-s", "processing"), List.of("list", "--json", "--state", "processing,canceled"),
				List.of("list", "--tag", "b"), List.of("list", "--tag", "b", "-n", "1"), List.of("list", "--json", "--tag", "a:1,b"),
				List.of("list", "--tag", "b", "-q", "default", "-s", "pending", "--json", "-n", "1"), List.of("list", "--tag", "nosuch"))) {
			Result direct = q[0].run(line.toArray(String[]::new));
			Result jvm = q[1].run(line.toArray(String[]::new));
			assertThat(direct.exit()).as("direct %s against the JVM's %s", direct, jvm).isEqualTo(jvm.exit()).isZero();
			assertThat(direct.out()).as(direct.toString()).isEqualTo(jvm.out());
			assertThat(direct.err()).as(direct.toString()).isEqualTo(jvm.err());
		}
		Result all = q[0].run("list");
		assertThat(all.out()).contains("paused", "in 10d00h", "canceled", "long long long long long long long long long ...")
			.containsPattern("run1 +processing +1/4 +0 +- +sleep 600 ");
		assertThat(q[0].run("list", "--limit", "2").err()).startsWith("2 of 8 shown; next: queuectl list --limit 2 --after ");
		assertThat(q[0].run("list", "--tag", "b", "-n", "1").err()).isEqualTo("1 of 2 shown; next: queuectl list --tag b --limit 1 --after t2\n");
		assertThat(q[0].run("list", "--json").out()).startsWith("[ {\n  \"id\" : ").contains("\"command\" : \"send   mail\\tnow\"");
		assertThat(q[0].run("list", "--json", "-n", "1").err()).startsWith("1 of 8 shown; next: queuectl list --limit 1 --json --after ");
		assertThat(q[0].run("list", "--json", "-q", "sms").out()).contains("  \"timeout\" : \"2h\",\n", "  \"tags\" : [ \"b\", \"a:1\" ],\n");
		for (List<String> line : List.of(List.of("list", "--state", "canceling"),
				List.of("list", "--after", "seed"), List.of("list", "--tag", "a b"), List.of("list", "--tag", "b", "--tag", "a:1"),
				List.of("list", "--state", "bogus"),
				List.of("list", "--limit", "0"), List.of("list", "--state", "pending,"), List.of("list", "--state=pending"))) {
			Result only = q[0].run(line.toArray(String[]::new));
			assertThat(only.exit()).as(only.toString()).isEqualTo(125);
			assertThat(only.out() + only.err()).as(only.toString()).isEmpty();
		}
	}

	@Test
	void aShowAnsweredFromTheDatabaseIsTheJvmsByteForByteAfterARealWorkerHostRan() throws Exception {
		Cli[] q = oneQueueTwice(List.of(List.of("enqueue", "{\"id\":\"ok\",\"command\":\"printf 'a\\\\n\\\\nb  \\\\n\\\\n'\"}"),
				List.of("enqueue", "{\"id\":\"bad\",\"command\":\"echo out; echo err >&2; exit 3\",\"max_retries\":0}")),
				made -> {
					Cli.Started host = made.start(null, made.withDb("worker", "start", "--no-http"));
					try {
						org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120))
							.until(() -> made.run("list", "--state", "completed,dead").out().contains("bad"));
						Result stop = made.run("worker", "stop");
						assertThat(stop.exit()).as(stop.toString()).isZero();
						assertThat(host.await().exit()).isZero();
					}
					finally {
						host.process().destroyForcibly();
					}
				}, List.of(List.of("enqueue", "{\"id\":\"fresh\",\"command\":\"echo   new\",\"queue\":\"q2\",\"priority\":-2}"),
						List.of("enqueue", "{\"id\":\"gone\",\"command\":\"true\"}"), List.of("cancel", "gone"),
						List.of("enqueue", "{\"id\":\"held\",\"command\":\"true\",\"queue\":\"stopped\"}"),
						List.of("queue", "pause", "stopped"), List.of("enqueue", "{\"id\":\"later\",\"command\":\"true\",\"delay\":\"1h\"}"),
						List.of("enqueue", "{\"id\":\"tagged\",\"command\":\"true\"}", "--tag", "t"),
						List.of("enqueue", "{\"id\":\"rich\",\"command\":\"true\",\"tags\":[\"z\",\"customer:42\"],\"timeout\":\"90m\",\"unique_key\":\"one a day\"}"),
						List.of("enqueue", "{\"id\":\"vars\",\"command\":\"true\",\"env\":{\"A\":\"1\"}}"),
						// escapes and UTF-8 as the JVM stores them, copied as they are
						List.of("enqueue", "{\"id\":\"vars2\",\"command\":\"true\",\"env\":{\"Z\":\"tab\\there \u00e9\\u0001\",\"B\":\"q\\\"\\\\/\",\"A\":\"\"}}")));
		serving(q[1]);
		for (List<String> line : List.of(List.of("show", "seed"), List.of("show", "ok"), List.of("show", "bad"),
				List.of("show", "fresh"), List.of("show", "gone"), List.of("show", "ok", "--json"), List.of("show", "--json", "bad"),
				List.of("show", "fresh", "--json"), List.of("show", "tagged"), List.of("show", "tagged", "--json"), List.of("show", "rich"),
				List.of("show", "--json", "rich"), List.of("show", "vars"), List.of("show", "vars", "--json"), List.of("show", "vars2"),
				List.of("show", "--json", "vars2"))) {
			Result direct = q[0].run(line.toArray(String[]::new));
			Result jvm = q[1].run(line.toArray(String[]::new));
			assertThat(direct.exit()).as("direct %s against the JVM's %s", direct, jvm).isEqualTo(jvm.exit()).isZero();
			assertThat(direct.out()).as(direct.toString()).isEqualTo(jvm.out());
			assertThat(direct.err()).as(direct.toString()).isEqualTo(jvm.err()).isEmpty();
		}
		assertThat(q[0].run("show", "ok").out()).contains("state                completed\n", "\n  a\n  \n  b  \n")
			.doesNotContain("no attempts yet");
		assertThat(q[0].run("show", "bad").out()).contains("last_error           exit code 3\n", "  out\n  err\n");
		assertThat(q[0].run("show", "fresh").out()).endsWith("\nno attempts yet\n");
		assertThat(q[0].run("show", "rich").out()).contains("timeout              90m\n", "unique_key           one a day\n",
				"tags                 z, customer:42\n");
		assertThat(q[0].run("show", "vars2").out()).contains("env                  A B Z\n");
		assertThat(q[0].run("show", "vars2", "--json").out()).contains("  \"env\" : {\n    \"A\" : \"\",\n    \"B\" : \"q\\\"\\\\/\",\n"
				+ "    \"Z\" : \"tab\\there \u00e9\\u0001\"\n  },\n");
		assertThat(q[0].run("show", "bad", "--json").out()).contains("  \"runs\" : [ {\n    \"attempt\" : 1,\n",
				"    \"output_tail\" : \"out\\nerr\\n\",\n").endsWith("  } ],\n  \"running\" : null\n}\n");
		List<List<String>> declined = List.of(List.of("show", "nosuch"), List.of("show", "held"), List.of("show", "later"),
				List.of("show", "later", "--json"), List.of("show"));
		for (List<String> line : declined) {
			Result only = q[0].run(line.toArray(String[]::new));
			assertThat(only.exit()).as(only.toString()).isEqualTo(125);
			assertThat(only.out() + only.err()).as(only.toString()).isEmpty();
		}
		Result missing = q[0].unset("QUEUECTL_DIRECT").run("show", "nosuch");
		Result jvmMissing = q[1].run("show", "nosuch");
		assertThat(missing.exit()).as(missing.toString()).isEqualTo(jvmMissing.exit()).isNotZero();
		assertThat(missing.err()).isEqualTo(jvmMissing.err()).isEqualTo("queuectl: no such job: nosuch\n");
	}

	/**
	 * One queue made by the JVM (seed, then these lines), copied: [0] for the direct path, [1] for
	 * the JVM's, the same rows to their times.
	 */
	private Cli[] oneQueueTwice(List<List<String>> lines) throws java.io.IOException {
		return oneQueueTwice(lines, made -> {
		}, List.of());
	}

	/**
	 * As above, then() run on the queue (through the JVM) after the lines, then the lines after. The
	 * lines are served by a resident server of the queue ({@link #serving}), stopped before the copy.
	 */
	private Cli[] oneQueueTwice(List<List<String>> lines, java.util.function.Consumer<Cli> then, List<List<String>> after)
			throws java.io.IOException {
		Cli[] q = twoQueues();
		Cli made = new Cli(q[0].home(), q[0].db()).env("QUEUECTL_DIRECT", "off");
		runServed(made, lines);
		then.accept(made);
		runServed(made, after);
		copyQueue(q[0].db(), q[1].db());
		return q;
	}

	/** Runs each line, which must succeed, on the queue through a server of its own for them. */
	private static void runServed(Cli cli, List<List<String>> lines) {
		runServed(cli, cli.withDb("server", "run"), cli::run, lines);
	}

	/** As above, the server started by serverRun, each line run by run. */
	static void runServed(Cli cli, List<String> serverRun, java.util.function.Function<String[], Result> run, List<List<String>> lines) {
		if (lines.isEmpty()) {
			return;
		}
		Cli.Started server = serving(cli, serverRun);
		for (List<String> line : lines) {
			Result r = run.apply(line.toArray(String[]::new));
			assertThat(r.exit()).as(r.toString()).isZero();
		}
		stopServing(server);
	}

	/** Runs the line on both queues: the same stdout (a generated id aside), stderr and exit code. */
	private static void same(Cli[] q, List<String> line) {
		Result direct = q[0].run(line.toArray(String[]::new));
		Result jvm = q[1].run(line.toArray(String[]::new));
		assertThat(direct.exit()).as("direct %s against the JVM's %s", direct, jvm).isEqualTo(jvm.exit()).isZero();
		assertThat(direct.err()).as(direct.toString()).isEqualTo(jvm.err()).isEmpty();
		assertThat(direct.out().replaceAll(NEW_ID, "ID")).as(direct.toString()).isEqualTo(jvm.out().replaceAll(NEW_ID, "ID"));
	}

	@Test
	void whatTheDirectPathCannotBeSureOfIsLeftToTheJvmInItsWords() throws Exception {
		Cli[] q = twoQueues();
		List<List<String>> lines = List.of(List.of("enqueue", "{\"id\":\"seed\",\"command\":\"taken\"}"),
				List.of("enqueue", "{\"command\":\"   \"}"), List.of("enqueue", "{\"command\":\"x\",\"command\":\"y\"}"),
				List.of("enqueue", "{\"command\":\"x\",\"priority\":1.5}"), List.of("enqueue", "{\"command\":"),
				List.of("enqueue", "{\"command\":\"x\",\"max_retries\":101}"),
				List.of("enqueue", "{\"command\":\"x\",\"id\":\".hidden\"}"), List.of("enqueue", "{\"command\":\"x\"}", "{}"),
				List.of("enqueue", "{\"command\":\"x\",\"unique_key\":\"\"}"),
				List.of("enqueue", "{\"command\":\"x\",\"unique_key\":\"" + "k".repeat(257) + "\"}"),
				List.of("enqueue", "{\"command\":\"x\",\"timeout\":0}"), List.of("enqueue", "{\"command\":\"x\",\"delay\":\"1.5h\"}"),
				List.of("enqueue", "{\"command\":\"x\",\"tags\":[" + "\"t\",".repeat(16) + "\"t\"]}"),
				List.of("enqueue", "{\"command\":\"x\",\"tags\":\"t\"}"), List.of("enqueue", "{\"command\":\"x\"}", "--tag", "a,,b"),
				List.of("enqueue", "{\"command\":\"x\",\"tags\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\",\"n\",\"o\"]}",
						"--tag", "p", "--tag=q"),
				List.of("enqueue", "{\"command\":\"x\"}", "--tag"),
				List.of("enqueue", "{\"command\":\"x\",\"env\":{\"QUEUECTL_DB\":\"x\"}}"),
				List.of("enqueue", "{\"command\":\"x\",\"env\":{\"1A\":\"x\"}}"), List.of("enqueue", "{\"command\":\"x\",\"env\":{\"A\":1}}"),
				List.of("enqueue", "{\"command\":\"x\",\"env\":[]}"),
				// valid, but not the direct path's
				List.of("enqueue", "{\"command\":\"x\",\"delay\":\" 5m\"}"),
				List.of("enqueue", "{\"command\":\"x\",\"unique_key\":\"\u00e9t\u00e9\"}"),
				List.of("enqueue", "{\"command\":\"\\u0041\"}"), List.of("enqueue", "{\"command\":\"x\",\"queue\":null}"),
				List.of("enqueue", "{\"command\":\"x\",\"start_within\":\"5m\"}"), List.of("enqueue", "{\"command\":\"x\",\"tags\":null}"),
				List.of("enqueue", "{\"command\":\"x\",\"env\":{\"A\":\"1\",\"A\":\"2\"}}"),
				List.of("enqueue", "{\"command\":\"x\",\"env\":{\"A\":\"tab\\there\"}}"), List.of("enqueue", "{\"command\":\"x\"}", "--env", "A=1"));
		for (List<String> line : lines) {
			Result only = q[0].run(line.toArray(String[]::new));
			assertThat(only.exit()).as(only.toString()).isEqualTo(125);
			assertThat(only.out() + only.err()).as(only.toString()).isEmpty();
		}
		assertThat(rows(q[0].db())).as("nothing stored by a decline").containsOnlyKeys("seed");
		serving(q[1]);
		q[0].unset("QUEUECTL_DIRECT");
		for (List<String> line : lines.subList(0, 21)) { // refusals: the JVM's words on both
			Result fallback = q[0].run(line.toArray(String[]::new));
			Result jvm = q[1].run(line.toArray(String[]::new));
			assertThat(fallback.exit()).as(fallback.toString()).isEqualTo(jvm.exit()).isNotZero();
			assertThat(fallback.err()).as(fallback.toString()).isEqualTo(jvm.err()).startsWith("queuectl: ");
			assertThat(fallback.out()).isEqualTo(jvm.out());
		}
	}

	@Test
	void aSchemaNotThisBuildsNewestOrAVariableThatCouldChangeTheAnswerDeclines() throws Exception {
		Cli[] q = twoQueues();
		String line = "{\"command\":\"true\"}";
		assertThat(q[0].env("OTEL_TRACES_EXPORTER", "console").run("enqueue", line).exit()).isEqualTo(125);
		q[0].unset("OTEL_TRACES_EXPORTER");
		assertThat(q[0].env("QUEUECTL_JAVA_OPTS", "-Dqueuectl.defaults.max-retries=9").run("enqueue", line).exit()).isEqualTo(125);
		q[0].unset("QUEUECTL_JAVA_OPTS");
		Path config = q[0].home().resolve("config");
		Files.createDirectories(config.resolve("queuectl"));
		Files.writeString(config.resolve("queuectl").resolve("application.yml"), "queuectl:\n  defaults:\n    max-retries: 9\n");
		assertThat(q[0].env("XDG_CONFIG_HOME", config.toString()).run("enqueue", line).exit()).isEqualTo(125);
		Files.writeString(config.resolve("queuectl").resolve("application.yml"), "# mine\nqueuectl:\n  db: " + q[0].db() + "\n");
		assertThat(q[0].run("enqueue", line).exit()).as("a user's file that names the database alone").isZero();
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + q[0].db());
				Statement s = c.createStatement()) {
			s.executeUpdate("DELETE FROM flyway_schema_history WHERE version = (SELECT MAX(CAST(version AS INTEGER)) FROM flyway_schema_history)");
		}
		Result older = q[0].run("enqueue", line);
		assertThat(older.exit()).as(older.toString()).isEqualTo(125);
		assertThat(rows(q[0].db())).hasSize(2);
	}

	@Test
	void anEnqueueOnADatabaseAnotherProcessWritesIsLeftToTheJvmAndStoresNothing() throws Exception {
		Cli[] q = twoQueues();
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + q[0].db()); Statement s = c.createStatement()) {
			s.execute("BEGIN IMMEDIATE"); // SQLite's write lock, held while the command runs
			Result busy = q[0].run("enqueue", "{\"id\":\"busy\",\"command\":\"true\"}");
			assertThat(busy.exit()).as(busy.toString()).isEqualTo(125);
			assertThat(busy.out() + busy.err()).isEmpty();
			s.execute("ROLLBACK");
		}
		assertThat(rows(q[0].db())).containsOnlyKeys("seed");
		Result free = q[0].run("enqueue", "{\"id\":\"busy\",\"command\":\"true\"}");
		assertThat(free.exit()).as("the same line once the lock is gone: " + free).isZero();
	}

	@Test
	void aDatabaseThisUserMayNotWriteIsLeftToTheJvmsWords() throws Exception {
		Cli[] q = twoQueues();
		// root writes any file: both paths run as nobody, on queues that user may read but not write
		Files.setPosixFilePermissions(this.tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
		for (Cli cli : q) {
			Files.setPosixFilePermissions(cli.db(), PosixFilePermissions.fromString("rw-r--r--"));
			assertThat(Files.getOwner(cli.db()).getName()).as("owned by this user, not by nobody").isNotEqualTo("nobody");
		}
		Result only = asNobody(q[0], "enqueue", "{\"command\":\"true\"}");
		assertThat(only.exit()).as(only.toString()).isEqualTo(125);
		assertThat(only.out() + only.err()).as(only.toString()).isEmpty();
		Result fallback = asNobody(q[0].unset("QUEUECTL_DIRECT"), "enqueue", "{\"command\":\"true\"}");
		Result jvm = asNobody(q[1], "enqueue", "{\"command\":\"true\"}");
		assertThat(fallback.err()).as(fallback.toString())
			.isEqualTo(jvm.err().replace(q[1].db().toString(), q[0].db().toString()))
			.isEqualTo("queuectl: the database " + q[0].db() + " is read-only\n");
		assertThat(fallback.exit()).as(fallback.toString()).isEqualTo(jvm.exit()).isEqualTo(1);
		assertThat(rows(q[0].db())).as("nothing stored").containsOnlyKeys("seed");
		// the same line, the same user, once the queue is nobody's: answered here
		for (Path mine : List.of(q[0].db().getParent(), q[0].db())) {
			Files.setAttribute(mine, "unix:uid", 65534);
		}
		Result owned = asNobody(q[0].env("QUEUECTL_DIRECT", "only"), "enqueue", "{\"id\":\"owned\",\"command\":\"true\"}");
		assertThat(owned.exit()).as(owned.toString()).isZero();
		assertThat(rows(q[0].db())).containsOnlyKeys("seed", "owned");
	}

	/** {@code queuectl --db DB args...} as user and group 65534 (nobody), with no other groups. */
	private Result asNobody(Cli cli, String... args) throws java.io.IOException {
		Path home = this.tmp.resolve("nobody"); // a home of its own: its configuration read, not denied
		if (!Files.isDirectory(home)) {
			Files.setAttribute(Files.createDirectory(home), "unix:uid", 65534);
		}
		List<String> line = new java.util.ArrayList<>(List.of("--reuid=65534", "--regid=65534", "--clear-groups", Cli.LAUNCHER.toString()));
		line.addAll(cli.withDb(args));
		return cli.start(Path.of("/usr/bin/setpriv"), null, line,
				Map.of("HOME", home.toString(), "XDG_DATA_HOME", home.resolve("data").toString())).await();
	}

	@Test
	void afterADirectAnswerTheBackgroundServerStartsAndServesTheNextCommand() throws Exception {
		Cli[] q = twoQueues();
		Cli cli = q[0].env("QUEUECTL_SERVER", "on").env("CI", "");
		Result enqueued = cli.run("enqueue", "{\"id\":\"next\",\"command\":\"true\"}");
		assertThat(enqueued.exit()).as(enqueued.toString()).isZero();
		assertThat(enqueued.out()).isEqualTo("next\n");
		long server = Cli.awaitServing(cli.db(), Duration.ofSeconds(120));
		assertThat(server).isPositive();
		Result shown = cli.run("show", "next"); // only: a served answer, or 125
		assertThat(shown.exit()).as(shown.toString()).isZero();
		assertThat(shown.out()).contains("next");
	}

	/** Every job's columns but the times, by id (a generated id by its command). */
	/** job_tags' rows, "TAG JOB", in the order of their job, then tag (jobs.tags holds the order given). */
	private static List<String> tagIndex(Path db) throws Exception {
		List<String> rows = new java.util.ArrayList<>();
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT tag, job_id FROM job_tags ORDER BY job_id, tag")) {
			while (rs.next()) {
				rows.add(rs.getString(1) + " " + rs.getString(2));
			}
		}
		return rows;
	}

	private static Map<String, Map<String, String>> rows(Path db) throws Exception {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
			return rows(c);
		}
	}

	/** The same, on any database (DirectPathPostgresIT's too). */
	static Map<String, Map<String, String>> rows(Connection c) throws Exception {
		Map<String, Map<String, String>> rows = new LinkedHashMap<>();
		try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM jobs ORDER BY command")) {
			ResultSetMetaData md = rs.getMetaData();
			while (rs.next()) {
				Map<String, String> row = new LinkedHashMap<>();
				for (int i = 1; i <= md.getColumnCount(); i++) {
					String name = md.getColumnName(i);
					if (!name.endsWith("_at") && !name.equals("id")) {
						row.put(name, rs.getString(i));
					}
				}
				String id = rs.getString("id");
				rows.put(id.matches(NEW_ID) ? "new: " + rs.getString("command") : id, row);
			}
		}
		return rows;
	}

	/** Every table's number of rows, by name. */
	private static Map<String, Long> tableSizes(Path db) throws Exception {
		Map<String, Long> sizes = new LinkedHashMap<>();
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
			List<String> tables = new java.util.ArrayList<>();
			try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
				while (rs.next()) {
					tables.add(rs.getString(1));
				}
			}
			for (String table : tables) {
				try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM \"" + table + "\"")) {
					sizes.put(table, rs.next() ? rs.getLong(1) : -1);
				}
			}
		}
		return sizes;
	}

	/** job_counts as queue/state -> n. */
	private static Map<String, String> counts(Path db) throws Exception {
		Map<String, String> counts = new LinkedHashMap<>();
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT queue, state, n FROM job_counts ORDER BY queue, state")) {
			while (rs.next()) {
				counts.put(rs.getString(1) + "/" + rs.getString(2), rs.getString(3));
			}
		}
		return counts;
	}
}
