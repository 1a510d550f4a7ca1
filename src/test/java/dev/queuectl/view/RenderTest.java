package dev.queuectl.view;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How tables word durations and times: as a person reads them, not as milliseconds. */
class RenderTest {

	@Test
	void durationsReadAsAPersonWouldSayThemInTwoUnitsAtMost() {
		assertThat(Render.elapsed(null)).isEqualTo("-");
		assertThat(Render.elapsed(0L)).isEqualTo("0ms");
		assertThat(Render.elapsed(250L)).isEqualTo("250ms");
		assertThat(Render.elapsed(1_000L)).isEqualTo("1.0s");
		assertThat(Render.elapsed(6_849L)).isEqualTo("6.8s");
		assertThat(Render.elapsed(59_999L)).isEqualTo("59.9s");
		assertThat(Render.elapsed(60_000L)).isEqualTo("1m00s");
		assertThat(Render.elapsed(134_000L)).isEqualTo("2m14s");
		assertThat(Render.elapsed(3_600_000L + 5 * 60_000L + 59_000L)).isEqualTo("1h05m");
		assertThat(Render.elapsed(2 * 86_400_000L + 4 * 3_600_000L)).isEqualTo("2d04h");
	}

	@Test
	void tableTimeColumnsSayTheyAreUtc() {
		assertThat(Render.JOB_HEADERS).contains("UPDATED (UTC)");
		assertThat(Render.DEAD_HEADERS).last().isEqualTo("DIED (UTC)");
		assertThat(Render.time(java.time.Instant.parse("2031-03-04T05:06:07.089Z"))).isEqualTo("2031-03-04 05:06:07");
	}
}
