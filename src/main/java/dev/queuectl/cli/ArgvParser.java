package dev.queuectl.cli;

import java.util.List;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.DidYouMean;
import dev.queuectl.config.OptionWords;
import dev.queuectl.config.AsciiNumbers;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandArgument;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ParsedInput;
import org.springframework.shell.core.command.adapter.MethodInvokerCommandAdapter;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Arguments;

/**
 * Turns words (already split, by the OS or by {@link LineTokenizer}) into Spring Shell's
 * {@link ParsedInput}, checking them against the command's declared options. Unlike Shell's own
 * parser it never re-joins words, so arguments with spaces and quotes arrive intact, and it
 * rejects unknown options and arguments the command does not take instead of ignoring them.
 * Numbers are ASCII digits only.
 */
final class ArgvParser {

	/** {@code -1} or {@code -0.5} is a value, not an option. */
	private static final java.util.regex.Pattern NEGATIVE_NUMBER = java.util.regex.Pattern.compile("-\\d+(\\.\\d+)?");

	/** The option of edit and rerun whose repeated values are kept apart ({@link #setValues}). */
	static final String SET = "set";

	/** The values of a repeated {@code --set}, as given; none for null. */
	static List<String> setValues(String joined) {
		return joined == null ? List.of() : List.of(joined.split("\0", -1));
	}

	private ArgvParser() {
	}

	/** The parsed words and the command they name. */
	record Parsed(Command command, ParsedInput input, boolean helpRequested) {
	}

	static Parsed parse(List<String> words, CommandRegistry registry) {
		if (words.isEmpty()) {
			throw QueuectlException.usage("no command given (try 'queuectl help')");
		}
		Command command = null;
		Names known = Names.of(registry);
		StringBuilder name = new StringBuilder();
		for (String word : words) {
			name.append(name.length() == 0 ? "" : " ").append(word);
			Command exact = known.byName.get(name.toString());
			if (exact != null) {
				command = exact;
			}
			else if (!known.groups.contains(name + " ")) {
				break;
			}
		}
		if (command == null) {
			String group = words.get(0);
			List<String> subs = registry.getCommandsByPrefix(group + " ")
				.stream()
				.map(c -> c.getName().substring(group.length() + 1))
				.sorted()
				.toList();
			if (subs.isEmpty() && Repl.BUILT_INS.containsKey(group)) {
				throw QueuectlException.usage("'" + group + "' works only in the interactive shell (queuectl with no command)");
			}
			if (subs.isEmpty()) {
				java.util.Set<String> first = new java.util.TreeSet<>();
				registry.getCommands().stream().filter(c -> !c.isHidden()).forEach(c -> first.add(c.getName().split(" ")[0]));
				throw QueuectlException.usage("unknown command '" + group + "' (" + DidYouMean.hint(group, first, "'")
						+ "try 'queuectl help')");
			}
			if (words.size() > 1 && (words.get(1).equals("--help") || words.get(1).equals("-h"))) {
				return parse(List.of("help", group), registry); // `queue --help` is `help queue`
			}
			String given = words.size() > 1 ? "unknown sub-command '" + group + " " + words.get(1) + "'"
					: "'" + group + "' needs a sub-command";
			String hint = words.size() > 1 ? DidYouMean.closest(words.get(1), subs)
				.map(sub -> "did you mean '" + group + " " + sub + "'? ")
				.orElse("") : "";
			throw QueuectlException.usage(given + " (" + hint + "one of: " + String.join(", ", subs) + ")");
		}
		String[] nameWords = command.getName().split(" ");
		ParsedInput.Builder builder = ParsedInput.builder().commandName(nameWords[0]);
		for (int i = 1; i < nameWords.length; i++) {
			builder.addSubCommand(nameWords[i]);
		}
		boolean help = false;
		java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
		java.util.Map<String, CommandOption> declaredByName = new java.util.HashMap<>();
		int argumentIndex = 0;
		List<String> positional = new java.util.ArrayList<>();
		boolean onlyArguments = false;
		List<String> rest = words.subList(nameWords.length, words.size());
		for (int i = 0; i < rest.size(); i++) {
			String word = rest.get(i);
			if (onlyArguments || !word.startsWith("-") || word.equals("-") || NEGATIVE_NUMBER.matcher(word).matches()) {
				builder.addArgument(new CommandArgument(argumentIndex++, word));
				positional.add(word);
				continue;
			}
			if (word.equals("--")) {
				onlyArguments = true;
				continue;
			}
			if (word.equals("--help") || word.equals("-h")) {
				help = true;
				continue;
			}
			String optionName = word;
			String value = null;
			int eq = word.indexOf('=');
			if (eq > 0) {
				optionName = word.substring(0, eq);
				value = word.substring(eq + 1);
			}
			CommandOption declared = find(command, optionName);
			if (declared == null && optionName.equals("--db")) {
				List<String> named = new java.util.ArrayList<>(List.of(nameWords));
				named.addAll(rest.subList(i, rest.size()));
				throw OptionWords.dbAfterCommand(named);
			}
			if (declared == null) {
				List<String> names = new java.util.ArrayList<>(List.of("--help"));
				command.getOptions().forEach(o -> names.add("--" + o.longName()));
				throw QueuectlException.usage("unknown option '" + optionName + "' for '" + command.getName() + "' ("
						+ DidYouMean.hint(optionName, names, "") + "try 'queuectl help " + command.getName() + "')");
			}
			boolean flag = declared.type() == boolean.class || declared.type() == Boolean.class;
			if (value == null) {
				if (flag) {
					value = "true";
				}
				else if (i + 1 < rest.size()) {
					value = rest.get(++i);
				}
				else {
					throw QueuectlException.usage("option " + optionName + " needs a value");
				}
			}
			checkType(declared, optionName, value);
			// a repeated option (--queue a --queue b) arrives as one comma-separated value; the values of
			// --env and --set may hold commas (--set command=a,b), so NUL, which no word holds, separates them
			String separator = declared.longName().equals(SET) || declared.longName().equals("env") ? "\0" : ",";
			options.merge(declared.longName(), value, (a, b) -> a + separator + b);
			declaredByName.put(declared.longName(), declared);
		}
		int max = maxArguments(command);
		if (max >= 0 && argumentIndex > max) {
			throw QueuectlException.usage("unexpected argument '" + positional.get(max) + "' for '" + command.getName()
					+ "' (try 'queuectl help " + command.getName() + "')");
		}
		options.forEach((longName, value) -> {
			CommandOption declared = declaredByName.get(longName);
			builder.addOption(CommandOption.with()
				.shortName(declared.shortName())
				.longName(longName)
				.type(declared.type())
				.value(value)
				.build());
		});
		return new Parsed(command, builder.build(), help);
	}

