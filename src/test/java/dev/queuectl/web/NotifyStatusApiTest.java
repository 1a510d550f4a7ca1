package dev.queuectl.web;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.queuectl.service.Settings;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The count of notifications given up on where the dashboard reads it: {@code /api/status}'s
 * {@code notifications_failed} (which the overview's script follows each second) and the overview
 * page's line linking to the failed ones, hidden while there are none. The count's SQL is tested on
 * both backends by TalkBackGapsTest and its PostgreSQL twin.
 */
class NotifyStatusApiTest extends WebTestSupport {

	@Autowired
	Settings settings;

	@BeforeEach
	void notifyOnCancel() {
		this.jdbc.update("DELETE FROM notifications");
		this.jdbc.update("DELETE FROM settings");
		this.settings.set("notify-url", "http://127.0.0.1:9/hook");
		this.settings.set("notify-on", "canceled");
	}

	@Test
	void theStatusApiAndTheOverviewCountFailedNotificationsOnlyWhenThereAreAny() throws Exception {
		enqueue("{\"id\":\"n1\",\"command\":\"true\",\"delay\":\"1h\"}");
		assertThat(post("/api/jobs/n1/cancel").statusCode()).isEqualTo(200);
		assertThat(json(get("/api/status")).get("notifications_failed").asLong()).isZero();
		assertThat(get("/").body()).contains("id=\"notify-failed\" class=\"error hidden\"");
		this.jdbc.update("UPDATE notifications SET failed_at = created_at, error = 'HTTP 503'");
		assertThat(json(get("/api/status")).get("notifications_failed").asLong()).isEqualTo(1);
		String page = get("/").body();
		assertThat(page).contains("id=\"notify-failed\" class=\"error\"").contains("href=\"/notifications?failed=true\"");
		assertThat(page).containsPattern("data-notify-failed[^>]*>1</span> notification\\(s\\) failed");
	}
}
