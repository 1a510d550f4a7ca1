package dev.queuectl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads {@code queuectl.db} from the application.yml inside the jar without starting Spring, for
 * the fast path in {@link Main}. Understands the file as shipped: a {@code db:} key directly
 * under {@code queuectl:}. Plain string handling only (no regex, lambdas or string concatenation):
 * it runs in the one-shot client, where each of those costs start-up time.
 */
final class ConfiguredDb {

	private ConfiguredDb() {
	}

	static String fromApplicationYml() {
		try (InputStream in = ConfiguredDb.class.getResourceAsStream("/application.yml")) {
			if (in == null) {
				return null;
			}
			BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
			boolean inQueuectl = false;
			for (String line; (line = reader.readLine()) != null;) {
				if (line.isBlank() || line.trim().startsWith("#")) {
					continue;
				}
				if (!Character.isWhitespace(line.charAt(0))) {
					inQueuectl = line.startsWith("queuectl:");
				}
				else if (inQueuectl && line.startsWith("  db:")) {
					String value = withoutComment(line.substring(line.indexOf(':') + 1)).trim();
					if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))) {
						value = value.substring(1, value.length() - 1);
					}
					return value.isBlank() ? null : value;
				}
			}
			return null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	/**
	 * The value without a trailing {@code # comment} (a {@code #} after whitespace). No regex: this
	 * runs in the one-shot client, where compiling a pattern costs start-up time.
	 */
	static String withoutComment(String value) {
		for (int i = 1; i < value.length(); i++) {
			if (value.charAt(i) == '#' && Character.isWhitespace(value.charAt(i - 1))) {
				return value.substring(0, i);
			}
		}
		return value;
	}
}
