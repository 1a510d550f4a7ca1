package dev.queuectl.process;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.queuectl.PostgresTestDatabase;
import dev.queuectl.process.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The background command server, through bin/queuectl as a user runs it: the first command starts
 * it and the next ones are served by it; it exits when idle, is started once by concurrent first
 * commands, is replaced when killed, is never used by another build, is not started when turned
 * off; and both clients (the native one and the JVM one) show exactly what the command run in
 * process shows. Every test ends with no server left running under its folder.
 */
@Timeout(600)
class ServerIT {

	private static final Duration LONG = Duration.ofSeconds(120);

	@TempDir
	Path tmp;

	private Cli on() {
		return new Cli(this.tmp).env("QUEUECTL_SERVER", "on").env("CI", "");
	}

	@AfterEach
	void noServerIsLeftBehind() {
		if (!Cli.serversUnder(this.tmp).isEmpty()) {
			new Cli(this.tmp).run("server", "stop"); // the one of q.db; the others get SIGTERM
		}
		Cli.stopServersUnder(this.tmp, LONG);
	}

	@Test
	void idleConnectionsOfAnotherProcessNeverMakeACommandFailThroughEitherClient() throws IOException {
		Cli nativeOrJava = on();
		Cli java = on().env("QUEUECTL_CLIENT", "java");
		assertThat(nativeOrJava.run("enqueue", "{\"id\":\"a\",\"command\":\"true\"}").exit()).isZero();
		long pid = awaitServer(nativeOrJava);
		Path socket = nativeOrJava.db().resolveSibling("q.db.sock");
		List<SocketChannel> idle = new ArrayList<>();
		try {
			for (int i = 0; i < 64; i++) {
				idle.add(connect(socket)); // each sends nothing, as a stuck or hostile process would
			}
			for (Cli cli : List.of(nativeOrJava, java)) {
				Result r = cli.run("status");
				assertThat(r.exit()).as(r.toString()).isZero();
				assertThat(r.err()).as("no error, no busy server").isEmpty();
				assertThat(r.out()).as("served, not run in a JVM of its own").contains("command server: pid " + pid);
			}
			// at the server's limit of open connections the command runs itself, as when none serves
			for (Cli cli : List.of(nativeOrJava, java)) {
				for (int i = 0; i < 256; i++) {
					idle.add(connect(socket)); // the server closes those past its limit at once
				}
				Result r = cli.run("status");
				assertThat(r.exit()).as(r.toString()).isZero();
				assertThat(r.err()).isEmpty();
				assertThat(r.out()).contains("pending     1");
			}
		}
		finally {
			for (SocketChannel c : idle) {
				c.close();
			}
		}
	}

	private static SocketChannel connect(Path socket) throws IOException {
		SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
		channel.connect(UnixDomainSocketAddress.of(socket));
		return channel;
	}

	@Test
	void theFirstCommandStartsAServerThatServesTheNext() throws IOException {
		Cli cli = on();
		Result first = cli.run("enqueue", "{\"id\":\"a\",\"command\":\"echo a b\"}");
		assertThat(first.exit()).as(first.toString()).isZero();
		long pid = awaitServer(cli);

		Result served = cli.run("status");
		assertThat(served.exit()).as(served.toString()).isZero();
		assertThat(served.out()).contains("pending     1").contains("command server: pid " + pid);
		assertThat(cli.run("show", "a").out()).contains("echo a b");

		Result status = cli.run("server", "status");
		assertThat(status.exit()).as(status.toString()).isZero();
		assertThat(status.out()).contains("pid " + pid).contains("uptime ").contains("build ").contains("idle ");
		String log = Files.readString(this.tmp.resolve("q.db.server.log"));
		assertThat(log).contains("command server serving");

		Result stop = cli.run("server", "stop");
		assertThat(stop.out()).isEqualTo("command server (pid " + pid + ") stopped\n");
		await().atMost(LONG).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
		Result none = cli.run("server", "status");
		assertThat(none.exit()).as(none.toString()).isEqualTo(1);
		assertThat(none.err()).isEqualTo("queuectl: no command server runs for " + cli.db() + "\n");
		assertThat(Cli.serversUnder(this.tmp)).as("server status starts nothing").isEmpty();
	}

