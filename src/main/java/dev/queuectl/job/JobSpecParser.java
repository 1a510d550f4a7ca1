package dev.queuectl.job;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.Durations;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns the JSON a user gives to {@code enqueue} into a validated {@link NewJob}. Every rule about
 * what a job may say lives here; each violation is one line naming the field.
 * <p>
 * Limits: a command is at most {@link #MAX_COMMAND_BYTES} bytes of UTF-8, one JSON document (an
 * argument or a line) at most {@link #MAX_DOCUMENT_BYTES}. No string field may hold a NUL
 * character (no shell command can) or a lone UTF-16 surrogate (not text: it could not be stored
 * byte for byte). An id never starts with a dot, so none is {@code .} or {@code ..}: ids name
 * folders of captured output; nor with a dash, so that {@code show <id>} never reads as an option.
 */
public final class JobSpecParser {

	/** Id characters; a dot may not come first (no . or ..), nor a dash (it would read as an option). */
	static final Pattern ID = Pattern.compile("[A-Za-z0-9_:][A-Za-z0-9._:-]{0,127}");

	/** At most this many bytes of UTF-8 in a command. */
	public static final int MAX_COMMAND_BYTES = 128 * 1024;

	/** At most this many bytes of UTF-8 in one JSON document: an argument, or a line of a batch. */
	public static final int MAX_DOCUMENT_BYTES = 1024 * 1024;

	public static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

	private static final Set<String> FIELDS = Set.of("id", "command", "max_retries", "priority", "run_at", "delay",
			"timeout", "queue", "after", "unique_key", "resources", "slots", "start_within", "start_by", "retry_on",
			"no_retry_on", "limits", "env", "tags", "after_any", "after_failed");

	/** At most this many jobs a job runs after. */
	static final int MAX_AFTER = 100;

	/** The longest unique key, in characters. */
	static final int MAX_UNIQUE_KEY = 256;

	private static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

	private JobSpecParser() {
	}

	/** Parses one JSON document into a tree, with a one-line error when it is not JSON. */
	public static JsonNode readTree(String json, String where) {
		if (json.length() > MAX_DOCUMENT_BYTES / 3 && utf8Length(json) > MAX_DOCUMENT_BYTES) {
			throw QueuectlException.usage(where + "the JSON is larger than 1 MiB, the most one job may take");
		}
		return readAnyTree(json, where);
	}

	/** {@link #readTree} for a whole batch (a JSON array): no 1 MiB limit, the batch has its own. */
	public static JsonNode readAnyTree(String json, String where) {
		try {
			JsonNode node = JSON.readTree(json);
			if (node == null || node.isMissingNode()) {
				throw QueuectlException.usage(where + "empty input, expected a JSON object");
			}
			return node;
		}
		catch (JacksonException ex) {
			throw QueuectlException.usage(where + malformed(ex));
		}
	}

	/**
	 * The parser's complaint in our words: where (line, column) and what, never the parser's class,
	 * feature or constraint names, which mean nothing to a user.
	 */
	static String malformed(JacksonException ex) {
		TokenStreamLocation at = ex.getLocation();
		String where = at != null && at.getLineNr() > 0
				? " at line " + at.getLineNr() + ", column " + at.getColumnNr() : "";
		String m = ex.getOriginalMessage() == null ? "" : ex.getOriginalMessage();
		String what;
		if (ex instanceof StreamConstraintsException) {
			what = m.contains("nesting depth") ? "arrays or objects nested too deeply"
					: m.contains("Number value length") ? "a number with too many digits"
					: m.contains("String value length") ? "a string too long"
					: m.contains("Name length") ? "a field name too long" : "larger than the parser accepts";
		}
		else if (m.startsWith("Trailing token")) {
			what = "more text after the JSON value";
		}
		else if (m.startsWith("Duplicate Object property")) {
			int q = m.indexOf('"');
			what = "duplicate field" + (q >= 0 ? " " + m.substring(q) : "");
		}
		else if (ex instanceof UnexpectedEndOfInputException || m.startsWith("Unexpected end-of-input")) {
			what = "the JSON ends too early";
		}
		else {
			what = plain(m);
		}
		return "malformed JSON" + where + ": " + what;
	}

	/** What marks a parser message's clause about its own types, features or limits. */
	private static final List<String> INTERNALS = List.of("`", "feature", "constraint", "jackson");

	/**
	 * A parser message's first line cut before the first clause that names the parser's own types,
	 * features or limits.
	 */
	private static String plain(String m) {
		String line = m.lines().findFirst().orElse("").strip();
		String lower = line.toLowerCase(Locale.ROOT);
		int first = INTERNALS.stream().mapToInt(lower::indexOf).filter(i -> i >= 0).min().orElse(-1);
		if (first >= 0) {
			line = line.substring(0, first);
			int cut = Math.max(line.lastIndexOf(": "), line.lastIndexOf(" ("));
			line = cut > 0 ? line.substring(0, cut) : "";
		}
		line = line.strip().replaceAll("[:;,(]+$", "").strip();
		return line.isEmpty() ? "not valid JSON" : line;
	}

	/**
	 * Validates one job object.
	 * @param where a prefix for messages ("" or "line 3: ")
	 */
	public static NewJob parse(JsonNode node, String where, Defaults defaults) {
		if (!node.isObject()) {
			throw QueuectlException.usage(where + "expected a JSON object, got " + kind(node));
		}
		for (Map.Entry<String, JsonNode> field : node.properties()) {
			if (!FIELDS.contains(field.getKey())) {
				throw QueuectlException.usage(where + "unknown field '" + shown(field.getKey()) + "' (allowed: command, id, "
						+ "max_retries, priority, queue, run_at, delay, timeout, after, after_any, after_failed, "
						+ "unique_key, resources, slots, start_within, start_by, retry_on, no_retry_on, limits, env, tags)");
			}
		}
		String id = optionalString(node, "id", where);
		if (id == null) {
			id = newId();
		}
		else if (!ID.matcher(id).matches()) {
			throw QueuectlException.usage(where + ID_RULE);
		}
		String command = optionalString(node, "command", where);
		if (command == null) {
			throw QueuectlException.usage(where + "field 'command' is required");
		}
		if (invisible(command)) {
			throw QueuectlException.usage(where + "field 'command' must not be empty");
		}
		if (command.length() > MAX_COMMAND_BYTES / 3 && utf8Length(command) > MAX_COMMAND_BYTES) {
			throw QueuectlException.usage(where + "field 'command' is " + utf8Length(command)
					+ " bytes long, at most 131072 (128 KiB) are allowed");
		}
		int maxRetries = optionalInt(node, "max_retries", 0, 100, defaults.maxRetries(), where);
		int priority = optionalInt(node, "priority", Integer.MIN_VALUE, Integer.MAX_VALUE, 0, where);
		String queue = optionalString(node, "queue", where);
		if (queue == null) {
			queue = "default";
		}
		else if (!QUEUE.matcher(queue).matches()) {
			throw QueuectlException.usage(where + "field 'queue' must be 1-64 characters of A-Z a-z 0-9 . _ : -");
		}
		Instant runAt = defaults.now();
		String runAtText = optionalString(node, "run_at", where);
		String delayText = present(node, "delay") ? durationText(node.get("delay"), "delay", where) : null;
		if (runAtText != null && delayText != null) {
			throw QueuectlException.usage(where + "give either 'run_at' or 'delay', not both");
		}
		if (runAtText != null) {
			runAt = parseInstant(runAtText, "run_at", where);
		}
		if (delayText != null) {
			runAt = runAt.plus(parseDuration(delayText, "delay", where, false));
		}
		Duration timeout = null;
		if (present(node, "timeout")) {
			timeout = parseDuration(durationText(node.get("timeout"), "timeout", where), "timeout", where, true);
		}
		String uniqueKey = optionalString(node, "unique_key", where);
		if (uniqueKey != null && (uniqueKey.isEmpty() || uniqueKey.length() > MAX_UNIQUE_KEY)) {
			throw QueuectlException.usage(where + "field 'unique_key' must be 1-" + MAX_UNIQUE_KEY + " characters");
		}
		Map<String, AfterCondition> conditions = new java.util.HashMap<>();
		List<String> after = after(node, id, where, conditions);
		Resources resources = Resources.fromJson(node.get("resources"), where);
		int slots = optionalInt(node, "slots", 1, Resources.MAX_SLOTS, 1, where);
		String startByText = optionalString(node, "start_by", where);
		String withinText = present(node, "start_within") ? durationText(node.get("start_within"), "start_within", where) : null;
		if (startByText != null && withinText != null) {
			throw QueuectlException.usage(where + "give either 'start_by' or 'start_within', not both");
		}
		Instant startBy = null;
		if (startByText != null) {
			startBy = parseInstant(startByText, "start_by", where);
			if (!startBy.isAfter(defaults.now())) {
				throw QueuectlException.usage(where + "field 'start_by' is in the past (" + shown(startByText)
						+ "): the job could never start");
			}
		}
		if (withinText != null) {
			startBy = defaults.now().plus(parseDuration(withinText, "start_within", where, true));
		}
		if (startBy != null && runAt.isAfter(startBy)) {
			throw QueuectlException.usage(where + "the job's run_at or delay is after its " + (startByText != null
					? "'start_by'" : "'start_within'") + ": it could never start");
		}
		RetryRule rule = retryRule(node, where);
		if (rule == null) {
			rule = defaults.retryRule();
		}
		return new NewJob(id, command, queue, priority, maxRetries, runAt, runAtText != null, timeout, defaults.workingDir(),
				uniqueKey, after, resources, slots, startBy, startByText != null, rule, limits(node, where),
				JobEnv.fromJson(node.get("env"), where), Tags.withDefaults(Tags.parse(node, where), defaults.tags(), where), null,
				conditions.isEmpty() ? Map.of() : Map.copyOf(conditions));
	}

	/**
	 * The rule of field 'retry_on' or 'no_retry_on' (not both): an array of exit codes 0-255 and the
	 * word "timeout"; null when neither is given.
	 */
	private static RetryRule retryRule(JsonNode node, String where) {
		boolean on = present(node, "retry_on");
		boolean off = present(node, "no_retry_on");
		if (on && off) {
			throw QueuectlException.usage(where + "give either 'retry_on' or 'no_retry_on', not both");
		}
		if (!on && !off) {
			return null;
		}
		String field = on ? "retry_on" : "no_retry_on";
		JsonNode value = node.get(field);
		String rule = where + "field '" + field + "' must be a non-empty array of exit codes 0-255 and \"timeout\", like [2, 64]";
		if (!value.isArray() || value.isEmpty() || value.size() > 257) {
			throw QueuectlException.usage(rule + ", got " + kind(value));
		}
		List<Object> items = new ArrayList<>();
		for (JsonNode item : value) {
			if (item.isIntegralNumber() && item.canConvertToInt() && item.intValue() >= 0 && item.intValue() <= 255) {
				items.add(item.intValue());
			}
			else if (item.isString() && item.stringValue().equals("timeout")) {
				items.add("timeout");
			}
			else {
				throw QueuectlException.usage(rule + ", got " + (item.isString() ? "\"" + shown(item.stringValue()) + "\""
						: item.isNumber() ? shown(item.toString()) : kind(item)));
			}
		}
		return RetryRule.of(on, items);
	}

	/**
	 * The ids of fields 'after', 'after_any' and 'after_failed' together (each a string or an array of
	 * strings, each a valid id, not the job's own, none in two fields, at most {@value #MAX_AFTER} in
	 * all); {@code conditions} gets the ones not named by 'after'.
	 */
	private static List<String> after(JsonNode node, String id, String where, Map<String, AfterCondition> conditions) {
		Map<String, AfterCondition> all = new java.util.LinkedHashMap<>();
		for (AfterCondition condition : AfterCondition.values()) {
			String field = condition.field();
			JsonNode value = node.get(field);
			if (value == null || value.isNull()) {
				continue;
			}
			List<JsonNode> items = new ArrayList<>();
			if (value.isArray()) {
				value.forEach(items::add);
			}
			else {
				items.add(value);
			}
			for (JsonNode item : items) {
				if (!item.isString() || !ID.matcher(item.stringValue()).matches()) {
					throw QueuectlException.usage(where + "field '" + field + "' must be a job id or an array of job ids, got "
							+ (item.isString() ? "\"" + shown(item.stringValue()) + "\"" : kind(item)));
				}
				if (item.stringValue().equals(id)) {
					throw QueuectlException.usage(where + "field '" + field + "' names the job itself");
				}
				AfterCondition before = all.putIfAbsent(item.stringValue(), condition);
				if (before != null && before != condition) {
					throw QueuectlException.usage(where + "job '" + item.stringValue() + "' is named in both '" + before.field()
							+ "' and '" + field + "'");
				}
			}
			if (all.size() > MAX_AFTER) {
				throw QueuectlException.usage(where + (condition == AfterCondition.COMPLETED ? "field 'after' names"
						: "fields 'after', 'after_any' and 'after_failed' name") + " more than " + MAX_AFTER + " jobs");
			}
		}
		all.forEach((dep, condition) -> {
			if (condition != AfterCondition.COMPLETED) {
				conditions.put(dep, condition);
			}
		});
		return List.copyOf(all.keySet());
	}

	/** At most this many keys a job's "limits" names. */
	static final int MAX_LIMITS = 16;

	/** The keys of field 'limits': an array of 1-16 keys ({@link LimitBook#KEY}), duplicates dropped. */
	private static List<String> limits(JsonNode node, String where) {
		JsonNode value = node.get("limits");
		if (value == null || value.isNull()) {
			return List.of();
		}
		if (!value.isArray() || value.isEmpty() || value.size() > MAX_LIMITS) {
			throw QueuectlException.usage(where + "field 'limits' must be an array of 1-" + MAX_LIMITS + " keys, got "
					+ (value.isArray() ? value.size() + " keys" : kind(value)));
		}
		Set<String> keys = new LinkedHashSet<>();
		for (JsonNode item : value) {
			if (!item.isString() || !LimitBook.KEY.matcher(item.stringValue()).matches()) {
				throw QueuectlException.usage(where + "field 'limits' holds keys of " + LimitBook.KEY_RULE + ", got "
						+ (item.isString() ? "\"" + shown(item.stringValue()) + "\"" : kind(item)));
			}
			keys.add(item.stringValue());
		}
		return List.copyOf(keys);
	}

	/** What an id may be, as the one line that refuses one. */
	static final String ID_RULE = "field 'id' must be 1-128 characters of A-Z a-z 0-9 . _ : - and not start with a dot or a dash";

	/**
	 * True when the text shows nothing: only whitespace (Unicode's too, like NBSP), control and
	 * format characters (zero-width space, BOM, direction marks) and other default-ignorable ones.
	 */
	static boolean invisible(String text) {
		return text.codePoints().allMatch(JobSpecParser::invisible);
	}

	private static boolean invisible(int c) {
		int type = Character.getType(c);
		return Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)
				|| type == Character.FORMAT || c == 0x034F || c == 0x115F || c == 0x1160 || c == 0x17B4 || c == 0x17B5
				|| c == 0x3164 || c == 0xFFA0 || (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
	}

	/** The length of the text in UTF-8, counting a lone surrogate as the one byte it would become. */
	public static long utf8Length(CharSequence text) {
		long n = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x80) {
				n++;
			}
			else if (c < 0x800) {
				n += 2;
			}
			else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				n += 4;
				i++;
			}
			else {
				n += Character.isSurrogate(c) ? 1 : 3;
			}
		}
		return n;
	}

	/** 48 random bits drawn once per process: where this process's id counter starts. */
	private static final long ID_BASE = new java.security.SecureRandom().nextLong();

	private static final java.util.concurrent.atomic.AtomicLong ID_COUNTER = new java.util.concurrent.atomic.AtomicLong();

	/**
	 * A new id: the time in ms (base 36), then 12 hex digits that count up from a random start of
	 * this process. Time-ordered; unique within a process (the counter) and across processes (the
	 * random start, as with a random suffix); drawing a UUID per id took a third of a bulk enqueue.
	 */
	public static String newId() {
		long n = (ID_BASE + ID_COUNTER.getAndIncrement()) & 0xFFFF_FFFF_FFFFL;
		String hex = Long.toHexString(n | (1L << 48)).substring(1); // 12 digits, leading zeros kept
		return Long.toString(System.currentTimeMillis(), 36) + "-" + hex;
	}

	/** A field given as null counts as not given, like every optional field. */
	private static boolean present(JsonNode node, String field) {
		return node.has(field) && !node.get(field).isNull();
	}

	private static String optionalString(JsonNode node, String field, String where) {
		JsonNode value = node.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw QueuectlException.usage(where + "field '" + field + "' must be a string, got " + kind(value));
		}
		return checkText(value.stringValue(), field, where);
	}

	/** Refuses what no command or name can hold: a NUL character, a lone surrogate. */
	private static String checkText(String text, String field, String where) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == 0) {
				throw QueuectlException.usage(where + "field '" + field + "' must not contain a NUL character (\\u0000)");
			}
			if (Character.isSurrogate(c)) {
				if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
					i++;
					continue;
				}
				throw QueuectlException.usage(where + "field '" + field + "' holds a lone surrogate (\\u"
						+ Integer.toHexString(c) + "), which is not text");
			}
		}
		return text;
	}

	private static int optionalInt(JsonNode node, String field, int min, int max, int dflt, String where) {
		JsonNode value = node.get(field);
		if (value == null || value.isNull()) {
			return dflt;
		}
		String range = min == Integer.MIN_VALUE ? "" : " from " + min + " to " + max;
		if (!value.isIntegralNumber() || !value.canConvertToInt()) {
			throw QueuectlException.usage(where + "field '" + field + "' must be an integer" + range + ", got "
					+ kind(value) + " " + shown(value.toString()));
		}
		int n = value.intValue();
		if (n < min || n > max) {
			throw QueuectlException.usage(where + "field '" + field + "' must be an integer" + range + ", got " + n);
		}
		return n;
	}

	private static String durationText(JsonNode value, String field, String where) {
		if (value.isIntegralNumber() && value.canConvertToInt()) {
			return value.intValue() + "s";
		}
		if (value.isString()) {
			return checkText(value.stringValue(), field, where);
		}
		throw QueuectlException.usage(where + "field '" + field + "' must be a duration like \"30s\", \"5m\", \"2h\", got "
				+ kind(value));
	}

	private static Duration parseDuration(String text, String field, String where, boolean positive) {
		Duration d = Durations.parseOrNull(text);
		if (d == null || d.isNegative() || (positive && d.isZero())) {
			throw QueuectlException.usage(where + "field '" + field + "' must be a " + (positive ? "positive " : "")
					+ "duration like \"30s\", \"5m\", \"2h\", got \"" + shown(text) + "\"");
		}
		return d;
	}

	private static Instant parseInstant(String text, String field, String where) {
		Instant instant;
		try {
			instant = OffsetDateTime.parse(text).toInstant();
		}
		catch (DateTimeException ex) {
			throw QueuectlException.usage(where + "field '" + field + "' must be an ISO-8601 time with offset like "
					+ "\"2026-01-31T09:00:00Z\", got \"" + shown(text) + "\"");
		}
		try {
			instant.toEpochMilli(); // how it is stored
		}
		catch (ArithmeticException ex) {
			throw QueuectlException.usage(where + "field '" + field + "' is out of range, got \"" + shown(text) + "\"");
		}
		return instant;
	}

	/** User text inside a message: control characters escaped, at most 64 characters. */
	public static String shown(String text) {
		StringBuilder b = new StringBuilder();
		for (int i = 0; i < text.length() && b.length() < 64; i++) {
			char c = text.charAt(i);
			if (Character.isISOControl(c) || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
				b.append(String.format("\\u%04x", (int) c));
			}
			else {
				b.append(c);
			}
		}
		return b.length() < 64 ? b.toString() : b + "...";
	}

	private static String kind(JsonNode node) {
		if (node.isString()) {
			return "a string";
		}
		if (node.isNumber()) {
			return "a number";
		}
		if (node.isBoolean()) {
			return "a boolean";
		}
		if (node.isArray()) {
			return "an array";
		}
		if (node.isObject()) {
			return "an object";
		}
		return "null";
	}

	/**
	 * What a job gets when it does not say; {@code retryRule} from config retry-on / no-retry-on
	 * (null: none); {@code tags} what enqueue --tag adds to every job's own.
	 */
	public record Defaults(int maxRetries, Instant now, String workingDir, RetryRule retryRule, List<String> tags) {

		public Defaults(int maxRetries, Instant now, String workingDir, RetryRule retryRule) {
			this(maxRetries, now, workingDir, retryRule, List.of());
		}

		public Defaults(int maxRetries, Instant now, String workingDir) {
			this(maxRetries, now, workingDir, null);
		}
	}
}
