package dev.queuectl.job;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import dev.queuectl.config.QueuectlException;
import tools.jackson.databind.JsonNode;

/**
 * A job's tags (issue 28): at most {@value #MAX} per job, each 1-64 characters of the queue names'
 * alphabet, so that a tag needs no quoting in a URL, a comma list or a shell (customer:42,
 * nightly). Stored as a JSON array on the job's row and one row per tag in job_tags (the index that
 * finds a tag's jobs). Options take them repeated or comma-separated, like --queue.
 */
public final class Tags {

	/** At most this many tags on a job. */
	public static final int MAX = 16;

	public static final Pattern TAG = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

	public static final String RULE = "1-64 characters of A-Z a-z 0-9 . _ : -";

	private Tags() {
	}

	/** The tags of field 'tags' of a job's JSON: an array of at most 16 tags, duplicates dropped; none when absent. */
	static List<String> parse(JsonNode node, String where) {
		JsonNode value = node.get("tags");
		if (value == null || value.isNull()) {
			return List.of();
		}
		if (!value.isArray() || value.size() > MAX) {
			throw QueuectlException.usage(where + "field 'tags' must be an array of at most " + MAX + " tags, got "
					+ (value.isArray() ? value.size() + " tags" : "a " + (value.isString() ? "string" : "non-array")));
		}
		Set<String> tags = new LinkedHashSet<>();
		for (JsonNode item : value) {
			if (!item.isString() || !TAG.matcher(item.stringValue()).matches()) {
				throw QueuectlException.usage(where + "field 'tags' holds tags of " + RULE + ", got "
						+ (item.isString() ? "\"" + JobSpecParser.shown(item.stringValue()) + "\"" : "a non-string"));
			}
			tags.add(item.stringValue());
		}
		return List.copyOf(tags);
	}

	/** A job's own tags and those an option adds to every job, at most {@value #MAX} together. */
	static List<String> withDefaults(List<String> own, List<String> added, String where) {
		if (added.isEmpty()) {
			return own;
		}
		Set<String> all = new LinkedHashSet<>(own);
		all.addAll(added);
		if (all.size() > MAX) {
			throw QueuectlException.usage(where + "the job's tags and --tag make more than " + MAX + " tags");
		}
		return List.copyOf(all);
	}

	/**
	 * Tags an option names ({@code --tag a --tag b} arrives as "a,b"); none for null. Each one
	 * checked; {@code option} names the option in the message.
	 */
	public static List<String> words(String value, String option) {
		if (value == null) {
			return List.of();
		}
		Set<String> tags = new LinkedHashSet<>();
		for (String word : value.split(",", -1)) {
			if (!TAG.matcher(word).matches()) {
				throw QueuectlException.usage(option + " takes tags of " + RULE + ", got '" + JobSpecParser.shown(word) + "'");
			}
			tags.add(word);
		}
		if (tags.size() > MAX) {
			throw QueuectlException.usage(option + " names more than " + MAX + " tags");
		}
		return new ArrayList<>(tags);
	}

	/** The tags as stored on the job's row (a JSON array; tags hold no quote or backslash); null for none. */
	public static String encode(List<String> tags) {
		return LimitBook.encode(tags);
	}

	/** The tags of {@link #encode}; empty for null. */
	public static List<String> decode(String stored) {
		return LimitBook.decode(stored);
	}
}
