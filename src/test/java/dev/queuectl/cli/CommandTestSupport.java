package dev.queuectl.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import dev.queuectl.server.Invocation;
import dev.queuectl.InternalDefaultsInitializer;
import dev.queuectl.MutableClock;
import dev.queuectl.store.DatabaseLocation;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs commands in-process through {@link CommandDispatcher}, the path every one-shot, script and
 * served command takes. The context, with a database file in a temporary folder
 * ({@link TestDatabase}) or a PostgreSQL database for the *PostgresTest subclasses (which run the
 * same tests on PostgreSQL), is shared by every test class of the same configuration (Spring's test
 * context cache: one per backend and JVM, not one per class); each test starts from a database as
 * the migrations left it ({@link FreshDatabase}), the clock at {@link #START} and its own working
 * directory. A class that needs a context of its own says so with a property of its own
 * (JobCountsTest) or {@code @DirtiesContext}.
 *
 * <p>The context is the one {@code queuectl COMMAND} starts (ONE_SHOT mode, Shell not interactive,
 * no history), with no command to run at start-up and a clock the test moves by hand.
 *
 * <p>Public, as {@link TestDatabase} is: tests of {@code store} and {@code job} that set up their
 * rows through commands (JobCountsTest, OutputBoundTest...) live in the package they test.
 */
@SpringBootTest(properties = { "spring.shell.interactive.enabled=false", "spring.shell.history.enabled=false",
		"spring.main.banner-mode=off" })
@ContextConfiguration(initializers = { InternalDefaultsInitializer.class, TestDatabase.class })
@Import(CommandTestSupport.TestClock.class)
public abstract class CommandTestSupport {

	protected static final Instant START = Instant.parse("2031-03-04T05:06:07.089Z");

	protected static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	protected Path workDir;

	@Autowired
	CommandDispatcher dispatcher;

	@Autowired
	protected JdbcTemplate jdbc;

	@Autowired
	protected MutableClock clock;

	@Autowired
	protected DatabaseLocation database;

	@BeforeEach
	void emptyDatabase() {
		assertThat(this.database.display()).as("this class's own database").matches(".*/queue\\.db|.*/queuectl_test_\\w+");
		FreshDatabase.reset(this.jdbc, this.database);
		this.clock.set(START);
	}

	/**
	 * Checks a due time (run_at) counted from the test clock's now: on SQLite it is that time; on
	 * PostgreSQL it was counted from the server's clock, so it is read in the test clock's frame,
	 * where it is that time less what elapsed since it was stored (a few seconds at most).
	 */
	protected void assertDue(long stored, Instant expected) {
		if (!this.database.isPostgres()) {
			assertThat(stored).isEqualTo(expected.toEpochMilli());
			return;
		}
		long serverNow = this.jdbc.queryForObject("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)", Long.class);
		long seen = stored - serverNow + this.clock.millis();
		assertThat(seen).as("run_at on the test clock").isBetween(expected.toEpochMilli() - 5_000, expected.toEpochMilli() + 1);
	}

	protected void assertDue(String stored, Instant expected) {
		assertDue(Instant.parse(stored).toEpochMilli(), expected);
	}

	/** What one command did. */
	public record Result(int code, String out, String err) {

		public List<String> outLines() {
			return this.out.lines().toList();
		}

		public List<String> errLines() {
			return this.err.lines().toList();
		}

		public JsonNode json() {
			return JSON.readTree(this.out);
		}

		/** Exit 0, nothing on stderr. */
		public Result ok() {
			assertThat(this.err).as("stderr of a successful command").isEmpty();
			assertThat(this.code).as("exit code (stderr: %s)", this.err).isZero();
			return this;
		}

		/** The given exit code, nothing on stdout, one line "queuectl: ..." on stderr containing each fragment. */
		public Result fails(int expectedCode, String... fragments) {
			assertThat(this.code).as("exit code (stderr: %s)", this.err).isEqualTo(expectedCode);
			assertThat(this.out).as("stdout of a failed command").isEmpty();
			assertThat(errLines()).as("stderr lines").hasSize(1);
			assertThat(this.err).startsWith("queuectl: ");
			for (String fragment : fragments) {
				assertThat(this.err).contains(fragment);
			}
			return this;
		}

		public Result usageError(String... fragments) {
			return fails(2, fragments);
		}
	}

	protected Result run(String... words) {
		return runWithStdin(InputStream.nullInputStream(), words);
	}

	protected Result runWithStdin(String stdin, String... words) {
		return runWithStdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), words);
	}

	protected Result runWithStdin(InputStream stdin, String... words) {
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		Invocation invocation = new Invocation(this.workDir, stdin, new PrintWriter(err));
		int code = this.dispatcher.execute(Arrays.asList(words), new PrintWriter(out), invocation);
		return new Result(code, out.toString(), err.toString());
	}

	/** Enqueues one job and returns the id the command printed. */
	protected String enqueue(String json) {
		Result r = run("enqueue", json).ok();
		assertThat(r.outLines()).hasSize(1);
		return r.out().strip();
	}

	/** Every stored row of every table, to show that a failed command changed nothing. */
	protected Map<String, List<Map<String, Object>>> everything() {
		return Map.of("jobs", this.jdbc.queryForList("SELECT * FROM jobs ORDER BY id"), "job_runs",
				this.jdbc.queryForList("SELECT * FROM job_runs ORDER BY id"), "settings",
				this.jdbc.queryForList("SELECT * FROM settings ORDER BY key"));
	}

	protected long jobCount() {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs", Long.class);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class TestClock {

		@Bean
		@Primary
		MutableClock testClock() {
			return new MutableClock(START);
		}
	}
}
