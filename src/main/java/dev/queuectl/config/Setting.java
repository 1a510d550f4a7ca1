package dev.queuectl.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every tunable a user can read with {@code config get} and change with {@code config set}: its name,
 * what it means, and the values it accepts. Defaults come from application.yml
 * ({@code queuectl.defaults.<key>}); values set by users live in the database.
 */
public enum Setting {

	MAX_RETRIES("max-retries", "retries after the first run before a job is dead (0-100)",
			v -> integer(v, 0, 100)),
	BACKOFF_BASE("backoff-base", "retry k waits backoff-base^k seconds (1-60)", v -> integer(v, 1, 60)),
	MAX_BACKOFF("max-backoff", "the longest wait between retries (1s-30d)",
			v -> duration(v, Duration.ofSeconds(1), Duration.ofDays(30))),
	JOB_TIMEOUT("job-timeout", "how long a job may run when it names no timeout; 0 = no limit (0-30d)",
			v -> duration(v, Duration.ZERO, Duration.ofDays(30))),
	LEASE_TIMEOUT("lease-timeout", "how long a dead worker's jobs stay claimed before others take them (5s-1h)",
			v -> duration(v, Duration.ofSeconds(5), Duration.ofHours(1))),
	SHUTDOWN_GRACE("shutdown-grace", "how long a stopping worker waits for running jobs (0-1h)",
			v -> duration(v, Duration.ZERO, Duration.ofHours(1))),
	OUTPUT_CAP("output-cap", "output kept per attempt; the rest is dropped (1KiB-1GiB)",
			v -> size(v, 1024, 1L << 30)),
	OUTPUT_MAX_TOTAL("output-max-total",
			"output kept of all jobs together; past it the oldest finished jobs' output is removed first; 0 = no limit (0, 1MiB-16384GiB)",
			v -> sizeOrZero(v, 1L << 20, 1L << 44)),
	RETENTION_COMPLETED("retention-completed",
			"completed jobs are deleted (with runs and output) this long after they finish; 0 = kept (0-3650d)",
			v -> duration(v, Duration.ZERO, Duration.ofDays(3650))),
	RETENTION_DEAD("retention-dead",
			"dead jobs are deleted (with runs and output) this long after they die; 0 = kept (0-3650d)",
			v -> duration(v, Duration.ZERO, Duration.ofDays(3650))),
	RETENTION_CANCELED("retention-canceled",
			"canceled jobs are deleted (with runs and output) this long after they end; 0 = kept (0-3650d)",
			v -> duration(v, Duration.ZERO, Duration.ofDays(3650))),
	SERVER_IDLE("server-idle", "how long the background command server waits for a command before it exits (1s-30d)",
			v -> duration(v, Duration.ofSeconds(1), Duration.ofDays(30))),
	BACKOFF_JITTER("backoff-jitter", "each retry's wait is shortened by a random part of up to this percentage (0-50)",
			v -> integer(v.endsWith("%") ? v.substring(0, v.length() - 1).trim() : v, 0, 50)),
	RETRY_ON("retry-on",
			"exit codes (0-255, and the word timeout) that the failed runs of jobs naming no rule are retried on, "
					+ "any other failure ends the job dead; none = every failure is retried (like 75,111)",
			Setting::exitCodesOrNone),
	NO_RETRY_ON("no-retry-on",
			"exit codes (0-255, and the word timeout) that end jobs naming no rule dead at once, the others are "
					+ "retried; none = every failure is retried (like 2,64)",
			Setting::exitCodesOrNone),
	// notifications (issue 27)
	NOTIFY_ON("notify-on", "which ends of a job notify: any of dead, canceled, completed, retry (like dead,canceled); none = no job",
			Setting::notifyStates),
	NOTIFY_COMMAND("notify-command",
			"a shell command the worker host runs when a job ends as notify-on says, the job's JSON on stdin; none = no command",
			v -> v.isEmpty() || v.length() > 4096 || v.indexOf('\0') >= 0 ? null : v),
	NOTIFY_URL("notify-url", "an http:// or https:// URL that gets an HTTP POST of the job's JSON when a job ends as notify-on says; none = no URL",
			Setting::httpUrlOrNone),
	NOTIFY_SECRET("notify-secret",
			"the key of the X-Queuectl-Signature header (HMAC-SHA256 of the body) of notify-url's requests; none = unsigned",
			v -> v.isEmpty() || v.length() > 1024 || v.indexOf('\0') >= 0 ? null : v),
	NOTIFY_TIMEOUT("notify-timeout", "how long one delivery of a notification may take, the command's or the request's (1s-10m)",
			v -> duration(v, Duration.ofSeconds(1), Duration.ofMinutes(10))),
	NOTIFY_RETRY_FOR("notify-retry-for",
			"how long a notification that fails is retried (waits 1s, 2s, 4s, ... at most 10m) before it is kept as failed (1s-30d)",
			v -> duration(v, Duration.ofSeconds(1), Duration.ofDays(30)));

