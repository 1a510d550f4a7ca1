package dev.queuectl.web;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The page's first paint writes times and ETAs as app.js rewrites them later (eta(), span()). */
class PageFormatTest {

	@Test
	void anEtaIsWrittenInHoursMinutesAndSecondsAsTheScriptWritesIt() {
		assertThat(PageFormat.etaText(2085)).isEqualTo("34m45s");
		assertThat(PageFormat.etaText(3720)).isEqualTo("1h2m");
		assertThat(PageFormat.etaText(3601)).isEqualTo("1h1s");
		assertThat(PageFormat.etaText(120)).isEqualTo("2m");
		assertThat(PageFormat.etaText(7)).isEqualTo("7s");
		assertThat(PageFormat.etaText(0)).isEqualTo("0s");
	}

	@Test
	void anInstantIsRelativeToNowInTwoUnitsAtMost() {
		PageFormat fmt = new PageFormat();
		assertThat(fmt.ago(Instant.now().minusSeconds(192))).isEqualTo("3m12s ago");
		assertThat(fmt.ago(Instant.now().plusSeconds(4 * 60 + 30))).isIn("in 4m30s", "in 4m29s");
		assertThat(fmt.ago(Instant.now().minusSeconds(3 * 3600 + 5 * 60 + 9))).isEqualTo("3h5m ago");
		assertThat(fmt.ago(Instant.now().minusSeconds(2 * 86400 + 4 * 3600))).isEqualTo("2d4h ago");
		assertThat(fmt.ago(null)).isEqualTo("-");
	}
}
