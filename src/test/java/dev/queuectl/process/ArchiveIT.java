package dev.queuectl.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import dev.queuectl.store.SchemaFixtures;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The release archive as a user gets it: target/queuectl-VERSION.tar.gz (built by the package
 * phase) unpacked into a temporary folder, bin/queuectl reached through a symlink, run with no
 * Maven on PATH, no sources, no network (each command in a network namespace of its own:
 * {@code unshare -rn}) and a fresh HOME and XDG folders. The first user trains the start-up
 * archive into a cache of their own (asserted). The users of the tests that do not look at the
 * archive run a second unpacked copy whose jars are hard links to the build's own (the same bytes,
 * asserted), with the clone's cache ({@link Cli#CACHE}): the launcher keys that copy's jar as the
 * clone's bin/queuectl keys target/queuectl.jar, so they use the archive the clone's tests train
 * once a build rather than training one more (~15-20 s of CPU).
 */
class ArchiveIT {

	@TempDir
	static Path tmp;

	static String version;

	static Path install;

	/** The install's files right after unpacking: running it adds none. */
	static Set<Path> unpacked;

	/** unshare -rn PATH_BIN/queuectl "$@" */
	static Path netless;

	static Path pathBin;

	static Path tools;

	/** The shared copy's path-bin (a symlink to its bin/queuectl) and netless script; null until {@link #shared()}. */
	static Path sharedPathBin;

	static Path sharedNetless;

