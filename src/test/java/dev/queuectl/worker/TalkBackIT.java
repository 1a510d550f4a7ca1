package dev.queuectl.worker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs that talk back (issue 27) with a real worker host and real jobs that call {@code queuectl}
 * (bin/queuectl, on the jobs' PATH, the native client to the host's socket): a job's env reaches
 * it over the host's; a shell loop of 1,000 progress reports; a result passed from a parent to the
 * job that runs after it. {@link TalkBackPostgresIT} runs the same on PostgreSQL.
 */
class TalkBackIT extends OwnQueue {

	static final Path PROJECT = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** What QUEUECTL_DB must be for this queue. */
	String expectedDb() {
		return this.q.db.toAbsolutePath().toString();
	}

	@BeforeEach
	void setUp() throws Exception {
		// jobs find bin/queuectl on their PATH; the launcher's start-up cache is the process tests' shared one
		this.q.env("PATH", PROJECT.resolve("bin") + ":" + System.getenv("PATH"))
			.env("XDG_CACHE_HOME", PROJECT.resolve("target").resolve("it-cache").toString())
			.env("HOST_ONLY", "from-host")
			.env("SHARED", "from-host");
	}

	/** What a test reads of its jobs once they are done, while the host still runs and serves it. */
	interface Reads {
		void check() throws Exception;
	}

	private void runUntilDone(String... ids) throws Exception {
		runUntilDone(() -> {
		}, ids);
	}

	/** Runs the jobs to their end on a host, then {@code reads} while it serves them (no JVM a read). */
	private void runUntilDone(Reads reads, String... ids) throws Exception {
		try (Queuectl.Worker w = this.q.worker("--no-http", "--count", "2")) {
			this.q.awaitServing(); // wait and show are the host's to serve: no JVM each
			for (String id : ids) {
				Queuectl.Result waited = this.q.run("wait", id, "--timeout", "300s");
				assertThat(waited.exit()).as("wait %s: %s; show: %s; worker log:\n%s", id, waited.err(),
						this.q.run("show", id).out(), w.logText()).isZero();
			}
			reads.check();
		}
	}

	@Test
	void aJobsOwnEnvReachesItOverTheHostsWithTheQueuesVariables() throws Exception {
		Path file = this.dir.resolve("env.bin");
		this.q.ok("enqueue", "{\"id\":\"envjob\",\"queue\":\"talk\",\"command\":\"env -0 > " + file
				+ "\",\"env\":{\"SHARED\":\"from-job\",\"ODD\":\"it's \\\"odd\\\"\\n$x\"}}", "--env", "FROM_OPTION=a,b");
		runUntilDone("envjob");
		Map<String, String> env = new TreeMap<>();
		for (String entry : Files.readString(file, StandardCharsets.UTF_8).split("\0")) {
			int eq = entry.indexOf('=');
			if (eq > 0) {
				env.put(entry.substring(0, eq), entry.substring(eq + 1));
			}
		}
		assertThat(env).containsEntry("HOST_ONLY", "from-host")
			.containsEntry("SHARED", "from-job")
			.containsEntry("ODD", "it's \"odd\"\n$x")
			.containsEntry("FROM_OPTION", "a,b")
			.containsEntry("QUEUECTL_JOB_ID", "envjob")
			.containsEntry("QUEUECTL_ATTEMPT", "1")
			.containsEntry("QUEUECTL_QUEUE", "talk")
			.containsEntry("QUEUECTL_DB", expectedDb())
			.doesNotContainKey("QUEUECTL_AFTER");
	}

	@Test
	void aShellLoopOf1000ProgressReportsLeavesTheLastAndTheJobCompletes() throws Exception {
		this.q.ok("enqueue", "{\"id\":\"loop\",\"command\":\"i=0; while [ $i -lt 1000 ]; do i=$((i+1)); "
				+ "queuectl progress $i/1000 \\\"step $i\\\" || exit 9; done\"}");
		runUntilDone(() -> {
			JsonNode shown = JSON.readTree(this.q.ok("show", "loop", "--json"));
			assertThat(shown.get("state").stringValue()).isEqualTo("completed");
			JsonNode progress = shown.get("progress");
			assertThat(progress.get("done").longValue()).isEqualTo(1000);
			assertThat(progress.get("total").longValue()).isEqualTo(1000);
			assertThat(progress.get("message").stringValue()).isEqualTo("step 1000");
			assertThat(this.q.ok("list")).contains("1000/1000 (100%)");
		}, "loop");
	}

	@Test
	void aResultPassesFromAParentToTheJobThatRunsAfterIt() throws Exception {
		this.q.commands(List.of("enqueue", "{\"id\":\"parent\",\"command\":\"printf 'rows=%s\\\\n' $QUEUECTL_JOB_ID | queuectl result set -\"}"),
				List.of("enqueue", "{\"id\":\"child\",\"after\":[\"parent\"],\"command\":"
						+ "\"queuectl result set \\\"after=$QUEUECTL_AFTER saw $(queuectl result get $QUEUECTL_AFTER)\\\"\"}"));
		runUntilDone(() -> {
			assertThat(this.q.ok("result", "get", "parent")).isEqualTo("rows=parent\n");
			assertThat(this.q.ok("result", "get", "child")).isEqualTo("after=parent saw rows=parent\n");
			assertThat(JSON.readTree(this.q.ok("show", "child", "--json")).get("result").stringValue())
				.isEqualTo("after=parent saw rows=parent");
		}, "parent", "child");
	}
}
