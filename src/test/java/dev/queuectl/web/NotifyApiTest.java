package dev.queuectl.web;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.queuectl.service.Settings;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Notifications over real HTTP (issue 27): GET /api/notifications and its retries with the CLI's
 * words for bad input, and the dashboard's page with its retry buttons, which need the CSRF token
 * like every write of a session.
 */
class NotifyApiTest extends WebTestSupport {

	@Autowired
	Settings settings;

	@BeforeEach
	void notifyOnCancel() {
		this.jdbc.update("DELETE FROM notifications");
		this.jdbc.update("DELETE FROM settings");
		this.settings.set("notify-url", "http://127.0.0.1:9/hook");
		this.settings.set("notify-on", "canceled");
	}

	private static void problem(HttpResponse<String> r, int status, String detail) {
		assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
		assertThat(json(r).get("detail").asString()).isEqualTo(detail);
	}

	@Test
	void notificationsAreListedAndFailedOnesRetriedWithTheCommandsWords() throws Exception {
		enqueue("{\"id\":\"n1\",\"command\":\"true\",\"delay\":\"1h\"}");
		assertThat(post("/api/jobs/n1/cancel").statusCode()).isEqualTo(200);
		JsonNode list = json(get("/api/notifications"));
		assertThat(list.size()).isEqualTo(1);
		JsonNode n = list.get(0);
		assertThat(n.get("job_id").asString()).isEqualTo("n1");
		assertThat(n.get("event").asString()).isEqualTo("canceled");
		assertThat(n.get("status").asString()).isEqualTo("pending");
		long id = n.get("id").asLong();
		problem(post("/api/notifications/" + id + "/retry"), 409,
				"notification " + id + " is pending, not failed: only failed ones are retried");
		problem(post("/api/notifications/x/retry"), 400, "a notification id is a number, got 'x'");
		problem(post("/api/notifications/424242/retry"), 404, "no such notification: 424242");
		problem(get("/api/notifications?limit=0"), 400, "--limit must be 1-10000, got '0'");

		this.jdbc.update("UPDATE notifications SET failed_at = created_at, error = 'HTTP 503'");
		assertThat(json(get("/api/notifications?failed=true")).size()).isEqualTo(1);
		assertThat(json(post("/api/notifications/" + id + "/retry")).get("retried").asInt()).isEqualTo(1);
		assertThat(json(get("/api/notifications?failed=true")).size()).isZero();
		this.jdbc.update("UPDATE notifications SET failed_at = created_at");
		assertThat(json(post("/api/notifications/retry")).get("retried").asInt()).isEqualTo(1);
	}

	@Test
	void theDashboardPageShowsFailedNotificationsWithARetryButtonThatNeedsTheCsrfToken() throws Exception {
		enqueue("{\"id\":\"n2\",\"command\":\"true\",\"delay\":\"1h\"}");
		post("/api/jobs/n2/cancel");
		this.jdbc.update("UPDATE notifications SET failed_at = created_at, error = 'cannot reach it'");
		long id = this.jdbc.queryForObject("SELECT id FROM notifications", Long.class);
		String page = get("/notifications").body();
		assertThat(page).contains("0 pending, 1 failed", "n2", "canceled", "cannot reach it", "class=\"retry-one\"",
				"href=\"/notifications\"");
		HttpResponse<String> noToken = this.http.send(request("/notifications/retry")
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(java.net.http.HttpRequest.BodyPublishers.ofString("id=" + id)).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(noToken.statusCode()).isEqualTo(403);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM notifications WHERE failed_at IS NOT NULL", Long.class)).isEqualTo(1);
		HttpResponse<String> retried = post("/notifications/retry", "application/x-www-form-urlencoded",
				"_csrf=" + this.access.csrf() + "&id=" + id);
		assertThat(retried.statusCode()).isEqualTo(302);
		assertThat(retried.headers().firstValue("Location").orElseThrow()).contains("/notifications?message=notification+" + id);
		assertThat(get("/notifications").body()).contains("1 pending, 0 failed");
	}
}
