package dev.queuectl.web;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.queuectl.service.TalkService;
import dev.queuectl.store.WorkerStore;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs that talk back (issue 27) over real HTTP: env given at POST /api/jobs, progress posted and
 * shown on GET /api/jobs/{id} with the CLI's words for bad input, the result on the API, and the
 * progress bar with its ETA on the job page and the jobs list.
 */
class TalkApiTest extends WebTestSupport {

	@Autowired
	WorkerStore store;

	@Autowired
	TalkService talk;

	@Test
	void progressAndResultShowOnTheApiAndABarWithAnEtaOnThePages() throws Exception {
		enqueue("{\"id\":\"t1\",\"command\":\"sleep 100\",\"env\":{\"STAGE\":\"prod\"}}");
		Instant started = Instant.now();
		assertThat(this.store.claim("w1", List.of(), 10, started, Duration.ofSeconds(30))).hasSize(1);
		JsonNode posted = json(post("/api/jobs/t1/progress", "application/json", "{\"progress\":\"25/100\",\"message\":\"users\"}"));
		assertThat(posted.get("recorded").asBoolean()).isTrue();
		this.talk.setResult("t1", null, "rows=7");
		JsonNode job = json(get("/api/jobs/t1"));
		assertThat(job.get("env").get("STAGE").asString()).isEqualTo("prod");
		assertThat(job.get("progress").get("done").asLong()).isEqualTo(25);
		assertThat(job.get("progress").get("total").asLong()).isEqualTo(100);
		assertThat(job.get("progress").get("message").asString()).isEqualTo("users");
		assertThat(job.get("result").asString()).isEqualTo("rows=7");
		String page = get("/jobs/t1").body();
		assertThat(page).contains("class=\"bar\"", "width:25%", "25%", "users", "rows=7");
		assertThat(get("/jobs").body()).contains("data-progress=\"t1\"", "width:25%");
	}

	@Test
	void badProgressGetsTheCommandsLineAndAnUnknownJob404() throws Exception {
		enqueue("{\"id\":\"t2\",\"command\":\"true\"}");
		HttpResponse<String> zero = post("/api/jobs/t2/progress", "application/json", "{\"progress\":\"5/0\"}");
		assertThat(zero.statusCode()).isEqualTo(400);
		assertThat(json(zero).get("detail").asString()).isEqualTo("progress 5/0: the total must be at least 1");
		assertThat(post("/api/jobs/nope/progress", "application/json", "{\"progress\":\"1/2\"}").statusCode()).isEqualTo(404);
		assertThat(json(get("/api/jobs/t2")).get("progress").isNull()).isTrue();
		assertThat(json(get("/api/jobs/t2")).get("result").isNull()).isTrue();
	}
}