	@BeforeAll
	static void unpack() throws Exception {
		version = projectVersion();
		Path archive = Cli.PROJECT.resolve("target").resolve("queuectl-" + version + ".tar.gz");
		assertThat(archive).as("./mvnw package builds it").exists();
		assertThat(Cli.PROJECT.resolve("target").resolve("queuectl-" + version + ".zip")).exists();
		install = unpackInto(tmp.resolve("opt"));
		unpacked = files(install);

		// every tool of this machine but Maven
		tools = Files.createDirectories(tmp.resolve("tools"));
		for (String dir : List.of("/usr/bin", "/bin")) {
			try (Stream<Path> found = Files.list(Path.of(dir))) {
				for (Path tool : found.toList()) {
					String name = tool.getFileName().toString();
					if (!name.startsWith("mvn") && !Files.exists(tools.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
						Files.createSymbolicLink(tools.resolve(name), tool);
					}
				}
			}
		}
		pathBin = Files.createDirectories(tmp.resolve("path-bin"));
		netless = onPath(install, pathBin, tmp.resolve("netless-queuectl"));
	}

	/** Links PATH_BIN/queuectl to the install's bin/queuectl; returns the script NETLESS that runs it netless. */
	private static Path onPath(Path install, Path pathBin, Path netless) throws IOException {
		Files.createSymbolicLink(pathBin.resolve("queuectl"), install.resolve("bin").resolve("queuectl"));
		Files.writeString(netless, "#!/bin/sh\nexec /usr/bin/unshare -rn " + pathBin.resolve("queuectl") + " \"$@\"\n");
		Files.setPosixFilePermissions(netless, PosixFilePermissions.fromString("rwx------"));
		return netless;
	}

	/** tar xzf the release archive into {@code into}; returns the install's root there. */
	private static Path unpackInto(Path into) throws Exception {
		Files.createDirectories(into);
		Process tar = new ProcessBuilder("tar", "xzf", Cli.PROJECT.resolve("target/queuectl-" + version + ".tar.gz").toString(),
				"-C", into.toString()).inheritIO().start();
		assertThat(tar.waitFor(120, TimeUnit.SECONDS)).isTrue();
		assertThat(tar.exitValue()).isZero();
		return into.resolve("queuectl-" + version);
	}

	/**
	 * The install the users of the tests that do not look at the start-up archive share (made on
	 * first use): a second unpacked copy whose lib/queuectl.jar and lib/queuectl-client.jar are hard
	 * links to target/queuectl.jar and its .original, asserted the same bytes first. The launcher keys
	 * an archive by the jar's size, time and inode (and java's), so with {@link Cli#CACHE} as their
	 * cache these users find ready the archive the clone's tests train, which LauncherIT's check makes
	 * sure of here (and which costs nothing more when another class trained it already).
	 */
	private static synchronized Path shared() throws Exception {
		Path root = tmp.resolve("opt-shared");
		if (sharedNetless == null) {
			LauncherIT.launcherRunsTheCurrentJarAndBuildsItsArchive(Files.createDirectories(tmp.resolve("clone")));
			Path copy = unpackInto(root);
			for (List<String> jar : List.of(List.of("lib/queuectl.jar", "queuectl.jar"),
					List.of("lib/queuectl-client.jar", "queuectl.jar.original"))) {
				Path own = copy.resolve(jar.get(0));
				Path built = Cli.PROJECT.resolve("target").resolve(jar.get(1));
				assertThat(own).hasSameBinaryContentAs(built);
				Files.delete(own);
				Files.createLink(own, built);
			}
			sharedPathBin = Files.createDirectories(tmp.resolve("shared-path-bin"));
			sharedNetless = onPath(copy, sharedPathBin, tmp.resolve("netless-shared-queuectl"));
		}
		return root.resolve("queuectl-" + version);
	}

	@Test
	void theArchiveHoldsTheLauncherTheJarsTheDefaultsTheDocsCompletionsAndManPage() {
		assertThat(unpacked).contains(Path.of("bin/queuectl"), Path.of("lib/queuectl.jar"), Path.of("lib/queuectl-client.jar"),
				Path.of("application.yml"), Path.of("README.md"), Path.of("CHANGELOG.md"), Path.of("completions/queuectl.bash"),
				Path.of("completions/queuectl.zsh"), Path.of("completions/queuectl.fish"), Path.of("man/man1/queuectl.1"),
				Path.of("contrib/grafana/queuectl.json"), Path.of("contrib/prometheus/alerts.yml"), Path.of("openapi.json"));
		assertThat(unpacked).as("no sources, no build").noneMatch(p -> p.startsWith("src") || p.toString().equals("pom.xml")
				|| p.toString().equals("mvnw"));
		Path client = Cli.PROJECT.resolve("target/queuectl-client");
		if (Files.exists(client)) { // built with a C compiler: the client is the front door itself
			assertThat(install.resolve("bin/queuectl")).as("the native client").isExecutable().hasSameBinaryContentAs(client);
			assertThat(install.resolve("lib/queuectl")).as("the launcher, for all the client does not answer")
				.isExecutable()
				.hasSameTextualContentAs(Cli.LAUNCHER);
		}
		else {
			assertThat(install.resolve("bin/queuectl")).isExecutable().hasSameTextualContentAs(Cli.LAUNCHER);
		}
		assertThat(install.resolve("bin/queuectl-train")).as("the launcher's training of start-up archives")
			.isExecutable()
			.hasSameTextualContentAs(Cli.PROJECT.resolve("bin/queuectl-train"));
		assertThat(install.resolve("application.yml")).hasSameTextualContentAs(Cli.PROJECT.resolve("application.yml"));
	}

	@Test
	void theArchiveCarriesContribAsInTheSourcesWithItsScriptsExecutableAndTheOperationsGuide() throws IOException {
		Path contrib = Cli.PROJECT.resolve("contrib");
		Set<Path> sources = files(contrib);
		assertThat(sources).contains(Path.of("systemd/queuectl-worker.service"), Path.of("systemd/queuectl-worker-user.service"),
				Path.of("image/base-image.sh"));
		for (Path file : sources) {
			Path shipped = install.resolve("contrib").resolve(file);
			assertThat(shipped).as(file.toString()).hasSameBinaryContentAs(contrib.resolve(file));
			assertThat(Files.isExecutable(shipped)).as(file + " executable as in the sources")
				.isEqualTo(Files.isExecutable(contrib.resolve(file)));
		}
		assertThat(install.resolve("docs/operations.md")).hasSameTextualContentAs(Cli.PROJECT.resolve("docs/operations.md"));
	}

	@Test
	void statusEnqueueAWorkerThatCompletesTheJobAndWorkerStopRunFromTheUnpackedArchive() throws Exception {
		Cli cli = user("life");
		Cli.Result version = cli.start(netless, null, List.of("--version")).await();
		assertThat(version.exit()).as(version.toString()).isZero();
		assertThat(version.out()).startsWith("queuectl " + ArchiveIT.version + " (commit ");

		// the first command names the queue as a profile would: --db refuses to read a queue not there yet
		Cli.Result status = cli.start(netless, null, List.of("status"), Map.of("QUEUECTL_DB", cli.db().toString())).await();
		assertThat(status.exit()).as(status.toString()).isZero();
		assertThat(status.out()).contains("pending", "no worker hosts running");
		assertThat(run(cli, "enqueue", "{\"id\":\"a1\",\"command\":\"echo from the archive\"}").out()).isEqualTo("a1\n");

		Cli.Started worker = cli.start(netless, null, cli.withDb("worker", "start", "--no-http"));
		try {
			await().atMost(Duration.ofSeconds(120))
				.until(() -> run(cli, "list", "--state", "completed").out().contains("a1"));
			assertThat(run(cli, "logs", "a1").out()).isEqualTo("from the archive\n");
			assertThat(completeJobId(cli, "a")).as("job ids from the worker host").containsExactly("a1");

			Cli.Result stop = run(cli, "worker", "stop");
			assertThat(stop.exit()).as(stop.toString()).isZero();
			assertThat(stop.out()).isEqualTo("1 worker host(s) stopped\n");
			Cli.Result ended = worker.await();
			assertThat(ended.exit()).as(ended.toString()).isZero();
		}
		finally {
			worker.process().destroyForcibly();
		}
		assertThat(completeJobId(cli, "a")).as("nothing serves: nothing, and no application started").isEmpty();
		assertThat(Files.list(tmp.resolve("life").resolve("cache").resolve("queuectl")).toList())
			.as("the start-up archive trained into the user's cache")
			.anyMatch(d -> Files.exists(d.resolve("ready")));
		assertThat(files(install)).as("nothing built or written into the install").isEqualTo(unpacked);
	}

	@Test
	void servedCommandsAnswerByteForByteTheSameThroughTheReleasesBinQueuectlTheJvmClientAndTheFirstRun() throws Exception {
		Cli cli = sharedUser("served");
		Path front = sharedPathBin.resolve("queuectl"); // a symlink to the release's bin/queuectl, as README installs it
		assertThat(cli.start(front, null, cli.withDb("enqueue", "{\"id\":\"s1\",\"command\":\"true\"}")).await().exit()).isZero();
		List<List<String>> commands = List.of(List.of("list"), List.of("show", "s1"), List.of("show", "nope"),
				List.of("config", "get", "max-retries"), List.of("enqueue", "{bad"), List.of("list", "--state", "bogus"),
				List.of("cancel", "nope"));
		List<String> first = answers(cli, front, commands); // nothing serves: each its own JVM
		try {
			cli.env("QUEUECTL_SERVER", "on"); // on even under CI, where it is off by default
			cli.start(front, null, cli.withDb("list")).await(); // starts the background server
			await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(Path.of(cli.db() + ".sock")));
			assertThat(answers(cli, front, commands)).as("served, the native client as bin/queuectl").isEqualTo(first);
			cli.env("QUEUECTL_CLIENT", "java");
			assertThat(answers(cli, front, commands)).as("served, the JVM client").isEqualTo(first);
		}
		finally {
			Cli.stopServersUnder(tmp.resolve("served"), Duration.ofSeconds(30));
		}
	}

