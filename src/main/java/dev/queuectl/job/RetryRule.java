package dev.queuectl.job;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import dev.queuectl.QueuectlException;

/**
 * Which failed runs of a job are retried, by how they ended: {@code retry_on} (only these are
 * retried, any other failure ends the job dead at once) or {@code no_retry_on} (these end it dead
 * at once, the others are retried). Each list holds exit codes 0-255 and the word {@code timeout}
 * for a run killed by its timeout, which matches no code. A run that ended without an exit code
 * (killed by a signal, or it could not start) matches nothing: retried under {@code no_retry_on},
 * not under {@code retry_on}. Stored as its canonical text, codes ascending then "timeout"
 * ({@code "75,111,timeout"}); the same text is how {@code show}, {@code --json} and config say it.
 */
public record RetryRule(boolean only, List<Integer> codes, boolean timeout) {

	/** The field or setting names, for messages: "retry_on" or "no_retry_on". */
	public String field() {
		return this.only ? "retry_on" : "no_retry_on";
	}

	/** Whether a failed run that ended with {@code outcome} and {@code exitCode} (maybe null) is retried. */
	public boolean retries(String outcome, Integer exitCode) {
		boolean listed = "timeout".equals(outcome) ? this.timeout
				: exitCode != null && this.codes.contains(exitCode);
		return this.only == listed;
	}

	/** The list as stored and shown: codes ascending, then "timeout". */
	public String text() {
		List<String> parts = new ArrayList<>();
		this.codes.forEach(c -> parts.add(Integer.toString(c)));
		if (this.timeout) {
			parts.add("timeout");
		}
		return String.join(",", parts);
	}

	/** "retry on 75,111" or "no retry on 2,64,timeout", for people. */
	public String describe() {
		return (this.only ? "retry only on " : "no retry on ") + text();
	}

	/** The rule stored in a job's two columns (both null: every failure is retried). */
	public static RetryRule stored(String retryOn, String noRetryOn) {
		if (retryOn != null) {
			return parse(true, retryOn);
		}
		return noRetryOn != null ? parse(false, noRetryOn) : null;
	}

	/** The rule's list for column retry_on, or null. */
	public static String retryOn(RetryRule rule) {
		return rule != null && rule.only ? rule.text() : null;
	}

	/** The rule's list for column no_retry_on, or null. */
	public static String noRetryOn(RetryRule rule) {
		return rule != null && !rule.only ? rule.text() : null;
	}

	/**
	 * A list written as text, items separated by commas or spaces ("75, 111 timeout"), as config
	 * takes it; null when an item is neither a code 0-255 nor "timeout", or there is none.
	 */
	public static RetryRule parseOrNull(boolean only, String text) {
		String canonical = dev.queuectl.config.Setting.exitCodes(text);
		if (canonical == null) {
			return null;
		}
		List<Object> items = new ArrayList<>();
		for (String item : canonical.split(",")) {
			items.add(item.equals("timeout") ? "timeout" : Integer.valueOf(item));
		}
		return of(only, items);
	}

	private static RetryRule parse(boolean only, String text) {
		RetryRule rule = parseOrNull(only, text);
		if (rule == null) {
			throw new IllegalStateException("stored retry list is not valid: " + text);
		}
		return rule;
	}

	/**
	 * A rule of items, each an Integer (an exit code) or the String "timeout"; null when an item
	 * is out of range or the list is empty.
	 */
	static RetryRule of(boolean only, List<Object> items) {
		TreeSet<Integer> codes = new TreeSet<>();
		boolean timeout = false;
		for (Object item : items) {
			if (item instanceof Integer code && code >= 0 && code <= 255) {
				codes.add(code);
			}
			else if ("timeout".equals(item)) {
				timeout = true;
			}
			else {
				return null;
			}
		}
		if (codes.isEmpty() && !timeout) {
			return null;
		}
		return new RetryRule(only, List.copyOf(codes), timeout);
	}

	/** The rule of a config value ("none": no rule), refusing what is not valid with one line. */
	public static RetryRule ofSetting(boolean only, String value) {
		if (value == null || value.equals("none")) {
			return null;
		}
		RetryRule rule = parseOrNull(only, value);
		if (rule == null) {
			throw QueuectlException.usage("invalid " + (only ? "retry-on" : "no-retry-on") + " setting '" + value + "'");
		}
		return rule;
	}
}
