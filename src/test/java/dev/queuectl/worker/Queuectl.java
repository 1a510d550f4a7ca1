package dev.queuectl.worker;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built jar as real processes against one database in a temporary directory, the way a
 * user's shell would. Nothing here touches the user's own queue. The jar starts as bin/queuectl
 * starts it, extracted and with a start-up archive ({@link TrainedJar}).
 */
final class Queuectl {

	static final Path JAR = Path.of("target", "queuectl.jar").toAbsolutePath();

	static final String JAVA = ProcessHandle.current().info().command().orElse("java");

	final Path dir;

	final Path db;

	/** What {@code --db} gets: the file, or a PostgreSQL URL (then {@link #db} is null). */
	final String dbArg;

	Queuectl(Path dir) {
		this(dir, dir.resolve("q.db"));
	}

	/** Processes run in {@code dir} (their output files go there too); the queue is {@code db}. */
	Queuectl(Path dir, Path db) {
		this(dir, db, db.toString());
	}

	private Queuectl(Path dir, Path db, String dbArg) {
		this.dir = dir;
		this.db = db;
		this.dbArg = dbArg;
	}

	/** Processes run in {@code dir} on the PostgreSQL database {@code url}. */
	static Queuectl postgres(Path dir, String url) {
		return new Queuectl(dir, null, url);
	}

	record Result(int exit, String out, String err) {
	}

	/** Whether a process has ended: gone, or a zombie its parent has not reaped yet. */
	static boolean gone(long pid) {
		if (ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
			return true;
		}
		try {
			String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
			return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
		}
		catch (IOException ex) {
			return true; // gone meanwhile
		}
	}

	private List<String> command(List<String> jvmOptions, String... args) {
		List<String> cmd = new ArrayList<>();
		cmd.add(JAVA);
		cmd.add("-XX:TieredStopAtLevel=1");
		cmd.add("-Xshare:auto");
		cmd.addAll(jvmOptions);
		cmd.addAll(TrainedJar.launch());
		if (!this.dbByEnv) {
			cmd.add("--db");
			cmd.add(this.dbArg);
		}
		cmd.addAll(List.of(args));
		return cmd;
	}

	/** Whether the queue is named by QUEUECTL_DB instead of --db (see {@link #created}). */
	private boolean dbByEnv;

	/**
	 * Creates the queue with a first {@code status}, the database named by QUEUECTL_DB as a user's
	 * profile names it: {@code --db} refuses a reading command on a queue that is not there yet.
	 */
	Queuectl created() throws IOException, InterruptedException {
		this.dbByEnv = true;
		try {
			ok("status");
		}
		finally {
			this.dbByEnv = false;
		}
		return this;
	}

	/**
	 * The SQLite queue as {@link #created} leaves it, without its JVM: a copy of the build's template
	 * that the jar made ({@link SchemaTemplates}). For tests that need a queue, not a first command.
	 */
	Queuectl copied() throws IOException {
		SchemaTemplates.sqlite(this.db);
		return this;
	}

	private final java.util.Map<String, String> env = new java.util.HashMap<>();

	/**
	 * Where this queue's processes find the database and the files beside it (web-token,
	 * http-servers, the socket): {@code --db} resolved as they resolve it, a PostgreSQL database's
	 * folder under their XDG_DATA_HOME.
	 */
	dev.queuectl.store.DatabaseLocation location() {
		Path dataHome = Path.of(this.env.getOrDefault("XDG_DATA_HOME", this.dir.resolve("xdg").toString()));
		return dev.queuectl.store.DatabaseLocation.resolve(this.dbArg, dataHome.resolve("queuectl"));
	}

	/** Sets an environment variable for every process started from now on. */
	Queuectl env(String name, String value) {
		this.env.put(name, value);
		return this;
	}

	private ProcessBuilder builder(List<String> cmd) {
		ProcessBuilder pb = new ProcessBuilder(cmd).directory(this.dir.toFile());
		pb.environment().put("XDG_DATA_HOME", this.dir.resolve("xdg").toString());
		pb.environment().put("XDG_CACHE_HOME", this.dir.resolve("cache").toString());
		pb.environment().remove("QUEUECTL_DB");
		if (this.dbByEnv) {
			pb.environment().put("QUEUECTL_DB", this.dbArg);
		}
		pb.environment().put("QUEUECTL_SERVER", "off"); // no background command server outlives a test
		pb.environment().putAll(this.env);
		return pb;
	}

