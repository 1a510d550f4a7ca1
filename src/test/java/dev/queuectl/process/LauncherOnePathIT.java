package dev.queuectl.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.queuectl.process.Cli.Result;
import dev.queuectl.process.Cli.Started;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static dev.queuectl.process.LauncherIT.assertNoNoise;
import static dev.queuectl.process.LauncherIT.json;
import static dev.queuectl.process.LauncherIT.mkdirs;
import static dev.queuectl.process.LauncherIT.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * bin/queuectl where the background command server changes nothing, so these run once rather than
 * again through each client as LauncherIT's tests do (LauncherServedIT): --version and --help (the
 * application answers them), a script piped to stdin (the application runs it), the JVM options
 * each kind of process gets (the JVM client's too, named here), and the exec that lets signals
 * reach the JVM (with the server off by its own environment). Also the commands that are their
 * database's first, so that with the server on nothing serves them yet and the client hands them
 * to the application as here (the missing job, the bulk enqueue of a file): served, they only
 * started servers. What the clients answer for each served command is held byte for byte to the
 * in-process answer by ServerIT.
 */
@Timeout(300)
class LauncherOnePathIT {

	@TempDir
	Path tmp;

	@BeforeAll
	static void launcherRunsTheCurrentJar(@TempDir Path home) throws IOException {
		LauncherIT.launcherRunsTheCurrentJarAndBuildsItsArchive(home);
	}

	@AfterEach
	void noCommandServerIsLeftBehind() {
		assertThat(Cli.serversUnder(this.tmp)).isEmpty();
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
	void everyCommandGetsC1AndTheApplicationTheSerialGc() {
		// QUEUECTL_JAVA_OPTS reaches the JVM; PrintFlagsFinal shows what the launcher chose.
		Cli cli = new Cli(this.tmp).env("QUEUECTL_JAVA_OPTS", "-XX:+PrintFlagsFinal");
		Cli jvmClient = new Cli(this.tmp.resolve("jvm-client")).env("QUEUECTL_JAVA_OPTS", "-XX:+PrintFlagsFinal")
			.env("QUEUECTL_CLIENT", "java");
		mkdirs(jvmClient.home());
		List<Result> results = Cli.parallel(List.of(() -> cli.runOnEnvDb("status"), () -> cli.run("worker", "start", "--help"),
				() -> jvmClient.runOnEnvDb("status")));
		// nothing serves status: the client tries, then the application. The native client (built
		// where cc exists) is no JVM; the client JVM's GC depends on the JDK.
		boolean nativeClient = Files.isExecutable(Cli.PROJECT.resolve("target/queuectl-client"));
		for (Result oneShot : List.of(results.get(0), results.get(2))) {
			boolean throughNative = nativeClient && oneShot == results.get(0);
			assertThat(flags(oneShot, "TieredStopAtLevel")).as(oneShot.toString())
				.containsExactlyElementsOf(throughNative ? List.of("1") : List.of("1", "1"));
			assertThat(flags(oneShot, "UseSerialGC")).as(oneShot.toString()).last().isEqualTo("true");
		}
		Result worker = results.get(1);
		assertThat(flags(worker, "TieredStopAtLevel")).as(worker.toString()).containsExactly("1");
		assertThat(flags(worker, "UseSerialGC")).as(worker.toString()).containsExactly("true");
	}

	@Test
	void theLauncherExecsJavaSoSignalsReachTheJvm() {
		// A script that never ends: stdin is a pipe this test keeps open.
		Cli cli = new Cli(this.tmp);
		Started s = cli.start(Cli.LAUNCHER, null, List.of("status"), Map.of("QUEUECTL_DB", cli.db().toString()));
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

	@Test
	void showOfAMissingJobExitsThree() {
		Result r = new Cli(this.tmp).runOnEnvDb("show", "nope");
		assertThat(r.exit()).as(r.toString()).isEqualTo(3);
		assertThat(r.out()).as(r.toString()).isEmpty();
		assertThat(r.err()).as(r.toString()).isEqualTo("queuectl: no such job: nope\n");
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


	/** The value of a -XX:+PrintFlagsFinal flag in each JVM that printed its flags, in order. */
	private static List<String> flags(Result r, String name) {
		Matcher m = Pattern.compile("(?m)^\\s*\\S+\\s+" + name + "\\s+=\\s+(\\S+)").matcher(r.out());
		List<String> values = new ArrayList<>();
		while (m.find()) {
			values.add(m.group(1));
		}
		return values;
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
