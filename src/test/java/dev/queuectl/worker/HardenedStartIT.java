package dev.queuectl.worker;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The built jar as real processes where the world is hostile or broken: a working directory with
 * its own Spring configuration, bad worker options, a closed terminal (SIGHUP), a database on
 * read-only storage, a database path that is a folder, a text file, a corrupt file or on a full disk.
 *
 * <p>The working directory's configuration and the REPL run the fat jar itself ({@code java -jar
 * target/queuectl.jar}, as a user may run it; its nested-jar class loading, Flyway's migrations
 * among them): where Spring looks for configuration is the point there. The refusals and the
 * read-only storage start the jar as bin/queuectl does ({@link TrainedJar}: extracted, with a
 * start-up archive), about half a fat jar's CPU a command: what they check is the application's
 * answer, the same from either.
 */
class HardenedStartIT {

	private static final String HOSTILE_YAML = """
			server:
			  address: 0.0.0.0
			management:
			  endpoints:
			    web:
			      exposure:
			        include: "*"
			  endpoint:
			    shutdown:
			      access: unrestricted
			queuectl:
			  db: %s
			""";

	/** {@code -jar target/queuectl.jar}: the fat jar itself. */
	private static final List<String> FAT = List.of("-jar", Queuectl.JAR.toString());

	@TempDir
	Path dir;

	record Result(int exit, String out, String err) {
	}