	@Test
	void serverStopRightAfterTheFirstCommandStopsTheServerStillStarting() throws IOException {
		Cli cli = on();
		Result first = cli.run("enqueue", "{\"command\":\"true\"}");
		assertThat(first.exit()).as(first.toString()).isZero();
		Result stop = cli.run("server", "stop");
		assertThat(stop.exit()).as(stop.toString()).isZero();
		assertThat(stop.out()).as(stop.toString()).matches("command server \\(pid \\d+\\) stopped\n");
		long pid = Long.parseLong(stop.out().replaceAll("\\D", ""));
		await().atMost(LONG).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
		assertThat(Cli.serversUnder(this.tmp)).as("no server left to serve for server-idle").isEmpty();
		Result none = cli.run("server", "status");
		assertThat(none.exit()).as(none.toString()).isEqualTo(1);
	}

	@Test
	void itExitsAfterServerIdleWithoutACommand() throws IOException {
		Cli cli = on();
		assertThat(cli.run("config", "set", "server-idle", "2s").exit()).isZero();
		// its pid from its log: asking it (server status) would keep it from being idle, and on a
		// loaded machine a command not yet served can take longer than 2 s
		Path log = this.tmp.resolve("q.db.server.log");
		long[] found = new long[1];
		await().atMost(LONG).untilAsserted(() -> {
			assertThat(log).exists();
			java.util.regex.Matcher m = java.util.regex.Pattern.compile("command server serving .* \\(pid (\\d+),")
				.matcher(Files.readString(log));
			assertThat(m.find()).as(Files.readString(log)).isTrue();
			found[0] = Long.parseLong(m.group(1));
		});
		long pid = found[0];
		await().atMost(LONG).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
		assertThat(Files.readString(this.tmp.resolve("q.db.server.log"))).contains("exits: no command for 2s");
		assertThat(cli.db().resolveSibling("q.db.sock")).doesNotExist();
	}

