package dev.queuectl.job;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.Durations;
import org.springframework.scheduling.support.CronExpression;

/**
 * The fire times of a schedule. A cron expression is Spring's {@link CronExpression}, evaluated in
 * the schedule's zone (so a DST gap skips the times it removes, and a repeated hour fires once, as
 * Spring computes it); 5 fields get "0 " prepended for the seconds; 6 fields and macros such as
 * {@code @daily} are taken as they are. An interval fires at the multiples of its length since the
 * epoch (UTC), so {@code --every 10m} fires at :00, :10, ... whichever host computes it.
 */
public final class Ticks {

	/** The latest due tick of a cron schedule is searched for in windows this wide, then wider. */
	private static final Duration[] WINDOWS = { Duration.ofHours(1), Duration.ofDays(2), Duration.ofDays(40),
			Duration.ofDays(400), Duration.ofDays(4000) };

	private final CronExpression cron;

	private final long everyMs;

	private final ZoneId zone;

	private Ticks(CronExpression cron, long everyMs, ZoneId zone) {
		this.cron = cron;
		this.everyMs = everyMs;
		this.zone = zone;
	}

	public static Ticks of(Schedule s) {
		return s.cron() != null ? new Ticks(parseCron(s.cron()), 0, s.zone()) : new Ticks(null, s.every().toMillis(), s.zone());
	}

	/**
	 * Parses a cron expression as a user typed it; a one-line usage error when it is not one, worded
	 * in the user's fields (5, or 6 with seconds first), never in the 6 that Spring's parser is given.
	 */
	public static CronExpression parseCron(String text) {
		String expr = text.trim();
		String[] fields = expr.split("\\s+");
		String lower = expr.toLowerCase(Locale.ROOT);
		if (lower.startsWith("@")) {
			if (!MACROS.contains(lower)) {
				throw QueuectlException.usage("invalid cron expression '" + text + "': unknown macro (one of: "
						+ String.join(", ", MACROS) + ")");
			}
			return CronExpression.parse(lower);
		}
		if (fields.length != 5 && fields.length != 6) {
			throw QueuectlException.usage("invalid cron expression '" + text + "': expected 5 fields (minute hour "
					+ "day-of-month month day-of-week), 6 (with seconds first) or a macro such as @daily");
		}
		// each field alone first, so that an error names the field as the user wrote it
		int first = 6 - fields.length;
		for (int i = 0; i < fields.length; i++) {
			String[] probe = { "0", "*", "*", "*", "*", "*" };
			probe[first + i] = fields[i];
			try {
				CronExpression.parse(String.join(" ", probe));
			}
			catch (IllegalArgumentException ex) {
				String[] field = FIELDS[first + i];
				String why = ex.getMessage() != null && ex.getMessage().startsWith("Invalid value for")
						? "is out of range: " + field[2] + " is " + field[1]
						: "is not " + field[2] + " (" + field[1] + ", *, a range a-b, a list a,b or a step */n)";
				throw QueuectlException.usage("invalid cron expression '" + text + "': field " + (i + 1) + " ("
						+ field[0] + ") '" + fields[i] + "' " + why);
			}
		}
		try {
			return CronExpression.parse(fields.length == 5 ? "0 " + expr : expr);
		}
		catch (IllegalArgumentException ex) {
			throw QueuectlException.usage("invalid cron expression '" + text + "'");
		}
	}

	/** The macros a cron expression may be instead of its fields. */
	static final java.util.List<String> MACROS = java.util.List.of("@yearly", "@annually", "@monthly", "@weekly", "@daily",
			"@midnight", "@hourly");

	/** Spring's six fields: each one's name, values as a user reads them, and the name with its article. */
	private static final String[][] FIELDS = { { "second", "0-59", "a second" }, { "minute", "0-59", "a minute" },
			{ "hour", "0-23", "an hour" }, { "day of the month", "1-31", "a day of the month" },
			{ "month", "1-12 or JAN-DEC", "a month" }, { "day of the week", "0-7 or SUN-SAT", "a day of the week" } };

	/** Parses {@code --every}: whole seconds, at least 1s. */
	public static Duration parseEvery(String text) {
		Duration d = Durations.parseOrNull(text);
		if (d == null || d.toMillis() < 1000 || d.toMillis() % 1000 != 0) {
			throw QueuectlException.usage("--every must be a whole number of seconds, at least 1s, like 30s, 10m, 1h "
					+ "or 1d, got '" + text + "'");
		}
		return d;
	}

	/** The first tick strictly after {@code t}, or {@link Schedule#NEVER}. */
	public Instant next(Instant t) {
		if (this.cron == null) {
			return Instant.ofEpochMilli((Math.floorDiv(t.toEpochMilli(), this.everyMs) + 1) * this.everyMs);
		}
		ZonedDateTime next = this.cron.next(ZonedDateTime.ofInstant(t, this.zone));
		return next == null ? Schedule.NEVER : next.toInstant();
	}

	/** The latest tick in [{@code from}, {@code now}], or null when there is none. */
	public Instant latest(Instant from, Instant now) {
		if (from.isAfter(now)) {
			return null;
		}
		if (this.cron == null) {
			Instant t = Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), this.everyMs) * this.everyMs);
			return t.isBefore(from) ? null : t;
		}
		for (Duration window : WINDOWS) {
			Instant start = now.minus(window);
			Instant found = latestFrom(start.isAfter(from) ? start.minusMillis(1) : from.minusMillis(1), now);
			if (found != null || !start.isAfter(from)) {
				return found;
			}
		}
		return latestFrom(from.minusMillis(1), now);
	}

	private Instant latestFrom(Instant after, Instant now) {
		Instant found = null;
		for (Instant t = next(after); !t.isAfter(now); t = next(t)) {
			found = t;
		}
		return found;
	}

	/** How many ticks lie in [{@code from}, {@code to}), counted up to {@code cap}. */
	public long count(Instant from, Instant to, long cap) {
		if (!from.isBefore(to)) {
			return 0;
		}
		if (this.cron == null) {
			return Math.min(cap, (to.toEpochMilli() - 1 - from.toEpochMilli()) / this.everyMs + 1);
		}
		long n = 0;
		for (Instant t = next(from.minusMillis(1)); t.isBefore(to) && n < cap; t = next(t)) {
			n++;
		}
		return n;
	}
}
