package dev.queuectl.cli;

import java.util.List;

import dev.queuectl.config.Version;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandOption;

/**
 * The man page queuectl(1), in roff, written from the same text as {@code queuectl help}: the
 * overview's words ({@link HelpCommand}), every command's description, options and examples.
 */
final class ManPage {

	private ManPage() {
	}

	/** As README's "Exit codes" table. */
	static final String[][] EXIT_STATUS = { { "0", "success" },
			{ "1", "any other failure (one line on stderr says why; --debug adds the stack trace)" },
			{ "2", "bad usage or bad input: unknown command or option, invalid JSON or value" },
			{ "3", "no such job, schedule, queue or worker host" },
			{ "124", "wait, or cancel --wait, timed out (as timeout(1))" } };

	/** The variables queuectl reads (README: Configuration, Speed, PostgreSQL). */
	static final String[][] ENVIRONMENT = {
			{ "QUEUECTL_DB", "the database (an SQLite file or a postgresql:// URL) when --db is not given; over the configuration files" },
			{ "QUEUECTL_SERVER", "off: start no background command server; on: start one even in CI" },
			{ "QUEUECTL_JAVA_OPTS", "more options for the JVM, e.g. -Xmx256m" },
			{ "PGPASSWORD, PGPASSFILE", "the PostgreSQL password when the URL has none, as psql reads them" },
			{ "XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME", "where the default queue, the user's settings and the start-up archives are (see FILES)" },
			{ "CI", "set (and standard input not a terminal): no background command server unless QUEUECTL_SERVER=on" } };

	static String write(CommandModel model, String date) {
		StringBuilder sb = new StringBuilder();
		sb.append(".\\\" queuectl(1), written by the queuectl build from its help text: edit the commands, not this.\n");
		sb.append(".TH QUEUECTL 1 \"").append(date).append("\" \"queuectl ").append(Version.number())
			.append("\" \"User Commands\"\n");
		sb.append(".SH NAME\nqueuectl \\- ").append(escape(HelpCommand.SUMMARY)).append('\n');
		sb.append(".SH SYNOPSIS\n.B ").append(escape(HelpCommand.USAGE)).append("\n.br\n.B queuectl\n")
			.append("(no command: an interactive shell; commands piped on standard input run one a line)\n");
		sb.append(".SH DESCRIPTION\n")
			.append("queuectl keeps a durable queue of shell commands (an SQLite file, or a PostgreSQL database\n")
			.append("shared by several machines) and runs them on worker hosts, with retries, timeouts and a\n")
			.append("dead letter queue.\n")
			.append(".B queuectl help\n.I COMMAND\nprints what this page says about one command.\n");
		sb.append(".SH OPTIONS\n");
		for (List<String> o : HelpCommand.GLOBAL_OPTIONS) {
			sb.append(".TP\n.B ").append(escape(o.get(0))).append('\n').append(escape(o.get(1))).append('\n');
		}
		sb.append(".SH COMMANDS\n");
		model.byGroup().forEach((group, commands) -> {
			sb.append(".SS ").append(escape(group)).append('\n');
			commands.forEach(c -> command(sb, c));
		});
		sb.append(".SH EXIT STATUS\n");
		for (String[] code : EXIT_STATUS) {
			sb.append(".TP\n.B ").append(code[0]).append('\n').append(escape(code[1])).append('\n');
		}
		sb.append(".PP\nstdout carries only results; errors and logs go to stderr.\n");
		sb.append(".SH ENVIRONMENT\n");
		for (String[] variable : ENVIRONMENT) {
			sb.append(".TP\n.B ").append(variable[0]).append('\n').append(escape(variable[1])).append('\n');
		}
		sb.append(".SH FILES\n.TP\n.I ${XDG_DATA_HOME:-~/.local/share}/queuectl/queue.db\nthe default queue\n")
			.append(".TP\n.I ${XDG_CONFIG_HOME:-~/.config}/queuectl/application.yml\nthe user's settings "
					+ "(over the install's application.yml)\n")
			.append(".TP\n.I ${XDG_CACHE_HOME:-~/.cache}/queuectl/\nstart-up archives, made on first use\n");
		sb.append(".SH SEE ALSO\nREADME.md of the release, and\n.B queuectl completion bash|zsh|fish\n");
		return sb.toString();
	}

	private static void command(StringBuilder sb, Command c) {
		sb.append(".TP\n.B queuectl ").append(escape(c.getName())).append('\n').append(escape(c.getDescription())).append('\n');
		sb.append(".RS\n");
		for (CommandOption o : c.getOptions()) {
			sb.append(".TP\n.B ").append(escape(HelpCommand.optionName(o).strip())).append('\n')
				.append(escape(o.description() == null ? "" : o.description())).append('\n');
		}
		List<HelpCommand.HelpLine> help = HelpCommand.helpText(c);
		if (!c.getOptions().isEmpty() || !help.isEmpty() && !help.get(0).example()) {
			// the notes that follow are the command's: apart from its last option, or from its
			// description when it has none (roff would fill them into one paragraph)
			sb.append(".PP\n");
		}
		boolean inExamples = false;
		for (HelpCommand.HelpLine line : help) {
			if (line.example() && !inExamples) {
				sb.append(".PP\n.nf\n.RS 2\n");
				inExamples = true;
			}
			else if (!line.example() && inExamples) {
				sb.append(".RE\n.fi\n");
				inExamples = false;
			}
			if (!line.example()) {
				sb.append(line.text().isEmpty() ? ".PP" : escape(line.text())).append('\n');
			}
			else {
				sb.append(escape(line.text())).append('\n');
			}
		}
		if (inExamples) {
			sb.append(".RE\n.fi\n");
		}
		sb.append(".RE\n");
	}

	/** Text as roff: backslashes and minus signs escaped, no line taken for a request. */
	static String escape(String text) {
		String s = text.replace("\\", "\\e").replace("-", "\\-");
		return s.startsWith(".") || s.startsWith("'") ? "\\&" + s : s;
	}
}