	/**
	 * Also LauncherIT's concurrentFirstRunsOnAFreshDatabaseAllSucceed through the native client with
	 * the server on (the same commands on the same path), which LauncherNativeClientIT leaves to this
	 * test: each answers as in process, the queue file owner-only.
	 */
	@Test
	void commandsStartedAtTheSameMomentStartOneServer() throws IOException {
		Cli cli = on();
		assertThat(cli.db()).doesNotExist();
		List<Cli.Started> started = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			started.add(cli.start(null, cli.withDb("enqueue", "{\"id\":\"job" + i + "\",\"command\":\"true\"}")));
		}
		List<Result> results = started.stream().map(Cli.Started::await).toList();
		for (int i = 0; i < results.size(); i++) {
			Result r = results.get(i);
			assertThat(r.exit()).as(r.toString()).isZero();
			assertThat(r.out()).as(r.toString()).isEqualTo("job" + i + "\n");
			assertThat(r.err()).as(r.toString()).isEmpty();
		}
		awaitServer(cli);
		assertThat(Cli.serversUnder(this.tmp)).hasSize(1);
		String log = Files.readString(this.tmp.resolve("q.db.server.log"));
		assertThat(log.lines().filter(l -> l.contains("command server serving"))).hasSize(1);
		Set<String> ids = new TreeSet<>();
		LauncherIT.json(cli.run("list", "--json")).forEach(job -> ids.add(job.path("id").asString()));
		assertThat(ids).containsExactly("job0", "job1", "job2", "job3", "job4", "job5");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.db()))).isEqualTo("rw-------");
	}

	@Test
	void aServedCommandThroughTheLauncherStartsNoOtherProgramAndAnswersTheSame() throws IOException {
		// The launcher's sh lines exec the native client, which names the build itself: with no
		// bash, stat or readlink to be found on PATH, the served commands still answer, from the
		// same server (were the build id the door names not the server's, the client would stop
		// it and hand over to bash, which is not there).
		org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Cli.PROJECT.resolve("target/queuectl-client")),
				"built where cc exists");
		String javaHome = System.getProperty("java.home");
		Cli cli = on().env("JAVA_HOME", javaHome);
		assertThat(cli.run("enqueue", "{\"id\":\"p\",\"command\":\"echo 'a  b'\"}").exit()).isZero();
		long pid = awaitServer(cli);
		Cli bare = on().env("JAVA_HOME", javaHome).env("PATH", Files.createDirectories(this.tmp.resolve("empty-bin")).toString());
		Path link = Files.createDirectories(this.tmp.resolve("path-bin")).resolve("queuectl");
		Files.createSymbolicLink(link, Cli.LAUNCHER);
		List<List<String>> commands = List.of(List.of("show", "p", "--json"), List.of("list"), List.of("show", "nope"),
				List.of("config", "get", "max-retries"), List.of("enqueue", "{bad"), List.of("list", "--stat", "dead"));
		for (List<String> c : commands) {
			Result expected = cli.run(c.toArray(String[]::new));
			Result noTools = bare.run(c.toArray(String[]::new));
			Result viaLink = cli.start(link, null, cli.withDb(c.toArray(String[]::new))).await();
			for (Result r : List.of(noTools, viaLink)) {
				assertThat(r.exit()).as(r + "\nwith PATH: " + expected).isEqualTo(expected.exit());
				assertThat(r.out()).as(r + "\nwith PATH: " + expected).isEqualTo(expected.out());
				assertThat(r.err()).as(r + "\nwith PATH: " + expected).isEqualTo(expected.err());
			}
		}
		assertThat(cli.run("show", "p").out()).contains("echo 'a  b'");
		assertThat(awaitServer(cli)).as("the same server answered throughout").isEqualTo(pid);
	}

	@Test
	void anInstallWithoutTheNativeClientHasTheJvmClientAnswerTheSame() throws IOException {
		// A release built where no C compiler was: no lib/queuectl-client, so the launcher's sh
		// lines find no front door and bash hands served commands to the JVM client. Its jar is a
		// hard link to this build's: the same build id, archive and server as the clone's.
		Path install = this.tmp.resolve("no-cc");
		Files.createDirectories(install.resolve("bin"));
		Files.createDirectories(install.resolve("lib"));
		for (String f : List.of("bin/queuectl", "bin/queuectl-train", "application.yml")) {
			Files.copy(Cli.PROJECT.resolve(f), install.resolve(f), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
		}
		Files.createLink(install.resolve("lib/queuectl.jar"), Cli.PROJECT.resolve("target/queuectl.jar"));
		Files.createLink(install.resolve("lib/queuectl-client.jar"), Cli.PROJECT.resolve("target/queuectl.jar.original"));
		Path launcher = install.resolve("bin/queuectl");
		Cli cli = on();
		assertThat(cli.run("enqueue", "{\"id\":\"n\",\"command\":\"true\"}").exit()).isZero();
		long pid = awaitServer(cli);
		Result status = cli.start(launcher, null, cli.withDb("status")).await();
		assertThat(status.exit()).as(status.toString()).isZero();
		assertThat(status.out()).as(status.toString()).contains("command server: pid " + pid);
		for (List<String> c : List.of(List.of("show", "n", "--json"), List.of("show", "nope"), List.of("enqueue", "{bad"))) {
			Result expected = cli.run(c.toArray(String[]::new));
			Result r = cli.start(launcher, null, cli.withDb(c.toArray(String[]::new))).await();
			assertThat(r.exit()).as(r + "\nnative: " + expected).isEqualTo(expected.exit());
			assertThat(r.out()).as(r + "\nnative: " + expected).isEqualTo(expected.out());
			assertThat(r.err()).as(r + "\nnative: " + expected).isEqualTo(expected.err());
		}
		assertThat(awaitServer(cli)).isEqualTo(pid);
	}

	@Test
	void aReleaseWhoseBinQueuectlIsTheNativeClientAnswersTheSameAndOutlivesAKilledServer() throws IOException {
		// A release built with a C compiler: bin/queuectl is the native client, lib/queuectl the
		// launcher. Its jar is a hard link to this build's: the same build id and server as the clone's.
		Path client = Cli.PROJECT.resolve("target/queuectl-client");
		org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(client), "built where a C compiler is");
		Path install = this.tmp.resolve("native-front");
		Files.createDirectories(install.resolve("bin"));
		Files.createDirectories(install.resolve("lib"));
		Files.copy(client, install.resolve("bin/queuectl"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
		Files.copy(client, install.resolve("lib/queuectl-client"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
		Files.copy(Cli.LAUNCHER, install.resolve("lib/queuectl"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
		for (String f : List.of("bin/queuectl-train", "application.yml")) {
			Files.copy(Cli.PROJECT.resolve(f), install.resolve(f), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
		}
		Files.createLink(install.resolve("lib/queuectl.jar"), Cli.PROJECT.resolve("target/queuectl.jar"));
		Files.createLink(install.resolve("lib/queuectl-client.jar"), Cli.PROJECT.resolve("target/queuectl.jar.original"));
		Path front = install.resolve("bin/queuectl");
		Cli cli = on();
		assertThat(cli.run("enqueue", "{\"id\":\"f\",\"command\":\"true\"}").exit()).isZero();
		long pid = awaitServer(cli);
		Result status = cli.start(front, null, cli.withDb("status")).await();
		assertThat(status.out()).as(status.toString()).contains("command server: pid " + pid);
		for (List<String> c : List.of(List.of("show", "f", "--json"), List.of("show", "nope"), List.of("enqueue", "{bad"))) {
			Result expected = cli.run(c.toArray(String[]::new));
			Result r = cli.start(front, null, cli.withDb(c.toArray(String[]::new))).await();
			assertThat(r.exit()).as(r + "\nclone: " + expected).isEqualTo(expected.exit());
			assertThat(r.out()).as(r + "\nclone: " + expected).isEqualTo(expected.out());
			assertThat(r.err()).as(r + "\nclone: " + expected).isEqualTo(expected.err());
		}
		assertThat(awaitServer(cli)).isEqualTo(pid);

		ProcessHandle.of(pid).orElseThrow().destroyForcibly();
		await().atMost(LONG).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
		Result after = cli.start(front, null, cli.withDb("show", "f")).await();
		assertThat(after.exit()).as(after.toString()).isZero();
		assertThat(after.err()).isEmpty();
		assertThat(awaitServer(cli)).isNotEqualTo(pid);
	}

	@Test
	void aKilledServerIsReplacedWithoutACommandNoticing() {
		Cli cli = on();
		assertThat(cli.run("enqueue", "{\"id\":\"k\",\"command\":\"true\"}").exit()).isZero();
		long pid = awaitServer(cli);
		ProcessHandle.of(pid).orElseThrow().destroyForcibly();
		await().atMost(LONG).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));

		Result after = cli.run("show", "k");
		assertThat(after.exit()).as(after.toString()).isZero();
		assertThat(after.err()).isEmpty();
		long next = awaitServer(cli);
		assertThat(next).isNotEqualTo(pid);
	}

	@Test
	void aServerOfAnotherBuildIsNeverUsedAndExits() {
		Cli cli = on();
		assertThat(cli.run("enqueue", "{\"id\":\"b\",\"command\":\"true\"}").exit()).isZero();
		long pid = awaitServer(cli);
		List<String> nativeClient = List.of(Cli.PROJECT.resolve("target/queuectl-client").toString(), "another-build");
		Result r = Files.isExecutable(Path.of(nativeClient.get(0)))
				? cli.start(Path.of(nativeClient.get(0)), null, prepend("another-build", cli.withDb("show", "b"))).await()
				: cli.start(Cli.LAUNCHER, null, cli.withDb("show", "b")).await();
		assertThat(r.exit()).as("not served: the launcher runs it itself").isEqualTo(125);
		assertThat(r.out()).isEmpty();
		await().atMost(LONG).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
	}

	@Test
	void theJvmClientOfAnotherBuildDoesNotUseItEither() throws Exception {
		Cli cli = on();
		assertThat(cli.run("enqueue", "{\"id\":\"j\",\"command\":\"true\"}").exit()).isZero();
		long pid = awaitServer(cli);
		Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
		Process p = new ProcessBuilder(java.toString(), "-Dqueuectl.build=another-build", "-Dqueuectl.remote=only", "-cp",
				Cli.PROJECT.resolve("target/queuectl.jar.original").toString(), "dev.queuectl.Main", "--db",
				cli.db().toString(), "show", "j")
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		assertThat(p.waitFor()).isEqualTo(125);
		await().atMost(LONG).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
	}

	@Test
	void offStartsNone() throws IOException {
		Cli off = new Cli(this.tmp).env("QUEUECTL_SERVER", "off");
		assertThat(off.run("enqueue", "{\"command\":\"true\"}").exit()).isZero();
		assertThat(off.run("status").exit()).isZero();

		Path config = this.tmp.resolve("config");
		Files.createDirectories(config.resolve("queuectl"));
		Files.writeString(config.resolve("queuectl/application.yml"), "queuectl:\n  server: off\n");
		Cli bySetting = new Cli(this.tmp).env("XDG_CONFIG_HOME", config.toString()).env("CI", "");
		bySetting.env("QUEUECTL_SERVER", "");
		assertThat(bySetting.run("status").exit()).isZero();

		Cli ci = new Cli(this.tmp).env("QUEUECTL_SERVER", "").env("CI", "true");
		assertThat(ci.run("list").exit()).isZero();

		assertThat(off.run("status").exit()).isZero(); // time for a wrongly started one to show
		assertThat(Cli.serversUnder(this.tmp)).isEmpty();
		assertThat(this.tmp.resolve("q.db.sock")).doesNotExist();
	}

	@Test
	void bothClientsShowExactlyWhatTheCommandInProcessShows() throws IOException {
		Cli off = new Cli(this.tmp).env("QUEUECTL_SERVER", "off");
		assertThat(off.run("enqueue", "{\"id\":\"x1\",\"command\":\"echo 'a  b' \\\"c\\\"\",\"queue\":\"emails\"}").exit()).isZero();
		assertThat(off.run("enqueue", "{\"id\":\"x2\",\"command\":\"false\",\"priority\":3}").exit()).isZero();
		List<List<String>> commands = List.of(List.of("list"), List.of("list", "--json"), List.of("show", "x1"),
				List.of("show", "x1", "--json"), List.of("show", "nosuch"), List.of("config", "get", "max-retries"),
				List.of("config", "list"), List.of("config", "get", "nope"), List.of("enqueue", "{not json"),
				List.of("logs", "x1"), List.of("dlq", "list"), List.of("help"), List.of("help", "enqueue"),
				List.of("list", "--state", "bogus"), List.of("queue", "list"), List.of("status", "--json"),
				List.of("queue", "--help"), List.of("list", "--stat", "dead"), List.of("dlq", "lst"));
		List<Result> inProcess = new ArrayList<>();
		for (List<String> c : commands) {
			inProcess.add(off.run(c.toArray(String[]::new)));
		}
		Cli on = on();
		on.run("status");
		awaitServer(on);
		boolean hasNative = Files.isExecutable(Cli.PROJECT.resolve("target/queuectl-client"));
		Cli java = on().env("QUEUECTL_CLIENT", "java");
		for (int i = 0; i < commands.size(); i++) {
			String[] args = commands.get(i).toArray(String[]::new);
			Result expected = inProcess.get(i);
			for (Cli client : hasNative ? List.of(on, java) : List.of(java)) {
				Result served = client.run(args);
				assertThat(served.exit()).as(served + "\nin process: " + expected).isEqualTo(expected.exit());
				assertThat(served.out()).as(served + "\nin process: " + expected).isEqualTo(expected.out());
				assertThat(served.err()).as(served + "\nin process: " + expected).isEqualTo(expected.err());
			}
		}
		// standard input, through both clients
		Path lines = this.tmp.resolve("lines.jsonl");
		Files.writeString(lines, "{\"command\":\"true\"}\n{\"command\":\"echo é\"}\n");
		for (Cli client : hasNative ? List.of(on, java) : List.of(java)) {
			Result r = client.runWithStdin(lines, "enqueue", "-");
			assertThat(r.exit()).as(r.toString()).isZero();
			assertThat(r.out().lines()).as(r.toString()).hasSize(2);
		}
		assertThat(on.run("server", "status").exit()).as("all of it was served").isZero();
	}

	@Test
	@Tag("postgresql")
	void aPostgresQueueGetsOneToo() throws IOException {
		try (PostgresTestDatabase database = PostgresTestDatabase.create()) {
			// the URL names the database; no --db path: the Cli's own q.db stays unused
			Cli cli = on().env("QUEUECTL_DB", database.url());
			Result first = cli.runRaw("enqueue", "{\"id\":\"p1\",\"command\":\"echo on pg\"}");
			assertThat(first.exit()).as(first.toString()).isZero();
			long pid[] = new long[1];
			await().atMost(LONG).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
				Result r = cli.runRaw("server", "status");
				assertThat(r.exit()).as(r.toString()).isZero();
				pid[0] = Long.parseLong(r.out().lines().findFirst().orElseThrow().substring(4));
			});
			String commandLine = ProcessHandle.of(pid[0]).flatMap(p -> p.info().commandLine()).orElse("");
			assertThat(commandLine).as("the URL without password on its command line")
				.endsWith("--db " + database.url() + " server run");
			// the native client finds its socket from any spelling of the URL (else the launcher
			// would run `server status` in a JVM of its own, which answers "no command server")
			String name = database.name();
			for (String alias : List.of("postgres://postgres@127.0.0.1/" + name,
					"jdbc:postgresql://127.0.0.1:5432/" + name + "?user=postgres", " postgresql://postgres:secret@127.0.0.1:5432/" + name)) {
				Result r = on().env("QUEUECTL_DB", alias).runRaw("server", "status");
				assertThat(r.exit()).as(alias + ": " + r).isZero();
				assertThat(r.out()).startsWith("pid " + pid[0] + "\n");
			}
			Result served = cli.runRaw("status");
			assertThat(served.out()).as(served.toString()).contains("pending     1").contains("command server: pid " + pid[0]);
			assertThat(cli.runRaw("show", "p1").out()).contains("echo on pg");
			Result stop = cli.runRaw("server", "stop");
			assertThat(stop.out()).as(stop.toString()).isEqualTo("command server (pid " + pid[0] + ") stopped\n");
			await().atMost(LONG).until(() -> ProcessHandle.of(pid[0]).map(p -> !p.isAlive()).orElse(true));
		}
	}

	/**
	 * Waits until a server serves the Cli's database; returns its pid. First on its log (a live
	 * process that logged "command server serving": reading a file costs nothing, where each
	 * `server status` asked before a server is up runs a JVM of its own that competes with the
	 * starting server for the CPU), then on `server status` itself, which must answer.
	 */
	private static long awaitServer(Cli cli) {
		Cli.awaitServing(cli.db(), LONG);
		long[] pid = new long[1];
		await().atMost(LONG).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
			Result r = cli.run("server", "status");
			assertThat(r.exit()).as(r.toString()).isZero();
			pid[0] = Long.parseLong(r.out().lines().findFirst().orElseThrow().substring(4));
		});
		return pid[0];
	}

	private static List<String> prepend(String first, List<String> rest) {
		List<String> all = new ArrayList<>();
		all.add(first);
		all.addAll(rest);
		return all;
	}
}