	@Test
	void configurationInTheWorkingDirectoryIsIgnoredAndTheEndpointsStayOnLoopback() throws Exception {
		Path work = Files.createDirectories(this.dir.resolve("work"));
		Path evil = this.dir.resolve("evil.db");
		String hostile = HOSTILE_YAML.formatted(evil);
		Files.writeString(work.resolve("application.yml"), hostile);
		Files.createDirectories(work.resolve("config/extra"));
		Files.writeString(work.resolve("config/application.yml"), hostile);
		Files.writeString(work.resolve("config/extra/application.yml"), hostile);
		Files.writeString(work.resolve("application.properties"), "server.address=0.0.0.0\nqueuectl.db=" + evil + "\n"
				+ "management.endpoints.web.exposure.include=*\nmanagement.endpoint.shutdown.access=unrestricted\n");
		Path imported = this.dir.resolve("imported.yml");
		Files.writeString(imported, hostile);
		// the user's own file is read: it names the database
		Path intended = this.dir.resolve("intended.db");
		Path userConfig = Files.createDirectories(this.dir.resolve("cfg/queuectl")).resolve("application.yml");
		Files.writeString(userConfig, "queuectl:\n  db: " + intended + "\n");
		Map<String, String> env = new HashMap<>(Map.of("XDG_CONFIG_HOME", this.dir.resolve("cfg").toString(),
				"SPRING_CONFIG_IMPORT", "file:" + imported, "SPRING_CONFIG_ADDITIONAL_LOCATION", "file:" + imported,
				"SPRING_APPLICATION_JSON", "{\"server\":{\"address\":\"0.0.0.0\"},\"queuectl\":{\"db\":\"" + evil + "\"}}",
				"SERVER_ADDRESS", "0.0.0.0", "MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE", "*"));

		Result enq = runFat(work, env, "enqueue", "{\"id\":\"where\",\"command\":\"true\"}");
		assertThat(enq.exit()).as(enq.err()).isZero();
		Path log = this.dir.resolve("worker.log");
		Process worker = start(FAT, work, env, log, "worker", "start");
		try {
			await().atMost(Duration.ofSeconds(60)).until(() -> port(log) != null);
			int port = port(log);
			assertThat(listeners(port)).as("sockets listening on port %d", port).isNotEmpty().allMatch(HardenedStartIT::isLoopback);
			HttpClient http = HttpClient.newHttpClient();
			String base = "http://127.0.0.1:" + port + "/actuator";
			Result token = runFat(work, env, "web-token");
			assertThat(token.exit()).as(token.err()).isZero();
			for (String hidden : List.of("/env", "/beans", "/configprops", "/shutdown")) {
				assertThat(http.send(HttpRequest.newBuilder(URI.create(base + hidden)).build(), HttpResponse.BodyHandlers.ofString())
					.statusCode()).as(hidden + " without the token").isEqualTo(401);
				assertThat(http.send(HttpRequest.newBuilder(URI.create(base + hidden))
					.header("Authorization", "Bearer " + token.out().strip()).build(), HttpResponse.BodyHandlers.ofString())
					.statusCode()).as(hidden + " with it: not exposed").isEqualTo(404);
			}
			HttpResponse<String> shutdown = http.send(
					HttpRequest.newBuilder(URI.create(base + "/shutdown")).POST(HttpRequest.BodyPublishers.noBody()).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(shutdown.statusCode()).as("refused: no token, no such endpoint, or no CSRF token").isIn(401, 403, 404, 405);
			assertThat(worker.isAlive()).isTrue();
			assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString())
				.statusCode()).isEqualTo(200);
			await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(scalar(intended, "SELECT state FROM jobs WHERE id = 'where'")));
			assertThat(evil).doesNotExist();
			worker.destroy();
			assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(worker.exitValue()).isZero();
		}
		finally {
			worker.destroyForcibly();
		}
	}

	@Test
	void badWorkerOptionsAreOneLineAndExit2BeforeAnythingStarts() throws Exception {
		Map<String, String[]> cases = Map.of("queuectl: --count must be from 1 to 256", new String[] { "--count", "0" },
				"queuectl: option --port expects an integer, got 'abc'", new String[] { "--port", "abc" },
				"queuectl: --port must be from 0 to 65535", new String[] { "--port", "70000" },
				"queuectl: --queue 'a b' is not a queue name (1-64 of letters, digits and . _ : -)",
				new String[] { "--queue", "a b" });
		Path db = this.dir.resolve("q.db");
		for (Map.Entry<String, String[]> c : cases.entrySet()) {
			List<String> args = new ArrayList<>(List.of("--db", db.toString(), "worker", "start"));
			args.addAll(List.of(c.getValue()));
			Result r = run(this.dir, Map.of(), args.toArray(String[]::new));
			assertThat(r.exit()).as(r.err()).isEqualTo(2);
			assertThat(r.out()).isEmpty();
			assertThat(r.err()).isEqualTo(c.getKey() + "\n"); // no WARN, no "health and metrics on ..."
			assertThat(db).as("nothing started: no database opened").doesNotExist();
		}
	}

	@Test
	void sighupStopsAWorkerGracefully() throws Exception {
		Queuectl q = new Queuectl(this.dir);
		q.ok("enqueue", "{\"id\":\"hup\",\"command\":\"sleep 2; echo done\"}");
		// started with SIGHUP's default action, as from a terminal, even where this test runs under nohup
		try (Queuectl.Worker w = q.workerVia(List.of("/usr/bin/env", "--default-signal=HUP"), List.of(), "--no-http")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> "processing".equals(scalar(q.db, "SELECT state FROM jobs WHERE id = 'hup'")));
			// the process is the JVM itself: what the terminal's hang-up reaches
			assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(w.process().pid())).start().waitFor()).isZero();
			assertThat(w.waitFor(Duration.ofSeconds(30))).as(w.logText()).isZero();
		}
		assertThat(scalar(q.db, "SELECT state FROM jobs WHERE id = 'hup'")).isEqualTo("completed");
		assertThat(scalar(q.db, "SELECT attempts FROM jobs WHERE id = 'hup'")).isEqualTo(1);
		assertThat(scalar(q.db, "SELECT group_concat(outcome) FROM job_runs WHERE job_id = 'hup'")).isEqualTo("completed");
		assertThat(q.ok("logs", "hup")).isEqualTo("done\n");
	}

	@Test
	void aDatabaseOnReadOnlyStorageCanBeReadAndWritesSaySo() throws Exception {
		Path data = Files.createDirectories(this.dir.resolve("data"));
		Path db = data.resolve("q.db");
		assertThat(run(this.dir, Map.of(), "--db", db.toString(), "enqueue", "{\"id\":\"r1\",\"command\":\"echo kept\"}").exit()).isZero();
		Path log = this.dir.resolve("worker.log");
		Process worker = start(TrainedJar.launch(), this.dir, Map.of(), log, "--db", db.toString(), "worker", "start", "--no-http");
		try {
			await().atMost(Duration.ofSeconds(60)).until(() -> "completed".equals(scalar(db, "SELECT state FROM jobs WHERE id = 'r1'")));
		}
		finally {
			worker.destroy();
			worker.waitFor(30, TimeUnit.SECONDS);
			worker.destroyForcibly();
		}
		Path view = readOnlyView(data);
		try {
			Path roDb = view.resolve("q.db");
			assertThat(Files.isWritable(view)).isFalse();
			Result status = run(this.dir, Map.of(), "--db", roDb.toString(), "status");
			assertThat(status.exit()).as(status.err()).isZero();
			assertThat(status.out()).containsPattern("completed\\s+1");
			Result list = run(this.dir, Map.of(), "--db", roDb.toString(), "list");
			assertThat(list.exit()).as(list.err()).isZero();
			assertThat(list.out()).contains("r1");
			Result show = run(this.dir, Map.of(), "--db", roDb.toString(), "show", "r1");
			assertThat(show.exit()).as(show.err()).isZero();
			assertThat(show.out()).contains("echo kept");
			Result logs = run(this.dir, Map.of(), "--db", roDb.toString(), "logs", "r1");
			assertThat(logs.exit()).as(logs.err()).isZero();
			assertThat(logs.out()).isEqualTo("kept\n");
			Result write = run(this.dir, Map.of(), "--db", roDb.toString(), "enqueue", "{\"command\":\"true\"}");
			assertThat(write.exit()).isEqualTo(1);
			assertThat(write.out()).isEmpty();
			assertThat(write.err()).isEqualTo("queuectl: the database " + roDb + " is read-only\n");
		}
		finally {
			undoReadOnlyView(data, view);
		}
		assertThat(scalar(db, "SELECT COUNT(*) FROM jobs")).isEqualTo(1);
	}

	@Test
	void aDatabasePathThatCannotHoldTheQueueIsOneLineSayingWhatAndWhere() throws Exception {
		Path folder = Files.createDirectories(this.dir.resolve("folder"));
		assertOneLine(run(this.dir, Map.of(), "--db", folder.toString(), "status"),
				"queuectl: the database path " + folder + " is a folder, not a file");
		Path text = this.dir.resolve("notes.txt");
		Files.writeString(text, "not a database\n".repeat(300));
		assertOneLine(run(this.dir, Map.of(), "--db", text.toString(), "list"),
				"queuectl: " + text + " is not a queuectl database (not an SQLite file)");
		assertOneLine(run(this.dir, Map.of(), "--db", text.resolve("q.db").toString(), "status"),
				"queuectl: cannot create " + text.resolve("q.db") + ": " + text + " is a file, not a folder");

		Path good = this.dir.resolve("good.db");
		assertThat(run(this.dir, Map.of(), "--db", good.toString(), "enqueue", "{\"command\":\"true\"}").exit()).isZero();
		Path corrupt = this.dir.resolve("corrupt.db");
		byte[] bytes = Files.readAllBytes(good);
		for (int i = 4096; i < Math.min(bytes.length, 4096 * 6); i++) {
			bytes[i] = (byte) 0xA5; // the schema's pages and the first tables' roots
		}
		Files.write(corrupt, bytes);
		assertOneLine(run(this.dir, Map.of(), "--db", corrupt.toString(), "list"),
				"queuectl: the database " + corrupt + " is corrupt (restore it from a backup, or move it away to start afresh)");

		assertOneLine(run(this.dir, Map.of(), "--db", good.toString(), "enqueue", "--file", folder.toString()),
				"queuectl: --file " + folder + " is a folder, not a file", 2);
	}

	@Test
	void aFullDiskIsOneLine() throws Exception {
		Path tiny = Files.createDirectories(this.dir.resolve("tiny"));
		assertThat(exec("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", tiny.toString())).as("mount a 1 MiB tmpfs (root)")
			.isZero();
		try {
			Path jobs = this.dir.resolve("jobs.jsonl");
			StringBuilder sb = new StringBuilder();
			String padding = "x".repeat(900);
			for (int i = 0; i < 3000; i++) {
				sb.append("{\"command\":\"echo ").append(padding).append(i).append("\"}\n");
			}
			Files.writeString(jobs, sb);
			Path db = tiny.resolve("q.db");
			assertOneLine(run(this.dir, Map.of(), "--db", db.toString(), "enqueue", "--file", jobs.toString()),
					"queuectl: the disk holding " + db + " is full");
		}
		finally {
			exec("umount", "-l", tiny.toString());
		}
	}

	@Test
	void inTheReplCtrlCAbandonsTheLineAndCtrlDLeaves() throws Exception {
		assertThat(exec("tmux", "-V")).as("tmux, for a terminal").isZero();
		Path db = this.dir.resolve("q.db");
		Path exit = this.dir.resolve("exit.txt");
		Path script = this.dir.resolve("repl.sh");
		Files.writeString(script, "cd '" + this.dir + "' && XDG_DATA_HOME='" + this.dir.resolve("xdg") + "' XDG_CONFIG_HOME='"
				+ this.dir.resolve("no-config") + "' '" + Queuectl.JAVA + "' -XX:TieredStopAtLevel=1 -Dqueuectl.stdin.tty=true -jar '"
				+ Queuectl.JAR + "' --db '" + db + "' 2>'" + this.dir.resolve("repl.err") + "'; echo \"EXITED=$?\" > '" + exit
				+ "'; sleep 600\n");
		String server = "queuectl-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
		try {
			assertThat(exec("tmux", "-L", server, "new-session", "-d", "-x", "150", "-y", "40", "bash " + script)).isZero();
			awaitPrompts(server, 1);
			tmux(server, "list --stat");
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(screen(server)).contains("list --stat"));
			tmux(server, "C-c");
			// the terminal sends Ctrl-C as a signal, beside the typed characters: type on at the new prompt
			awaitPrompts(server, 2);
			tmux(server, "enqueue '{\"command\":\"echo", "Enter");
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(screen(server)).endsWith("quote>"));
			tmux(server, "C-c");
			awaitPrompts(server, 3);
			tmux(server, "status", "Enter");
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(screen(server)).contains("no worker hosts running"));
			assertThat(exit).as(screen(server)).doesNotExist();
			assertThat(scalar(db, "SELECT COUNT(*) FROM jobs")).as("the abandoned enqueue stored nothing").isEqualTo(0);
			tmux(server, "C-d");
			await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(exit) && Files.size(exit) > 0);
			assertThat(Files.readString(exit).trim()).isEqualTo("EXITED=0");
		}
		finally {
			exec("tmux", "-L", server, "kill-server");
		}
	}

	// ---- helpers

	private static void tmux(String server, String... keys) throws Exception {
		List<String> cmd = new ArrayList<>(List.of("tmux", "-L", server, "send-keys"));
		cmd.addAll(List.of(keys));
		assertThat(exec(cmd.toArray(String[]::new))).isZero();
	}

	/** The screen shows this many prompts, the last one empty and waiting. */
	private static void awaitPrompts(String server, int count) {
		await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
			String screen = screen(server);
			// the prompt names the database: queuectl /tmp/.../q.db>
			assertThat(screen.lines().filter(l -> l.matches("queuectl [^ ]+>.*")).count()).as(screen).isEqualTo(count);
			assertThat(screen).endsWith(">");
		});
	}

	private static String screen(String server) throws Exception {
		Process p = new ProcessBuilder("tmux", "-L", server, "capture-pane", "-p").redirectErrorStream(true).start();
		String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		p.waitFor(10, TimeUnit.SECONDS);
		return text.strip();
	}

	private static void assertOneLine(Result r, String line) {
		assertOneLine(r, line, 1);
	}

	private static void assertOneLine(Result r, String line, int exit) {
		assertThat(r.err()).isEqualTo(line + "\n");
		assertThat(r.out()).isEmpty();
		assertThat(r.exit()).isEqualTo(exit);
	}

	/**
	 * The folder as read-only storage. root ignores file modes, so as root a read-only bind mount
	 * of it (a real read-only file system); otherwise the folder and its files lose write permission.
	 */
	private Path readOnlyView(Path data) throws Exception {
		if (isRoot()) {
			Path view = Files.createDirectories(this.dir.resolve("ro-view"));
			assertThat(exec("mount", "--bind", data.toString(), view.toString())).as("bind-mount as root").isZero();
			if (exec("mount", "-o", "remount,bind,ro", view.toString()) != 0) {
				exec("umount", view.toString());
				throw new AssertionError("root could not remount " + view + " read-only");
			}
			return view;
		}
		try (var files = Files.walk(data)) {
			for (Path p : files.toList()) {
				Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "r-xr-xr-x" : "r--r--r--"));
			}
		}
		return data;
	}

	private void undoReadOnlyView(Path data, Path view) throws Exception {
		if (!view.equals(data)) {
			exec("umount", view.toString());
			return;
		}
		try (var files = Files.walk(data)) {
			for (Path p : files.toList()) {
				Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwx------" : "rw-------"));
			}
		}
	}

	private static boolean isRoot() {
		return "root".equals(System.getProperty("user.name"));
	}

	private static int exec(String... cmd) throws IOException, InterruptedException {
		Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
		return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
	}

	/** The HTTP port the worker logged, or null before it has. */
	private static Integer port(Path log) throws IOException {
		Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/actuator").matcher(Files.readString(log));
		return m.find() ? Integer.valueOf(m.group(1)) : null;
	}

	/** Local addresses (hex, as /proc/net shows them) of the TCP sockets listening on the port. */
	private static List<String> listeners(int port) throws IOException {
		List<String> found = new ArrayList<>();
		String hexPort = String.format(Locale.ROOT, "%04X", port);
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			Path path = Path.of(table);
			if (!Files.exists(path)) {
				continue;
			}
			for (String line : Files.readAllLines(path).subList(1, Files.readAllLines(path).size())) {
				String[] f = line.trim().split("\\s+");
				String[] local = f[1].split(":");
				if (local[1].equals(hexPort) && f[3].equals("0A")) { // 0A: LISTEN
					found.add(local[0]);
				}
			}
		}
		return found;
	}

	/** 127.x.x.x (also IPv4-mapped) or ::1. */
	private static boolean isLoopback(String hex) {
		if (hex.length() == 8) {
			return hex.endsWith("7F");
		}
		return (hex.startsWith("0000000000000000FFFF0000") && hex.endsWith("7F"))
				|| hex.equals("00000000000000000000000001000000");
	}

	private Process start(List<String> jar, Path cwd, Map<String, String> env, Path log, String... args) throws IOException {
		return builder(jar, cwd, env, args).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(log.toFile()).start();
	}

	/** One command, the jar started as bin/queuectl starts it. */
	private Result run(Path cwd, Map<String, String> env, String... args) throws IOException, InterruptedException {
		return run(TrainedJar.launch(), cwd, env, args);
	}

	/** One command of the fat jar itself. */
	private Result runFat(Path cwd, Map<String, String> env, String... args) throws IOException, InterruptedException {
		return run(FAT, cwd, env, args);
	}

	private Result run(List<String> jar, Path cwd, Map<String, String> env, String... args) throws IOException, InterruptedException {
		Path out = Files.createTempFile(this.dir, "out", ".txt");
		Path err = Files.createTempFile(this.dir, "err", ".txt");
		Process p = builder(jar, cwd, env, args).redirectOutput(out.toFile())
			.redirectError(err.toFile())
			.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
			.start();
		if (!p.waitFor(120, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError(String.join(" ", args) + " did not finish");
		}
		return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
	}

	/** java JAR ARGS in cwd ({@link #FAT} or {@link TrainedJar#launch()}); the user's data and config folders are in the temp dir. */
	private ProcessBuilder builder(List<String> jar, Path cwd, Map<String, String> env, String... args) {
		List<String> cmd = new ArrayList<>(List.of(Queuectl.JAVA, "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
		cmd.addAll(jar);
		cmd.addAll(List.of(args));
		ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
		pb.environment().keySet().removeIf(k -> k.startsWith("QUEUECTL_") || k.startsWith("SPRING_"));
		pb.environment().put("XDG_DATA_HOME", this.dir.resolve("xdg").toString());
		pb.environment().put("XDG_CONFIG_HOME", this.dir.resolve("no-config").toString());
		pb.environment().put("XDG_CACHE_HOME", this.dir.resolve("cache").toString());
		pb.environment().put("QUEUECTL_SERVER", "off");
		pb.environment().putAll(env);
		return pb;
	}

	private static Object scalar(Path db, String sql) throws SQLException {
		if (!Files.exists(db)) {
			return null;
		}
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db + "?busy_timeout=10000");
				ResultSet rs = c.createStatement().executeQuery(sql)) {
			return rs.next() ? rs.getObject(1) : null;
		}
		catch (SQLException notYet) {
			return null;
		}
	}
}
