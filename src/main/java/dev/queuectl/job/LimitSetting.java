package dev.queuectl.job;

import java.time.Duration;
import java.util.List;

import dev.queuectl.config.Durations;

/**
 * A key's settings as {@code limit set} stored them: {@code key} is a name ({@code stripe}) or a
 * family ({@code customer:*}, applied to each matching key separately); a null {@code concurrency}
 * or {@code rate} does not limit that way. With it the running jobs and starts in the rate's window
 * now, for {@code limit list}: a family's summed over the keys it governs, and each of those keys'
 * own in {@code keys} (the settings hold per key, so each key's use is what a job waits on).
 */
public record LimitSetting(String key, Integer concurrency, Rate rate, int running, int starts, List<KeyUse> keys) {

	/** A setting without the use of a family's keys. */
	public LimitSetting(String key, Integer concurrency, Rate rate, int running, int starts) {
		this(key, concurrency, rate, running, starts, List.of());
	}

	/** One key a family governs now (jobs of it running, or starts in the window): its own use. */
	public record KeyUse(String key, int running, int starts) {
	}

	/** N starts per window: in no interval of the window's length do more than N jobs start. */
	public record Rate(int count, Duration window) {

		/** As a user writes it: {@code 100/1m}. */
		public String text() {
			return this.count + "/" + Durations.format(this.window);
		}
	}

	public boolean isFamily() {
		return this.key.endsWith("*");
	}
}
