package dev.queuectl.job;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.queuectl.QueuectlException;
import tools.jackson.databind.JsonNode;

/**
 * Amounts of named resources: what a worker host offers ({@code worker start --resources
 * gpu=2,mem=64G}), what a job asks ({@code "resources": {"gpu": 1, "mem": "16G"}}), what a host has
 * free. Names are {@code [a-z][a-z0-9_-]*}; amounts are non-negative integers, sizes written with a
 * K/M/G/T suffix (powers of 1024) and kept as plain integers. The one place these are parsed,
 * added, compared and written (stored as a JSON object of integers, names sorted, so that the claim's
 * SQL reads it with json_each / jsonb_each); immutable.
 */
public final class Resources {

	public static final Resources NONE = new Resources(new TreeMap<>());

	/** The most slots a job may take at once (a host has at most this many: WorkerOptions.MAX_SLOTS). */
	public static final int MAX_SLOTS = 256;

	/** At most this many names in one offer or one job. */
	static final int MAX_NAMES = 16;

	private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

	private static final Pattern AMOUNT = Pattern.compile("(\\d{1,19})([A-Za-z]*)");

	private static final String SUFFIXES = "KMGT";

	private final TreeMap<String, Long> amounts;

	private Resources(TreeMap<String, Long> amounts) {
		this.amounts = amounts;
	}

	/** Name to amount, sorted by name. */
	public Map<String, Long> amounts() {
		return Collections.unmodifiableMap(this.amounts);
	}

	public boolean isEmpty() {
		return this.amounts.isEmpty();
	}

	/** The amount of {@code name}, 0 when not named. */
	public long get(String name) {
		return this.amounts.getOrDefault(name, 0L);
	}

	/**
	 * What {@code worker start --resources} says: {@code name=amount} pairs separated by commas (a
	 * repeated option arrives joined by commas). Null or blank: none.
	 */
	public static Resources parseOffer(String text) {
		if (text == null || text.isBlank()) {
			return NONE;
		}
		TreeMap<String, Long> amounts = new TreeMap<>();
		for (String pair : text.split(",", -1)) {
			String p = pair.trim();
			int eq = p.indexOf('=');
			if (eq < 0) {
				throw QueuectlException.usage("--resources '" + JobSpecParser.shown(p)
						+ "' is not name=amount (e.g. --resources gpu=2,mem=64G)");
			}
			String name = checkName(p.substring(0, eq).trim(), "--resources ");
			if (amounts.put(name, amount(p.substring(eq + 1).trim(), "--resources " + name + ": ")) != null) {
				throw QueuectlException.usage("--resources names '" + name + "' twice");
			}
		}
		return of(amounts, "--resources ");
	}

	/** The job field {@code "resources"}: an object of amounts (integers, or strings with a size suffix). */
	public static Resources fromJson(JsonNode node, String where) {
		if (node == null || node.isNull()) {
			return NONE;
		}
		if (!node.isObject()) {
			throw QueuectlException.usage(where + "field 'resources' must be an object like {\"gpu\": 1, \"mem\": \"16G\"}");
		}
		TreeMap<String, Long> amounts = new TreeMap<>();
		for (Map.Entry<String, JsonNode> e : node.properties()) {
			String name = checkName(e.getKey(), where + "field 'resources': ");
			JsonNode v = e.getValue();
			String prefix = where + "field 'resources': '" + name + "' ";
			long amount;
			if (v.isIntegralNumber() && v.canConvertToLong()) {
				amount = v.longValue();
				if (amount < 0) {
					throw QueuectlException.usage(prefix + "must not be negative, got " + amount);
				}
			}
			else if (v.isString()) {
				amount = amount(v.stringValue().trim(), prefix);
			}
			else {
				throw QueuectlException.usage(prefix + "must be a non-negative integer or a size like \"16G\"");
			}
			amounts.put(name, amount);
		}
		return of(amounts, where + "field 'resources': ");
	}

	/** As stored ({@link #toJson}); null or empty: none. Trusts the text (this class wrote it). */
	public static Resources fromStored(String json) {
		if (json == null || json.isBlank()) {
			return NONE;
		}
		TreeMap<String, Long> amounts = new TreeMap<>();
		Matcher m = Pattern.compile("\"([^\"]+)\"\\s*:\\s*(\\d+)").matcher(json);
		while (m.find()) {
			amounts.put(m.group(1), Long.parseLong(m.group(2)));
		}
		return new Resources(amounts);
	}

	/** A map of amounts, checked (tests, and the API's bodies). */
	public static Resources of(Map<String, Long> amounts) {
		TreeMap<String, Long> copy = new TreeMap<>();
		amounts.forEach((name, amount) -> {
			checkName(name, "");
			if (amount == null || amount < 0) {
				throw QueuectlException.usage("'" + name + "' must not be negative");
			}
			copy.put(name, amount);
		});
		return of(copy, "");
	}

