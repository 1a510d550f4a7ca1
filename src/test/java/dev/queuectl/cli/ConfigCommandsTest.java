package dev.queuectl.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.queuectl.config.Setting;
import dev.queuectl.service.Settings;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** config list, get and set. */
class ConfigCommandsTest extends CommandTestSupport {

	@Autowired
	Environment environment;

	@Autowired
	Settings settings;

	/** The default application.yml gives, in canonical form. */
	private String defaultOf(Setting setting) {
		String raw = this.environment.getProperty("queuectl.defaults." + setting.key());
		assertThat(raw).as("application.yml default for " + setting.key()).isNotNull();
		return setting.normalize(raw);
	}

	private record Row(String value, String source, String meaning) {
	}

	private static Map<String, Row> table(Result r) {
		List<String> lines = r.outLines();
		assertThat(lines.get(0).split("\\s{2,}")).containsExactly("KEY", "VALUE", "SOURCE", "MEANING");
		Map<String, Row> rows = new LinkedHashMap<>();
		for (String line : lines.subList(1, lines.size())) {
			String[] cells = line.split("\\s{2,}", 4);
			rows.put(cells[0], new Row(cells[1], cells[2], cells[3]));
		}
		return rows;
	}

	private static List<String> keys() {
		return Arrays.stream(Setting.values()).map(Setting::key).toList();
	}

	@Test
	void listShowsEveryKeyWithItsDefault() {
		Map<String, Row> rows = table(run("config", "list").ok());

		assertThat(rows.keySet()).containsExactlyElementsOf(keys());
		for (Setting setting : Setting.values()) {
			assertThat(rows.get(setting.key())).isEqualTo(new Row(defaultOf(setting), "default", setting.description()));
		}
	}

	@Test
	void listShowsWhichValuesWereSet() {
		String value = defaultOf(Setting.BACKOFF_BASE).equals("5") ? "6" : "5";
		run("config", "set", "backoff-base", value).ok();

		Map<String, Row> rows = table(run("config", "list").ok());

		assertThat(rows.get("backoff-base").value()).isEqualTo(value);
		assertThat(rows.get("backoff-base").source()).isEqualTo("set");
		assertThat(rows.values().stream().filter(r -> r.source().equals("default"))).hasSize(Setting.values().length - 1);
	}

	@Test
	void listJson() {
		run("config", "set", "lease-timeout", "45s").ok();

		JsonNode json = run("config", "list", "--json").ok().json();

		assertThat(json.propertyNames()).containsExactlyElementsOf(keys());
		assertThat(json.get("lease-timeout").stringValue()).isEqualTo("45s");
		assertThat(json.get("output-cap").stringValue()).isEqualTo(defaultOf(Setting.OUTPUT_CAP));
	}

	@Test
	void setPersistsAndEveryReaderSeesIt() {
		int changed = Integer.parseInt(defaultOf(Setting.MAX_RETRIES)) == 5 ? 6 : 5;

		Result r = run("config", "set", "max-retries", Integer.toString(changed)).ok();

		assertThat(r.out()).isEqualTo(changed + "\n");
		assertThat(run("config", "get", "max-retries").ok().out()).isEqualTo(changed + "\n");
		assertThat(this.jdbc.queryForObject("SELECT value FROM settings WHERE key = 'max-retries'", String.class))
			.isEqualTo(Integer.toString(changed));
		assertThat(this.settings.get(Setting.MAX_RETRIES)).isEqualTo(Integer.toString(changed));
		assertThat(this.settings.snapshot().maxRetries()).isEqualTo(changed);
		assertThat(this.settings.list().get(Setting.MAX_RETRIES)).isEqualTo(new Settings.Entry(Integer.toString(changed), "set"));

		run("config", "set", "max-retries", "0").ok();
		assertThat(run("config", "get", "max-retries").ok().out()).isEqualTo("0\n");
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM settings", Integer.class)).isEqualTo(1);
	}

	@Test
	void oneSettingReadAloneIsWhatTheListSaysSetUnsetOrStoredOutOfForm() {
		run("config", "set", "lease-timeout", "45s").ok();
		// a row another build could have written: not a valid value, so the default holds, as in the list
		this.jdbc.update("INSERT INTO settings (key, value, updated_at) VALUES ('backoff-base', 'many', 0)");
		for (Setting setting : Setting.values()) {
			assertThat(this.settings.get(setting)).as(setting.key()).isEqualTo(this.settings.list().get(setting).value());
		}
		assertThat(this.settings.leaseTimeout()).isEqualTo(java.time.Duration.ofSeconds(45));
		assertThat(this.settings.get(Setting.BACKOFF_BASE)).isEqualTo(defaultOf(Setting.BACKOFF_BASE));
	}

	@Test
	void setStoresTheCanonicalForm() {
		assertThat(run("config", "set", "job-timeout", "600").ok().out()).isEqualTo("10m\n");
		assertThat(run("config", "set", "max-backoff", "7200s").ok().out()).isEqualTo("2h\n");
		assertThat(run("config", "set", "output-cap", "2048").ok().out()).isEqualTo("2KiB\n");
		assertThat(run("config", "set", "shutdown-grace", " 0 ").ok().out()).isEqualTo("0s\n");

		assertThat(run("config", "get", "job-timeout").ok().out()).isEqualTo("10m\n");
		assertThat(this.settings.snapshot().outputCap()).isEqualTo(2048);
	}