	/**
	 * Runs one command to its end the way bin/queuectl runs it: a command a running process may serve
	 * goes first to the native client, which sends it to the process serving this queue or, with
	 * nothing serving, answers the simple ones (enqueue, status, list, show) from the database
	 * itself, byte for byte as the JVM (DirectPathIT, LauncherIT); the JVM runs what it declines
	 * (exit 125) and every other command. A test's queue first named by QUEUECTL_DB ({@link #created})
	 * is the JVM's.
	 */
	Result run(String... args) throws IOException, InterruptedException {
		if (!this.dbByEnv && Files.isExecutable(NATIVE_CLIENT) && dev.queuectl.server.RemoteClient.serves(List.of(args))) {
			Result r = runNative(null, args);
			if (r.exit() != dev.queuectl.Main.NOT_SERVED) {
				return r;
			}
		}
		return runJvm(args);
	}

	/** Runs one command to its end in a JVM of its own, whether or not something could serve it. */
	Result runJvm(String... args) throws IOException, InterruptedException {
		return runToEnd(command(List.of(), args));
	}

	/** Runs one command to its end with {@code stdin} as its standard input. */
	Result runWithStdin(Path stdin, String... args) throws IOException, InterruptedException {
		return runToEnd(command(List.of(), args), stdin);
	}

	/** Runs several commands in one process, one per line on stdin; returns stdout. */
	String script(String... lines) throws IOException, InterruptedException {
		Path in = Files.createTempFile(this.dir, "script", ".txt");
		Files.writeString(in, String.join("\n", lines) + "\n");
		Path out = Files.createTempFile(this.dir, "out", ".txt");
		Path err = Files.createTempFile(this.dir, "err", ".txt");
		long started = System.nanoTime();
		Process p = builder(command(List.of("-Dqueuectl.stdin.tty=false"))).redirectOutput(out.toFile())
			.redirectError(err.toFile())
			.redirectInput(in.toFile())
			.start();
		boolean ended = p.waitFor(120, TimeUnit.SECONDS);
		count("script", List.of("--db", "", "(" + lines.length + " lines)"), started);
		if (!ended || p.exitValue() != 0) {
			throw new AssertionError("script failed: " + Files.readString(err));
		}
		return Files.readString(out, StandardCharsets.UTF_8);
	}

	/**
	 * Runs the commands, each given as its words, in one process, a script on its standard input
	 * (one line a command, each word quoted): a test's set-up costs one JVM start, not one a
	 * command (~1.4 s of CPU each). Fails with the script's errors, which name the line, when any
	 * command fails; returns stdout.
	 */
	@SafeVarargs
	final String commands(List<String>... lines) throws IOException, InterruptedException {
		return commands(List.of(lines));
	}

	/** As {@link #commands(List...)}, the commands in a list. */
	String commands(List<List<String>> lines) throws IOException, InterruptedException {
		return script(lines.stream().map(words -> String.join(" ", words.stream().map(Queuectl::quoted).toList()))
			.toArray(String[]::new));
	}

	/** A word for a script line: single-quoted, a quote inside as '"'"' (LineTokenizer). */
	static String quoted(String word) {
		return "'" + word.replace("'", "'\"'\"'") + "'";
	}

	/** Runs a command that must succeed and returns its stdout. */
	String ok(String... args) throws IOException, InterruptedException {
		Result r = run(args);
		if (r.exit() != 0) {
			throw new AssertionError("queuectl " + String.join(" ", args) + " exited " + r.exit() + ": " + r.err());
		}
		return r.out();
	}

