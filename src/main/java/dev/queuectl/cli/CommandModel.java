package dev.queuectl.cli;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.queuectl.config.Setting;
import dev.queuectl.job.JobFilter;
import dev.queuectl.job.JobState;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.CommandRegistry;

/**
 * The commands as help shows them (visible ones, their options and descriptions), with what the
 * shell completions offer for option values and arguments. The completion scripts, the REPL's Tab
 * ({@link #complete}, {@link ReplCompleter}) and the man page are written from this; nothing about
 * a command is written down twice.
 */
final class CommandModel {

	/**
	 * Candidates for a value: fixed words, or the first column of what a command prints when a
	 * running queuectl serves it (job ids, queues, schedules), or file names.
	 */
	record Values(List<String> words, String served, boolean files) {

		static final Values NONE = new Values(List.of(), null, false);

		static Values words(List<String> words) {
			return new Values(words, null, false);
		}

		static Values served(String command) {
			return new Values(List.of(), command, false);
		}

		boolean isNone() {
			return this.words.isEmpty() && this.served == null && !this.files;
		}

		/**
		 * The candidates in what the {@link #served} command printed: the first word of each line
		 * after the header (the scripts' {@code awk 'NR > 1 && NF { print $1 }'}).
		 */
		static List<String> firstColumn(String printed) {
			return printed.lines().skip(1).map(String::strip).filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")[0]).toList();
		}
	}

	private static final Values FILES = new Values(List.of(), null, true);

	private static final Values JOBS = Values.served("list --limit 200");

	private static final Values QUEUES = Values.served("queue list");

	private static final Values SCHEDULES = Values.served("schedule list");

	/** Values of options, by long name (the same option means the same thing in every command). */
	private static final Map<String, Values> OPTION_VALUES = Map.of(
			"state", Values.words(Arrays.stream(JobState.values()).map(JobState::dbValue).toList()),
			"queue", QUEUES,
			"catch-up", Values.words(List.of("all", "latest", "none")),
			"file", FILES,
			"job", JOBS);

	/** Shells `queuectl completion` writes for. */
	static final List<String> SHELLS = List.of("bash", "zsh", "fish");

	private final List<Command> commands;

	private CommandModel(List<Command> commands) {
		this.commands = commands;
	}

	static CommandModel of(CommandRegistry registry) {
		return new CommandModel(registry.getCommands()
			.stream()
			.filter(c -> !c.isHidden())
			.sorted(Comparator.comparing(Command::getName))
			.toList());
	}

	/** Visible commands, by name. */
	List<Command> commands() {
		return this.commands;
	}

	/** The commands by group, groups in help's order. */
	Map<String, List<Command>> byGroup() {
		return this.commands.stream()
			.collect(Collectors.groupingBy(c -> c.getGroup().isEmpty() ? "Other" : c.getGroup(),
					java.util.TreeMap::new, Collectors.toList()));
	}

	/** What may follow {@code prefix} (empty: the first word): the next word of each command. */
	Map<String, String> nextWords(String prefix) {
		Map<String, String> words = new LinkedHashMap<>();
		for (Command c : this.commands) {
			String name = c.getName();
			if (prefix.isEmpty() || name.startsWith(prefix + " ")) {
				String rest = prefix.isEmpty() ? name : name.substring(prefix.length() + 1);
				String word = rest.split(" ")[0];
				words.putIfAbsent(word, word.equals(rest) ? c.getDescription() : "");
			}
		}
		return words;
	}

	/** Command names and the groups in them ("dlq" for "dlq retry"). */
	Set<String> paths() {
		Set<String> paths = new LinkedHashSet<>();
		for (Command c : this.commands) {
			String[] words = c.getName().split(" ");
			for (int i = 1; i <= words.length; i++) {
				paths.add(String.join(" ", Arrays.copyOf(words, i)));
			}
		}
		return paths;
	}

