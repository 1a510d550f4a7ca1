package dev.queuectl.service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.queuectl.job.JobSpecParser;
import dev.queuectl.job.LimitBook;
import dev.queuectl.job.LimitSetting;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.Durations;
import dev.queuectl.store.LimitStore;
import org.springframework.stereotype.Service;

/**
 * Limits by key and queue rates as users set them (issue 26): {@code limit set/list/rm} and
 * {@code queue rate}. Every word is checked here, so the CLI, the REPL and the API refuse bad input
 * with the same line and store nothing; the claim enforces what is stored ({@link LimitBook}).
 */
@Service
public class LimitService {

	/** The most a concurrency may say. */
	static final int MAX_CONCURRENCY = 100_000;

	/** The most starts a rate may allow per window. */
	static final int MAX_RATE_COUNT = 1_000_000;

	/** The longest window of a rate. */
	static final Duration MAX_WINDOW = Duration.ofDays(7);

	private final LimitStore store;

	private final Clock clock;

	LimitService(LimitStore store, Clock clock) {
		this.store = store;
		this.clock = clock;
	}

	/**
	 * Sets a key's or a family's concurrency and/or rate (at least one); the one not given keeps its
	 * value. Returns the settings as stored.
	 */
	public LimitSetting set(String key, String concurrency, String rate) {
		checkKey(key, true);
		if (concurrency == null && rate == null) {
			throw QueuectlException.usage("limit set needs --concurrency N and/or --rate N/DURATION");
		}
		Integer max = null;
		if (concurrency != null) {
			if (!concurrency.matches("[0-9]{1,6}") || Integer.parseInt(concurrency) < 1
					|| Integer.parseInt(concurrency) > MAX_CONCURRENCY) {
				throw QueuectlException.usage("a concurrency is a number of jobs from 1 to " + MAX_CONCURRENCY + "; got '"
						+ JobSpecParser.shown(concurrency) + "'");
			}
			max = Integer.parseInt(concurrency);
		}
		LimitSetting.Rate r = rate == null ? null : parseRate(rate);
		this.store.set(key, max, r, this.clock.instant());
		return list().stream().filter(s -> s.key().equals(key)).findFirst().orElseThrow();
	}

	/**
	 * Every key's and family's settings, with its jobs running now and starts in its rate's window: a
	 * family's summed, and each key it governs now with its own (in key order).
	 */
	public List<LimitSetting> list() {
		LimitBook book = this.store.book(this.clock.instant());
		List<LimitSetting> all = new ArrayList<>();
		for (LimitSetting s : this.store.settings()) {
			int running = 0;
			int starts = 0;
			List<String> keys = s.isFamily()
					? book.activeKeys().stream().filter(k -> s.equals(book.settingOf(k))).sorted().toList()
					: List.of(s.key());
			List<LimitSetting.KeyUse> uses = new ArrayList<>();
			for (String k : keys) {
				int keyStarts = s.rate() == null ? 0 : book.startsWithin(k, s.rate().window());
				running += book.running(k);
				starts += keyStarts;
				uses.add(new LimitSetting.KeyUse(k, book.running(k), keyStarts));
			}
			all.add(new LimitSetting(s.key(), s.concurrency(), s.rate(), running, starts, s.isFamily() ? uses : List.of()));
		}
		return all;
	}

	/** Removes a key's settings: its jobs run freely. */
	public void remove(String key) {
		checkKey(key, true);
		if (!this.store.remove(key)) {
			throw new QueuectlException(QueuectlException.NOT_FOUND, "no such limit: " + key);
		}
	}

	/** The queues with a rate, by name. */
	public Map<String, LimitSetting.Rate> queueRates() {
		return this.store.queueRates();
	}

	/** Sets a queue's rate from a user's word, {@code N/DURATION} or {@code off}; returns it (null: off). */
	public LimitSetting.Rate queueRate(String queue, String rate) {
		if (queue == null || !JobSpecParser.QUEUE.matcher(queue).matches()) {
			throw QueuectlException.usage("a queue name is 1-64 characters of A-Z a-z 0-9 . _ : -"
					+ (queue == null ? "" : ", got '" + JobSpecParser.shown(queue) + "'"));
		}
		if (rate == null) {
			throw QueuectlException.usage("queue rate needs a queue and N/DURATION (like 100/1m), or off");
		}
		LimitSetting.Rate r = rate.equals("off") ? null : parseRate(rate);
		this.store.setQueueRate(queue, r, this.clock.instant());
		return r;
	}

	/** A rate as a user writes it: {@code N/DURATION}, N from 1, the window from 1 ms to 7 days. */
	public static LimitSetting.Rate parseRate(String text) {
		int slash = text.indexOf('/');
		Duration window = slash < 0 ? null : Durations.parseOrNull(text.substring(slash + 1));
		String count = slash < 0 ? "" : text.substring(0, slash);
		if (window == null || !count.matches("[0-9]{1,7}") || Integer.parseInt(count) < 1
				|| Integer.parseInt(count) > MAX_RATE_COUNT || window.isZero() || window.compareTo(MAX_WINDOW) > 0) {
			throw QueuectlException.usage("a rate is N/DURATION with N from 1 to " + MAX_RATE_COUNT
					+ " and a duration up to 7d, like 100/1m or 4/2s; got '" + JobSpecParser.shown(text) + "'");
		}
		return new LimitSetting.Rate(Integer.parseInt(count), window);
	}

	private static void checkKey(String key, boolean family) {
		if (key == null || !(LimitBook.KEY.matcher(key).matches() || family && LimitBook.FAMILY.matcher(key).matches())) {
			throw QueuectlException.usage("a limit key is " + LimitBook.KEY_RULE + (family ? ", or such a prefix and * (customer:*)" : "")
					+ (key == null ? "" : "; got '" + JobSpecParser.shown(key) + "'"));
		}
	}
}