	private static Resources of(TreeMap<String, Long> amounts, String where) {
		if (amounts.size() > MAX_NAMES) {
			throw QueuectlException.usage(where + "at most " + MAX_NAMES + " resource names");
		}
		return amounts.isEmpty() ? NONE : new Resources(amounts);
	}

	private static String checkName(String name, String where) {
		if (!NAME.matcher(name).matches()) {
			throw QueuectlException.usage(where + "'" + JobSpecParser.shown(name)
					+ "' is not a resource name (a-z first, then a-z 0-9 _ -; at most 32)");
		}
		return name;
	}

	/** {@code 2}, {@code 64G}, {@code 512M}: an integer, times 1024^k for a K/M/G/T suffix. */
	static long amount(String text, String where) {
		if (text.startsWith("-")) {
			throw QueuectlException.usage(where + "must not be negative, got '" + JobSpecParser.shown(text) + "'");
		}
		Matcher m = AMOUNT.matcher(text);
		if (!m.matches()) {
			throw QueuectlException.usage(where + "'" + JobSpecParser.shown(text)
					+ "' is not an amount (an integer, with K, M, G or T for sizes: 2, 512M, 64G)");
		}
		String suffix = m.group(2);
		int power = suffix.isEmpty() ? 0 : suffix.length() == 1 ? SUFFIXES.indexOf(Character.toUpperCase(suffix.charAt(0))) + 1 : -1;
		if (power <= 0 && !suffix.isEmpty()) {
			throw QueuectlException.usage(where + "unknown suffix '" + JobSpecParser.shown(suffix)
					+ "' (K, M, G or T: powers of 1024)");
		}
		try {
			long n = Long.parseLong(m.group(1));
			for (int i = 0; i < power; i++) {
				n = Math.multiplyExact(n, 1024L);
			}
			return n;
		}
		catch (ArithmeticException | NumberFormatException ex) {
			throw QueuectlException.usage(where + "'" + JobSpecParser.shown(text) + "' is too large");
		}
	}

	/** Whether every amount here is at most what {@code free} has of it (a name it lacks: 0). */
	public boolean fitsIn(Resources free) {
		for (Map.Entry<String, Long> e : this.amounts.entrySet()) {
			if (e.getValue() > free.get(e.getKey())) {
				return false;
			}
		}
		return true;
	}

	/** These amounts plus {@code other}'s. */
	public Resources plus(Resources other) {
		return combine(other, 1);
	}

	/** These amounts minus {@code other}'s (a name not here counts from 0; may go below 0). */
	public Resources minus(Resources other) {
		return combine(other, -1);
	}

	private Resources combine(Resources other, int sign) {
		if (other.isEmpty()) {
			return this;
		}
		TreeMap<String, Long> sum = new TreeMap<>(this.amounts);
		other.amounts.forEach((name, amount) -> sum.merge(name, sign * amount, Long::sum));
		return new Resources(sum);
	}

	/** The first name asked here that {@code offered} does not name at all, or null. */
	public String firstNotIn(Resources offered) {
		for (Map.Entry<String, Long> e : this.amounts.entrySet()) {
			if (e.getValue() > 0 && !offered.amounts.containsKey(e.getKey())) {
				return e.getKey();
			}
		}
		return null;
	}

	/** The stored form: a JSON object of integers, names sorted; null when none. */
	public String toJson() {
		if (this.amounts.isEmpty()) {
			return null;
		}
		StringBuilder b = new StringBuilder("{");
		for (Iterator<Map.Entry<String, Long>> it = this.amounts.entrySet().iterator(); it.hasNext();) {
			Map.Entry<String, Long> e = it.next();
			b.append('"').append(e.getKey()).append("\":").append(e.getValue());
			if (it.hasNext()) {
				b.append(',');
			}
		}
		return b.append('}').toString();
	}

	/** For people: {@code gpu=1,mem=16G} (an amount that is a whole number of K/M/G/T written so); "" for none. */
	@Override
	public String toString() {
		StringBuilder b = new StringBuilder();
		this.amounts.forEach((name, amount) -> b.append(b.isEmpty() ? "" : ",").append(name).append('=').append(format(amount)));
		return b.toString();
	}

	/** An amount with the largest K/M/G/T suffix that divides it, from 1024 up; smaller ones as they are. */
	public static String format(long amount) {
		int power = 0;
		long n = amount;
		while (n >= 1024 && n % 1024 == 0 && power < SUFFIXES.length()) {
			n /= 1024;
			power++;
		}
		return power == 0 ? Long.toString(amount) : n + SUFFIXES.substring(power - 1, power);
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Resources r && r.amounts.equals(this.amounts);
	}

	@Override
	public int hashCode() {
		return this.amounts.hashCode();
	}
}