	@Test
	void keysMayBeWrittenWithUnderscoresOrCapitals() {
		run("config", "set", "MAX_RETRIES", "7").ok();
		assertThat(run("config", "get", "max_retries").ok().out()).isEqualTo("7\n");
		assertThat(run("config", "get", "Max-Retries").ok().out()).isEqualTo("7\n");
	}

	@Test
	void getPrintsTheDefaultUntilSet() {
		for (Setting setting : Setting.values()) {
			assertThat(run("config", "get", setting.key()).ok().out()).isEqualTo(defaultOf(setting) + "\n");
		}
	}

	static Stream<Arguments> badValues() {
		return Stream.of(arguments("max-retries", "101", "(0-100)"), arguments("max-retries", "-1", "(0-100)"),
				arguments("max-retries", "three", "(0-100)"), arguments("backoff-base", "0", "(1-60)"),
				arguments("backoff-base", "61", "(1-60)"), arguments("max-backoff", "0s", "(1s-30d)"),
				arguments("max-backoff", "31d", "(1s-30d)"), arguments("job-timeout", "31d", "(0-30d)"),
				arguments("job-timeout", "-1s", "(0-30d)"), arguments("lease-timeout", "4s", "(5s-1h)"),
				arguments("lease-timeout", "61m", "(5s-1h)"), arguments("shutdown-grace", "2h", "(0-1h)"),
				arguments("shutdown-grace", "soon", "(0-1h)"), arguments("output-cap", "1000", "(1KiB-1GiB)"),
				arguments("output-cap", "2GiB", "(1KiB-1GiB)"), arguments("output-cap", "10TB", "(1KiB-1GiB)"),
				arguments("backoff-jitter", "51", "(0-50)"), arguments("backoff-jitter", "-1", "(0-50)"),
				arguments("retry-on", "256", "exit codes (0-255"), arguments("no-retry-on", "often", "exit codes (0-255"),
				arguments("no-retry-on", ",", "exit codes (0-255"),
				arguments("notify-url", "ftp://example.com/x", "http:// or https://"),
				arguments("notify-on", "died", "dead, canceled, completed, retry"),
				arguments("notify-timeout", "11m", "(1s-10m)"));
	}

	@ParameterizedTest(name = "config set {0} {1}")
	@MethodSource("badValues")
	void setRejectsABadValueAndChangesNothing(String key, String value, String range) {
		run("config", "set", key, "" + defaultOrOther(key)).ok();
		Map<String, List<Map<String, Object>>> before = everything();

		// a value starting with '-' would be read as an option: "--" ends the options
		String[] words = value.startsWith("-") ? new String[] { "config", "set", key, "--", value }
				: new String[] { "config", "set", key, value };
		run(words).usageError("invalid value '" + value + "' for " + key, range);

		assertThat(everything()).isEqualTo(before);
		assertThat(run("config", "get", key).ok().out()).isEqualTo(defaultOrOther(key) + "\n");
	}

	/** A valid value that differs from the default, so "unchanged" can be seen. */
	private String defaultOrOther(String key) {
		Setting setting = Setting.byKey(key).orElseThrow();
		List<String> candidates = switch (setting) {
			case MAX_RETRIES, BACKOFF_BASE -> List.of("9", "10");
			case MAX_BACKOFF, JOB_TIMEOUT, LEASE_TIMEOUT, SHUTDOWN_GRACE, RETENTION_COMPLETED, RETENTION_DEAD,
					RETENTION_CANCELED, SERVER_IDLE -> List.of("7m", "8m");
			case OUTPUT_CAP, OUTPUT_MAX_TOTAL -> List.of("3MiB", "4MiB");
			case BACKOFF_JITTER -> List.of("10", "20");
			case RETRY_ON, NO_RETRY_ON -> List.of("2,64", "75");
			case NOTIFY_ON -> List.of("dead,canceled", "completed");
			case NOTIFY_COMMAND, NOTIFY_SECRET -> List.of("echo one", "echo two");
			case NOTIFY_URL -> List.of("http://127.0.0.1:9/a", "https://example.com/b");
			case NOTIFY_TIMEOUT, NOTIFY_RETRY_FOR -> List.of("7m", "8m");
		};
		return candidates.get(0).equals(defaultOf(setting)) ? candidates.get(1) : candidates.get(0);
	}

	@Test
	void aNegativeNumberIsAValueNotAnOption() {
		run("config", "set", "max-retries", "-1").usageError("invalid value '-1' for max-retries", "(0-100)");
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM settings", Integer.class)).isZero();
	}

	@Test
	void setRejectsAnUnknownKey() {
		run("config", "set", "retries", "5").usageError("unknown config key 'retries'", String.join(", ", keys()));
		run("config", "get", "retries").usageError("unknown config key 'retries'");
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM settings", Integer.class)).isZero();
	}

	@Test
	void setAndGetNeedTheirArguments() {
		run("config", "set", "max-retries").usageError("config set needs a key and a value");
		run("config", "set").usageError("config set needs a key and a value");
		run("config", "get").usageError("config get needs a key");
		run("config").usageError("'config' needs a sub-command", "get", "list", "set");
		run("config", "unset", "x").usageError("unknown sub-command 'config unset'", "get, list, set");
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM settings", Integer.class)).isZero();
	}
}
