package dev.queuectl.job;

import java.time.Duration;

import dev.queuectl.config.Durations;

/**
 * A key's settings as {@code limit set} stored them: {@code key} is a name ({@code stripe}) or a
 * family ({@code customer:*}, applied to each matching key separately); a null {@code concurrency}
 * or {@code rate} does not limit that way. With it the running jobs and starts in the rate's window
 * now, for {@code limit list} (a family's: summed over the keys it governs).
 */
public record LimitSetting(String key, Integer concurrency, Rate rate, int running, int starts) {

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
