package dev.queuectl.cli;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.DidYouMean;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandArgument;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ExitStatus;
import org.springframework.stereotype.Component;

/** {@code help} and {@code help COMMAND}: the command list, or one command's options and examples. */
@Component
class HelpCommand implements Command {

	/** The words the overview starts with; the man page says them too (ManPage). */
	static final String SUMMARY = "a durable queue of shell commands";

	static final String USAGE = "queuectl [--db PATH] [--debug] COMMAND [OPTIONS]";

	/** The options before the command: one list for the overview, the man page and the completions. */
	static final List<List<String>> GLOBAL_OPTIONS = List.of(
			List.of("--db PATH", "the queue: an SQLite file or a postgresql:// URL (default: QUEUECTL_DB, the config file, ~/.local/share/queuectl/queue.db)"),
			List.of("--debug", "log what happens, and stack traces, on stderr"),
			List.of("--version", "print the version, the git commit and the build date (also -V, or: queuectl version)"),
			List.of("--help", "this overview"));

	/** The group of the REPL's own words in its {@code help}. */
	static final String SHELL_GROUP = "Interactive shell";

	static final String EXIT_CODES = "0 ok, 1 failure, 2 bad usage or input, 3 no such job, schedule, queue or worker host, 124 timed out (wait)";

	@Override
	public String getName() {
		return "help";
	}

	@Override
	public String getDescription() {
		return "List commands, or show one command's options and examples";
	}

	@Override
	public String getGroup() {
		return "Built-in";
	}

	@Override
	public ExitStatus execute(CommandContext ctx) {
		PrintWriter out = ctx.outputWriter();
		List<String> words = ctx.parsedInput().arguments().stream().map(CommandArgument::value).toList();
		if (words.isEmpty()) {
			out.print(overview(ctx));
		}
		else {
			String name = String.join(" ", words);
			Command command = ctx.commandRegistry().getCommandByName(name);
			List<Command> group = ctx.commandRegistry().getCommandsByPrefix(name + " ");
			if (command != null) {
				out.print(describe(command));
			}
			else if (!group.isEmpty()) {
				group.stream()
					.sorted(Comparator.comparing(Command::getName))
					.forEach(c -> out.println(c.getName() + ": " + c.getDescription()));
			}
			else {
				List<String> known = ctx.commandRegistry().getCommands().stream().filter(c -> !c.isHidden())
					.flatMap(c -> {
						String[] w = c.getName().split(" ");
						return w.length > 1 ? java.util.stream.Stream.of(c.getName(), w[0]) : java.util.stream.Stream.of(w[0]);
					})
					.distinct()
					.toList();
				String hint = DidYouMean.closest(name, known).map(c -> " (did you mean '" + c + "'?)").orElse("");
				throw QueuectlException.usage("no such command: " + name + hint);
			}
		}
		out.flush();
		return ExitStatus.OK;
	}

	private String overview(CommandContext ctx) {
		return overview(ctx.commandRegistry(), Map.of());
	}

	/** The overview; {@code shellOnly}: the REPL's own words and what they do, a group of their own. */
	String overview(CommandRegistry registry, Map<String, String> shellOnly) {
		Map<String, List<Command>> groups = new TreeMap<>();
		for (Command c : registry.getCommands()) {
			if (!c.isHidden()) {
				groups.computeIfAbsent(c.getGroup().isEmpty() ? "Other" : c.getGroup(), g -> new java.util.ArrayList<>()).add(c);
			}
		}
		shellOnly.forEach((word, description) -> groups.computeIfAbsent(SHELL_GROUP, g -> new java.util.ArrayList<>())
			.add(Command.builder().name(word).description(description).group(SHELL_GROUP).execute(ctx -> {
			})));
		int width = groups.values().stream().flatMap(List::stream).mapToInt(c -> c.getName().length()).max().orElse(0);
		StringBuilder sb = new StringBuilder();
		sb.append("queuectl: ").append(SUMMARY).append("\n\n");
		sb.append("Usage: ").append(USAGE).append("   (no command: interactive shell)\n");
		groups.forEach((group, commands) -> {
			sb.append('\n').append(group).append(":\n");
			commands.stream().sorted(Comparator.comparing(Command::getName)).forEach(c -> sb.append("  ")
				.append(c.getName())
				.append(" ".repeat(width - c.getName().length() + 2))
				.append(c.getDescription())
				.append('\n'));
		});
		sb.append("\nGlobal options:\n");
		int optionWidth = GLOBAL_OPTIONS.stream().mapToInt(o -> o.get(0).length()).max().orElse(0);
		GLOBAL_OPTIONS.forEach(o -> sb.append("  ").append(o.get(0)).append(" ".repeat(optionWidth - o.get(0).length() + 2))
			.append(o.get(1)).append('\n'));
		sb.append("\n'queuectl help COMMAND' shows a command's options and examples.\n");
		sb.append("Exit codes: ").append(EXIT_CODES).append(".\n");
		return sb.toString();
	}

	String describe(Command command) {
		StringBuilder sb = new StringBuilder();
		sb.append(command.getName()).append(": ").append(command.getDescription()).append("\n");
		List<CommandOption> options = command.getOptions();
		if (!options.isEmpty()) {
			sb.append("\nOptions:\n");
			List<String> names = options.stream().map(HelpCommand::optionName).collect(Collectors.toList());
			int width = names.stream().mapToInt(String::length).max().orElse(0);
			for (int i = 0; i < options.size(); i++) {
				String description = options.get(i).description();
				sb.append("  ")
					.append(names.get(i))
					.append(" ".repeat(width - names.get(i).length() + 2))
					.append(description == null ? "" : description)
					.append('\n');
			}
		}
		List<HelpLine> help = helpText(command);
		if (!help.isEmpty()) {
			sb.append('\n');
			// examples are indented under the prose
			help.forEach(line -> sb.append(line.example() ? "  " : "").append(line.text()).append('\n'));
		}
		return sb.toString();
	}

	/** A line of a command's help text: prose, or an example command line. */
	record HelpLine(String text, boolean example) {
	}

	/** The command's help text (prose and examples), however the source text block was indented. */
	static List<HelpLine> helpText(Command command) {
		String help = command.getHelp();
		if (help == null || help.isBlank() || help.startsWith(command.getName() + "(")) {
			return List.of();
		}
		return help.strip().lines().map(String::strip).map(text -> new HelpLine(text,
				text.startsWith("queuectl ") || text.contains("| queuectl "))).toList();
	}

	static boolean isFlag(CommandOption option) {
		return option.type() == Boolean.class || option.type() == boolean.class;
	}

	static String optionName(CommandOption option) {
		boolean flag = isFlag(option);
		String name = (option.shortName() != ' ' ? "-" + option.shortName() + ", " : "    ") + "--" + option.longName();
		return flag ? name : name + " VALUE";
	}
}
