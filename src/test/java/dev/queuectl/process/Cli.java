package dev.queuectl.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs {@code bin/queuectl} as a real child process, the way a user's shell would: its own
 * environment (a private XDG_DATA_HOME, a shared XDG_CACHE_HOME under target/ so the start-up
 * archive is built once per run), stdout and stderr captured separately, a timeout on every wait.
 */
final class Cli {

	static final Path PROJECT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
		.toAbsolutePath()
		.normalize();

	static final Path LAUNCHER = PROJECT.resolve("bin").resolve("queuectl");

	static final Path CACHE = PROJECT.resolve("target").resolve("it-cache");

	/** Generous: a first run on a loaded 2-core machine also builds the start-up archive. */
	static final Duration TIMEOUT = Duration.ofSeconds(180);

	private final Path home;

	private final Path db;

	private final Map<String, String> env = new HashMap<>();

	private int seq;

	/** A queue in {@code home/q.db}; the process runs in {@code home}. */
	Cli(Path home) {
		this(home, home.resolve("q.db"));
	}

	Cli(Path home, Path db) {
		this.home = home;
		this.db = db;
		this.env.putAll(System.getenv());
		this.env.keySet().removeIf(k -> k.startsWith("QUEUECTL_"));
		this.env.put("XDG_CACHE_HOME", CACHE.toString());
		this.env.put("XDG_DATA_HOME", home.resolve("xdg-data").toString());
		// no background command server unless a test asks for one (ServerIT): none outlives a test
		this.env.put("QUEUECTL_SERVER", "off");
		this.env.putAll(OVERRIDES);
	}

	/**
	 * Environment every new Cli gets on top of the above: LauncherServedIT runs LauncherIT's tests
	 * with a background server and one client or the other.
	 */
	static final Map<String, String> OVERRIDES = new java.util.concurrent.ConcurrentHashMap<>();

	/** Runs without this environment variable. */
	Cli unset(String name) {
		this.env.remove(name);
		return this;
	}

	Path db() {
		return this.db;
	}

	Path home() {
		return this.home;
	}

	Cli env(String name, String value) {
		this.env.put(name, value);
		return this;
	}

	/** {@code queuectl --db DB args...}, stdin empty (not a terminal). */
	Result run(String... args) {
		return start(null, withDb(args)).await();
	}

	/** {@code queuectl --db DB args... < stdin}. */
	Result runWithStdin(Path stdin, String... args) {
		return start(stdin, withDb(args)).await();
	}

	/**
	 * {@code QUEUECTL_DB=DB queuectl args...}: the queue named the way a user's profile names it,
	 * so a reading command's first run creates it ({@code --db} refuses a file that is not there).
	 */
	Result runOnEnvDb(String... args) {
		return start(LAUNCHER, null, List.of(args), Map.of("QUEUECTL_DB", this.db.toString())).await();
	}

	/** {@code queuectl args...} exactly as given, without --db. */
	Result runRaw(String... args) {
		return start(null, List.of(args)).await();
	}

	List<String> withDb(String... args) {
		List<String> all = new ArrayList<>(List.of("--db", this.db.toString()));
		all.addAll(Arrays.asList(args));
		return all;
	}

	/** Starts {@code launcher args...}; stdin from the file, or empty when null. */
	Started start(Path stdin, List<String> args) {
		return start(LAUNCHER, stdin, args);
	}

	synchronized Started start(Path launcher, Path stdin, List<String> args) {
		return start(launcher, stdin, args, Map.of());
	}

