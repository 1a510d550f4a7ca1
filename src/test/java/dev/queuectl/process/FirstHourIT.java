package dev.queuectl.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import dev.queuectl.process.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a newcomer meets in the first hour at the command line (issue 29), through bin/queuectl as
 * a real process: the lines that must read as queuectl's own, with no framework's words, whatever
 * path (JVM start-up, the command) they come from.
 */
@Timeout(300)
class FirstHourIT {

	@TempDir
	Path tmp;

	@AfterEach
	void noCommandServerIsLeftBehind() {
		assertThat(Cli.serversUnder(this.tmp)).isEmpty();
	}

	@Test
	void dashVDashDashVersionAndVersionPrintTheVersion() {
		Cli cli = new Cli(this.tmp);
		Result version = cli.run("version");
		assertThat(version.exit()).as(version.toString()).isZero();
		assertThat(version.err()).as(version.toString()).isEmpty();
		assertThat(version.out()).as(version.toString()).matches("queuectl \\d+\\.\\d+\\.\\d+\\S* \\(commit \\S+, built \\S+\\)\n");
		for (String option : new String[] { "-V", "--version" }) {
			Result r = cli.runRaw(option);
			assertThat(r.exit()).as(r.toString()).isZero();
			assertThat(r.out()).as(r.toString()).isEqualTo(version.out());
		}
		assertThat(cli.run("help").out()).containsPattern("(?m)^  version +Print the version");
	}

	@Test
	void aMistypedCommandOrOptionGetsTheCloseOne() {
		Cli cli = new Cli(this.tmp);
		record Case(String expected, String... args) {
		}
		for (Case c : new Case[] {
				new Case("queuectl: unknown command 'lsit' (did you mean 'list'? try 'queuectl help')\n", "lsit"),
				new Case("queuectl: unknown option '--stat' for 'list' (did you mean --state? try 'queuectl help list')\n",
						"list", "--stat", "dead"),
				new Case("queuectl: unknown option '--cont' for 'worker start' (did you mean --count? try 'queuectl help worker start')\n",
						"worker", "start", "--cont", "2"),
				new Case("queuectl: unknown option '--prot' for 'dashboard' (did you mean --port? try 'queuectl help dashboard')\n",
						"dashboard", "--prot", "8080") }) {
			Result r = cli.runOnEnvDb(c.args()); // a queue not there yet: --db would refuse `list` first
			assertThat(r.exit()).as(r.toString()).isEqualTo(2);
			assertThat(r.out()).as(r.toString()).isEmpty();
			assertThat(r.err()).as(r.toString()).isEqualTo(c.expected());
		}
	}

	@Test
	void dbAfterTheCommandWordSaysWhereItGoesAndOpensNothing() {
		Cli cli = new Cli(this.tmp);
		Path other = this.tmp.resolve("other.db");
		for (String[] args : new String[][] { { "status", "--db", other.toString() }, { "list", "--state", "dead", "--db=" + other },
				{ "worker", "start", "--db", other.toString() } }) {
			Result r = cli.runRaw(args);
			assertThat(r.exit()).as(r.toString()).isEqualTo(2);
			assertThat(r.out()).as(r.toString()).isEmpty();
			assertThat(r.err()).as(r.toString())
				.isEqualTo("queuectl: --db goes before the command: queuectl --db " + other + " " + args[0] + " ...\n");
		}
		assertThat(other).doesNotExist();
		assertThat(this.tmp.resolve("xdg-data")).as("nor the default database").doesNotExist();
	}

