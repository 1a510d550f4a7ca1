package dev.queuectl.job;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules of limits by key, over one moment's facts and nothing else (it reads no database): the
 * settings of keys and families, the rates of queues, the jobs running per key and the ledger of
 * starts per key. A claim asks {@link #hold} of each candidate best first and {@link #take}s those it
 * starts, so one claim never starts more than the room; {@link WaitReasons} asks the same to tell why
 * a job waits. The most specific setting wins: a key's own, else the longest family matching it. A
 * rate of N per D holds while fewer than N starts lie in (now - D, now]; a queue's rate is the same
 * window over the implicit key {@link #QUEUE_KEY} + queue. Times are milliseconds on the clock of
 * the ledger (the database server's on PostgreSQL).
 */
public final class LimitBook {

	/** A key: what a job's "limits" and {@code limit set} name. */
	public static final Pattern KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._:/-]{0,127}");

	/** A family of keys: a prefix and a star ({@code customer:*}). */
	public static final Pattern FAMILY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._:/-]{0,126}\\*");

	/** What a key may be, as the one line that refuses one. */
	public static final String KEY_RULE = "1-128 characters of A-Z a-z 0-9 . _ : / - (not starting with . : / -)";

	/** The ledger's key of a queue's rate: no user key can start with '@'. */
	public static final String QUEUE_KEY = "@queue:";

	/** Why a job cannot start now: the line to show; {@code nextStartMs} when a rate's window will free (else null). */
	public record Hold(String reason, Long nextStartMs) {
	}

	private final Map<String, LimitSetting> exact = new HashMap<>();

	/** Families, longest prefix first: the first matching one is the most specific. */
	private final List<LimitSetting> families = new ArrayList<>();

	private final Map<String, LimitSetting.Rate> queueRates;

	private final Map<String, Integer> running;

	/** Per key, its starts within the longest window, oldest first. */
	private final Map<String, List<Long>> starts;

	private final long now;

	public LimitBook(Collection<LimitSetting> settings, Map<String, LimitSetting.Rate> queueRates,
			Map<String, Integer> running, Map<String, List<Long>> starts, long now) {
		for (LimitSetting s : settings) {
			if (s.isFamily()) {
				this.families.add(s);
			}
			else {
				this.exact.put(s.key(), s);
			}
		}
		this.families.sort(Comparator.comparingInt((LimitSetting s) -> s.key().length()).reversed());
		this.queueRates = queueRates;
		this.running = new HashMap<>(running);
		this.starts = new HashMap<>();
		starts.forEach((k, v) -> this.starts.put(k, new ArrayList<>(v.stream().sorted().toList())));
		this.now = now;
	}

	/** Whether anything limits at all: with no setting and no queue rate every job may start. */
	public boolean isEmpty() {
		return this.exact.isEmpty() && this.families.isEmpty() && this.queueRates.isEmpty();
	}

	/** The setting that governs {@code key}: its own, else the most specific family; null: none. */
	public LimitSetting settingOf(String key) {
		LimitSetting own = this.exact.get(key);
		if (own != null) {
			return own;
		}
		for (LimitSetting f : this.families) {
			if (key.startsWith(f.key().substring(0, f.key().length() - 1))) {
				return f;
			}
		}
		return null;
	}

	/** Whether a job naming {@code keys} in {@code queue} may start now; null when it may, else why not. */
	public Hold hold(List<String> keys, String queue) {
		for (String key : keys) {
			LimitSetting s = settingOf(key);
			if (s == null) {
				continue;
			}
			int run = this.running.getOrDefault(key, 0);
			if (s.concurrency() != null && run >= s.concurrency()) {
				return new Hold("held by limit " + key + " (" + run + "/" + s.concurrency() + " running)", null);
			}
			if (s.rate() != null) {
				Long next = nextStart(key, s.rate());
				if (next != null) {
					return new Hold("rate " + key + " " + s.rate().text() + ": next start in " + seconds(next), next);
				}
			}
		}
		LimitSetting.Rate q = queue == null ? null : this.queueRates.get(queue);
		if (q != null) {
			Long next = nextStart(QUEUE_KEY + queue, q);
			if (next != null) {
				return new Hold("rate of queue " + queue + " " + q.text() + ": next start in " + seconds(next), next);
			}
		}
		return null;
	}

	/** Counts a start of a job naming {@code keys} in {@code queue} (it runs now, and its rates' windows hold it). */
	public void take(List<String> keys, String queue) {
		for (String key : keys) {
			this.running.merge(key, 1, Integer::sum);
		}
		for (String key : ledgerKeys(keys, queue)) {
			this.starts.computeIfAbsent(key, k -> new ArrayList<>()).add(this.now);
		}
	}

	/** The keys whose ledger records a start of this job: those with a rate, and its queue's if that has one. */
	public List<String> ledgerKeys(List<String> keys, String queue) {
		List<String> rated = new ArrayList<>();
		for (String key : keys) {
			LimitSetting s = settingOf(key);
			if (s != null && s.rate() != null) {
				rated.add(key);
			}
		}
		if (queue != null && this.queueRates.containsKey(queue)) {
			rated.add(QUEUE_KEY + queue);
		}
		return rated;
	}

	/** How many more jobs of {@code queue} its rate lets start now (at least 0); MAX_VALUE without a rate. */
	public int queueRateRoom(String queue) {
		LimitSetting.Rate q = this.queueRates.get(queue);
		return q == null ? Integer.MAX_VALUE : Math.max(0, q.count() - startsWithin(QUEUE_KEY + queue, q.window()));
	}

	/** The queues with a rate. */
	public java.util.Set<String> ratedQueues() {
		return this.queueRates.keySet();
	}

	/** The ledger's now. */
	public long now() {
		return this.now;
	}

	/** The longest window of any rate: the ledger keeps no start older. */
	public long longestWindowMs() {
		long longest = 0;
		for (LimitSetting s : this.exact.values()) {
			longest = Math.max(longest, s.rate() == null ? 0 : s.rate().window().toMillis());
		}
		for (LimitSetting s : this.families) {
			longest = Math.max(longest, s.rate() == null ? 0 : s.rate().window().toMillis());
		}
		for (LimitSetting.Rate r : this.queueRates.values()) {
			longest = Math.max(longest, r.window().toMillis());
		}
		return longest;
	}

	/** Jobs of {@code key} running now. */
	public int running(String key) {
		return this.running.getOrDefault(key, 0);
	}

	/** Starts of {@code key} within (now - window, now]. */
	public int startsWithin(String key, java.time.Duration window) {
		long from = this.now - window.toMillis();
		return (int) this.starts.getOrDefault(key, List.of()).stream().filter(t -> t > from).count();
	}

	/** The keys with jobs running or starts in the ledger. */
	public java.util.Set<String> activeKeys() {
		java.util.Set<String> keys = new java.util.TreeSet<>(this.running.keySet());
		this.starts.keySet().stream().filter(k -> !k.startsWith(QUEUE_KEY)).forEach(keys::add);
		return keys;
	}

	/** When {@code key} may start again under {@code rate}; null: now. */
	private Long nextStart(String key, LimitSetting.Rate rate) {
		long from = this.now - rate.window().toMillis();
		List<Long> in = this.starts.getOrDefault(key, List.of()).stream().filter(t -> t > from).toList();
		if (in.size() < rate.count()) {
			return null;
		}
		// the window frees when the start that makes it full leaves it
		return in.get(in.size() - rate.count()) + rate.window().toMillis();
	}

	/** A job's keys as stored (a JSON array; keys hold no quote or backslash); null for none. */
	public static String encode(List<String> keys) {
		return keys == null || keys.isEmpty() ? null : "[\"" + String.join("\",\"", keys) + "\"]";
	}

	/** The keys of {@link #encode}; empty for null. */
	public static List<String> decode(String stored) {
		if (stored == null || stored.length() < 4) {
			return List.of();
		}
		return List.of(stored.substring(2, stored.length() - 2).split("\",\""));
	}

	private String seconds(long at) {
		return Math.max(1, (at - this.now + 999) / 1000) + " s";
	}
}
