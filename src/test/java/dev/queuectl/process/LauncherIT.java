package dev.queuectl.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.queuectl.process.Cli.Result;
import dev.queuectl.process.Cli.Started;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * bin/queuectl as a user runs it: a real child process per command, exit codes, what lands on
 * stdout and on stderr, quoting, first-time database creation by concurrent processes, no native
 * library left in the temp folder. These run again through each client with the background server
 * on (LauncherServedIT); what the server changes nothing in runs once, in LauncherOnePathIT (bulk
 * enqueue and a missing job among them: their commands are each database's first, which nothing
 * serves yet). Runs under failsafe after {@code package}, so target/queuectl.jar is current.
 */
@Timeout(300)
class LauncherIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** A Logback line or Boot's banner: neither may reach stdout. */
	private static final Pattern NOISE = Pattern.compile("(?m)^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3} |.*:: Spring Boot ::|\\[\\d+\\.\\d+s\\]\\[)");

	@TempDir
	Path tmp;

	@org.junit.jupiter.api.AfterEach
	void noCommandServerIsLeftBehind() {
		assertThat(Cli.serversUnder(this.tmp)).isEmpty();
	}

	@BeforeAll
	static void launcherRunsTheCurrentJarAndBuildsItsArchive(@TempDir Path home) throws IOException {
		Path jar = Cli.PROJECT.resolve("target/queuectl.jar");
		assertThat(jar).as("run 'mvn package' first").isRegularFile();
		String jarPath = jar.toRealPath().toString();
		FileTime built = Files.getLastModifiedTime(jar);
		// A stale jar would make the launcher run Maven inside this build: fail instead.
		List<Path> inputs = new ArrayList<>(List.of(Cli.PROJECT.resolve("pom.xml"), Cli.PROJECT.resolve("application.yml")));
		try (Stream<Path> src = Files.walk(Cli.PROJECT.resolve("src/main"))) {
			src.filter(Files::isRegularFile)
				.filter(p -> !p.getFileName().toString().startsWith(".") && !p.toString().endsWith("~"))
				.forEach(inputs::add);
		}
		for (Path input : inputs) {
			if (Files.exists(input)) {
				assertThat(Files.getLastModifiedTime(input)).as("%s is newer than %s", input, jar).isLessThanOrEqualTo(built);
			}
		}
		assertThat(Cli.LAUNCHER).isExecutable();

		// The first run extracts the jar and trains the archive; later runs (every test) reuse it.
		Result first = new Cli(home).runOnEnvDb("status");
		assertThat(first.exit()).as(first.toString()).isZero();
		assertThat(first.out()).startsWith("STATE");

		try (Stream<Path> dirs = Files.list(Cli.CACHE.resolve("queuectl"))) {
			List<Path> ready = dirs.filter(d -> Files.isRegularFile(d.resolve("ready"))).toList();
			assertThat(ready).as("one ready cache dir for this jar and JVM").isNotEmpty();
			Path dir = ready.stream()
				.filter(d -> read(d.resolve("source")).lines().findFirst().orElse("").equals(jarPath))
				.findFirst()
				.orElseThrow(() -> new AssertionError("no cache dir names " + jar + " in " + ready));
			assertThat(dir.resolve("app/queuectl.jar")).isRegularFile();
			assertThat(read(dir.resolve("jvm.opts"))).as("a CDS archive or AOT cache was created (see %s/train.log)", dir)
				.containsPattern("-XX:(SharedArchiveFile|AOTCache)=");
		}
	}

	@Test
	void enqueueAndStatusExitZeroWithResultsAloneOnStdout() {
		Cli cli = new Cli(this.tmp);
		Result enqueued = cli.run("enqueue", "{\"id\":\"j1\",\"command\":\"true\"}");
		assertThat(enqueued.exit()).as(enqueued.toString()).isZero();
		assertThat(enqueued.out()).as(enqueued.toString()).isEqualTo("j1\n");
		assertThat(enqueued.err()).as(enqueued.toString()).isEmpty();
		firstCommandRan(cli);

		List<Result> results = Cli.parallel(List.of(
				() -> cli.run("enqueue", "{\"command\":\"echo generated id\"}"),
				() -> cli.run("--debug", "enqueue", "{\"id\":\"j2\",\"command\":\"true\"}")));
		Result generated = results.get(0);
		assertThat(generated.exit()).as(generated.toString()).isZero();
		assertThat(generated.out()).as(generated.toString()).matches("[0-9a-z]+-[0-9a-f]{12}\n");
		assertThat(generated.err()).as(generated.toString()).isEmpty();
		Result debug = results.get(1);
		assertThat(debug.exit()).as(debug.toString()).isZero();
		assertThat(debug.out()).as("--debug logs go to stderr only: " + debug).isEqualTo("j2\n");

		results = Cli.parallel(List.of(() -> cli.run("status"), () -> cli.run("status", "--json")));
		Result status = results.get(0);
		assertThat(status.exit()).as(status.toString()).isZero();
		assertThat(status.err()).as(status.toString()).isEmpty();
		assertThat(status.out().lines().toList()).as(status.toString())
			.first()
			.satisfies(header -> assertThat(header).matches("STATE\\s+JOBS"));
		assertThat(status.out()).as(status.toString()).containsPattern("(?m)^pending\\s+3$");
		assertNoNoise(status);
		assertThat(pending(results.get(1))).isEqualTo(3);
	}

	@Test
	void badInputExitsTwoWithOneLineOnStderrAndStoresNothing() {
		Cli cli = new Cli(this.tmp);
		Result first = cli.run("enqueue", "{\"id\":\"d1\",\"command\":\"echo first\"}");
		assertThat(first.exit()).as(first.toString()).isZero();
		firstCommandRan(cli);

		record Case(String expected, String... args) {
		}
		// Each case names its own job id, so the final listing shows which one, if any, got in.
		List<Case> cases = List.of(
				new Case("malformed JSON", "enqueue", "{\"id\":\"m1\",\"command\":\"true\""),
				new Case("unknown field 'colour'", "enqueue", "{\"id\":\"u1\",\"command\":\"true\",\"colour\":\"red\"}"),
				new Case("field 'command' must be a string", "enqueue", "{\"id\":\"w1\",\"command\":42}"),
				new Case("field 'max_retries' must be an integer", "enqueue",
						"{\"id\":\"w2\",\"command\":\"true\",\"max_retries\":\"3\"}"),
				new Case("field 'max_retries' must be an integer from 0 to 100, got 101", "enqueue",
						"{\"id\":\"r1\",\"command\":\"true\",\"max_retries\":101}"),
				new Case("got -1", "enqueue", "{\"id\":\"r2\",\"command\":\"true\",\"max_retries\":-1}"),
				new Case("a job with id 'd1' already exists", "enqueue", "{\"id\":\"d1\",\"command\":\"echo second\"}"),
				new Case("unknown command 'frobnicate'", "frobnicate", "{\"id\":\"c1\",\"command\":\"true\"}"),
				new Case("unknown option '--colour'", "enqueue", "--colour", "red", "{\"id\":\"o1\",\"command\":\"true\"}"));
		List<Supplier<Result>> tasks = new ArrayList<>();
		for (Case c : cases) {
			tasks.add(() -> cli.run(c.args()));
		}
		List<Result> bad = Cli.parallel(tasks);

		SoftAssertions soft = new SoftAssertions();
		for (int i = 0; i < bad.size(); i++) {
			Result r = bad.get(i);
			soft.assertThat(r.exit()).as(r.toString()).isEqualTo(2);
			soft.assertThat(r.out()).as(r.toString()).isEmpty();
			soft.assertThat(r.errLines()).as(r.toString()).hasSize(1);
			soft.assertThat(r.err()).as(r.toString()).startsWith("queuectl: ").contains(cases.get(i).expected());
		}

		// Nothing was stored: the queue holds only the first d1, unchanged.
		List<Result> after = Cli.parallel(List.of(() -> cli.run("list", "--json"), () -> cli.run("status", "--json")));
		JsonNode list = json(after.get(0));
		List<String> ids = new ArrayList<>();
		list.forEach(job -> ids.add(job.path("id").asString()));
		soft.assertThat(ids).as(after.get(0).toString()).containsExactly("d1");
		soft.assertThat(list.path(0).path("command").asString()).isEqualTo("echo first");
		JsonNode counts = json(after.get(1)).path("jobs");
		soft.assertThat(counts.path("pending").asLong()).as(after.get(1).toString()).isEqualTo(1);
		counts.properties()
			.stream()
			.filter(e -> !e.getKey().equals("pending"))
			.forEach(e -> soft.assertThat(e.getValue().asLong()).as(e.getKey()).isZero());
		soft.assertAll();
	}

	@Test
	void quotedCommandsSurviveByteForByte() {
		Cli cli = new Cli(this.tmp);
		String command = "echo \"a  b\" 'c'";
		String tricky = "printf '%s\\t%s\\n' \"$HOME\" 'back\\slash' ; echo `date` | tr -s ' '  && exit 0";
		Result q1 = cli.run("enqueue", "{\"id\":\"q1\",\"command\":" + jsonString(command) + "}");
		assertThat(q1.out()).as(q1.toString()).isEqualTo("q1\n");
		firstCommandRan(cli);
		Result q2 = cli.run("enqueue", "{\"id\":\"q2\",\"command\":" + jsonString(tricky) + "}");
		assertThat(q2.out()).as(q2.toString()).isEqualTo("q2\n");

		List<Result> shown = Cli.parallel(List.of(() -> cli.run("show", "q1", "--json"), () -> cli.run("show", "q2", "--json")));
		assertThat(shown.get(0).exit()).as(shown.get(0).toString()).isZero();
		assertThat(json(shown.get(0)).path("command").asString()).isEqualTo(command);
		assertThat(json(shown.get(1)).path("command").asString()).isEqualTo(tricky);
	}

	@Test
	void concurrentFirstRunsOnAFreshDatabaseAllSucceed() throws IOException {
		Path db = this.tmp.resolve("fresh").resolve("q.db");
		Files.createDirectories(db.getParent());
		Cli cli = new Cli(this.tmp, db);
		assertThat(db).doesNotExist();
		List<Started> started = new ArrayList<>();
		for (int i = 1; i <= 6; i++) {
			started.add(cli.start(null, cli.withDb("enqueue", "{\"id\":\"race" + i + "\",\"command\":\"true\"}")));
		}
		List<Result> results = started.stream().map(Started::await).toList();
		for (int i = 0; i < results.size(); i++) {
			Result r = results.get(i);
			assertThat(r.exit()).as(r.toString()).isZero();
			assertThat(r.out()).as(r.toString()).isEqualTo("race" + (i + 1) + "\n");
			assertThat(r.err()).as(r.toString()).isEmpty();
		}
		firstCommandRan(cli);
		Result list = cli.run("list", "--json");
		Set<String> ids = new java.util.TreeSet<>();
		json(list).forEach(job -> ids.add(job.path("id").asString()));
		assertThat(ids).containsExactly("race1", "race2", "race3", "race4", "race5", "race6");
		Set<PosixFilePermission> mode = Files.getPosixFilePermissions(db);
		assertThat(PosixFilePermissions.toString(mode)).isEqualTo("rw-------");
	}

	@Test
	void noJvmLeavesNativeLibrariesInTheTempFolderNotEvenAKilledOne() throws Exception {
		// sqlite-jdbc and JLine copy their native library into java.io.tmpdir under a new name in
		// every JVM, and a killed JVM leaves its copy there; the launcher loads both from its cache
		String arch = System.getProperty("os.arch");
		org.junit.jupiter.api.Assumptions.assumeTrue(
				System.getProperty("os.name").equals("Linux") && (arch.equals("amd64") || arch.equals("aarch64")),
				"the launcher knows the libraries' folders for Linux on x86_64 and aarch64");
		Path javaTmp = Files.createDirectories(this.tmp.resolve("java-tmp"));
		Cli cli = new Cli(this.tmp).env("QUEUECTL_JAVA_OPTS", "-Djava.io.tmpdir=" + javaTmp);
		assertThat(cli.run("enqueue", "{\"id\":\"n1\",\"command\":\"echo n1\"}").exit()).isZero();
		firstCommandRan(cli);
		Started worker = cli.start(Cli.LAUNCHER, null, cli.withDb("worker", "start", "--no-http"));
		try {
			await().atMost(Cli.TIMEOUT).pollInterval(Duration.ofMillis(500))
				.until(() -> cli.run("show", "n1").out().contains("completed"));
		}
		finally {
			worker.process().destroyForcibly().waitFor(); // SIGKILL: no exit hook deletes anything
		}
		try (Stream<Path> left = Files.list(javaTmp)) {
			assertThat(left.map(f -> f.getFileName().toString()))
				.noneMatch(n -> n.contains("sqlitejdbc") || n.contains("jlinenative"));
		}
	}

	/**
	 * After a test's first command on the Cli's database: nothing here. With the background server
	 * on (LauncherServedIT), that command ran in the application, which started a server; this
	 * waits until it serves, so that the test's later commands are served through the client as
	 * that class means them to be, rather than each run by the application again while the server
	 * is still starting (as many were: a JVM each, and a path the first command covers already).
	 */
	void firstCommandRan(Cli cli) {
	}

	static void mkdirs(Path... dirs) {
		for (Path dir : dirs) {
			try {
				Files.createDirectories(dir);
			}
			catch (IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
		}
	}

	static void assertNoNoise(Result r) {
		assertThat(r.out()).as("no log line, JVM log or banner on stdout: " + r).doesNotContainPattern(NOISE);
	}

	static JsonNode json(Result r) {
		assertThat(r.exit()).as(r.toString()).isZero();
		return JSON.readTree(r.out());
	}

	static long pending(Result statusJson) {
		JsonNode jobs = json(statusJson).path("jobs");
		assertThat(jobs.has("pending")).as(statusJson.toString()).isTrue();
		return jobs.path("pending").asLong();
	}

	private static String jsonString(String s) {
		return JSON.writeValueAsString(s);
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}
}
