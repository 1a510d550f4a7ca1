package dev.queuectl.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Human durations: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}; a bare number means seconds. */
public final class Durations {

	/** ASCII digits only: [0-9] (Java's \\d is ASCII too, but says so less plainly). */
	private static final Pattern PATTERN = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)?");

	private Durations() {
	}

	/** Returns the duration, or null when the text is not one. */
	public static Duration parseOrNull(String text) {
		Matcher m = PATTERN.matcher(text.trim());
		if (!m.matches()) {
			return null;
		}
		long n = Long.parseLong(m.group(1));
		String unit = m.group(2) == null ? "s" : m.group(2);
		return switch (unit) {
			case "ms" -> Duration.ofMillis(n);
			case "s" -> Duration.ofSeconds(n);
			case "m" -> Duration.ofMinutes(n);
			case "h" -> Duration.ofHours(n);
			default -> Duration.ofDays(n);
		};
	}

	/** Formats the way a user would write it: the largest unit that divides exactly. */
	public static String format(Duration d) {
		long ms = d.toMillis();
		if (ms == 0) {
			return "0s";
		}
		if (ms % 86_400_000 == 0) {
			return ms / 86_400_000 + "d";
		}
		if (ms % 3_600_000 == 0) {
			return ms / 3_600_000 + "h";
		}
		if (ms % 60_000 == 0) {
			return ms / 60_000 + "m";
		}
		if (ms % 1000 == 0) {
			return ms / 1000 + "s";
		}
		return ms + "ms";
	}

	/**
	 * How long something took or has run, for people: {@code 250ms}, {@code 6.8s}, {@code 2m14s},
	 * {@code 3h05m}, {@code 2d04h} (two units at most, rounded down).
	 */
	public static String elapsed(long millis) {
		long ms = Math.max(0, millis);
		if (ms < 1000) {
			return ms + "ms";
		}
		if (ms < 60_000) {
			return ms / 1000 + "." + ms % 1000 / 100 + "s";
		}
		long s = ms / 1000;
		if (s < 3600) {
			return s / 60 + "m" + String.format(java.util.Locale.ROOT, "%02d", s % 60) + "s";
		}
		if (s < 86_400) {
			return s / 3600 + "h" + String.format(java.util.Locale.ROOT, "%02d", s / 60 % 60) + "m";
		}
		return s / 86_400 + "d" + String.format(java.util.Locale.ROOT, "%02d", s / 3600 % 24) + "h";
	}
}
