package dev.queuectl.config;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class DurationsTest {

	@ParameterizedTest
	@CsvSource({ "500ms, PT0.5S", "30s, PT30S", "5m, PT5M", "2h, PT2H", "1d, PT24H", "45, PT45S", "0, PT0S",
			"' 7m ', PT7M", "999999999d, PT23999999976H" })
	void parses(String text, Duration expected) {
		assertThat(Durations.parseOrNull(text)).isEqualTo(expected);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "  ", "soon", "-5s", "5 m", "5M", "1.5s", "5w", "s", "1000000000s", "1h30m", "+5s" })
	void rejects(String text) {
		assertThat(Durations.parseOrNull(text)).isNull();
	}

	@ParameterizedTest
	@CsvSource({ "PT0S, 0s", "PT0.25S, 250ms", "PT1.5S, 1500ms", "PT90S, 90s", "PT120S, 2m", "PT1H, 1h",
			"PT25H, 25h", "PT48H, 2d", "PT61M, 61m" })
	void formatsInTheLargestExactUnit(Duration duration, String expected) {
		assertThat(Durations.format(duration)).isEqualTo(expected);
	}

	@ParameterizedTest
	@ValueSource(strings = { "250ms", "1500ms", "59s", "90s", "2m", "61m", "1h", "25h", "2d", "30d" })
	void formatIsParsedBackToTheSameDuration(String text) {
		Duration d = Durations.parseOrNull(text);
		assertThat(Durations.format(d)).isEqualTo(text);
		assertThat(Durations.parseOrNull(Durations.format(d))).isEqualTo(d);
	}
}