	/** Any long-running command (dashboard) in the background, its stderr to a file, as {@link #worker}. */
	Worker background(String... args) throws IOException {
		Path log = Files.createTempFile(this.dir, "background", ".log");
		count("background", List.of("--db", "", args[0]), System.nanoTime());
		Process p = builder(command(List.of(), args)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(log.toFile())
			.start();
		return new Worker(p, log);
	}

	/** A command in the background with its stdout in {@code out} (read while it runs), stderr as {@link #background}. */
	Worker background(Path out, String... args) throws IOException {
		Path log = Files.createTempFile(this.dir, "background", ".log");
		count("background", List.of("--db", "", args[0]), System.nanoTime());
		Process p = builder(command(List.of(), args)).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
		return new Worker(p, log);
	}

	/**
	 * A worker host in the background; its stderr goes to a file. With {@code ownGroup} it leads
	 * its own process group, like a foreground job of an interactive shell, and so with every signal
	 * at its default action: a test that sends it Ctrl-C's SIGINT must not depend on how the suite was
	 * started (as a background job, or under nohup, the JVM running the tests has SIGINT ignored, and
	 * a child inherits that).
	 */
	Worker worker(List<String> jvmOptions, boolean ownGroup, String... args) throws IOException {
		return workerVia(ownGroup ? List.of("/usr/bin/env", "--default-signal", "/usr/bin/setsid") : List.of(), jvmOptions, args);
	}

	/** A worker host started by a wrapper command that execs the rest (setsid, sh -c 'umask ...'). */
	Worker workerVia(List<String> wrapper, List<String> jvmOptions, String... args) throws IOException {
		List<String> all = new ArrayList<>(List.of("worker", "start"));
		all.addAll(List.of(args));
		List<String> cmd = command(jvmOptions, all.toArray(String[]::new));
		cmd.addAll(0, wrapper);
		Path log = Files.createTempFile(this.dir, "worker", ".log");
		count("host", List.of("--db", "", "worker", "start"), System.nanoTime());
		Process p = builder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(log.toFile()).start();
		return new Worker(p, log);
	}

	Worker worker(List<String> jvmOptions, String... args) throws IOException {
		return worker(jvmOptions, false, args);
	}

	Worker worker(String... args) throws IOException {
		return worker(List.of(), false, args);
	}

	/** Runs {@code java JVM_ARGS... --db DB ARGS...} where the JVM arguments name the class path and main class. */
	Result runWith(List<String> javaArgs, String... args) throws IOException, InterruptedException {
		List<String> cmd = new ArrayList<>();
		cmd.add(JAVA);
		cmd.addAll(javaArgs);
		cmd.add("--db");
		cmd.add(this.dbArg);
		cmd.addAll(List.of(args));
		return runToEnd(cmd);
	}

	/** The native client (target/queuectl-client), built where a C compiler was. */
	static final Path NATIVE_CLIENT = Path.of("target", "queuectl-client").toAbsolutePath();

	/**
	 * Runs one command through the native client ({@link #NATIVE_CLIENT}), which only ever sends it to a
	 * running process or answers from the database itself (client-direct.c): exit 125 when it cannot.
	 * {@code stdin}: its standard input (null: none).
	 */
	Result runNative(Path stdin, String... args) throws IOException, InterruptedException {
		List<String> cmd = new ArrayList<>(List.of(NATIVE_CLIENT.toString(), "", "--db", this.dbArg));
		cmd.addAll(List.of(args));
		return runToEnd(cmd, stdin);
	}

	/**
	 * Waits until a process serves this queue's commands: its socket takes a connection (a host
	 * prints its ports before its command server binds). A command {@link #run} after this costs
	 * no JVM.
	 */
	Queuectl awaitServing() {
		Path socket = location().socket();
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
			try (var channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
				channel.connect(java.net.UnixDomainSocketAddress.of(socket));
				return true;
			}
			catch (IOException notYet) {
				return false; // not there, bound but not listening yet, or a stale file
			}
		});
		return this;
	}

	private Result runToEnd(List<String> cmd) throws IOException, InterruptedException {
		return runToEnd(cmd, null);
	}

	private Result runToEnd(List<String> cmd, Path stdin) throws IOException, InterruptedException {
		long started = System.nanoTime();
		try {
			return runToEndCounted(cmd, stdin);
		}
		finally {
			count(cmd.get(0).equals(NATIVE_CLIENT.toString()) ? "native" : "jvm", cmd, started);
		}
	}

	/**
	 * A measurement: one line per process run to its end, appended to target/test-jvms/PID.tsv
	 * (the test class, native or jvm, the command's first two words, its wall ms), so a class's
	 * process starts can be counted; nothing fails over it.
	 */
	static void count(String kind, List<String> cmd, long started) {
		int at = cmd.indexOf("--db");
		List<String> words = at < 0 ? cmd.subList(cmd.size() - Math.min(2, cmd.size()), cmd.size())
				: cmd.subList(at + 2, Math.min(cmd.size(), at + 4));
		String line = String.join("\t", System.getProperty(dev.queuectl.ClassCpu.CURRENT, "?"),
				kind, String.join(" ", words).replaceAll("\\s+", " "),
				Long.toString((System.nanoTime() - started) / 1_000_000)) + "\n";
		try {
			Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target", "test-jvms");
			Files.createDirectories(dir);
			Files.writeString(dir.resolve(ProcessHandle.current().pid() + ".tsv"), line, StandardCharsets.UTF_8,
					java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
		}
		catch (IOException | RuntimeException ex) {
			// a measurement only
		}
	}

	private Result runToEndCounted(List<String> cmd, Path stdin) throws IOException, InterruptedException {
		Path out = Files.createTempFile(this.dir, "out", ".txt");
		Path err = Files.createTempFile(this.dir, "err", ".txt");
		Process p = builder(cmd).redirectOutput(out.toFile())
			.redirectError(err.toFile())
			.redirectInput(ProcessBuilder.Redirect.from(stdin == null ? new File("/dev/null") : stdin.toFile()))
			.start();
		if (!p.waitFor(120, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError(String.join(" ", cmd) + " did not finish");
		}
		return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
				Files.readString(err, StandardCharsets.UTF_8));
	}

	record Worker(Process process, Path log) implements AutoCloseable {

		String logText() {
			try {
				return Files.readString(this.log, StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				return "";
			}
		}

		int waitFor(Duration timeout) throws InterruptedException {
			if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new AssertionError("worker did not exit; log:\n" + logText());
			}
			return this.process.exitValue();
		}

		@Override
		public void close() {
			this.process.destroyForcibly();
		}
	}
}
