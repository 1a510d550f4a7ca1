package dev.queuectl.config;

import java.util.regex.Pattern;

/**
 * Integers as users type them: an optional minus and ASCII digits only. The JDK's
 * {@link Integer#parseInt} also takes any Unicode digit ({@code ٣} is 3, {@code ３} too), which
 * would let text that does not look like a number on screen become one.
 */
public final class AsciiNumbers {

	private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,19}");

	private AsciiNumbers() {
	}

	/** The value, or null when the text is not an int of ASCII digits. */
	public static Integer parseInt(String text) {
		Long n = parseLong(text);
		return n != null && n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE ? (int) n.longValue() : null;
	}

	/** The value, or null when the text is not a long of ASCII digits. */
	public static Long parseLong(String text) {
		if (text == null || !INTEGER.matcher(text).matches()) {
			return null;
		}
		try {
			return Long.parseLong(text);
		}
		catch (NumberFormatException ex) {
			return null; // out of range
		}
	}
}
