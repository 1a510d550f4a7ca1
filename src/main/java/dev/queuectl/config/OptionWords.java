package dev.queuectl.config;


import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The option loop of the commands whose words are checked before Spring or a web server starts
 * ({@code dashboard}, {@code worker start}): {@code --name value} or {@code --name=value} for
 * options with a value, {@code --flag} or {@code --flag=true|false} for flags, and the same lines
 * for a missing value, an unknown option and a stray argument.
 */
public final class OptionWords {

	private OptionWords() {
	}

	/**
	 * {@code --db} after the command word ({@code queuectl status --db q.db}): it names the database
	 * of the whole run, so it goes first; the one line that says so, or null when the words (up to
	 * a {@code --}) have none after their first.
	 */
	public static QueuectlException dbAfterCommand(List<String> words) {
		for (int i = 1; i < words.size() && !words.get(i).equals("--"); i++) {
			String w = words.get(i);
			if (w.equals("--db") || w.startsWith("--db=")) {
				String path = w.startsWith("--db=") ? w.substring(5) : i + 1 < words.size() ? words.get(i + 1) : "PATH";
				return QueuectlException.usage("--db goes before the command: queuectl --db " + path + " " + words.get(0) + " ...");
			}
		}
		return null;
	}

	/**
	 * Hands each option to {@code option} in order: a flag's value is "true" or "false", an
	 * option's value what follows it.
	 * @param command the command's name in the error lines, e.g. "worker start"
	 */
	public static void parse(List<String> args, String command, Set<String> flags, Set<String> withValue,
			BiConsumer<String, String> option) {
		for (int i = 0; i < args.size(); i++) {
			String word = args.get(i);
			String name = word;
			String value = null;
			int eq = word.indexOf('=');
			if (word.startsWith("-") && eq > 0) {
				name = word.substring(0, eq);
				value = word.substring(eq + 1);
			}
			if (flags.contains(name)) {
				if (value != null && !value.equals("true") && !value.equals("false")) {
					throw QueuectlException.usage("option " + name + " expects true or false, got '" + value + "'");
				}
				option.accept(name, value == null ? "true" : value);
			}
			else if (withValue.contains(name)) {
				if (value == null) {
					if (i + 1 >= args.size()) {
						throw QueuectlException.usage("option " + name + " needs a value");
					}
					value = args.get(++i);
				}
				option.accept(name, value);
			}
			else if (word.startsWith("-")) {
				java.util.Set<String> known = new java.util.TreeSet<>(flags);
				known.addAll(withValue);
				throw QueuectlException.usage("unknown option '" + name + "' for '" + command + "' ("
						+ DidYouMean.hint(name, known, "") + "try 'queuectl help " + command + "')");
			}
			else {
				throw QueuectlException.usage("'" + command + "' takes no argument, got '" + word + "'");
			}
		}
	}
}
