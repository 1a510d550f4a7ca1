package dev.queuectl.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.queuectl.server.Invocation;
import dev.queuectl.QueuectlException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.shell.core.InputReader;
import org.springframework.shell.core.command.CommandArgument;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.CommandExecutor;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.CommandParser;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ExitStatus;
import org.springframework.shell.core.command.ParsedInput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The REPL's line parser (the {@link CommandParser} bean) and start-up: a REPL line reaches the
 * command with quotes and spaces intact, and a test context runs no command when it starts.
 */
class ShellWiringTest extends CommandTestSupport {

	@Autowired
	CommandParser parser;

	@Autowired
	CommandRegistry registry;

	@Autowired
	QueuectlRunner runner;

	private static List<String> arguments(ParsedInput input) {
		return input.arguments().stream().map(CommandArgument::value).toList();
	}

	/** Runs a line the way the REPL does: parse it, then let Spring Shell's executor run it. */
	private String replLine(String line) {
		StringWriter out = new StringWriter();
		Invocation invocation = new Invocation(this.workDir, InputStream.nullInputStream(),
				new PrintWriter(new StringWriter()));
		ExitStatus status = invocation.run(() -> {
			try {
				ParsedInput input = this.parser.parse(line);
				return new CommandExecutor(this.registry)
					.execute(new CommandContext(input, this.registry, new PrintWriter(out, true), new InputReader() {
					}));
			}
			catch (Exception ex) {
				throw new AssertionError(ex);
			}
		});
		assertThat(status.code()).isZero();
		return out.toString();
	}

	@Test
	void aQuotedJsonJobReachesEnqueueIntact() {
		String line = "enqueue '{\"command\":\"echo \\\"a  b\\\"\"}'";

		ParsedInput input = this.parser.parse(line);

		assertThat(input.commandName()).isEqualTo("enqueue");
		assertThat(input.subCommands()).isEmpty();
		assertThat(arguments(input)).containsExactly("{\"command\":\"echo \\\"a  b\\\"\"}");

		String id = replLine(line).strip();
		assertThat(this.jdbc.queryForObject("SELECT command FROM jobs WHERE id = ?", String.class, id))
			.isEqualTo("echo \"a  b\"");
		assertThat(this.jdbc.queryForObject("SELECT working_dir FROM jobs WHERE id = ?", String.class, id))
			.isEqualTo(this.workDir.toString());
	}

	@Test
	void doubleQuotesAndBackslashesWorkAsInAShell() {
		String id = replLine("enqueue \"{\\\"id\\\":\\\"dq\\\",\\\"command\\\":\\\"printf '%s\\\\\\\\n'  x\\\"}\"").strip();

		assertThat(id).isEqualTo("dq");
		assertThat(this.jdbc.queryForObject("SELECT command FROM jobs WHERE id = 'dq'", String.class))
			.isEqualTo("printf '%s\\n'  x");
	}

	@Test
	void subCommandsAndOptionsAreParsedLikeArguments() {
		ParsedInput input = this.parser.parse("  dlq   list --json  -n 5 ");

		assertThat(input.commandName()).isEqualTo("dlq");
		assertThat(input.subCommands()).containsExactly("list");
		assertThat(input.options()).extracting(CommandOption::longName, CommandOption::value)
			.containsExactly(tuple("json", "true"),
					tuple("limit", "5"));
		assertThat(input.arguments()).isEmpty();
	}

	@Test
	void aReplLineRunsTheCommandWithItsOptions() {
		enqueue("{\"id\":\"q1\",\"command\":\"x\",\"queue\":\"mail\"}");
		enqueue("{\"id\":\"q2\",\"command\":\"x\"}");

		String out = replLine("list --queue 'mail' --json");

		assertThat(JSON.readTree(out)).hasSize(1);
		assertThat(JSON.readTree(out).get(0).get("id").stringValue()).isEqualTo("q1");
	}

	@Test
	void badLinesAreRefusedByTheParser() {
		assertThatThrownBy(() -> this.parser.parse("enqueue '{\"command\":\"x\"}"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("unclosed single quote");
		assertThatThrownBy(() -> this.parser.parse("list --colour"))
			.isInstanceOfSatisfying(QueuectlException.class, ex -> assertThat(ex.exitCode()).isEqualTo(2))
			.hasMessageContaining("unknown option '--colour'");
		assertThatThrownBy(() -> this.parser.parse("nosuch"))
			.isInstanceOfSatisfying(QueuectlException.class, ex -> assertThat(ex.exitCode()).isEqualTo(2));
	}

	@Test
	void startingTheContextRanNoCommand() {
		assertThat(this.runner.getExitCode()).isZero();
		assertThat(jobCount()).isZero();
	}
}