	private static List<String> answers(Cli cli, Path launcher, List<List<String>> commands) {
		return commands.stream().map(c -> {
			Cli.Result r = cli.start(launcher, null, cli.withDb(c.toArray(String[]::new))).await();
			return c + " -> " + r.exit() + "\n" + r.out() + "\n" + r.err();
		}).toList();
	}

	@Test
	void aDatabaseANewerQueuectlWroteIsRefusedInOneLine() throws Exception {
		Cli cli = sharedUser("newer");
		assertThat(run(sharedNetless, cli, "enqueue", "{\"id\":\"kept\",\"command\":\"true\"}").exit()).isZero();
		SQLiteDataSource ds = new SQLiteDataSource();
		ds.setUrl("jdbc:sqlite:" + cli.db());
		SchemaFixtures.stampFutureVersion(new JdbcTemplate(ds));

		Cli.Result refused = run(sharedNetless, cli, "status");
		assertThat(refused.exit()).isEqualTo(1);
		assertThat(refused.out()).isEmpty();
		assertThat(refused.err()).isEqualTo("queuectl: this database was written by queuectl 9.9.0; this is " + version + ": upgrade\n");
	}

	@Test
	void theInstallsApplicationYmlHoldsTheDefaultsAUserEditsUnderTheirOwnFile() throws Exception {
		Path shared = shared();
		Path copy = unpackInto(tmp.resolve("opt-edited"));
		Path launcher = copy.resolve("bin").resolve("queuectl");
		// its jars the very files of the shared install: the same start-up archive (keyed by the jar's
		// inode) serves both, where a jar of its own would train another
		for (String jar : List.of("lib/queuectl.jar", "lib/queuectl-client.jar")) {
			Path own = copy.resolve(jar);
			assertThat(own).hasSameBinaryContentAs(shared.resolve(jar));
			Files.delete(own);
			Files.createLink(own, shared.resolve(jar));
		}
		Path yml = copy.resolve("application.yml");
		String defaults = Files.readString(yml);
		assertThat(defaults).contains("    max-retries: 3\n");
		Files.writeString(yml, defaults.replace("    max-retries: 3\n", "    max-retries: 7\n"));
		Cli cli = sharedUser("edited");

		// the first command names the queue as a profile would: --db refuses to read a queue not there yet
		assertThat(cli.start(launcher, null, List.of("config", "get", "max-retries"), Map.of("QUEUECTL_DB", cli.db().toString()))
			.await()
			.out()).isEqualTo("7\n");
		Path own = Files.createDirectories(cli.home().resolve("config").resolve("queuectl")).resolve("application.yml");
		Files.writeString(own, "queuectl:\n  defaults:\n    max-retries: 9\n");
		assertThat(cli.start(launcher, null, cli.withDb("config", "get", "max-retries")).await().out()).isEqualTo("9\n");
	}

