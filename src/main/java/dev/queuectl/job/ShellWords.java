package dev.queuectl.job;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Words as one shell command line that {@code sh -c} splits back into exactly those words
 * ({@code queuectl add -- echo "a b"}): a word of only safe characters goes as it is, any other in
 * single quotes, inside which sh expands nothing ($, `, \, newlines and globs stay as they are); a
 * single quote itself becomes '\''. The empty word becomes ''. The first word is quoted too when sh
 * would read it otherwise as a word of its own (an assignment like A=1, a reserved word like if):
 * it names the program to run, as the first of argv does.
 */
public final class ShellWords {

	/** Characters no POSIX shell treats specially anywhere in a word. */
	private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

	/** Words sh reads as its grammar's, not as a command's name, in the first place of a line. */
	private static final java.util.Set<String> RESERVED = java.util.Set.of("!", "{", "}", "case", "do", "done", "elif",
			"else", "esac", "fi", "for", "if", "in", "then", "until", "while", "function", "select", "time");

	private ShellWords() {
	}

	public static String join(List<String> words) {
		StringBuilder b = new StringBuilder();
		for (String word : words) {
			boolean first = b.length() == 0 && (word.contains("=") || RESERVED.contains(word));
			if (b.length() > 0) {
				b.append(' ');
			}
			b.append(first ? quoted(word) : quote(word));
		}
		return b.toString();
	}

	static String quote(String word) {
		if (SAFE.matcher(word).matches()) {
			return word;
		}
		return quoted(word);
	}

	private static String quoted(String word) {
		return "'" + word.replace("'", "'\\''") + "'";
	}
}
