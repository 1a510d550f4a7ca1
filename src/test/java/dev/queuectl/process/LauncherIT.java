package dev.queuectl.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
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
 * stdout and on stderr, quoting, piped scripts, bulk enqueue and first-time database creation by
 * concurrent processes. Runs under failsafe after {@code package}, so target/queuectl.jar is current.
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
		Result first = new Cli(home).run("status");
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
	void showOfAMissingJobExitsThree() {
		Result r = new Cli(this.tmp).run("show", "nope");
		assertThat(r.exit()).as(r.toString()).isEqualTo(3);
		assertThat(r.out()).as(r.toString()).isEmpty();
		assertThat(r.err()).as(r.toString()).isEqualTo("queuectl: no such job: nope\n");
	}

	@Test
	void quotedCommandsSurviveByteForByte() {
		Cli cli = new Cli(this.tmp);
		String command = "echo \"a  b\" 'c'";
		String tricky = "printf '%s\\t%s\\n' \"$HOME\" 'back\\slash' ; echo `date` | tr -s ' '  && exit 0";
		List<Result> enqueued = Cli.parallel(List.of(
				() -> cli.run("enqueue", "{\"id\":\"q1\",\"command\":" + jsonString(command) + "}"),
				() -> cli.run("enqueue", "{\"id\":\"q2\",\"command\":" + jsonString(tricky) + "}")));
		assertThat(enqueued.get(0).out()).as(enqueued.get(0).toString()).isEqualTo("q1\n");
		assertThat(enqueued.get(1).out()).as(enqueued.get(1).toString()).isEqualTo("q2\n");

		List<Result> shown = Cli.parallel(List.of(() -> cli.run("show", "q1", "--json"), () -> cli.run("show", "q2", "--json")));
		assertThat(shown.get(0).exit()).as(shown.get(0).toString()).isZero();
		assertThat(json(shown.get(0)).path("command").asString()).isEqualTo(command);
		assertThat(json(shown.get(1)).path("command").asString()).isEqualTo(tricky);
	}

	@Test
	void versionHelpAndASymlinkOnPath() throws IOException {
		Path link = this.tmp.resolve("path-bin").resolve("queuectl");
		Files.createDirectories(link.getParent());
		Files.createSymbolicLink(link, Cli.LAUNCHER);
		Cli cli = new Cli(this.tmp);
		List<Result> results = Cli.parallel(List.of(
				() -> cli.start(link, null, List.of("--version")).await(),
				() -> cli.runRaw("--help"),
				() -> cli.run("help")));

		Result version = results.get(0);
		assertThat(version.exit()).as(version.toString()).isZero();
		assertThat(version.out()).matches("queuectl " + java.util.regex.Pattern.quote(projectVersion())
				+ " \\(commit [0-9a-f]{7,}(-dirty)?, built \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)\n");
		assertThat(version.err()).as(version.toString()).isEmpty();

		for (Result help : results.subList(1, 3)) {
			assertThat(help.exit()).as(help.toString()).isZero();
			assertThat(help.err()).as(help.toString()).isEmpty();
			for (String command : List.of("enqueue", "list", "show", "status", "dlq list", "dlq retry", "config get",
					"config set", "config list")) {
				assertThat(help.out()).as(help.toString()).containsPattern("(?m)^  " + command + "\\s");
			}
			assertNoNoise(help);
		}
	}

	@Test
	void pipedScriptRunsEveryLineAndExitsWithTheFirstFailure() throws IOException {
		Path script = this.tmp.resolve("script");
		Files.writeString(script, """
				# a comment, then a blank line

				enqueue '{"id":"s1","command":"echo \\"a  b\\" '\\''c'\\''"}'
				status --bogus
				enqueue "{\\"id\\":\\"s2\\",\\"command\\":\\"true\\"}"
				show nope
				status --json
				list
				""");
		Path second = this.tmp.resolve("script2");
		Files.writeString(second, """
				status
				show nope
				enqueue --bogus x
				enqueue '{"id":"s3","command":"true"}'
				""");
		Cli cli = new Cli(this.tmp.resolve("one"));
		Cli cli2 = new Cli(this.tmp.resolve("two"));
		mkdirs(cli.home(), cli2.home());
		List<Result> runs = Cli.parallel(List.of(() -> cli.runWithStdin(script), () -> cli2.runWithStdin(second)));

		Result r = runs.get(0);
		assertThat(r.exit()).as("first failure is the bad option: " + r).isEqualTo(2);
		assertThat(r.out()).as(r.toString()).startsWith("s1\ns2\n").contains("\"pending\" : 2").containsPattern("(?m)^s1\\s+pending");
		assertThat(r.errLines()).as(r.toString()).hasSize(2);
		assertThat(r.errLines().get(0)).startsWith("queuectl: line 4: ").contains("'--bogus'");
		assertThat(r.errLines().get(1)).as("script mode names the line (issue 29)").isEqualTo("queuectl: line 6: no such job: nope");
		assertNoNoise(r);

		Result r2 = runs.get(1);
		assertThat(r2.exit()).as("first failure is the missing job: " + r2).isEqualTo(3);
		assertThat(r2.out()).as(r2.toString()).endsWith("s3\n");
		assertThat(r2.errLines()).as(r2.toString()).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("queuectl: "));

		List<Result> after = Cli.parallel(List.of(() -> cli.run("show", "s1", "--json"), () -> cli2.run("status", "--json")));
		assertThat(json(after.get(0)).path("command").asString()).isEqualTo("echo \"a  b\" 'c'");
		assertThat(pending(after.get(1))).isEqualTo(1);
	}

	@Test
	void enqueueFileIsAllOrNothing() throws IOException {
		Path bad = this.tmp.resolve("bad.jsonl");
		Files.writeString(bad, """
				{"id":"f1","command":"true"}
				{"id":"f2","command":"true"}
				{"id":"f3","command":"true","max_retries":"many"}
				{"id":"f4","command":"true"}
				""");
		Path good = this.tmp.resolve("good.jsonl");
		Files.writeString(good, IntStream.rangeClosed(1, 1000)
			.mapToObj(i -> "{\"id\":\"g" + i + "\",\"command\":\"echo " + i + "\",\"priority\":" + (i % 7) + "}\n")
			.collect(Collectors.joining()));
		Cli badCli = new Cli(this.tmp.resolve("bad"));
		Cli goodCli = new Cli(this.tmp.resolve("good"));
		mkdirs(badCli.home(), goodCli.home());

		List<Result> runs = Cli.parallel(List.of(() -> badCli.run("enqueue", "--file", bad.toString()),
				() -> goodCli.run("enqueue", "--file", good.toString())));
		Result r = runs.get(0);
		assertThat(r.exit()).as(r.toString()).isEqualTo(2);
		assertThat(r.out()).as(r.toString()).isEmpty();
		assertThat(r.errLines()).as(r.toString()).hasSize(1);
		assertThat(r.err()).startsWith("queuectl: ").contains("line 3");
		Result g = runs.get(1);
		assertThat(g.exit()).as(g.toString()).isZero();
		assertThat(g.out().lines()).as(g.toString()).hasSize(1000).startsWith("g1").endsWith("g1000");
		assertThat(g.err()).as(g.toString()).isEmpty();

		List<Result> after = Cli.parallel(List.of(() -> badCli.run("status", "--json"), () -> goodCli.run("status", "--json")));
		JsonNode badCounts = json(after.get(0)).path("jobs");
		assertThat(badCounts.properties()).as(after.get(0).toString())
			.allSatisfy(e -> assertThat(e.getValue().asLong()).as(e.getKey()).isZero());
		assertThat(pending(after.get(1))).isEqualTo(1000);
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
		Result list = cli.run("list", "--json");
		Set<String> ids = new java.util.TreeSet<>();
		json(list).forEach(job -> ids.add(job.path("id").asString()));
		assertThat(ids).containsExactly("race1", "race2", "race3", "race4", "race5", "race6");
		Set<PosixFilePermission> mode = Files.getPosixFilePermissions(db);
		assertThat(PosixFilePermissions.toString(mode)).isEqualTo("rw-------");
	}

	@Test
	void everyCommandGetsC1AndTheApplicationTheSerialGc() {
		// QUEUECTL_JAVA_OPTS reaches the JVM; PrintFlagsFinal shows what the launcher chose.
		Cli cli = new Cli(this.tmp).env("QUEUECTL_JAVA_OPTS", "-XX:+PrintFlagsFinal");
		List<Result> results = Cli.parallel(List.of(() -> cli.run("status"), () -> cli.run("worker", "start", "--help")));
		// nothing serves status: the client tries, then the application. The native client (built
		// where cc exists) is no JVM; the client JVM's GC depends on the JDK.
		Result oneShot = results.get(0);
		boolean nativeClient = Files.isExecutable(Cli.PROJECT.resolve("target/queuectl-client"))
				&& !"java".equals(Cli.OVERRIDES.get("QUEUECTL_CLIENT"));
		assertThat(flags(oneShot, "TieredStopAtLevel")).as(oneShot.toString())
			.containsExactlyElementsOf(nativeClient ? List.of("1") : List.of("1", "1"));
		assertThat(flags(oneShot, "UseSerialGC")).as(oneShot.toString()).last().isEqualTo("true");
		Result worker = results.get(1);
		assertThat(flags(worker, "TieredStopAtLevel")).as(worker.toString()).containsExactly("1");
		assertThat(flags(worker, "UseSerialGC")).as(worker.toString()).containsExactly("true");
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

	@Test
	void theLauncherExecsJavaSoSignalsReachTheJvm() {
		// A script that never ends: stdin is a pipe this test keeps open.
		Cli cli = new Cli(this.tmp);
		Started s = cli.start(Cli.LAUNCHER, null, cli.withDb("status"));
		s.await(); // the database exists, so the next process starts fast
		ProcessBuilder pb = new ProcessBuilder(Cli.LAUNCHER.toString(), "--db", cli.db().toString())
			.directory(this.tmp.toFile())
			.redirectOutput(this.tmp.resolve("long.out").toFile())
			.redirectError(this.tmp.resolve("long.err").toFile());
		pb.environment().keySet().removeIf(k -> k.startsWith("QUEUECTL_"));
		pb.environment().put("QUEUECTL_SERVER", "off");
		pb.environment().put("XDG_CACHE_HOME", Cli.CACHE.toString());
		pb.environment().put("XDG_DATA_HOME", this.tmp.resolve("xdg-data").toString());
		Process p;
		try {
			p = pb.start();
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		try {
			// After exec the launcher's own pid is the JVM: no bash left in between.
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
				.until(() -> p.info().command().orElse("").endsWith("/java"));
			p.getOutputStream().write("status --json\n".getBytes(StandardCharsets.UTF_8));
			p.getOutputStream().flush();
			await().atMost(Cli.TIMEOUT).until(() -> Files.readString(this.tmp.resolve("long.out")).contains("\"pending\""));
			// SIGTERM to the launcher's pid. Not Process.destroy(): that also closes stdin, and a script
			// at end of input exits 0 on its own, racing the signal.
			assertThat(p.toHandle().destroy()).isTrue();
			assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the JVM exits on SIGTERM").isTrue();
			assertThat(p.exitValue()).as("the JVM's own exit status for SIGTERM").isEqualTo(143);
		}
		catch (IOException | InterruptedException ex) {
			throw new AssertionError(ex);
		}
		finally {
			p.descendants().forEach(ProcessHandle::destroyForcibly);
			p.destroyForcibly();
		}
	}

	/** The value of a -XX:+PrintFlagsFinal flag in each JVM that printed its flags, in order. */
	private static List<String> flags(Result r, String name) {
		Matcher m = Pattern.compile("(?m)^\\s*\\S+\\s+" + name + "\\s+=\\s+(\\S+)").matcher(r.out());
		List<String> values = new ArrayList<>();
		while (m.find()) {
			values.add(m.group(1));
		}
		return values;
	}

	private static void mkdirs(Path... dirs) {
		for (Path dir : dirs) {
			try {
				Files.createDirectories(dir);
			}
			catch (IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
		}
	}

	private static void assertNoNoise(Result r) {
		assertThat(r.out()).as("no log line, JVM log or banner on stdout: " + r).doesNotContainPattern(NOISE);
	}

	private static JsonNode json(Result r) {
		assertThat(r.exit()).as(r.toString()).isZero();
		return JSON.readTree(r.out());
	}

	private static long pending(Result statusJson) {
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

	private static String projectVersion() {
		try (InputStream in = Files.newInputStream(Cli.PROJECT.resolve("target/classes/queuectl-version.properties"))) {
			Properties p = new Properties();
			p.load(in);
			return p.getProperty("version");
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}
}
