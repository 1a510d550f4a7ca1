package dev.queuectl.web;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.queuectl.store.WorkerStore;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Limits by key over real HTTP: GET/POST/DELETE /api/limits and the queue's rate with the CLI's
 * words for bad input, why a job waits on GET /api/jobs/{id} and its page, the limits on /queues.
 */
class LimitsApiTest extends WebTestSupport {

	@Autowired
	WorkerStore store;

	@BeforeEach
	@AfterEach
	void noLimits() {
		this.jdbc.update("DELETE FROM limits");
		this.jdbc.update("DELETE FROM limit_starts");
	}

	private HttpResponse<String> delete(String path) throws Exception {
		return this.http.send(request(path).header(WebAccess.CSRF_HEADER, this.access.csrf()).DELETE().build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static void problem(HttpResponse<String> r, int status, String detail) {
		assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
		assertThat(json(r).get("detail").asString()).isEqualTo(detail);
	}

	@Test
	void limitsAreSetListedAndRemovedAndBadInputGetsTheCommandsLine() throws Exception {
		JsonNode set = json(post("/api/limits?key=customer:*&concurrency=2&rate=10/1m"));
		assertThat(set.get("key").asString()).isEqualTo("customer:*");
		assertThat(set.get("concurrency").asInt()).isEqualTo(2);
		assertThat(set.get("rate").asString()).isEqualTo("10/1m");
		JsonNode list = json(get("/api/limits"));
		assertThat(list.size()).isEqualTo(1);
		assertThat(list.get(0).get("running").asInt()).isZero();
		assertThat(json(post("/api/queues/mail/rate?rate=100/1m")).get("rate").asString()).isEqualTo("100/1m");
		assertThat(json(get("/api/queues")).toString()).contains("\"rate\":\"100/1m\"");
		assertThat(get("/queues").body()).contains("limit-list", "customer:*", "10/1m", "100/1m");
		assertThat(json(post("/api/queues/mail/rate?rate=off")).get("rate").isNull()).isTrue();

		problem(post("/api/limits?key=stripe&rate=0/1m"), 400,
				"a rate is N/DURATION with N from 1 to 1000000 and a duration up to 7d, like 100/1m or 4/2s; got '0/1m'");
		problem(post("/api/limits?key=bad%20key&concurrency=1"), 400,
				"a limit key is 1-128 characters of A-Z a-z 0-9 . _ : / - (not starting with . : / -), or such a prefix and * (customer:*); got 'bad key'");
		problem(post("/api/limits?key=stripe"), 400, "limit set needs --concurrency N and/or --rate N/DURATION");
		assertThat(json(delete("/api/limits?key=customer:*")).get("removed").asBoolean()).isTrue();
		problem(delete("/api/limits?key=customer:*"), 404, "no such limit: customer:*");
		assertThat(json(get("/api/limits")).size()).isZero();
	}

	@Test
	void aJobHeldByAKeySaysWhyOnTheApiAndOnItsPage() throws Exception {
		post("/api/limits?key=gate&concurrency=1");
		enqueue("{\"id\":\"g1\",\"command\":\"true\",\"limits\":[\"gate\"]}");
		enqueue("{\"id\":\"g2\",\"command\":\"true\",\"limits\":[\"gate\"]}");
		assertThat(this.store.claim("w1", List.of(), 10, Instant.now(), Duration.ofSeconds(30))).hasSize(1);
		String held = state("g1").equals("processing") ? "g2" : "g1";
		JsonNode job = json(get("/api/jobs/" + held));
		assertThat(job.get("limits").get(0).asString()).isEqualTo("gate");
		assertThat(job.get("waiting").get(0).asString()).isEqualTo("held by limit gate (1/1 running)");
		assertThat(get("/jobs/" + held).body()).contains("waiting: held by limit gate (1/1 running)");
	}
}
