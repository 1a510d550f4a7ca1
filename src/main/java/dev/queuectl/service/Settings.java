package dev.queuectl.service;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.queuectl.config.Durations;
import dev.queuectl.config.Setting;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.store.SettingsStore;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Service;

/**
 * The effective configuration: a value set with {@code config set} (kept in the database, so every
 * process sees it) wins over the default from application.yml.
 */
@Service
public class Settings {

	private final SettingsStore store;

	private final Map<Setting, String> defaults = new EnumMap<>(Setting.class);

	private final Clock clock;

	private final dev.queuectl.store.NotificationStore notifications;

	Settings(SettingsStore store, Environment environment, Clock clock, dev.queuectl.store.NotificationStore notifications) {
		this.store = store;
		this.clock = clock;
		this.notifications = notifications;
		for (Setting setting : Setting.values()) {
			String raw = environment.getProperty("queuectl.defaults." + setting.key());
			if (raw == null) {
				throw new IllegalStateException("application.yml has no queuectl.defaults." + setting.key());
			}
			String value = setting.normalize(raw);
			if (value == null) {
				throw QueuectlException.usage("application.yml: invalid queuectl.defaults." + setting.key() + " '"
						+ raw + "': " + setting.description());
			}
			this.defaults.put(setting, value);
		}
	}

	/** Every setting with its effective value and where it came from ("default" or "set"). */
	public Map<Setting, Entry> list() {
		Map<String, String> stored = this.store.all();
		Map<Setting, Entry> result = new LinkedHashMap<>();
		for (Setting setting : Setting.values()) {
			String value = effective(setting, stored.get(setting.key()));
			result.put(setting, value != null ? new Entry(value, "set") : new Entry(this.defaults.get(setting), "default"));
		}
		return result;
	}

	/** One setting's effective value, as {@link #list} gives it, from its own row alone. */
	public String get(Setting setting) {
		String value = effective(setting, this.store.get(setting.key()));
		return value != null ? value : this.defaults.get(setting);
	}

	/**
	 * A stored value in canonical form; null when none is stored or it is out of form (then the
	 * default holds). A setting not stored is not parsed: no setting takes the empty value
	 * (SettingTest), so reading it as "" would give null too, at the cost of a parse a setting on
	 * every enqueue and status.
	 */
	private static String effective(Setting setting, String stored) {
		return stored == null ? null : setting.normalize(stored);
	}

	/** The lease timeout in effect: how long a host's heartbeat keeps it live (status and every served command read it). */
	public Duration leaseTimeout() {
		return Durations.parseOrNull(get(Setting.LEASE_TIMEOUT));
	}

	public Setting require(String key) {
		return Setting.byKey(key)
			.orElseThrow(() -> QueuectlException.usage("unknown config key '" + key + "' (known: "
					+ String.join(", ", java.util.Arrays.stream(Setting.values()).map(Setting::key).toList()) + ")"));
	}

	/** Validates and stores a value; returns it in canonical form. */
	public String set(String key, String value) {
		Setting setting = require(key);
		String normalized = setting.normalize(value);
		if (normalized == null) {
			throw QueuectlException.usage("invalid value '" + value + "' for " + setting.key() + ": "
					+ setting.description());
		}
		if ((setting == Setting.RETRY_ON || setting == Setting.NO_RETRY_ON) && !normalized.equals("none")) {
			Setting other = setting == Setting.RETRY_ON ? Setting.NO_RETRY_ON : Setting.RETRY_ON;
			if (!get(other).equals("none")) {
				throw QueuectlException.usage("give either retry-on or no-retry-on, not both: " + other.key() + " is "
						+ get(other) + " (set it to none first)");
			}
		}
		this.store.put(setting.key(), normalized, this.clock.instant());
		if (setting.key().startsWith("notify-")) {
			syncNotifyTargets();
		}
		return normalized;
	}

	// notifications (issue 27)

	/** The notify-* settings, typed: {@code on} holds job states (failed for notify-on's retry); null for none. */
	public record Notify(java.util.Set<String> on, String command, String url, String secret, Duration timeout,
			Duration retryFor) {

		/** The channels with a target: "url", "command". */
		public java.util.Set<String> channels() {
			java.util.Set<String> c = new java.util.TreeSet<>();
			if (this.url != null) {
				c.add("url");
			}
			if (this.command != null) {
				c.add("command");
			}
			return c;
		}
	}

	public Notify notifySettings() {
		Map<Setting, Entry> all = list();
		java.util.Set<String> on = new java.util.TreeSet<>();
		String words = all.get(Setting.NOTIFY_ON).value();
		if (!words.equals("none")) {
			for (String w : words.split(",")) {
				on.add(w.equals("retry") ? "failed" : w);
			}
		}
		return new Notify(on, noneAsNull(all.get(Setting.NOTIFY_COMMAND).value()), noneAsNull(all.get(Setting.NOTIFY_URL).value()),
				noneAsNull(all.get(Setting.NOTIFY_SECRET).value()), Durations.parseOrNull(all.get(Setting.NOTIFY_TIMEOUT).value()),
				Durations.parseOrNull(all.get(Setting.NOTIFY_RETRY_FOR).value()));
	}

	private static String noneAsNull(String v) {
		return v.equals("none") ? null : v;
	}

	/**
	 * Tells the database's trigger which state changes make notifications through which channel, as
	 * the notify-* settings say now (nothing while no target is set): at {@code config set} of one of
	 * them, and when a worker host starts (defaults of application.yml included). Writes only when it changed.
	 */
	public void syncNotifyTargets() {
		Notify n = notifySettings();
		this.notifications.target(n.on(), n.channels());
	}

	/** A consistent snapshot of all values, typed, read with one query. */
	public Snapshot snapshot() {
		Map<Setting, Entry> all = list();
		return new Snapshot(Integer.parseInt(all.get(Setting.MAX_RETRIES).value()),
				Integer.parseInt(all.get(Setting.BACKOFF_BASE).value()),
				Durations.parseOrNull(all.get(Setting.MAX_BACKOFF).value()),
				Durations.parseOrNull(all.get(Setting.JOB_TIMEOUT).value()),
				Durations.parseOrNull(all.get(Setting.LEASE_TIMEOUT).value()),
				Durations.parseOrNull(all.get(Setting.SHUTDOWN_GRACE).value()),
				Setting.parseSize(all.get(Setting.OUTPUT_CAP).value()),
				Integer.parseInt(all.get(Setting.BACKOFF_JITTER).value()), all.get(Setting.RETRY_ON).value(),
				all.get(Setting.NO_RETRY_ON).value());
	}

	public record Entry(String value, String source) {
	}

	/**
	 * Typed settings. {@code jobTimeout} zero means no limit. {@code backoffJitter}: a percentage;
	 * {@code retryOn} / {@code noRetryOn}: a canonical list of exit codes, or "none".
	 */
	public record Snapshot(int maxRetries, int backoffBase, Duration maxBackoff, Duration jobTimeout,
			Duration leaseTimeout, Duration shutdownGrace, long outputCap, int backoffJitter, String retryOn,
			String noRetryOn) {
	}
}
