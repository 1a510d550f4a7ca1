package dev.queuectl.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * This build: the release version (pom.xml), the git commit it was built from and when (both
 * written at build time: queuectl-version.properties and queuectl-commit.txt).
 */
public final class Version {

	private static final Properties BUILD = load();

	private static final String COMMIT = commitOf();

	private Version() {
	}

	/** The release, e.g. {@code 0.4.0}. */
	public static String number() {
		return BUILD.getProperty("version", "unknown");
	}

	/** What {@code queuectl --version} prints. */
	public static String line() {
		return "queuectl " + number() + " (commit " + COMMIT + ", built " + BUILD.getProperty("built", "unknown") + ")";
	}

	private static Properties load() {
		Properties p = new Properties();
		try (InputStream in = Version.class.getResourceAsStream("/queuectl-version.properties")) {
			if (in != null) {
				p.load(in);
			}
		}
		catch (IOException ex) {
			// unknown then
		}
		return p;
	}

	private static String commitOf() {
		try (InputStream in = Version.class.getResourceAsStream("/queuectl-commit.txt")) {
			String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
			return text.isEmpty() ? "unknown" : text;
		}
		catch (IOException ex) {
			return "unknown";
		}
	}
}
