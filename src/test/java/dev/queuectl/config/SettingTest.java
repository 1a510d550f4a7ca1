package dev.queuectl.config;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class SettingTest {

	@Test
	void keysAreFoundInAnySpelling() {
		assertThat(Setting.byKey("max-retries")).contains(Setting.MAX_RETRIES);
		assertThat(Setting.byKey("MAX_RETRIES")).contains(Setting.MAX_RETRIES);
		assertThat(Setting.byKey(" Output-Cap ")).contains(Setting.OUTPUT_CAP);
		assertThat(Setting.byKey("retries")).isEmpty();
		assertThat(Setting.byKey("")).isEmpty();
	}

	@Test
	void everyKeyIsDistinctAndRoundTrips() {
		assertThat(Arrays.stream(Setting.values()).map(Setting::key)).doesNotHaveDuplicates();
		for (Setting setting : Setting.values()) {
			assertThat(Setting.byKey(setting.key())).contains(setting);
			assertThat(setting.description()).isNotBlank();
		}
	}

	/** Valid values and their canonical form, at and inside every range's ends. */
	@ParameterizedTest(name = "{0} {1} -> {2}")
	@CsvSource({ "MAX_RETRIES, 0, 0", "MAX_RETRIES, 100, 100", "MAX_RETRIES, ' 7 ', 7", "MAX_RETRIES, 007, 7",
			"BACKOFF_BASE, 1, 1", "BACKOFF_BASE, 60, 60",
			"MAX_BACKOFF, 1s, 1s", "MAX_BACKOFF, 1000ms, 1s", "MAX_BACKOFF, 30d, 30d", "MAX_BACKOFF, 3600, 1h",
			"JOB_TIMEOUT, 0, 0s", "JOB_TIMEOUT, 0ms, 0s", "JOB_TIMEOUT, 720h, 30d",
			"LEASE_TIMEOUT, 5s, 5s", "LEASE_TIMEOUT, 60m, 1h", "LEASE_TIMEOUT, 5000ms, 5s",
			"SHUTDOWN_GRACE, 0, 0s", "SHUTDOWN_GRACE, 1h, 1h",
			"OUTPUT_CAP, 1024, 1KiB", "OUTPUT_CAP, 1KiB, 1KiB", "OUTPUT_CAP, 1k, 1KiB", "OUTPUT_CAP, 10MiB, 10MiB",
			"OUTPUT_CAP, 10 M, 10MiB", "OUTPUT_CAP, 1536, 1536B", "OUTPUT_CAP, 1GiB, 1GiB", "OUTPUT_CAP, 1024m, 1GiB" })
	void acceptsAndNormalizes(Setting setting, String value, String canonical) {
		assertThat(setting.normalize(value)).isEqualTo(canonical);
		assertThat(setting.normalize(canonical)).as("canonical form is stable").isEqualTo(canonical);
	}

	@ParameterizedTest(name = "{0} {1}")
	@CsvSource({ "MAX_RETRIES, -1", "MAX_RETRIES, 101", "MAX_RETRIES, 1.5", "MAX_RETRIES, three", "MAX_RETRIES, ''",
			"BACKOFF_BASE, 0", "BACKOFF_BASE, 61",
			"MAX_BACKOFF, 0", "MAX_BACKOFF, 999ms", "MAX_BACKOFF, 31d", "MAX_BACKOFF, 1w",
			"JOB_TIMEOUT, 31d", "JOB_TIMEOUT, -1s", "JOB_TIMEOUT, forever",
			"LEASE_TIMEOUT, 4s", "LEASE_TIMEOUT, 4999ms", "LEASE_TIMEOUT, 61m",
			"SHUTDOWN_GRACE, 3601", "SHUTDOWN_GRACE, 2h",
			"OUTPUT_CAP, 1023", "OUTPUT_CAP, 0", "OUTPUT_CAP, 2GiB", "OUTPUT_CAP, 1025m", "OUTPUT_CAP, 10TB",
			"OUTPUT_CAP, 1.5MiB", "OUTPUT_CAP, 99999999999" })
	void rejectsOutOfRangeAndMalformedValues(Setting setting, String value) {
		assertThat(setting.normalize(value)).isNull();
	}

	@Test
	void noSettingTakesTheEmptyValueSoOneNotStoredIsItsDefault() {
		// Settings reads a setting with no stored row as unset without parsing "": that holds while
		// every setting refuses the empty value (and blanks, which normalize trims away)
		for (Setting setting : Setting.values()) {
			assertThat(setting.normalize("")).as(setting.key()).isNull();
			assertThat(setting.normalize("  ")).as(setting.key()).isNull();
		}
	}

	@Test
	void sizes() {
		assertThat(Setting.parseSize("3")).isEqualTo(3L);
		assertThat(Setting.parseSize("3K")).isEqualTo(3L << 10);
		assertThat(Setting.parseSize("3mib")).isEqualTo(3L << 20);
		assertThat(Setting.parseSize("3 GiB")).isEqualTo(3L << 30);
		assertThat(Setting.parseSize("3 TiB")).isNull();
		assertThat(Setting.formatSize(1L << 30)).isEqualTo("1GiB");
		assertThat(Setting.formatSize(3L << 20)).isEqualTo("3MiB");
		assertThat(Setting.formatSize(5L << 10)).isEqualTo("5KiB");
		assertThat(Setting.formatSize(1000)).isEqualTo("1000B");
	}
}