	/** notify-on's words, in canonical order; "retry" is a job that failed with a retry to come (state failed). */
	public static final java.util.List<String> NOTIFY_STATES = java.util.List.of("dead", "canceled", "completed", "retry");

	/** notify-on: "none", or some of {@link #NOTIFY_STATES} in their order, comma-separated. */
	private static String notifyStates(String v) {
		if (v.equalsIgnoreCase("none")) {
			return "none";
		}
		java.util.Set<String> given = new java.util.HashSet<>();
		for (String item : v.split("[,\\s]+")) {
			String word = item.toLowerCase(Locale.ROOT);
			if (!item.isEmpty() && !NOTIFY_STATES.contains(word)) {
				return null;
			}
			given.add(word);
		}
		given.remove("");
		return given.isEmpty() ? null : String.join(",", NOTIFY_STATES.stream().filter(given::contains).toList());
	}

	/** notify-url: "none", or an absolute http or https URL with a host. */
	private static String httpUrlOrNone(String v) {
		if (v.equalsIgnoreCase("none")) {
			return "none";
		}
		try {
			java.net.URI uri = new java.net.URI(v);
			String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
			return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && v.length() <= 4096 ? v : null;
		}
		catch (java.net.URISyntaxException ex) {
			return null;
		}
	}

	/** ASCII digits only ([0-9], not \\d with Unicode classes), like every number a user types. */
	private static final Pattern SIZE = Pattern.compile("([0-9]{1,10})\\s*(B|KiB|MiB|GiB|K|M|G)?", Pattern.CASE_INSENSITIVE);

	private final String key;

	private final String description;

	private final Function<String, String> normalizer;

	Setting(String key, String description, Function<String, String> normalizer) {
		this.key = key;
		this.description = description;
		this.normalizer = normalizer;
	}

	public String key() {
		return this.key;
	}

	public String description() {
		return this.description;
	}

	/**
	 * Validates a value and returns it in canonical form, or null when it is not valid.
	 */
	public String normalize(String value) {
		return this.normalizer.apply(value.trim());
	}

	public static Optional<Setting> byKey(String key) {
		String k = key.trim().toLowerCase(Locale.ROOT).replace('_', '-');
		return Arrays.stream(values()).filter(s -> s.key.equals(k)).findFirst();
	}

	/** "none", or a list of exit codes in canonical form ({@link #exitCodes}). */
	private static String exitCodesOrNone(String v) {
		return v.equalsIgnoreCase("none") ? "none" : exitCodes(v);
	}

	/**
	 * A list of exit codes 0-255 and the word timeout, separated by commas or spaces ("2, 64
	 * timeout"), in canonical form: codes ascending without repeats, then timeout ("2,64,timeout");
	 * null when an item is neither or the list is empty.
	 */
	public static String exitCodes(String v) {
		java.util.TreeSet<Integer> codes = new java.util.TreeSet<>();
		boolean timeout = false;
		for (String item : v.trim().split("[,\\s]+")) {
			if (item.isEmpty()) {
				continue;
			}
			Integer n = AsciiNumbers.parseInt(item);
			if (item.equalsIgnoreCase("timeout")) {
				timeout = true;
			}
			else if (n != null && n >= 0 && n <= 255 && item.length() <= 3) {
				codes.add(n);
			}
			else {
				return null;
			}
		}
		if (codes.isEmpty() && !timeout) {
			return null;
		}
		java.util.List<String> parts = new java.util.ArrayList<>(codes.stream().map(String::valueOf).toList());
		if (timeout) {
			parts.add("timeout");
		}
		return String.join(",", parts);
	}

	private static String integer(String v, int min, int max) {
		Integer n = AsciiNumbers.parseInt(v); // ASCII digits only
		return n != null && n >= min && n <= max ? Integer.toString(n) : null;
	}

	private static String duration(String v, Duration min, Duration max) {
		Duration d = Durations.parseOrNull(v);
		if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
			return null;
		}
		return Durations.format(d);
	}

	private static String size(String v, long min, long max) {
		Long bytes = parseSize(v);
		return bytes != null && bytes >= min && bytes <= max ? formatSize(bytes) : null;
	}

	/** A size in the range, or 0 (no limit), written "0". */
	private static String sizeOrZero(String v, long min, long max) {
		Long bytes = parseSize(v);
		return bytes != null && bytes == 0 ? "0" : size(v, min, max);
	}

	public static Long parseSize(String v) {
		Matcher m = SIZE.matcher(v.trim());
		if (!m.matches()) {
			return null;
		}
		long n = Long.parseLong(m.group(1));
		String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
		return switch (unit) {
			case "K", "KIB" -> n << 10;
			case "M", "MIB" -> n << 20;
			case "G", "GIB" -> n << 30;
			default -> n;
		};
	}

	public static String formatSize(long bytes) {
		if (bytes % (1L << 30) == 0) {
			return (bytes >> 30) + "GiB";
		}
		if (bytes % (1L << 20) == 0) {
			return (bytes >> 20) + "MiB";
		}
		if (bytes % (1L << 10) == 0) {
			return (bytes >> 10) + "KiB";
		}
		return bytes + "B";
	}
}