	@Test
	void aPortInUseIsOneLineExitOneForAWorkerHostAndTheDashboard() throws IOException {
		Cli cli = new Cli(this.tmp);
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			String port = Integer.toString(taken.getLocalPort());
			for (String[] args : new String[][] { { "worker", "start", "--port", port }, { "dashboard", "--port", port } }) {
				Result r = cli.run(args);
				assertThat(r.exit()).as(r.toString()).isEqualTo(1);
				assertThat(r.out()).as(r.toString()).isEmpty();
				assertThat(r.err()).as(r.toString())
					.isEqualTo("queuectl: port " + port + " is in use (another program listens there: choose another with --port)\n");
			}
		}
	}

	@Test
	void workerStopOfAnIdleLocalHostReturnsInUnderASecondAndTheHostExits() throws Exception {
		Cli cli = new Cli(this.tmp);
		Result enqueued = cli.run("enqueue", "{\"id\":\"first\",\"command\":\"true\"}");
		assertThat(enqueued.exit()).as(enqueued.toString()).isZero();
		Cli.Started host = cli.start(null, cli.withDb("worker", "start", "--no-http"));
		try {
			// a host running, its socket up, its one job done: idle
			Result waited = cli.run("wait", "first", "--timeout", "120s");
			assertThat(waited.exit()).as(waited.toString()).isZero();
			assertThat(java.nio.file.Files.exists(Path.of(cli.db() + ".sock"))).isTrue();

			long start = System.nanoTime();
			Result stop = cli.run("worker", "stop");
			long millis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			assertThat(stop.exit()).as(stop.toString()).isZero();
			assertThat(stop.out()).as(stop.toString()).isEqualTo("1 worker host(s) stopped\n");
			assertThat(millis).as("worker stop's wall time, ms (%s)", stop).isLessThan(1000);
			Result exited = host.await(java.time.Duration.ofSeconds(30));
			assertThat(exited.exit()).as(exited.toString()).isZero();
		}
		finally {
			host.process().descendants().forEach(ProcessHandle::destroyForcibly);
			host.process().destroyForcibly();
		}
	}

	@Test
	void aHostsSocketOpensOnlyOnceTheHostIsRegisteredSoAWorkerStopSentAtOnceStopsIt() throws Exception {
		Cli cli = new Cli(this.tmp);
		Result created = cli.run("enqueue", "{\"id\":\"first\",\"command\":\"true\"}");
		assertThat(created.exit()).as(created.toString()).isZero();
		Path socket = Path.of(cli.db() + ".sock");
		// the test holds the database's write lock: the host starts, watches the folder, and cannot
		// register (its first writes wait); its socket must not be open then, or a `worker stop` it
		// served would answer "0 worker host(s) stopped" and leave it running
		java.sql.Connection lock = java.sql.DriverManager.getConnection("jdbc:sqlite:" + cli.db());
		Cli.Started host = null;
		try {
			lock.createStatement().execute("BEGIN IMMEDIATE");
			host = cli.start(null, cli.withDb("worker", "start", "--no-http"));
			long pid = host.process().pid();
			org.awaitility.Awaitility.await().atMost(Cli.TIMEOUT).until(() -> threadNames(pid).contains("queuectl-watch"));
			assertThat(threadNames(pid)).as("the host's threads while it cannot register").doesNotContain("queuectl-socket");
			assertThat(socket).doesNotExist();
			lock.createStatement().execute("ROLLBACK");
			lock.close();

			org.awaitility.Awaitility.await().atMost(Cli.TIMEOUT).until(() -> java.nio.file.Files.exists(socket));
			Result stop = cli.run("worker", "stop");
			assertThat(stop.exit()).as(stop.toString()).isZero();
			assertThat(stop.out()).as(stop.toString()).isEqualTo("1 worker host(s) stopped\n");
			Result exited = host.await(java.time.Duration.ofSeconds(30));
			assertThat(exited.exit()).as(exited.toString()).isZero();
		}
		finally {
			lock.close();
			if (host != null) {
				host.process().descendants().forEach(ProcessHandle::destroyForcibly);
				host.process().destroyForcibly();
			}
		}
	}

	/** The names of a process's threads (Linux: /proc/PID/task/TID/comm, at most 15 characters). */
	private static java.util.Set<String> threadNames(long pid) throws IOException {
		java.util.Set<String> names = new java.util.HashSet<>();
		try (java.util.stream.Stream<Path> tasks = java.nio.file.Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
			for (Path task : tasks.toList()) {
				try {
					names.add(java.nio.file.Files.readString(task.resolve("comm")).strip());
				}
				catch (IOException gone) {
					// the thread ended meanwhile
				}
			}
		}
		return names;
	}

	@Test
	void killingTheLauncherEndsTheNativeClientItWaitsFor() throws Exception {
		org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(Cli.PROJECT.resolve("target/queuectl-client")),
				"built where cc exists");
		Cli cli = new Cli(this.tmp).env("QUEUECTL_SERVER", "on").env("CI", "").env("QUEUECTL_CLIENT", "native");
		try {
			Result first = cli.run("enqueue", "{\"id\":\"never\",\"command\":\"true\"}");
			assertThat(first.exit()).as(first.toString()).isZero();
			org.awaitility.Awaitility.await().atMost(Cli.TIMEOUT).until(() -> cli.run("server", "status").exit() == 0);
			// no worker host: both wait for ever in the native client: through the front door the launcher
			// became the client (exec); with the door declined the bash part runs it as a child it waits for
			for (String[] c : new String[][] { { "TERM", "", "wait", "never" }, { "HUP", "", "logs", "never", "--follow" },
					{ "TERM", "declined", "wait", "never" }, { "HUP", "declined", "logs", "never", "--follow" } }) {
				java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("/usr/bin/env", "--default-signal",
						Cli.LAUNCHER.toString(), "--db", cli.db().toString()));
				command.addAll(java.util.List.of(c).subList(2, c.length));
				ProcessBuilder pb = new ProcessBuilder(command).directory(this.tmp.toFile())
					.redirectOutput(ProcessBuilder.Redirect.DISCARD)
					.redirectError(ProcessBuilder.Redirect.DISCARD);
				pb.environment().keySet().removeIf(k -> k.startsWith("QUEUECTL_"));
				pb.environment().put("QUEUECTL_SERVER", "on");
				pb.environment().put("CI", "");
				pb.environment().put("QUEUECTL_CLIENT", "native");
				pb.environment().put("XDG_CACHE_HOME", Cli.CACHE.toString());
				pb.environment().put("XDG_DATA_HOME", this.tmp.resolve("xdg-data").toString());
				if (!c[1].isEmpty()) {
					pb.environment().put("QUEUECTL_DOOR", c[1]);
				}
				Process launcher = pb.start();
				try {
					ProcessHandle[] client = new ProcessHandle[1];
					org.awaitility.Awaitility.await().atMost(Cli.TIMEOUT).until(() -> {
						client[0] = java.util.stream.Stream.concat(java.util.stream.Stream.of(launcher.toHandle()), launcher.descendants())
							.filter(d -> d.info().command().orElse("").endsWith("/queuectl-client"))
							.findFirst()
							.orElse(null);
						return client[0] != null;
					});
					new ProcessBuilder("kill", "-" + c[0], Long.toString(launcher.pid())).start().waitFor();
					assertThat(launcher.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the launcher dies of SIG" + c[0]).isTrue();
					org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
						.alias("the native client of '" + c[2] + "' (door: '" + c[1] + "') ends with its launcher")
						.until(() -> !client[0].isAlive());
				}
				finally {
					launcher.descendants().forEach(ProcessHandle::destroyForcibly);
					launcher.destroyForcibly();
				}
			}
		}
		finally {
			Cli.stopServersUnder(this.tmp, java.time.Duration.ofSeconds(120));
		}
	}
}
