package dev.queuectl.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a REPL or script line into words the way a POSIX shell does for the common cases:
 * single quotes keep everything, double quotes keep everything but {@code \"} and {@code \\},
 * a backslash outside quotes escapes the next character.
 */
final class LineTokenizer {

	private LineTokenizer() {
	}

	static List<String> split(String line) {
		List<String> words = new ArrayList<>();
		StringBuilder word = new StringBuilder();
		boolean inWord = false;
		int i = 0;
		int n = line.length();
		while (i < n) {
			char c = line.charAt(i);
			if (c == '\'') {
				int end = line.indexOf('\'', i + 1);
				if (end < 0) {
					throw new IllegalArgumentException("unclosed single quote");
				}
				word.append(line, i + 1, end);
				inWord = true;
				i = end + 1;
			}
			else if (c == '"') {
				i++;
				boolean closed = false;
				while (i < n) {
					char d = line.charAt(i);
					if (d == '"') {
						closed = true;
						i++;
						break;
					}
					if (d == '\\' && i + 1 < n && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
						word.append(line.charAt(i + 1));
						i += 2;
					}
					else {
						word.append(d);
						i++;
					}
				}
				if (!closed) {
					throw new IllegalArgumentException("unclosed double quote");
				}
				inWord = true;
			}
			else if (c == '\\' && i + 1 < n) {
				word.append(line.charAt(i + 1));
				inWord = true;
				i += 2;
			}
			else if (Character.isWhitespace(c)) {
				if (inWord) {
					words.add(word.toString());
					word.setLength(0);
					inWord = false;
				}
				i++;
			}
			else {
				word.append(c);
				inWord = true;
				i++;
			}
		}
		if (inWord) {
			words.add(word.toString());
		}
		return words;
	}
}