	private static final java.util.Map<Command, Integer> MAX_ARGUMENTS = new java.util.concurrent.ConcurrentHashMap<>();

	/**
	 * How many positional arguments a command takes: one more than the highest {@link Argument}
	 * index of its method, or -1 (any number) for a method with {@link Arguments} and for a command
	 * that is not a method (help). Spring Shell keeps the method in a private field of its adapter;
	 * InputHardeningTest fails if that ever stops being readable.
	 */
	static int maxArguments(Command command) {
		return MAX_ARGUMENTS.computeIfAbsent(command, ArgvParser::declaredArguments);
	}

	private static int declaredArguments(Command command) {
		if (!(command instanceof MethodInvokerCommandAdapter)) {
			return -1;
		}
		java.lang.reflect.Method method;
		try {
			java.lang.reflect.Field field = MethodInvokerCommandAdapter.class.getDeclaredField("method");
			field.setAccessible(true);
			method = (java.lang.reflect.Method) field.get(command);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			return -1;
		}
		int max = 0;
		for (java.lang.reflect.Parameter parameter : method.getParameters()) {
			if (parameter.isAnnotationPresent(Arguments.class)) {
				return -1;
			}
			Argument argument = parameter.getAnnotation(Argument.class);
			if (argument != null) {
				max = Math.max(max, argument.index() + 1);
			}
		}
		return max;
	}

	/**
	 * The registry's names, looked up in a map: byName, what Shell's getCommandByName finds (a
	 * visible command's name, else its alias), else a hidden command of the name (Shell's lookup
	 * skips them; they run, unlisted); groups, every start of a visible name or alias that ends at a
	 * space ("queue "), where Shell's getCommandsByPrefix(it) is not empty. Shell's own lookups walk
	 * every command, twice on a miss, and the words of a served `enqueue JSON` missed four times a
	 * command (a fifth of the command server's Java samples; its measured CPU moved within the noise,
	 * docs/benchmarks.md, session 23). The registry is complete once the
	 * application has started (ShellConfiguration.commandRegistry); one map is kept, for the last
	 * registry asked about.
	 */
	record Names(CommandRegistry registry, java.util.Map<String, Command> byName, java.util.Set<String> groups) {

		private static volatile Names last;

		static Names of(CommandRegistry registry) {
			Names names = last;
			if (names == null || names.registry != registry) {
				names = build(registry);
				last = names;
			}
			return names;
		}

		private static Names build(CommandRegistry registry) {
			java.util.Set<Command> commands = registry.getCommands();
			java.util.Map<String, Command> byName = new java.util.HashMap<>();
			java.util.Set<String> groups = new java.util.HashSet<>();
			commands.stream().filter(c -> !c.isHidden()).forEach(c -> byName.putIfAbsent(c.getName(), c));
			commands.stream().filter(c -> !c.isHidden()).forEach(c -> c.getAliases().forEach(a -> byName.putIfAbsent(a, c)));
			commands.stream().filter(Command::isHidden).forEach(c -> byName.putIfAbsent(c.getName(), c));
			for (Command c : commands) {
				if (c.isHidden()) {
					continue;
				}
				List<String> spellings = new java.util.ArrayList<>(c.getAliases());
				spellings.add(c.getName());
				for (String spelling : spellings) {
					for (int i = spelling.indexOf(' '); i >= 0; i = spelling.indexOf(' ', i + 1)) {
						groups.add(spelling.substring(0, i + 1));
					}
				}
			}
			return new Names(registry, java.util.Map.copyOf(byName), java.util.Set.copyOf(groups));
		}
	}

	private static CommandOption find(Command command, String word) {
		for (CommandOption option : command.getOptions()) {
			if (option.isOptionEqual(word)) {
				return option;
			}
		}
		return null;
	}

	private static void checkType(CommandOption option, String name, String value) {
		Class<?> type = option.type();
		try {
			// ASCII digits only: Integer.parseInt would take any Unicode digit
			if (type == Integer.class || type == int.class) {
				if (AsciiNumbers.parseInt(value) == null) {
					throw new NumberFormatException();
				}
			}
			else if (type == Long.class || type == long.class) {
				if (AsciiNumbers.parseLong(value) == null) {
					throw new NumberFormatException();
				}
			}
			else if (type == Boolean.class || type == boolean.class) {
				if (!value.equals("true") && !value.equals("false")) {
					throw new NumberFormatException();
				}
			}
		}
		catch (NumberFormatException ex) {
			String expected = (type == Boolean.class || type == boolean.class) ? "true or false" : "an integer";
			throw QueuectlException.usage("option " + name + " expects " + expected + ", got '" + value + "'");
		}
	}
}