	@Test
	void aJavaOlderThan17IsNamed() throws Exception {
		Path jdk = Files.createDirectories(tmp.resolve("old-jdk").resolve("bin"));
		Path java = jdk.resolve("java");
		Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n");
		Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
		Cli cli = user("old").env("JAVA_HOME", jdk.getParent().toString());
		Cli.Result r = run(cli, "status");
		assertThat(r.exit()).isEqualTo(1);
		assertThat(r.err()).isEqualTo("queuectl: Java 17 or later needed: " + java + " is Java 11 (install a newer JDK, or set JAVA_HOME to one)\n");
	}

	/** A user of the unpacked release: own HOME and XDG folders, PATH without Maven. */
	private static Cli user(String name) throws IOException {
		return user(name, tmp.resolve(name).resolve("cache"), pathBin);
	}

	/**
	 * A user of the {@link #shared()} install: the clone's cache as XDG_CACHE_HOME, that install's
	 * path-bin on PATH. For the tests that do not look at the start-up archive.
	 */
	private static Cli sharedUser(String name) throws Exception {
		shared();
		return user(name, Cli.CACHE, sharedPathBin);
	}

	/** As {@link #user(String)}, with {@code cache} as XDG_CACHE_HOME and {@code pathBin} on PATH. */
	private static Cli user(String name, Path cache, Path pathBin) throws IOException {
		Path home = Files.createDirectories(tmp.resolve(name));
		Cli cli = new Cli(home);
		cli.unset("JAVA_HOME").unset("MAVEN_HOME").unset("MAVEN_OPTS").unset("MAVEN_PROJECTBASEDIR").unset("CLASSPATH");
		return cli.env("HOME", home.toString())
			.env("XDG_CACHE_HOME", cache.toString())
			.env("XDG_CONFIG_HOME", home.resolve("config").toString())
			.env("PATH", pathBin + ":" + tools);
	}

	private static Cli.Result run(Cli cli, String... args) {
		return run(netless, cli, args);
	}

	/** Runs {@code launcher --db DB args...} as the user. */
	private static Cli.Result run(Path launcher, Cli cli, String... args) {
		return cli.start(launcher, null, cli.withDb(args)).await();
	}

	/** What the shipped bash completion offers for {@code queuectl --db DB show PREFIX}. */
	private static List<String> completeJobId(Cli cli, String prefix) throws Exception {
		ProcessBuilder pb = new ProcessBuilder("bash", "--norc", "--noprofile", "-c",
				"source \"$1\" && COMP_WORDS=(queuectl --db \"$2\" show \"$3\") && COMP_CWORD=4 && _queuectl"
						+ " && printf '%s\\n' \"${COMPREPLY[@]}\"",
				"bash", install.resolve("completions/queuectl.bash").toString(), cli.db().toString(), prefix)
			.redirectErrorStream(true);
		pb.environment().put("PATH", pathBin + ":" + tools);
		pb.environment().put("HOME", cli.home().toString());
		pb.environment().put("XDG_CACHE_HOME", cli.home().resolve("cache").toString());
		pb.environment().put("QUEUECTL_SERVER", "off");
		Process p = pb.start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
		return out.lines().filter(l -> !l.isEmpty()).toList();
	}

	private static Set<Path> files(Path root) throws IOException {
		try (Stream<Path> all = Files.walk(root)) {
			return all.filter(Files::isRegularFile).map(root::relativize).collect(Collectors.toSet());
		}
	}

	private static String projectVersion() throws IOException {
		try (InputStream in = Files.newInputStream(Cli.PROJECT.resolve("target/classes/queuectl-version.properties"))) {
			Properties p = new Properties();
			p.load(in);
			return p.getProperty("version");
		}
	}
}