	/** Groups: paths that are no command ("dlq"). */
	List<String> groups() {
		Set<String> names = this.commands.stream().map(Command::getName).collect(Collectors.toSet());
		return paths().stream().filter(p -> !names.contains(p)).toList();
	}

	/** What the shells offer after a command's {@code -}: its options, long and short, then {@code --help}. */
	static List<String> optionWords(Command command) {
		List<String> words = new java.util.ArrayList<>();
		for (CommandOption o : command.getOptions()) {
			words.add("--" + o.longName());
			if (o.shortName() != ' ') {
				words.add("-" + o.shortName());
			}
		}
		words.add("--help");
		return words;
	}

	/**
	 * What completes the word that follows {@code before}, the words of a command line typed before
	 * it (the REPL's line: no global options), by the rules the shell scripts follow: after the
	 * command's words, an option ({@code option}: the word starts with {@code -}), an option's value,
	 * a sub-command, or an argument.
	 */
	Values complete(List<String> before, boolean option) {
		Set<String> paths = paths();
		String cmd = "";
		int i = 0;
		for (; i < before.size(); i++) {
			String next = cmd.isEmpty() ? before.get(i) : cmd + " " + before.get(i);
			if (!paths.contains(next)) {
				break;
			}
			cmd = next;
		}
		long arguments = before.subList(i, before.size()).stream().filter(w -> !w.startsWith("-")).count();
		Command command = command(cmd);
		if (option) {
			return command == null ? Values.NONE : Values.words(optionWords(command));
		}
		String prev = before.isEmpty() ? "" : before.get(before.size() - 1);
		if (command != null && i < before.size() && prev.startsWith("-")) {
			for (CommandOption o : command.getOptions()) {
				if (o.isOptionEqual(prev) && !HelpCommand.isFlag(o)) {
					return optionValues(command, o);
				}
			}
		}
		if (command == null) {
			return Values.words(List.copyOf(nextWords(cmd).keySet()));
		}
		Arguments args = arguments(command);
		return args.onlyFirst() && arguments > 0 ? Values.NONE : args.values();
	}

	private Command command(String name) {
		return this.commands.stream().filter(c -> c.getName().equals(name)).findFirst().orElse(null);
	}

	static Values optionValues(Command command, CommandOption option) {
		if (command.getName().equals("list") && option.longName().equals("state")) {
			return Values.words(JobFilter.names()); // a listing also shows canceling jobs
		}
		return HelpCommand.isFlag(option) ? Values.NONE : OPTION_VALUES.getOrDefault(option.longName(), Values.NONE);
	}

	/** What a command's arguments are; {@code onlyFirst}: only its first argument is one of them. */
	record Arguments(Values values, boolean onlyFirst) {
	}

	Arguments arguments(Command command) {
		return switch (command.getName()) {
			case "show", "logs", "run-now", "result get", "edit", "rerun" -> new Arguments(JOBS, true);
			case "cancel", "wait", "rm" -> new Arguments(JOBS, false);
			case "dlq retry" -> new Arguments(Values.served("dlq list --limit 200"), true);
			case "config get", "config set" ->
				new Arguments(Values.words(Arrays.stream(Setting.values()).map(Setting::key).toList()), true);
			case "queue pause", "queue resume", "queue limit", "queue rate", "queue rm" -> new Arguments(QUEUES, true);
			case "limit rm", "limit set" -> new Arguments(Values.served("limit list"), true);
			case "notify retry" -> new Arguments(Values.served("notify list --failed"), true);
			case "schedule show", "schedule rm", "schedule pause", "schedule resume", "schedule run", "schedule edit" ->
				new Arguments(SCHEDULES, true);
			case "batch show", "batch cancel", "batch add" -> new Arguments(Values.served("batch list"), true);
			case "worker stop" -> new Arguments(Values.served("status --hosts"), true);
			case "help" -> new Arguments(Values.words(List.copyOf(nextWords("").keySet())), false);
			case "completion" -> new Arguments(Values.words(SHELLS), true);
			default -> new Arguments(Values.NONE, false);
		};
	}
}
