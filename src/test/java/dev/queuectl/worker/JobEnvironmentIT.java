package dev.queuectl.worker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.queuectl.PostgresTestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a job inherits of its worker host's environment, with real hosts, real spawners (the
 * compiled one and the bash one) and jobs that write down their environment: never the database
 * credentials queuectl reads nor its own {@code QUEUECTL_*} settings, on SQLite and on PostgreSQL;
 * with {@code --clean-env} exactly the minimal set; otherwise everything else, PATH and the
 * working directory as before. Of {@code QUEUECTL_*} a job gets only what queuectl sets for each job
 * (issue 27), and QUEUECTL_DB without the password the host's URL holds.
 */
class JobEnvironmentIT {

	private static final String SECRET = "host-secret-4711";

	@TempDir
	Path dir;

	/** The host's environment of every test: credentials, queuectl settings and variables of the user's own. */
	private Queuectl withHostEnvironment(Queuectl q) {
		return q.env("PGPASSWORD", SECRET)
			.env("PGPASSFILE", this.dir.resolve("no-such-pgpass").toString())
			.env("QUEUECTL_DEFAULTS_MAXRETRIES", "2")
			.env("QUEUECTL_SOMETHING_ELSE", SECRET)
			.env("QCTL_TAG", "kept")
			.env("JOB_VISIBLE", "yes")
			.env("LANG", "C.UTF-8")
			.env("LC_TIME", "C")
			.env("TZ", "UTC")
			.env("TERM", "dumb")
			.env("USER", "queuectl-test")
			.env("LOGNAME", "queuectl-test")
			.env("SHELL", "/bin/sh");
	}

	@ParameterizedTest(name = "{0} spawner")
	@ValueSource(strings = { "native", "bash" })
	void aJobOnSqliteSeesNeitherTheDatabaseCredentialsNorQueuectlSettingsButEverythingElse(String spawner) throws Exception {
		Queuectl q = withHostEnvironment(new Queuectl(this.dir));
		Map<String, String> env = runJobPrintingItsEnvironment(q, spawner);
		assertNothingOfQueuectlsOwn(env);
		assertThat(env).containsEntry("QCTL_TAG", "kept").containsEntry("JOB_VISIBLE", "yes");
		assertThat(env).containsEntry("PATH", System.getenv("PATH")).containsEntry("PWD", this.dir.toString());
	}

	@Test
	@Tag("postgresql")
	void aJobOnPostgresSeesNeitherPgpasswordNorTheUrlOfQueuectlDb() throws Exception {
		try (PostgresTestDatabase database = PostgresTestDatabase.create()) {
			String withPassword = database.url().replace("postgres@", "postgres:" + SECRET + "@");
			Queuectl q = withHostEnvironment(Queuectl.postgres(this.dir, database.url())).env("QUEUECTL_DB", withPassword);
			Map<String, String> env = runJobPrintingItsEnvironment(q, "native");
			assertNothingOfQueuectlsOwn(env);
			assertThat(env).containsEntry("JOB_VISIBLE", "yes").containsEntry("PWD", this.dir.toString());
		}
	}

	@ParameterizedTest(name = "{0} spawner")
	@ValueSource(strings = { "native", "bash" })
	void withCleanEnvAJobGetsExactlyTheMinimalSet(String spawner) throws Exception {
		Queuectl q = withHostEnvironment(new Queuectl(this.dir));
		Map<String, String> env = runJobPrintingItsEnvironment(q, spawner, "--clean-env");
		TreeSet<String> expected = new TreeSet<>(List.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_TIME",
				"TZ", "TERM"));
		System.getenv().keySet().stream().filter(name -> name.startsWith("LC_")).forEach(expected::add);
		expected.add("PWD"); // the shell's own, as ever: the job's directory
		expected.addAll(QUEUECTLS_PER_JOB); // issue 27: every job's own
		if (spawner.equals("bash")) {
			expected.addAll(List.of("SHLVL", "_")); // what bash puts in every command's environment
		}
		assertThat(new TreeSet<>(env.keySet())).isEqualTo(expected);
		assertThat(env).containsEntry("PATH", System.getenv("PATH"))
			.containsEntry("USER", "queuectl-test")
			.containsEntry("LC_TIME", "C")
			.containsEntry("TZ", "UTC")
			.containsEntry("PWD", this.dir.toString());
	}

	private Map<String, String> runJobPrintingItsEnvironment(Queuectl q, String spawner, String... options)
			throws Exception {
		Path file = this.dir.resolve("env-" + spawner + ".bin");
		q.ok("enqueue", "{\"id\":\"env\",\"command\":\"env -0 > " + file + "\"}");
		List<String> jvm = spawner.equals("bash") ? List.of("-Dqueuectl.spawner=bash") : List.of();
		List<String> args = new java.util.ArrayList<>(List.of("--no-http"));
		args.addAll(List.of(options));
		try (Queuectl.Worker w = q.worker(jvm, args.toArray(String[]::new))) {
			Queuectl.Result waited = q.run("wait", "env", "--timeout", "60s");
			assertThat(waited.exit()).as("wait: %s; worker log:\n%s", waited.err(), w.logText()).isZero();
			if (spawner.equals("native")) {
				assertThat(w.logText()).doesNotContain("jobs start from bash instead");
			}
		}
		Map<String, String> env = new TreeMap<>();
		for (String entry : Files.readString(file, StandardCharsets.UTF_8).split("\0")) {
			int eq = entry.indexOf('=');
			if (eq > 0) {
				env.put(entry.substring(0, eq), entry.substring(eq + 1));
			}
		}
		assertThat(env).as("the job's environment").isNotEmpty();
		return env;
	}

	/** What queuectl sets for every job (issue 27): nothing of the host's settings. */
	private static final List<String> QUEUECTLS_PER_JOB = List.of("QUEUECTL_JOB_ID", "QUEUECTL_ATTEMPT", "QUEUECTL_QUEUE",
			"QUEUECTL_DB");

	private static void assertNothingOfQueuectlsOwn(Map<String, String> env) {
		assertThat(env).doesNotContainKeys("PGPASSWORD", "PGPASSFILE");
		assertThat(env.keySet()).noneMatch(name -> name.startsWith("QUEUECTL_") && !QUEUECTLS_PER_JOB.contains(name));
		assertThat(env.values()).noneMatch(value -> value.contains(SECRET));
	}
}
