package dev.queuectl.web;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batches over real HTTP (issue 28): POST /api/batches with JSON Lines and callbacks, batch add,
 * list, show, a batch's jobs page by page, cancel, bad input with the CLI's words; the dashboard's
 * batches page and a batch's page.
 */
class BatchesApiTest extends WebTestSupport {

	@BeforeEach
	@AfterEach
	void noBatches() {
		this.jdbc.update("DELETE FROM batches");
	}

	private static String encoded(String s) {
		return URLEncoder.encode(s, StandardCharsets.UTF_8);
	}

	@Test
	void aBatchIsMadeAddedToListedShownPagedAndCanceled() throws Exception {
		HttpResponse<String> made = post("/api/batches?name=web&on_complete=" + encoded("{\"id\":\"web-done\",\"command\":\"true\"}"),
				"application/x-ndjson", "{\"id\":\"w1\",\"command\":\"true\"}\n{\"id\":\"w2\",\"command\":\"true\"}\n");
		assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
		JsonNode m = json(made);
		assertThat(m.get("stored").asInt()).isEqualTo(2);
		assertThat(m.get("callbacks").get("on_complete").asString()).isEqualTo("web-done");
		assertThat(post("/api/batches/web/jobs", "application/x-ndjson", "{\"id\":\"w3\",\"command\":\"true\"}\n").statusCode())
			.isEqualTo(201);
		JsonNode list = json(get("/api/batches"));
		assertThat(list.size()).isEqualTo(1);
		assertThat(list.get(0).get("total").asInt()).isEqualTo(3);
		JsonNode shown = json(get("/api/batches/web"));
		assertThat(shown.get("counts").get("pending").asInt()).isEqualTo(3);
		assertThat(shown.get("status").asString()).isEqualTo("open");
		JsonNode page = json(get("/api/batches/web/jobs?limit=2"));
		assertThat(page.get("jobs").size()).isEqualTo(2);
		assertThat(page.get("next").asString()).isEqualTo("w2");
		JsonNode rest = json(get("/api/batches/web/jobs?limit=2&after=w2"));
		assertThat(rest.get("jobs").get(0).get("id").asString()).isEqualTo("w3");
		assertThat(rest.get("next").isNull()).isTrue();
		assertThat(get("/batches").body()).contains("batch-list", "web", "batch-progress", "on complete: web-done");
		assertThat(get("/batches/web").body()).contains("Batch web", "0/3 done, open", "w1", "w3");
		JsonNode canceled = json(post("/api/batches/web/cancel"));
		assertThat(canceled.get("canceled").asInt()).isEqualTo(3);
		assertThat(json(get("/api/batches/web")).get("status").asString()).isEqualTo("failed");
		assertThat(state("web-done")).isEqualTo("pending");
		assertThat(json(get("/api/jobs/w1")).get("batch").asString()).isEqualTo("web");
	}

	@Test
	void badBatchRequestsGetTheCommandsLine() throws Exception {
		HttpResponse<String> noName = post("/api/batches", "application/x-ndjson", "{\"command\":\"true\"}\n");
		assertThat(noName.statusCode()).isEqualTo(400);
		assertThat(json(noName).get("detail").asString()).isEqualTo("a batch needs ?name=NAME");
		HttpResponse<String> badCallback = post("/api/batches?name=x&on_failure=" + encoded("{\"command\":"),
				"application/x-ndjson", "{\"command\":\"true\"}\n");
		assertThat(badCallback.statusCode()).isEqualTo(400);
		assertThat(json(badCallback).get("detail").asString()).startsWith("on_failure: ");
		HttpResponse<String> missing = get("/api/batches/nope");
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(json(missing).get("detail").asString()).isEqualTo("no such batch: nope");
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM batches", Long.class)).isZero();
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs", Long.class)).isZero();
	}
}
