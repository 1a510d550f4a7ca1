package dev.queuectl.job;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import dev.queuectl.config.QueuectlException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job's own environment (field {@code "env"}): names of {@link #NAME}, at most {@link #MAX_NAMES}
 * of them and {@link #MAX_BYTES} of names and values in all (UTF-8), values strings without a NUL
 * character (no process environment can hold one), no name of queuectl's own ({@code QUEUECTL_*}:
 * the worker host sets those for every job). Stored as a JSON object, names sorted; the
 * worker host lays it over its own environment when the job runs (the job's own wins).
 * {@code enqueue --env NAME=VALUE} and {@code --env NAME} (the caller's own value) are merged into
 * the job's JSON here too, over what the JSON says.
 */
public final class JobEnv {

	public static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

	public static final int MAX_NAMES = 64;

	public static final int MAX_BYTES = 64 * 1024;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private JobEnv() {
	}

	/** The variables of field 'env' (empty when absent or null), checked. */
	static Map<String, String> fromJson(JsonNode value, String where) {
		if (value == null || value.isNull()) {
			return Map.of();
		}
		if (!value.isObject()) {
			throw QueuectlException.usage(where + "field 'env' must be an object of names and string values, like "
					+ "{\"LOG_LEVEL\":\"debug\"}");
		}
		Map<String, String> env = new TreeMap<>();
		for (Map.Entry<String, JsonNode> e : value.properties()) {
			if (!e.getValue().isString()) {
				throw QueuectlException.usage(where + "field 'env': the value of " + JobSpecParser.shown(e.getKey())
						+ " must be a string");
			}
			env.put(e.getKey(), e.getValue().stringValue());
		}
		check(env, where);
		return Collections.unmodifiableMap(env);
	}

	/** Refuses names that are not {@link #NAME}, too many, too much, a NUL or a lone surrogate. */
	static void check(Map<String, String> env, String where) {
		if (env.size() > MAX_NAMES) {
			throw QueuectlException.usage(where + "field 'env' has " + env.size() + " variables, at most " + MAX_NAMES);
		}
		long bytes = 0;
		for (Map.Entry<String, String> e : env.entrySet()) {
			if (!NAME.matcher(e.getKey()).matches()) {
				throw QueuectlException.usage(where + "env name '" + JobSpecParser.shown(e.getKey())
						+ "' is not valid: letters, digits and _, not starting with a digit");
			}
			if (e.getKey().startsWith("QUEUECTL_")) {
				throw QueuectlException.usage(where + "env name " + e.getKey() + " is queuectl's own (QUEUECTL_*): choose another");
			}
			String v = e.getValue();
			if (v.indexOf('\0') >= 0) {
				throw QueuectlException.usage(where + "env " + e.getKey() + " must not contain a NUL character (\\u0000)");
			}
			for (int i = 0; i < v.length(); i++) {
				char c = v.charAt(i);
				if (Character.isHighSurrogate(c) && i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1))) {
					i++;
				}
				else if (Character.isSurrogate(c)) {
					throw QueuectlException.usage(where + "env " + e.getKey() + " holds a lone surrogate, which is not text");
				}
			}
			bytes += e.getKey().length() + 1 + JobSpecParser.utf8Length(v);
		}
		if (bytes > MAX_BYTES) {
			throw QueuectlException.usage(where + "field 'env' is " + bytes + " bytes, at most " + MAX_BYTES + " (64 KiB)");
		}
	}

	/**
	 * The job's JSON with {@code --env} options merged into its field 'env' (over what it says):
	 * {@code NAME=VALUE}, or {@code NAME} for the caller's own value ({@code callerEnv}), which must be set.
	 */
	public static String merge(String json, java.util.List<String> options, java.util.function.Function<String, String> callerEnv) {
		if (options == null || options.isEmpty()) {
			return json;
		}
		Map<String, String> given = new TreeMap<>();
		for (String option : options) {
			int eq = option.indexOf('=');
			String name = eq < 0 ? option : option.substring(0, eq);
			if (!NAME.matcher(name).matches()) {
				throw QueuectlException.usage("--env " + JobSpecParser.shown(option)
						+ ": the name must be letters, digits and _, not starting with a digit");
			}
			String value = eq < 0 ? callerEnv.apply(name) : option.substring(eq + 1);
			if (value == null) {
				throw QueuectlException.usage("--env " + name + ": " + name + " is not set here (give --env " + name + "=VALUE)");
			}
			given.put(name, value);
		}
		JsonNode node = JobSpecParser.readTree(json, "");
		if (!node.isObject()) {
			return json; // the parser says what is wrong with it
		}
		ObjectNode job = (ObjectNode) node;
		JsonNode env = job.get("env");
		ObjectNode merged = env != null && env.isObject() ? (ObjectNode) env : job.putObject("env");
		given.forEach(merged::put);
		job.set("env", merged);
		return JSON.writeValueAsString(job);
	}

	/** The stored form: a JSON object, names sorted; null for none. */
	public static String toStored(Map<String, String> env) {
		return env.isEmpty() ? null : JSON.writeValueAsString(new TreeMap<>(env));
	}

	/** What {@link #toStored} wrote (empty for null). */
	public static Map<String, String> fromStored(String stored) {
		if (stored == null || stored.isEmpty()) {
			return Map.of();
		}
		Map<String, String> env = new TreeMap<>();
		JSON.readTree(stored).properties().forEach(e -> env.put(e.getKey(), e.getValue().stringValue()));
		return Collections.unmodifiableMap(env);
	}
}
