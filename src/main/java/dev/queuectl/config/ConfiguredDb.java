package dev.queuectl.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where queuectl's configuration files are, and {@code queuectl.db} read from them without
 * starting Spring, for {@code DatabaseLocation.find} (Main's fast path and the full application
 * alike, so both take the same database). The files are the install's application.yml (the file
 * bin/queuectl names with {@code -Dqueuectl.install.config}: the project's, or an unpacked
 * release's; else the copy inside the jar) and the user's {@code ${XDG_CONFIG_HOME:-~/.config}/queuectl/application.yml},
 * which wins; never a file in the working directory ({@link ConfigLockdown} makes Spring read the
 * same two). Understands the files as YAML written by hand: a {@code db:} key one level under
 * {@code queuectl:}, or a top-level {@code queuectl.db:}. Plain string handling only (no regex,
 * lambdas or string concatenation): it runs in the one-shot client, where each of those costs
 * start-up time.
 */
public final class ConfiguredDb {

	private ConfiguredDb() {
	}

	/**
	 * {@link #fromConfigFiles}, for {@code DatabaseLocation.find}, which reads the files only when
	 * neither {@code --db} nor QUEUECTL_DB names the database. A class, not a lambda: no
	 * invokedynamic bootstrap on the one-shot client's path.
	 */
	public static final java.util.function.Supplier<String> DB = new java.util.function.Supplier<>() {
		@Override
		public String get() {
			return fromConfigFiles();
		}
	};

	/** The user's configuration file (it may not exist). */
	static Path userConfigFile() {
		String xdg = System.getenv("XDG_CONFIG_HOME");
		Path base = (xdg != null && !xdg.isBlank() && xdg.startsWith("/")) ? Paths.get(xdg)
				: Paths.get(System.getProperty("user.home"), ".config");
		return base.resolve("queuectl").resolve("application.yml");
	}

	/** The install's application.yml as a file, when the launcher names one that exists; else null. */
	static Path installConfigFile() {
		String named = System.getProperty("queuectl.install.config");
		if (named == null || named.isEmpty()) {
			return null;
		}
		Path file = Paths.get(named);
		return Files.isRegularFile(file) ? file : null;
	}

	/** The install's application.yml: the file the launcher names, else the one inside the jar. */
	private static InputStream openInstallConfig() throws IOException {
		Path file = installConfigFile();
		return file != null ? Files.newInputStream(file) : ConfiguredDb.class.getResourceAsStream("/application.yml");
	}

	/** {@code queuectl.db} as configured in the files: the user's, else the install's; null when blank. */
	public static String fromConfigFiles() {
		Path user = userConfigFile();
		if (Files.isRegularFile(user)) {
			try (InputStream in = Files.newInputStream(user)) {
				String[] found = read(in);
				if (found != null) {
					return found[0];
				}
			}
			catch (IOException ex) {
				// unreadable: Spring will say so when the full application starts
			}
		}
		return fromApplicationYml();
	}

	/** {@code queuectl.db} from the install's application.yml; null when blank. */
	static String fromApplicationYml() {
		try (InputStream in = openInstallConfig()) {
			if (in == null) {
				return null;
			}
			String[] found = read(in);
			return found == null ? null : found[0];
		}
		catch (IOException ex) {
			return null;
		}
	}

	/** {@code {value}} (null when blank) if the file sets queuectl.db, else null. */
	static String[] read(InputStream in) throws IOException {
		return read(in, "db");
	}

	/**
	 * {@code queuectl.KEY} from the files, the user's winning over the install's; null when blank
	 * or unset.
	 */
	public static String setting(String key) {
		Path user = userConfigFile();
		if (Files.isRegularFile(user)) {
			try (InputStream in = Files.newInputStream(user)) {
				String[] found = read(in, key);
				if (found != null) {
					return found[0];
				}
			}
			catch (IOException ex) {
				// unreadable: as if unset
			}
		}
		try (InputStream in = openInstallConfig()) {
			String[] found = in == null ? null : read(in, key);
			return found == null ? null : found[0];
		}
		catch (IOException ex) {
			return null;
		}
	}

	/** {@code {value}} (null when blank) if the file sets queuectl.KEY, else null. */
	static String[] read(InputStream in, String key) throws IOException {
		String nested = key.concat(":");
		String dotted = "queuectl.".concat(nested);
		BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
		boolean inQueuectl = false;
		int indent = -1;
		for (String line; (line = reader.readLine()) != null;) {
			if (line.isBlank() || line.trim().startsWith("#")) {
				continue;
			}
			if (!Character.isWhitespace(line.charAt(0))) {
				inQueuectl = line.startsWith("queuectl:");
				indent = -1;
				if (line.startsWith(dotted)) {
					return new String[] { value(line) };
				}
				continue;
			}
			if (!inQueuectl) {
				continue;
			}
			int at = 0;
			while (at < line.length() && Character.isWhitespace(line.charAt(at))) {
				at++;
			}
			if (indent < 0) {
				indent = at;
			}
			if (at == indent && line.startsWith(nested, at)) {
				return new String[] { value(line) };
			}
		}
		return null;
	}

	private static String value(String line) {
		String value = withoutComment(line.substring(line.indexOf(':') + 1)).trim();
		if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))) {
			value = value.substring(1, value.length() - 1);
		}
		return value.isBlank() ? null : value;
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
