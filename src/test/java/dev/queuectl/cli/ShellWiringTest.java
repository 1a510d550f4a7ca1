package dev.queuectl.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import dev.queuectl.server.Invocation;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the REPL runs a line ({@link Repl#runLine}) and start-up: a REPL line reaches the command
 * with quotes and spaces intact, and a test context runs no command when it starts.
 */
class ShellWiringTest extends CommandTestSupport {

	@Autowired
	Repl repl;

	@Autowired
	QueuectlRunner runner;

	/** Runs a line the way the REPL does; returns its stdout, and its one line of stderr in {@code err}. */
	private String replLine(String line, StringWriter err) {
		StringWriter out = new StringWriter();
		Invocation invocation = new Invocation(this.workDir, InputStream.nullInputStream(), new PrintWriter(err, true));
		this.repl.runLine(line, new PrintWriter(out, true), invocation);
		return out.toString();
	}

	private String replLine(String line) {
		StringWriter err = new StringWriter();
		String out = replLine(line, err);
		assertThat(err.toString()).isEmpty();
		return out;
	}

	@Test
	void aQuotedJsonJobReachesEnqueueIntact() {
		String line = "enqueue '{\"command\":\"echo \\\"a  b\\\"\"}'";

		assertThat(LineTokenizer.split(line)).containsExactly("enqueue", "{\"command\":\"echo \\\"a  b\\\"\"}");

		String id = replLine(line).strip();
		assertThat(this.jdbc.queryForObject("SELECT command FROM jobs WHERE id = ?", String.class, id))
			.isEqualTo("echo \"a  b\"");
		assertThat(this.jdbc.queryForObject("SELECT working_dir FROM jobs WHERE id = ?", String.class, id))
			.isEqualTo(this.workDir.toString());
	}

	@Test
	void enqueueEnvNameInTheReplCopiesThisProcesssOwnValue() {
		String home = System.getenv("HOME");
		assertThat(home).as("the test needs a variable every process has").isNotNull();

		replLine("enqueue '{\"id\":\"envjob\",\"command\":\"true\"}' --env HOME");

		assertThat(this.jdbc.queryForObject("SELECT env FROM jobs WHERE id = 'envjob'", String.class))
			.isEqualTo("{\"HOME\":" + new tools.jackson.databind.ObjectMapper().writeValueAsString(home) + "}");
	}

	@Test
	void doubleQuotesAndBackslashesWorkAsInAShell() {
		String id = replLine("enqueue \"{\\\"id\\\":\\\"dq\\\",\\\"command\\\":\\\"printf '%s\\\\\\\\n'  x\\\"}\"").strip();

		assertThat(id).isEqualTo("dq");
		assertThat(this.jdbc.queryForObject("SELECT command FROM jobs WHERE id = 'dq'", String.class))
			.isEqualTo("printf '%s\\n'  x");
	}

	@Test
	void aReplLineRunsTheCommandWithItsOptions() {
		enqueue("{\"id\":\"q1\",\"command\":\"x\",\"queue\":\"mail\"}");
		enqueue("{\"id\":\"q2\",\"command\":\"x\"}");

		String out = replLine("  list   --queue 'mail' --json  -n 5 ");

		assertThat(JSON.readTree(out)).hasSize(1);
		assertThat(JSON.readTree(out).get(0).get("id").stringValue()).isEqualTo("q1");
	}

	@Test
	void badLinesGetTheOneLineErrorsOfOneShotRuns() {
		StringWriter err = new StringWriter();
		assertThat(replLine("enqueue '{\"command\":\"x\"}", err)).isEmpty();
		assertThat(replLine("list --colour", err)).isEmpty();
		assertThat(replLine("nosuch", err)).isEmpty();
		assertThat(replLine("   ", err)).isEmpty();

		assertThat(err.toString().lines()).containsExactly("queuectl: unclosed single quote",
				"queuectl: unknown option '--colour' for 'list' (try 'queuectl help list')",
				"queuectl: unknown command 'nosuch' (try 'queuectl help')");
		assertThat(jobCount()).isZero();
	}

	@Test
	void startingTheContextRanNoCommand() {
		assertThat(this.runner.getExitCode()).isZero();
		assertThat(jobCount()).isZero();
	}
}