	/** As above, with these variables on top of this Cli's environment. */
	synchronized Started start(Path launcher, Path stdin, List<String> args, Map<String, String> extraEnv) {
		int n = ++this.seq;
		Path out = this.home.resolve("run-" + n + ".out");
		Path err = this.home.resolve("run-" + n + ".err");
		List<String> command = new ArrayList<>();
		command.add(launcher.toString());
		command.addAll(args);
		ProcessBuilder pb = new ProcessBuilder(command).directory(this.home.toFile())
			.redirectOutput(out.toFile())
			.redirectError(err.toFile());
		pb.redirectInput(stdin != null ? ProcessBuilder.Redirect.from(stdin.toFile())
				: ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
		pb.environment().clear();
		pb.environment().putAll(this.env);
		pb.environment().putAll(extraEnv);
		try {
			return new Started(command, pb.start(), out, err);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Background command servers ({@code server run}) whose command line names a path under {@code dir}. */
	static List<ProcessHandle> serversUnder(Path dir) {
		String under = dir.toAbsolutePath().toString() + "/";
		return ProcessHandle.allProcesses()
			.filter(p -> p.info().commandLine().map(c -> c.contains(under) && c.endsWith(" server run")).orElse(false))
			.toList();
	}

	/**
	 * Waits until a background command server serves the database: a live process that logged
	 * "command server serving" in {@code DB.server.log} (reading a file costs nothing, where each
	 * {@code server status} asked before a server is up runs a JVM of its own that competes with
	 * the starting server for the CPU). Returns its pid.
	 */
	static long awaitServing(Path db, Duration atMost) {
		Path log = db.resolveSibling(db.getFileName() + ".server.log");
		java.util.regex.Pattern serving = java.util.regex.Pattern.compile("command server serving .* \\(pid (\\d+),");
		long[] pid = { -1 };
		await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
			if (!Files.exists(log)) {
				return false;
			}
			java.util.regex.Matcher m = serving.matcher(Files.readString(log));
			long last = -1;
			while (m.find()) {
				last = Long.parseLong(m.group(1));
			}
			pid[0] = last;
			return last > 0 && ProcessHandle.of(last).map(ProcessHandle::isAlive).orElse(false);
		});
		return pid[0];
	}

	/**
	 * SIGTERMs the background command servers under {@code dir} until none is left (a server exits
	 * on SIGTERM as on {@code server stop}). Every look signals what it finds, so a server whose
	 * start was still under way at the first look (its shells between two exec's) is stopped as
	 * well; fails naming each one left, its state and age, when one outlives {@code atMost}.
	 */
	static void stopServersUnder(Path dir, Duration atMost) {
		await().atMost(atMost).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			List<ProcessHandle> left = serversUnder(dir);
			left.forEach(ProcessHandle::destroy);
			assertThat(left).as(() -> "servers left after SIGTERM: " + describe(left)).isEmpty();
		});
	}

	private static String describe(List<ProcessHandle> processes) {
		List<String> lines = new ArrayList<>();
		for (ProcessHandle p : processes) {
			String state;
			try {
				state = Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status")).stream()
					.filter(l -> l.startsWith("State:") || l.startsWith("SigIgn:") || l.startsWith("Threads:"))
					.map(l -> l.replace('\t', ' '))
					.toList()
					.toString();
			}
			catch (IOException ex) {
				state = "(gone)";
			}
			String age = p.info().startInstant().map(t -> Duration.between(t, Instant.now()).toMillis() + " ms").orElse("?");
			String line = p.info().commandLine().orElse("?");
			lines.add(p.pid() + " " + state + " up " + age + ": " + (line.length() > 300 ? "..." + line.substring(line.length() - 300) : line));
		}
		return String.join("; ", lines);
	}

	/** Runs the tasks with a few processes at a time (2 cores: more only queue up). */
	static List<Result> parallel(List<Supplier<Result>> tasks) {
		ExecutorService pool = Executors.newFixedThreadPool(4);
		try {
			List<Future<Result>> futures = new ArrayList<>();
			for (Supplier<Result> task : tasks) {
				futures.add(pool.submit(task::get));
			}
			List<Result> results = new ArrayList<>();
			for (Future<Result> f : futures) {
				results.add(f.get(TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS));
			}
			return results;
		}
		catch (Exception ex) {
			throw new AssertionError("parallel run failed: " + ex, ex);
		}
		finally {
			pool.shutdownNow();
		}
	}

	record Started(List<String> command, Process process, Path out, Path err) {

		Result await() {
			return await(TIMEOUT);
		}

		Result await(Duration timeout) {
			try {
				if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
					this.process.descendants().forEach(ProcessHandle::destroyForcibly);
					this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
					throw new AssertionError("timed out after " + timeout + ": " + this.command + "\nstdout: "
							+ read(this.out) + "\nstderr: " + read(this.err));
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.process.destroyForcibly();
				throw new AssertionError("interrupted", ex);
			}
			return new Result(this.command, this.process.exitValue(), read(this.out), read(this.err));
		}

		private static String read(Path file) {
			try {
				return Files.readString(file, StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	/** What a finished process did. */
	record Result(List<String> command, int exit, String out, String err) {

		List<String> errLines() {
			return this.err.lines().toList();
		}

		@Override
		public String toString() {
			return "queuectl " + this.command.subList(1, this.command.size()) + " -> exit " + this.exit + "\n--- stdout:\n"
					+ this.out + "--- stderr:\n" + this.err + "---";
		}
	}
}
