package dev.queuectl.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** All SQL on the settings table: values users set with {@code config set}. */
@Repository
public class SettingsStore {

	private final JdbcTemplate jdbc;

	SettingsStore(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	public Map<String, String> all() {
		Map<String, String> values = new HashMap<>();
		this.jdbc.query("SELECT key, value FROM settings", rs -> {
			values.put(rs.getString(1), rs.getString(2));
		});
		return values;
	}

	/** The stored value of one key; null when it was never set. */
	public String get(String key) {
		java.util.List<String> value = this.jdbc.queryForList("SELECT value FROM settings WHERE key = ?", String.class, key);
		return value.isEmpty() ? null : value.get(0);
	}

	public void put(String key, String value, Instant now) {
		this.jdbc.update("""
				INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at""",
				key, value, now.toEpochMilli());
	}
}
