package dev.queuectl.job;

import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.queuectl.config.QueuectlException;

/**
 * How far a job says it is ({@code queuectl progress}): {@code done} of {@code total} (a percentage
 * is done of 100), an optional message, and when it said so. Only the latest is kept. The rule of
 * what a report may say is here: {@code DONE/TOTAL} with 0 <= done <= total and total >= 1, or
 * {@code N%} with 0 <= N <= 100; a message at most {@link #MAX_MESSAGE} characters of one line.
 */
public record Progress(long done, long total, String message, Instant at) {

	/** The longest message, in characters. */
	public static final int MAX_MESSAGE = 500;

	private static final Pattern FRACTION = Pattern.compile("(\\d{1,18})/(\\d{1,18})");

	private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})%");

	/** What {@code queuectl progress} was given, checked; exit 2 with one line when it is not a report. */
	public static Progress parse(String amount, String message, Instant at) {
		long done;
		long total;
		Matcher f = FRACTION.matcher(amount);
		Matcher p = PERCENT.matcher(amount);
		if (f.matches()) {
			done = Long.parseLong(f.group(1));
			total = Long.parseLong(f.group(2));
			if (total == 0) {
				throw QueuectlException.usage("progress " + JobSpecParser.shown(amount) + ": the total must be at least 1");
			}
			if (done > total) {
				throw QueuectlException.usage("progress " + JobSpecParser.shown(amount) + ": done is more than the total");
			}
		}
		else if (p.matches()) {
			done = Long.parseLong(p.group(1));
			total = 100;
			if (done > 100) {
				throw QueuectlException.usage("progress " + JobSpecParser.shown(amount) + ": a percentage is 0-100");
			}
		}
		else {
			throw QueuectlException.usage("progress wants DONE/TOTAL or N% (like 40/100 or 40%), got '"
					+ JobSpecParser.shown(amount) + "'");
		}
		if (message != null) {
			message = message.replaceAll("[\\p{Cntrl}\u2028\u2029]+", " ").strip();
			if (message.length() > MAX_MESSAGE) {
				throw QueuectlException.usage("a progress message is at most " + MAX_MESSAGE + " characters, got "
						+ message.length());
			}
			if (message.isEmpty()) {
				message = null;
			}
		}
		return new Progress(done, total, message, at);
	}

	/** The whole percent done, 0-100. */
	public int percent() {
		return (int) Math.min(100, this.done * 100 / this.total);
	}

	/** For a table: {@code 40/100 (40%)}. */
	public String shortText() {
		return this.total == 100 ? this.done + "%" : this.done + "/" + this.total + " (" + percent() + "%)";
	}
}
